"""Reading the record's history from the SQL store: the versions of an observation, what
supersedes what, the attestations about observations, and the view admission checks a
correction, retraction or attestation against (docs/record.md).

Every read takes ``as_of`` (the first N entries of the log; None: all of them), as the other
reads do (:func:`corridor.store.observations.live`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, select

from corridor.model.history import ATTESTATION, SEALED, Entry, History, Seal
from corridor.store import tables as t
from corridor.store.api import StoredObservation
from corridor.store.columns import entry_of_row, from_us
from corridor.store.observations import ObservationStore, live, stored_from_row

__all__ = ["HistoryStore"]

c = t.observations.c
_COLS = (c.log_index, c.id, c.entry, c.signers, c.demo_signed, c.supersedes)
_ENTRY_COLS = (c.id, c.type, c.reporter, c.supersedes, c.attests, c.state)
_SEAL_COLS = (*_ENTRY_COLS, c.entry, c.start_us, c.end_us)
_CHUNK = 500
_SIDES = ("corroborates", "disputes")


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(ids))
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class HistoryStore(ObservationStore):
    """Versions, successors and attestations (mixed into :class:`corridor.store.sql.SqlStore`)."""

    def successors(
        self, ids: Iterable[str], *, as_of: int | None = None
    ) -> dict[str, StoredObservation]:
        """Per id, the correction or retraction that names it (within ``as_of``), for those
        that have one: the version that replaced it, or the retraction that withdrew it."""
        out: dict[str, tuple[int, Any]] = {}
        with self.read() as conn:
            for part in _chunks(ids):
                rows = conn.execute(
                    select(*_COLS)
                    .where(c.supersedes.in_(part), *live(t.observations, as_of, current=False))
                    .order_by(c.log_index)
                ).all()
                for r in rows:
                    out.setdefault(r.supersedes, (r.log_index, r))
        return {k: stored_from_row(r) for k, (_i, r) in out.items()}

    def chain(self, id_or_prefix: str, *, as_of: int | None = None) -> list[StoredObservation]:
        """Every version of the observation ``id_or_prefix`` belongs to, first to last (a
        final retraction included), within ``as_of``."""
        first = self.get(id_or_prefix, as_of=as_of)
        bound = live(t.observations, as_of, current=False)
        rows: list[Any] = []
        with self.read() as conn:
            row = conn.execute(select(*_COLS).where(c.id == first.id)).one()
            rows.append(row)
            while row.supersedes is not None:  # back to the first version
                prev = conn.execute(select(*_COLS).where(c.id == row.supersedes, *bound)).first()
                if prev is None:
                    break
                rows.insert(0, prev)
                row = prev
            row = rows[-1]
            seen = {r.id for r in rows}
            while True:  # on to the last
                nxt = conn.execute(
                    select(*_COLS)
                    .where(c.supersedes == row.id, *bound)
                    .order_by(c.log_index)
                    .limit(1)
                ).first()
                if nxt is None or nxt.id in seen:
                    break
                rows.append(nxt)
                seen.add(nxt.id)
                row = nxt
        return [stored_from_row(r) for r in rows]

    def attestations_about(
        self, ids: Iterable[str] | None = None, *, as_of: int | None = None
    ) -> list[StoredObservation]:
        """The current attestations about these observations (None: about any), in log
        order."""
        base = (c.type == ATTESTATION, *live(t.observations, as_of))
        out: list[Any] = []
        with self.read() as conn:
            if ids is None:
                out = list(conn.execute(select(*_COLS).where(*base)).all())
            else:
                for part in _chunks(ids):
                    out += conn.execute(
                        select(*_COLS).where(*base, c.attests.in_(part))
                    ).all()
        out.sort(key=lambda r: r.log_index)
        return [stored_from_row(r) for r in out]

    def record_view(
        self,
        ids: Collection[str],
        stances: Collection[tuple[str, str]] = (),
        *,
        before: int | None = None,
        conn: Connection | None = None,
    ) -> History:
        """What admission checks entries naming ``ids`` against (among the first ``before``
        entries): those entries, the corrections or retractions naming them, and each
        (organisation, observation) pair's current corroboration or dispute in ``stances``."""
        history = History()
        bound = live(t.observations, before, current=False)
        abouts = sorted({a for _o, a in stances})
        wanted = set(stances)
        with self.read(conn) as cx:
            found: list[Entry] = []
            after: list[Entry] = []
            for part in _chunks(ids):
                found += [
                    _with_seal(r)
                    for r in cx.execute(select(*_SEAL_COLS).where(c.id.in_(part), *bound))
                ]
                after += [
                    entry_of_row(r)
                    for r in cx.execute(
                        select(*_ENTRY_COLS)
                        .where(c.supersedes.in_(part), *bound)
                        .order_by(c.log_index)
                    )
                ]
            sides: list[Entry] = []
            for part in _chunks(abouts):
                rows = cx.execute(
                    select(*_ENTRY_COLS).where(
                        c.type == ATTESTATION,
                        c.attests.in_(part),
                        c.state.in_(_SIDES),
                        *live(t.observations, before),
                    )
                )
                sides += [e for r in rows if ((e := entry_of_row(r)).reporter, e.attests) in wanted]
        for e in found:
            history.know(e)
        for e in after:
            if history.successor(e.supersedes or "") is None:
                history.know(e)
        for e in sides:
            history.know(e)
        return history


def _with_seal(r: Any) -> Entry:
    """:func:`entry_of_row`, with a sealed entry's commitment and disclosed metadata (from its
    stored entry bytes, verified when they were admitted) for a reveal to be checked against."""
    e = entry_of_row(r)
    if r.type != SEALED:
        return e
    body = json.loads(r.entry)["observation"]["body"]
    end = None if r.end_us is None else from_us(r.end_us)
    return dataclasses.replace(
        e, seal=Seal(body["commitment"], body.get("hides"), from_us(r.start_us), end)
    )
