"""Reading observations from the SQL store: filtered listings, id lookup, and the windowed and
latest-per-key queries that status, rules and supply need, each on an index.

Loaded rows are trusted: their id is the stored one (the entry bytes were verified when they
were admitted, and ``corridor log verify`` checks them again), so it is not rebuilt.

Current state and size. Every read answers for the record as of a tree size (``as_of``: the
first N entries, ``log_index < N``; None: all of it) and, unless a listing asks for the history,
for its current state: a version some entry (within that size) supersedes or retracts is left
out (:func:`live`, on the (supersedes, log_index) index), and so are retractions and
attestations, which are statements about observations rather than observations.

Periods. An observation is an instant or a half-open period [start, end). Overlap with
[s, e) means ``start < e`` and (``start >= s`` or ``end > s``). The second condition is not an
index range; the store keeps, per type, the longest period on the record (``period_max_us:TYPE``
in meta, raised by every append) and adds ``start >= s - longest``, which every overlapping
observation satisfies, so the (type, start) index bounds the scan and the result is unchanged.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, FromClause, and_, func, or_, select

from corridor.errors import NotFoundError
from corridor.model import STATEMENT_TYPES, Observation
from corridor.store import tables as t
from corridor.store.api import Query, StoredObservation
from corridor.store.columns import from_us, to_us
from corridor.store.log import LogStore

__all__ = ["ObservationStore", "live", "stored_from_row"]

# Query fields that are plain equality filters on the column of the same name
_QUERY_FIELDS = ("type", "reporter", "route", "checkpoint", "direction", "category", "place")

_HEX = frozenset("0123456789abcdef")
_ENTRY_HEAD = b'{"observation":'
_ENTRY_SIGS = b',"signatures":'

c = t.observations.c
_COLS = (c.log_index, c.id, c.entry, c.signers, c.demo_signed)
_STATEMENTS = sorted(STATEMENT_TYPES)


# one alias for every "is it superseded?" subquery: building an alias's column collection anew
# per query cost a quarter of the situation's time (the SQL is the same)
_NEWER = t.observations.alias("newer")
_O = t.observations.alias("o")


def live(o: FromClause, as_of: int | None, *, current: bool = True) -> list[Any]:
    """Conditions on the rows of ``o`` (the observations table or an alias of it): among the
    first ``as_of`` entries, and with ``current``, superseded or retracted by none of them."""
    cond: list[Any] = []
    if as_of is not None:
        cond.append(o.c.log_index < as_of)
    if current:
        newer = _NEWER
        succ = select(newer.c.log_index).where(newer.c.supersedes == o.c.id)
        if as_of is not None:
            succ = succ.where(newer.c.log_index < as_of)
        cond.append(~succ.exists())
    return cond


class ObservationStore(LogStore):
    """Reading observations (mixed into :class:`corridor.store.sql.SqlStore`)."""

    # -- filters -----------------------------------------------------------------------------
    def _period(
        self, start: int | None, end: int | None, types: Collection[str] | None, conn: Connection
    ) -> list[Any]:
        """Conditions for overlapping [start, end) (microseconds; None: unbounded), on an index."""
        cond: list[Any] = []
        if start is not None:
            longest = self.longest_periods(conn)
            bound = max(
                (longest.get(x, 0) for x in types) if types else longest.values(), default=0
            )
            cond.append(c.start_us >= start - bound)  # implied by the exact test: an index range
            cond.append(or_(c.start_us >= start, and_(c.end_us.is_not(None), c.end_us > start)))
        if end is not None:
            cond.append(c.start_us < end)
        return cond

    def _where(self, q: Query, conn: Connection) -> list[Any]:
        """The conditions of ``q``: each field given must equal, the period overlap, the log
        index be past ``after``, the size and (unless ``q.history`` or a cursor) the current
        state."""
        cond: list[Any] = [
            c[name] == value for name in _QUERY_FIELDS if (value := getattr(q, name))
        ]
        if q.after is not None:
            cond.append(c.log_index > q.after)
        # a change feed (a cursor) follows every entry, as a history does
        history = q.history or q.after is not None
        cond += live(t.observations, q.as_of, current=not history)
        if not history and not q.type:
            cond.append(c.type.not_in(_STATEMENTS))
        cond += self._period(
            None if q.start is None else to_us(q.start),
            None if q.end is None else to_us(q.end),
            [q.type] if q.type else None,
            conn,
        )
        if q.after is not None:
            cond.append(c.log_index > q.after)
        return cond

    # -- listing -----------------------------------------------------------------------------
    def query(self, q: Query | None = None) -> Iterator[StoredObservation]:
        """Observations matching ``q``, in time order (start, then log index); with a cursor
        (``q.after``) in log order."""
        for r in self.query_rows(q):
            yield stored_from_row(r)

    def query_rows(self, q: Query | None = None) -> Sequence[Any]:
        """:meth:`query`'s rows as read (log_index, id, entry, signers, demo_signed), for a
        caller that serves the stored bytes without parsing them (:func:`stored_from_row`
        parses one)."""
        q = q or Query()
        order = (c.log_index,) if q.after is not None else (c.start_us, c.log_index)
        with self.read() as conn:
            stmt = select(*_COLS).where(*self._where(q, conn)).order_by(*order)
            if q.limit:
                stmt = stmt.limit(q.limit)
            return conn.execute(stmt).all()

    def scan(self, q: Query | None = None, *, page: int = 1000) -> Iterator[StoredObservation]:
        """Observations matching ``q`` in time order (start, then log index), as :meth:`query`,
        but read ``page`` rows at a time (each page a query resuming after the last row), so
        that a caller streaming them out holds one page in memory whatever the record's size."""
        q = q or Query()
        left = q.limit
        after: tuple[int, int] | None = None
        while left is None or left > 0:
            size = page if left is None else min(page, left)
            with self.read() as conn:
                cond = self._where(q, conn)
                if after is not None:
                    cond.append(
                        or_(
                            c.start_us > after[0],
                            and_(c.start_us == after[0], c.log_index > after[1]),
                        )
                    )
                rows = conn.execute(
                    select(*_COLS, c.start_us)
                    .where(*cond)
                    .order_by(c.start_us, c.log_index)
                    .limit(size)
                ).all()
            for r in rows:
                yield stored_from_row(r)
            if len(rows) < size:
                return
            after = (rows[-1].start_us, rows[-1].log_index)
            if left is not None:
                left -= len(rows)

    def count(self, q: Query | None = None) -> int:
        q = q or Query()
        with self.read() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(t.observations).where(*self._where(q, conn))
                ).scalar_one()
            )

    def span(self, *, as_of: int | None = None) -> tuple[datetime, datetime] | None:
        """The first and last start of a fact on the record (None: none), on the start index."""
        with self.read() as conn:
            row = conn.execute(
                select(func.min(c.start_us), func.max(c.start_us)).where(
                    c.type.not_in(sorted(STATEMENT_TYPES)),
                    *([] if as_of is None else [c.log_index < as_of]),
                )
            ).one()
        if row[0] is None:
            return None
        return from_us(int(row[0])), from_us(int(row[1]))

    def overlapping(
        self,
        start: datetime | None,
        end: datetime | None,
        types: Collection[str] | None = None,
        *,
        as_of: int | None = None,
    ) -> list[StoredObservation]:
        """Current observations of ``types`` (None: every type) overlapping [start, end), in
        time order (start, then log index); None leaves that side unbounded."""
        with self.read() as conn:
            cond = self._period(
                None if start is None else to_us(start),
                None if end is None else to_us(end),
                types,
                conn,
            )
            cond += live(t.observations, as_of)
            if types is not None:
                cond.append(c.type.in_(sorted(types)))
            rows = conn.execute(
                select(*_COLS).where(*cond).order_by(c.start_us, c.log_index)
            ).all()
        return [stored_from_row(r) for r in rows]

    def get(self, id_or_prefix: str, *, as_of: int | None = None) -> StoredObservation:
        """The observation with this id, or the one id starting with this prefix (6+ chars),
        current or not; with ``as_of``, only among the first ``as_of`` entries."""
        key = id_or_prefix.strip().lower()
        if len(key) < 6:
            raise NotFoundError("give at least 6 characters of an observation id")
        rows: Sequence[Any] = ()
        if set(key) <= _HEX:  # ids are lowercase hex; anything else names none
            with self.read() as conn:
                # a range on the unique index: every hex id starting with key lies in
                # [key, key + "g"), and every id in that range starts with key
                bound = live(t.observations, as_of, current=False)
                rows = conn.execute(
                    select(*_COLS)
                    .where(c.id >= key, c.id < key + "g", *bound)
                    .order_by(c.id)
                    .limit(2)
                ).all()
            rows = [r for r in rows if r.id.startswith(key)]
        if not rows:
            size = "" if as_of is None else f" among the first {as_of} entries of the log"
            raise NotFoundError(f"no observation with id {id_or_prefix!r}{size}")
        if len(rows) > 1:
            raise NotFoundError(f"id prefix {id_or_prefix!r} is ambiguous; give more characters")
        return stored_from_row(rows[0])

    # -- latest per key, for the situation at an instant -----------------------------------------
    def route_status_inputs(
        self, routes: Iterable[str], at: datetime, *, as_of: int | None = None
    ) -> list[StoredObservation]:
        """Per route, the route_status reports that decide its status at ``at`` (those that
        started before it): every report at the latest instant, the latest report with another
        status, and the first report after that one (which starts the current status). The
        situation computed from these equals the one computed from all reports."""
        at_us = to_us(at)
        out: dict[int, Any] = {}
        with self.read() as conn:
            for route in sorted(set(routes)):
                base = (
                    c.type == "route_status", c.route == route, c.start_us < at_us,
                    *live(t.observations, as_of),
                )  # fmt: skip
                last = conn.execute(select(func.max(c.start_us)).where(*base)).scalar()
                if last is None:
                    continue
                latest = conn.execute(
                    select(*_COLS, c.state).where(*base, c.start_us == last).order_by(c.id)
                ).all()
                status = latest[-1].state
                other = conn.execute(
                    select(*_COLS, c.start_us)
                    .where(*base, c.state != status)
                    .order_by(c.start_us.desc(), c.id.desc())
                    .limit(1)
                ).first()
                after: list[Any] = []
                if other is not None:
                    out[other.log_index] = other
                    after.append(
                        or_(
                            c.start_us > other.start_us,
                            and_(c.start_us == other.start_us, c.id > other.id),
                        )
                    )
                first = conn.execute(
                    select(*_COLS).where(*base, *after).order_by(c.start_us, c.id).limit(1)
                ).first()
                for r in (*latest, *([first] if first is not None else [])):
                    out[r.log_index] = r
        return [stored_from_row(r) for r in sorted(out.values(), key=lambda r: r.log_index)]

    def convoy_inputs(
        self,
        at: datetime,
        *,
        waiting: Collection[str],
        final: Collection[str],
        as_of: int | None = None,
    ) -> list[StoredObservation]:
        """The convoy events that decide which convoys are waiting at ``at``: for every convoy
        whose latest reported states (at its latest instant before ``at``) include a waiting
        state and no final one, its events since its latest final-state event (all of them if
        it has none)."""
        at_us = to_us(at)
        o = _O
        latest = (
            select(c.convoy, func.max(c.start_us).label("m"))
            .where(
                # every convoy event names its convoy; said, so the partial index answers it
                c.type == "convoy", c.convoy.is_not(None), c.start_us < at_us,
                *live(t.observations, as_of),
            )
            .group_by(c.convoy)
            .subquery()
        )
        out: list[Any] = []
        with self.read() as conn:
            states: dict[str, set[str]] = {}
            for convoy, state in conn.execute(
                select(o.c.convoy, o.c.state)
                .join(latest, and_(o.c.convoy == latest.c.convoy, o.c.start_us == latest.c.m))
                .where(o.c.type == "convoy", o.c.convoy.is_not(None), *live(o, as_of))
            ):
                states.setdefault(convoy, set()).add(state)
            for convoy in sorted(states):
                s = states[convoy]
                if s & set(final) or not s & set(waiting):
                    continue
                base = (
                    c.type == "convoy", c.convoy == convoy, c.start_us < at_us,
                    *live(t.observations, as_of),
                )  # fmt: skip
                since = conn.execute(
                    select(func.max(c.start_us)).where(*base, c.state.in_(sorted(final)))
                ).scalar()
                rows = conn.execute(
                    select(*_COLS).where(*base, *(() if since is None else (c.start_us >= since,)))
                ).all()
                out += rows
        return [stored_from_row(r) for r in sorted(out, key=lambda r: r.log_index)]

    def latest_population(
        self, at: datetime, *, as_of: int | None = None
    ) -> list[StoredObservation]:
        """Per place, kind and reporter, the population counts at the latest instant before
        ``at``."""
        at_us = to_us(at)
        o = _O
        latest = (
            select(c.place, c.state, c.reporter, func.max(c.start_us).label("m"))
            .where(
                # every population count names its place; said, so the partial index answers it
                c.type == "population", c.place.is_not(None), c.start_us < at_us,
                *live(t.observations, as_of),
            )
            .group_by(c.place, c.state, c.reporter)
            .subquery()
        )
        stmt = (
            select(*(o.c[x.key] for x in _COLS))
            .join(
                latest,
                and_(
                    o.c.place == latest.c.place,
                    o.c.state == latest.c.state,
                    o.c.reporter == latest.c.reporter,
                    o.c.start_us == latest.c.m,
                ),
            )
            .where(o.c.type == "population", o.c.place.is_not(None), *live(o, as_of))
            .order_by(o.c.log_index)
        )
        with self.read() as conn:
            rows = conn.execute(stmt).all()
        return [stored_from_row(r) for r in rows]


def stored_from_row(r: Any) -> StoredObservation:
    """A stored observation from a row with log_index, id, entry, signers and demo_signed."""
    return StoredObservation(
        observation=observation_from_entry(bytes(r.entry), r.id),
        log_index=int(r.log_index),
        signers=tuple(s for s in r.signers.split(",") if s),
        demo_signed=bool(r.demo_signed),
    )


def observation_from_entry(entry: bytes, oid: str) -> Observation:
    """The observation of a stored (verified) log entry, with its stored id (cached: an id is
    the hash of the observation's canonical bytes, so it names one observation for good, in
    every process and every worker; the frozen models are shared safely)."""
    obs = _parsed.get(oid)
    if obs is None:
        obs = _observation_from_entry(entry, oid)
        with _parsed_lock:  # the service's threads share it
            if len(_parsed) >= PARSED_CACHE:
                del _parsed[next(iter(_parsed))]  # the oldest: first in, first out
            _parsed[oid] = obs
    return obs


PARSED_CACHE = 4096
"""Parsed observations kept per process (about 4 KB each): the situation and the windows around the
present read the same recent entries again and again."""
_parsed: dict[str, Observation] = {}
_parsed_lock = threading.Lock()


def _observation_from_entry(entry: bytes, oid: str) -> Observation:
    """The observation of a stored (verified) log entry, with its stored id.

    The entry is ``{"observation":M,"signatures":[...]}`` (corridor.ledger.entry): M runs from
    byte 15 to the last ``,"signatures":`` (the signature objects hold only escaped strings).
    Without personal commitments M is the observation's canonical JSON.
    """
    if entry.startswith(_ENTRY_HEAD):
        m = entry[len(_ENTRY_HEAD) : entry.rfind(_ENTRY_SIGS)]
        if b'"personal":' not in m:
            return Observation.from_trusted(m, id=oid, canonical=m)
    content = json.loads(entry)["observation"]
    content.pop("personal", None)
    return Observation.from_trusted(content, id=oid)
