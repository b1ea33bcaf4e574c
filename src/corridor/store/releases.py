"""Numbered releases in the SQL store (the ``releases`` table, revision 0005): a signed
checkpoint marked as release N, with notes; each one recorded in the admin record in the same
transaction (docs/releases.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select

from corridor.errors import ConflictError, NotFoundError
from corridor.store import tables as t
from corridor.store.base import StoreBase

__all__ = ["ReleaseStore", "StoredRelease"]


@dataclass(frozen=True)
class StoredRelease:
    """One release as stored: its number, the checkpoint it marks (size, root), the notes, the
    witnesses whose cosignatures that checkpoint carried when it was released, when, by whom."""

    number: int
    size: int
    root: bytes
    notes: str
    witnesses: tuple[str, ...]
    unwitnessed: bool
    created_at: int
    actor: str


def _release(r: Any) -> StoredRelease:
    return StoredRelease(
        int(r.number), int(r.size), bytes(r.root), r.notes, tuple(r.witnesses or ()),
        bool(r.unwitnessed), int(r.created_at), r.actor,
    )  # fmt: skip


class ReleaseStore(StoreBase):
    """The releases table (mixed into :class:`corridor.store.sql.SqlStore`)."""

    def add_release(
        self,
        size: int,
        notes: str,
        witnesses: Sequence[str],
        *,
        unwitnessed: bool,
        at: int,
        actor: str,
    ) -> StoredRelease:
        """Mark the signed checkpoint of ``size`` as the next release (the largest number so
        far plus one) and record ``release.create`` in the admin record, in one transaction.
        NotFoundError when no checkpoint of that size was signed; ConflictError when it is a
        release already."""
        rc = t.releases.c
        with self.begin() as conn:
            if self.dialect == "postgresql":
                # one release at a time: numbers follow each other
                conn.exec_driver_sql("LOCK TABLE releases IN EXCLUSIVE MODE")
            root = conn.execute(
                select(t.log_checkpoints.c.root).where(t.log_checkpoints.c.size == size)
            ).scalar()
            if root is None:
                raise NotFoundError(
                    f"the log signed no checkpoint of tree size {size}", code="no-checkpoint",
                    subject=str(size),
                )  # fmt: skip
            earlier = conn.execute(select(rc.number).where(rc.size == size)).scalar()
            if earlier is not None:
                raise ConflictError(
                    f"the checkpoint of tree size {size} is release {earlier} already",
                    subject=str(earlier),
                )
            last = conn.execute(select(func.max(rc.number))).scalar()
            number = 1 if last is None else int(last) + 1
            row = {
                "number": number, "size": size, "root": bytes(root), "notes": notes,
                "witnesses": list(witnesses), "unwitnessed": unwitnessed, "created_at": at,
                "actor": actor,
            }  # fmt: skip
            conn.execute(insert(t.releases).values(**row))
            conn.execute(
                insert(t.admin_actions).values(
                    at=at, actor=actor, action="release.create", subject=str(number),
                    detail={"tree_size": size, "notes": notes, "witnesses": list(witnesses),
                            "unwitnessed": unwitnessed},
                )
            )  # fmt: skip
        return StoredRelease(number, size, bytes(root), notes, tuple(witnesses), unwitnessed,
                             at, actor)  # fmt: skip

    def releases(self) -> list[StoredRelease]:
        """Every release, by number."""
        with self.read() as conn:
            rows = conn.execute(select(t.releases).order_by(t.releases.c.number)).all()
        return [_release(r) for r in rows]

    def release(self, number: int) -> StoredRelease | None:
        with self.read() as conn:
            row = conn.execute(select(t.releases).where(t.releases.c.number == number)).first()
        return None if row is None else _release(row)
