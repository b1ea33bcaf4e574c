"""Watches in the SQL store (docs/watches.md): the subscriptions, one delivery per (watch,
event) with its exact body, and every delivery attempt.

Deliveries are claimed before they are sent (:meth:`WatchStore.claim_delivery`: a conditional
update of the due time), so two processes delivering at once never send the same attempt twice.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from corridor.store import tables as t
from corridor.store.base import StoreBase

__all__ = ["StoredAttempt", "StoredDelivery", "StoredWatch", "WatchStore"]

w = t.watches.c
d = t.watch_deliveries.c
a = t.watch_attempts.c


@dataclass(frozen=True)
class StoredWatch:
    id: str
    owner: str
    kind: str
    filter: dict[str, Any]
    url: str
    secret: str
    label: str | None
    cursor: int
    last: dict[str, Any] | None
    created_at: int
    removed_at: int | None


@dataclass(frozen=True)
class StoredAttempt:
    attempt: int
    at: int
    http_status: int | None
    error: str | None


@dataclass(frozen=True)
class StoredDelivery:
    id: str
    watch_id: str
    event: str
    type: str
    payload: str
    status: str
    attempts: int
    next_at: int
    created_at: int
    delivered_at: int | None
    tries: tuple[StoredAttempt, ...] = ()


def _watch(r: Any) -> StoredWatch:
    return StoredWatch(
        r.id, r.owner, r.kind, dict(r.filter), r.url, r.secret, r.label, int(r.cursor),
        None if r.last is None else dict(r.last), int(r.created_at),
        None if r.removed_at is None else int(r.removed_at),
    )  # fmt: skip


def _delivery(r: Any, tries: Sequence[StoredAttempt] = ()) -> StoredDelivery:
    return StoredDelivery(
        r.id, r.watch_id, r.event, r.type, r.payload, r.status, int(r.attempts), int(r.next_at),
        int(r.created_at), None if r.delivered_at is None else int(r.delivered_at), tuple(tries),
    )  # fmt: skip


class WatchStore(StoreBase):
    """The watch tables (mixed into :class:`corridor.store.sql.SqlStore`)."""

    def add_watch(self, watch: StoredWatch) -> None:
        with self.begin() as conn:
            conn.execute(t.watches.insert().values(**watch.__dict__))

    def watch(self, id: str) -> StoredWatch | None:
        with self.read() as conn:
            r = conn.execute(select(t.watches).where(w.id == id)).first()
        return None if r is None else _watch(r)

    def watches(self, *, owner: str | None = None) -> list[StoredWatch]:
        """The watches not removed (of ``owner``; None: everyone's), oldest first."""
        cond: list[Any] = [w.removed_at.is_(None)]
        if owner is not None:
            cond.append(w.owner == owner)
        with self.read() as conn:
            rows = conn.execute(select(t.watches).where(*cond).order_by(w.created_at, w.id)).all()
        return [_watch(r) for r in rows]

    def remove_watch(self, id: str) -> bool:
        """Mark a watch removed (its deliveries and attempts stay); False if it was not active.
        Its pending deliveries are not attempted any more."""
        now = int(time.time())
        with self.begin() as conn:
            res = conn.execute(
                update(t.watches).where(w.id == id, w.removed_at.is_(None)).values(removed_at=now)
            )
            conn.execute(
                update(t.watch_deliveries)
                .where(d.watch_id == id, d.status == "pending")
                .values(status="cancelled")
            )
            return bool(res.rowcount)

    def advance_watch(
        self,
        id: str,
        *,
        cursor: int,
        last: dict[str, Any] | None,
        deliveries: Sequence[dict[str, Any]],
    ) -> int:
        """In one transaction: add the ``deliveries`` (rows of watch_deliveries) whose (watch,
        event) is not there yet, and move the watch's cursor and last verdict. Returns how many
        were new."""
        with self.begin() as conn:
            new = 0
            for row in deliveries:
                ins: Any = (
                    postgresql.insert(t.watch_deliveries)
                    if conn.dialect.name == "postgresql"
                    else sqlite.insert(t.watch_deliveries)
                )
                stmt = ins.values(**row).on_conflict_do_nothing(
                    index_elements=["watch_id", "event"]
                )
                new += len(conn.execute(stmt.returning(d.id)).all())
            # a slower process that evaluated an older size does not move the watch back
            conn.execute(
                update(t.watches)
                .where(w.id == id, w.cursor <= cursor)
                .values(cursor=cursor, last=last)
            )
        return new

    def due_deliveries(self, now: int, *, limit: int = 100) -> list[StoredDelivery]:
        """Pending deliveries due at ``now`` (of watches not removed), oldest first."""
        with self.read() as conn:
            rows = conn.execute(
                select(t.watch_deliveries)
                .where(d.status == "pending", d.next_at <= now)
                .order_by(d.next_at, d.created_at, d.id)
                .limit(limit)
            ).all()
        return [_delivery(r) for r in rows]

    def claim_delivery(self, delivery: StoredDelivery, until: int) -> bool:
        """Take the delivery for one attempt: move its due time to ``until`` if nobody else did
        since it was read (False then: another process has it)."""
        with self.begin() as conn:
            res = conn.execute(
                update(t.watch_deliveries)
                .where(
                    d.id == delivery.id,
                    d.status == "pending",
                    d.next_at == delivery.next_at,
                    d.attempts == delivery.attempts,
                )
                .values(next_at=until)
            )
            return bool(res.rowcount)

    def record_attempt(
        self,
        delivery_id: str,
        attempt: StoredAttempt,
        *,
        status: str,
        next_at: int,
    ) -> None:
        """Keep an attempt and the delivery's new state (delivered, pending with its next due
        time, or failed)."""
        with self.begin() as conn:
            conn.execute(t.watch_attempts.insert().values(delivery_id=delivery_id,
                                                          **attempt.__dict__))  # fmt: skip
            conn.execute(
                update(t.watch_deliveries)
                .where(d.id == delivery_id)
                .values(
                    status=status,
                    attempts=attempt.attempt,
                    next_at=next_at,
                    delivered_at=attempt.at if status == "delivered" else None,
                )
            )

    def deliveries(self, watch_id: str, *, limit: int = 100) -> list[StoredDelivery]:
        """A watch's deliveries, newest first, each with its attempts (first to last)."""
        with self.read() as conn:
            rows = conn.execute(
                select(t.watch_deliveries)
                .where(d.watch_id == watch_id)
                .order_by(d.created_at.desc(), d.id.desc())
                .limit(limit)
            ).all()
            ids = [r.id for r in rows]
            tries: dict[str, list[StoredAttempt]] = {i: [] for i in ids}
            if ids:
                for r in conn.execute(
                    select(t.watch_attempts)
                    .where(a.delivery_id.in_(ids))
                    .order_by(a.delivery_id, a.attempt)
                ):
                    tries[r.delivery_id].append(
                        StoredAttempt(int(r.attempt), int(r.at), r.http_status, r.error)
                    )
        return [_delivery(r, tries[r.id]) for r in rows]
