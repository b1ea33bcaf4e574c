"""Access: API tokens (made, listed, revoked, checked) and the record of administrative actions.

A token is ``ctk_<id>_<secret>``: ``id`` is 12 letters and digits (public: it names the token in
lists, logs and the admin record), ``secret`` 32 random bytes in base64url. Only SHA-256 of the
whole token is stored; a token is shown once, when it is made. Each token has one role:

    admin     everything: the registry, keys, tokens, the admin record; submits for anyone
    reporter  submits entries first-signed by its own organisation's registered keys; reads
    reader    reads what is not published (a deployment whose reads need a token)
    witness   reserved for a witness fetching and cosigning checkpoints

and scopes (what it may do, a subset of its role's: ``read``, ``submit``, ``registry``,
``keys``, ``tokens``, ``witness``), an optional organisation (required for a reporter; an admin
token has none), a label, and an expiry. Registry writes, key registration and token changes
are recorded in the append-only ``admin_actions`` table with who made them: a token id, or
``cli:<user>`` for a local operator.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import re
import secrets
import string
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corridor.app import shapes
from corridor.errors import AuthenticationError, InputError, NotFoundError
from corridor.store.tokens import StoredToken

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = [
    "ROLES",
    "SCOPES",
    "AccessCases",
    "Principal",
    "local_actor",
    "parse_token",
]

ROLES = ("admin", "reporter", "reader", "witness")

#: Every scope a token of each role may hold (its default scopes).
SCOPES: Mapping[str, tuple[str, ...]] = {
    "admin": ("read", "submit", "registry", "keys", "tokens", "witness"),
    "reporter": ("read", "submit"),
    "reader": ("read",),
    "witness": ("read", "witness"),
}

#: The roles that satisfy each required role.
SATISFIES: Mapping[str, frozenset[str]] = {
    "admin": frozenset({"admin"}),
    "reporter": frozenset({"admin", "reporter"}),
    "reader": frozenset(ROLES),
    "witness": frozenset({"admin", "witness"}),
}

#: The scope each role stands for, when a route asks for a role and names no scope.
ROLE_SCOPE: Mapping[str, str] = {
    "admin": "registry",
    "reporter": "submit",
    "reader": "read",
    "witness": "witness",
}

PREFIX = "ctk_"
_ID_CHARS = string.ascii_letters + string.digits
_TOKEN = re.compile(r"ctk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})")
#: compared against when the id is unknown, so that an unknown id costs the same time
_NO_HASH = hashlib.sha256(b"no such token").digest()
#: last_used_at is written at most this often per token and worker process
TOUCH_EVERY_S = 60
MAX_EXPIRY_DAYS = 3650


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: a token's id, organisation (None for an admin token) and role."""

    token_id: str
    org: str | None
    role: str
    scopes: tuple[str, ...] = ()

    def allows(self, role: str, scope: str | None = None) -> bool:
        """Whether this principal may do what ``role`` (and ``scope``) may."""
        need = scope or ROLE_SCOPE[role]
        return self.role in SATISFIES[role] and need in self.scopes

    @property
    def actor(self) -> str:
        """How the admin record names it: the token id."""
        return self.token_id


def local_actor() -> str:
    """A local operator, as the admin record names one: ``cli:<user>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a bare container)
        user = "unknown"
    return f"cli:{user}"


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def parse_token(token: str) -> str | None:
    """The id of a well-formed token, or None."""
    m = _TOKEN.fullmatch(token)
    return m.group(1) if m else None


class AccessCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app
        self._touched: dict[str, int] = {}
        self._lock = threading.Lock()

    # -- tokens ------------------------------------------------------------------------------
    def create_token(
        self,
        org: str | None,
        role: str,
        *,
        expires_days: int | None = 90,
        label: str | None = None,
        scopes: Sequence[str] | None = None,
        actor: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """A new token: (the token, shown only now; its shape). ``expires_days`` None or 0:
        it never expires. A reporter needs an organisation; an admin token has none."""
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}",
                             where="role")  # fmt: skip
        if role == "reporter" and org is None:
            raise InputError("a reporter token needs its organisation", where="org")
        if role == "admin" and org is not None:
            raise InputError("an admin token belongs to no organisation", where="org")
        allowed = SCOPES[role]
        chosen = tuple(dict.fromkeys(scopes)) if scopes else allowed
        extra = [s for s in chosen if s not in allowed]
        if extra:
            raise InputError(f"a {role} token cannot hold scope {extra[0]!r} (its scopes: "
                             f"{', '.join(allowed)})", where="scopes")  # fmt: skip
        if expires_days is not None and not 0 <= expires_days <= MAX_EXPIRY_DAYS:
            raise InputError(f"{expires_days} is not between 0 and {MAX_EXPIRY_DAYS}",
                             where="expires_days")  # fmt: skip
        if label is not None and (len(label) > 200 or not label.isprintable()):
            raise InputError("a label is at most 200 printable characters", where="label")
        now = int(time.time())
        token_id = "".join(secrets.choice(_ID_CHARS) for _ in range(12))
        token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        stored = StoredToken(
            id=token_id,
            hash=token_hash(token),
            org_id=org,
            role=role,
            scopes=chosen,
            label=label,
            created_at=now,
            expires_at=now + expires_days * 86_400 if expires_days else None,
            revoked_at=None,
            last_used_at=None,
        )
        detail = {"org": org, "role": role, "scopes": list(chosen), "label": label,
                  "expires_at": stored.expires_at}  # fmt: skip
        self.app.store.add_token(stored, (now, actor or local_actor(), "token.create", detail))
        return token, shapes.token(stored)

    def tokens(self) -> list[dict[str, Any]]:
        """Every token (never the token itself), oldest first."""
        return [shapes.token(t) for t in self.app.store.tokens()]

    def revoke(self, token_id: str, *, actor: str | None = None) -> dict[str, Any]:
        """Revoke a token at once (NotFoundError for an unknown id; again: no change)."""
        return shapes.token(
            self.app.store.revoke_token(token_id, int(time.time()), actor or local_actor(), {})
        )

    def authenticate(self, token: str) -> Principal:
        """The principal a token stands for; AuthenticationError when it is malformed, unknown,
        expired or revoked. The hash is compared in constant time."""
        token_id = parse_token(token)
        if token_id is None:
            raise AuthenticationError("the bearer token is not a corridor API token")
        stored = self.app.store.token(token_id)
        given = token_hash(token)
        if not hmac.compare_digest(given, stored.hash if stored else _NO_HASH) or stored is None:
            raise AuthenticationError("unknown token")
        now = int(time.time())
        if stored.revoked_at is not None:
            raise AuthenticationError(f"token {token_id} was revoked", subject=token_id)
        if stored.expires_at is not None and stored.expires_at <= now:
            raise AuthenticationError(f"token {token_id} has expired", subject=token_id)
        self._touch(token_id, now)
        return Principal(token_id, stored.org_id, stored.role, stored.scopes)

    def _touch(self, token_id: str, now: int) -> None:
        with self._lock:
            if now - self._touched.get(token_id, 0) < TOUCH_EVERY_S:
                return
            self._touched[token_id] = now
        self.app.store.touch_token(token_id, now)

    # -- the admin record ------------------------------------------------------------------
    def record(
        self,
        action: str,
        subject: str | None,
        detail: Mapping[str, Any] | None = None,
        *,
        actor: str | None = None,
    ) -> None:
        """Append an administrative action to the record (``actor`` default: this user)."""
        self.app.store.record_action(
            int(time.time()), actor or local_actor(), action, subject, dict(detail or {})
        )

    def actions(self, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Administrative actions after sequence number ``after``, oldest first."""
        if limit < 1:
            raise InputError("is at least 1", where="limit")
        return [shapes.admin_action(a) for a in self.app.store.admin_actions(after, limit)]

    def token(self, token_id: str) -> dict[str, Any]:
        """One token's shape (NotFoundError)."""
        stored = self.app.store.token(token_id)
        if stored is None:
            raise NotFoundError(f"no token with id {token_id!r}", subject=token_id)
        return shapes.token(stored)
