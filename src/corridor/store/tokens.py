"""Access in the SQL store: API tokens (only a SHA-256 hash of each is kept) and the append-only
record of administrative actions (mixed into :class:`corridor.store.sql.SqlStore`).

Times are integer seconds since the epoch, as everywhere else in the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from corridor.errors import ConflictError, NotFoundError
from corridor.store import tables as t
from corridor.store.base import StoreBase

__all__ = ["AdminAction", "StoredToken", "TokenStore"]


@dataclass(frozen=True)
class StoredToken:
    """A token as stored: never the token itself, only its hash."""

    id: str
    hash: bytes
    org_id: str | None
    role: str
    scopes: tuple[str, ...]
    label: str | None
    created_at: int
    expires_at: int | None
    revoked_at: int | None
    last_used_at: int | None


@dataclass(frozen=True)
class AdminAction:
    """One administrative action: who (a token id, or ``cli:<user>``) did what, when."""

    seq: int
    at: int
    actor: str
    action: str
    subject: str | None
    detail: Mapping[str, Any]


def _token(r: Any) -> StoredToken:
    return StoredToken(
        id=r.id,
        hash=bytes(r.hash),
        org_id=r.org_id,
        role=r.role,
        scopes=tuple(r.scopes or ()),
        label=r.label,
        created_at=int(r.created_at),
        expires_at=None if r.expires_at is None else int(r.expires_at),
        revoked_at=None if r.revoked_at is None else int(r.revoked_at),
        last_used_at=None if r.last_used_at is None else int(r.last_used_at),
    )


class TokenStore(StoreBase):
    """API tokens and the admin action record."""

    # -- tokens ------------------------------------------------------------------------------
    def add_token(
        self, token: StoredToken, action: tuple[int, str, str, Mapping[str, Any]]
    ) -> None:
        """Store a new token and record its creation (``action``: at, actor, action name,
        detail) in the same transaction."""
        with self.begin() as conn:
            if token.org_id is not None and conn.execute(
                select(t.organisations.c.id).where(t.organisations.c.id == token.org_id)
            ).first() is None:
                raise NotFoundError(f"unknown organisation {token.org_id!r}", subject=token.org_id)
            if conn.execute(select(t.api_tokens.c.id).where(t.api_tokens.c.id == token.id)).first():
                raise ConflictError(f"a token with id {token.id!r} exists")
            conn.execute(
                insert(t.api_tokens).values(
                    id=token.id,
                    hash=token.hash,
                    org_id=token.org_id,
                    role=token.role,
                    scopes=list(token.scopes),
                    label=token.label,
                    created_at=token.created_at,
                    expires_at=token.expires_at,
                    revoked_at=None,
                    last_used_at=None,
                )
            )
            at, actor, name, detail = action
            self._record(conn, at, actor, name, token.id, detail)

    def token(self, token_id: str) -> StoredToken | None:
        """The token with this id, or None."""
        with self.read() as conn:
            r = conn.execute(select(t.api_tokens).where(t.api_tokens.c.id == token_id)).first()
        return None if r is None else _token(r)

    def tokens(self) -> list[StoredToken]:
        """Every token, oldest first."""
        tc = t.api_tokens.c
        with self.read() as conn:
            rows = conn.execute(select(t.api_tokens).order_by(tc.created_at, tc.id)).all()
        return [_token(r) for r in rows]

    def revoke_token(
        self, token_id: str, at: int, actor: str, detail: Mapping[str, Any]
    ) -> StoredToken:
        """Revoke a token (once: revoking it again changes nothing and records nothing);
        NotFoundError for an unknown id."""
        tc = t.api_tokens.c
        with self.begin() as conn:
            r = conn.execute(select(t.api_tokens).where(tc.id == token_id)).first()
            if r is None:
                raise NotFoundError(f"no token with id {token_id!r}", subject=token_id)
            if r.revoked_at is None:
                conn.execute(update(t.api_tokens).where(tc.id == token_id).values(revoked_at=at))
                self._record(conn, at, actor, "token.revoke", token_id, detail)
            r = conn.execute(select(t.api_tokens).where(tc.id == token_id)).one()
        return _token(r)

    def touch_token(self, token_id: str, at: int) -> None:
        """Set a token's ``last_used_at`` (only forward)."""
        tc = t.api_tokens.c
        with self.begin() as conn:
            conn.execute(
                update(t.api_tokens)
                .where(tc.id == token_id, or_(tc.last_used_at.is_(None), tc.last_used_at < at))
                .values(last_used_at=at)
            )

    # -- the admin action record (append-only) -------------------------------------------
    def record_action(
        self, at: int, actor: str, action: str, subject: str | None, detail: Mapping[str, Any]
    ) -> None:
        with self.begin() as conn:
            self._record(conn, at, actor, action, subject, detail)

    @staticmethod
    def _record(
        conn: Connection,
        at: int,
        actor: str,
        action: str,
        subject: str | None,
        detail: Mapping[str, Any],
    ) -> None:
        conn.execute(
            insert(t.admin_actions).values(
                at=at, actor=actor, action=action, subject=subject, detail=dict(detail)
            )
        )

    def admin_actions(self, after: int = 0, limit: int = 100) -> Sequence[AdminAction]:
        """Actions with a sequence number above ``after``, oldest first, at most ``limit``."""
        ac = t.admin_actions.c
        with self.read() as conn:
            rows = conn.execute(
                select(t.admin_actions).where(ac.seq > after).order_by(ac.seq).limit(limit)
            ).all()
        return [
            AdminAction(int(r.seq), int(r.at), r.actor, r.action, r.subject, dict(r.detail or {}))
            for r in rows
        ]
