"""The log's side of the SQL store: appending entries, the Merkle tree's tiles, checkpoints and
cosignatures, and reading entries back in log order."""

from __future__ import annotations

import operator
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice, repeat
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from corridor.errors import ConflictError, NotFoundError
from corridor.store import tables as t
from corridor.store.api import AppendResult
from corridor.store.base import StoreBase, insert_sql, upsert
from corridor.store.columns import INDEX_COLUMNS, PERIOD_META, IndexedBatch

__all__ = ["LogStore"]


ROWS_PER_INSERT = 1000
"""Rows per INSERT statement of an append (one statement of many VALUES rows binds the same
values as many executions of one row, without a driver round and a statement step per row:
about 1 µs an entry less on SQLite; 1,000 rows of at most 20 columns stay under both backends'
limits on bound parameters)."""


class _OnRecord(Exception):
    """An optimistic append met an entry already on the record (its transaction rolled back)."""


class LogStore(StoreBase):
    """Appends, tiles, checkpoints (mixed into :class:`corridor.store.sql.SqlStore`)."""

    # -- the log: appending ----------------------------------------------------------------
    def size(self, conn: Connection | None = None) -> int:
        stmt = select(func.coalesce(func.max(t.observations.c.log_index) + 1, 0))
        with self.read(conn) as c:
            return int(c.execute(stmt).scalar_one())

    def existing_ids(self, ids: Iterable[str], conn: Connection | None = None) -> set[str]:
        ids = list(ids)
        out: set[str] = set()
        with self.read(conn) as c:
            # driver-level SQL: compiling a 500-term IN through SQLAlchemy cost more than the
            # lookups (a fifth of the append transaction)
            mark = "?" if c.dialect.paramstyle == "qmark" else "%s"
            for i in range(0, len(ids), 500):
                part = tuple(ids[i : i + 500])
                sql = f"SELECT id FROM observations WHERE id IN ({', '.join([mark] * len(part))})"
                out.update(row[0] for row in c.exec_driver_sql(sql, part))
        return out

    def append_indexed(
        self,
        batch: IndexedBatch,
        *,
        extend_tree: Callable[[Connection, int, list[bytes]], None],
        leaf_hash: Callable[[bytes], bytes],
        check: Callable[[Connection, IndexedBatch, Sequence[int]], None] | None = None,
        expect_new: bool = False,
    ) -> AppendResult:
        """Append verified entries (deduplicated by id) in one transaction.

        ``check(conn, new, at)`` checks the new entries against the record in the same
        transaction, before anything is written (the references between entries: admission's
        last step, under the appenders' lock); ``at[i]`` is the position in ``batch`` of the
        new entry i. ``extend_tree(conn, old_size, leaf_hashes)`` extends the Merkle tree in
        it. Used by :class:`corridor.recording.TransparencyLog`, the only writer. The longest
        period per type (what overlap queries bound their range with) is kept up to date in
        the same transaction.

        With ``expect_new`` (and no ``check``) the ids are not looked up first: the unique index
        on ids is the lookup, and an entry already on the record makes the insert fail, the
        transaction roll back and the batch run again with the lookup. A caller passes it while
        a submission has found nothing on the record yet (a fresh import, not a re-run).
        """
        if expect_new and check is None:
            try:
                return self._append_indexed(batch, extend_tree, leaf_hash, None, lookup=False)
            except _OnRecord:
                pass  # rolled back: some entry is on the record already
        return self._append_indexed(batch, extend_tree, leaf_hash, check, lookup=True)

    def _append_indexed(
        self,
        batch: IndexedBatch,
        extend_tree: Callable[[Connection, int, list[bytes]], None],
        leaf_hash: Callable[[bytes], bytes],
        check: Callable[[Connection, IndexedBatch, Sequence[int]], None] | None,
        *,
        lookup: bool,
    ) -> AppendResult:
        result = AppendResult()
        with self.begin() as conn:
            if self.dialect == "postgresql":
                # one appender at a time: the log is a sequence
                conn.exec_driver_sql("LOCK TABLE observations IN EXCLUSIVE MODE")
            size = self.size(conn)
            ids = batch.ids
            present = self.existing_ids(ids, conn) if lookup else set()
            at: Sequence[int]
            if not present and len(set(ids)) == len(ids):
                new, at = batch, range(batch.size)  # the common case: every entry is new
            else:
                seen: set[str] = set()
                keep: list[int] = []
                for i, oid in enumerate(ids):
                    if oid in seen or oid in present:
                        result.duplicates.append(oid)
                        continue
                    seen.add(oid)
                    keep.append(i)
                new, at = batch.select(keep), keep
            if check is not None and new.size:
                check(conn, new, at)  # rows are written only once the check passed
            if new.size:
                leaves = list(map(leaf_hash, new.entries))
                columns = list(zip(*new.columns, strict=True))  # a tuple each
                try:
                    self._insert_rows(conn, size, new, leaves, columns)
                except IntegrityError as exc:
                    if lookup:
                        raise
                    raise _OnRecord from exc
                personal_rows = [
                    {"obs_id": oid, "field": f, "salt": salt, "value": v, "erased_at": None}
                    for oid, fields in zip(new.ids, new.personal, strict=False)
                    for f, salt, v in fields
                ]
                if personal_rows:
                    conn.execute(insert(t.personal_data), personal_rows)
                _raise_longest(conn, _longest_periods(*columns[:3]))
                extend_tree(conn, size, leaves)
            result.accepted.extend(new.ids)
            result.tree_size = size + new.size
        return result

    def _insert_rows(
        self,
        conn: Connection,
        size: int,
        new: IndexedBatch,
        leaves: Sequence[bytes],
        columns: Sequence[tuple[Any, ...]],
    ) -> None:
        """Insert the rows of ``new`` from log index ``size`` on, ROWS_PER_INSERT a statement.

        The rows are built a column at a time, and an index column that no row of the batch
        sets is left out (its default is NULL): the SQLite driver binds every NULL and bool
        through a slow adaptation path, and the six index columns a crossing never sets cost
        an append of crossings about 1.7 µs an entry. SQLite gets the demo flag as 0 or 1,
        which is what it stores for a bool. ``columns``: each index column's values, in
        INDEX_COLUMNS order."""
        keep = [k for k, col in enumerate(columns) if col.count(None) != len(col)]
        demo: Iterable[Any] = new.demo_signed
        if self.dialect == "sqlite":
            demo = list(map(int, demo))
        names = (
            "log_index", "id", "entry", "leaf_hash", *(INDEX_COLUMNS[k] for k in keep),
            "signers", "demo_signed", "appended_at",
        )  # fmt: skip
        rows = zip(
            range(size, size + new.size),
            new.ids,
            new.entries,
            leaves,
            *(columns[k] for k in keep),
            list(map(",".join, new.signers)),
            demo,
            repeat(int(time.time())),
            strict=False,  # repeat() is endless; the others are as long as new
        )
        for _ in range(0, new.size, ROWS_PER_INSERT):
            part = list(islice(rows, ROWS_PER_INSERT))
            conn.exec_driver_sql(
                insert_sql(conn, "observations", names, rows=len(part)),
                tuple(chain.from_iterable(part)),
            )

    # -- tiles (the Merkle tree's storage) --------------------------------------------------
    def read_tiles(
        self, keys: Sequence[tuple[int, int]], conn: Connection | None = None
    ) -> dict[tuple[int, int], bytes]:
        if not keys:
            return {}
        out: dict[tuple[int, int], bytes] = {}
        tc = t.log_tiles.c
        by_level: dict[int, list[int]] = {}
        for level, idx in keys:
            by_level.setdefault(level, []).append(idx)
        with self.read(conn) as c:
            # one OR term per level (`level = L AND idx IN (...)`): both SQLite and PostgreSQL
            # use the primary key for it; a row-value IN over both columns made SQLite scan
            # the whole table
            for level, idxs in by_level.items():
                for i in range(0, len(idxs), 500):
                    stmt = select(tc.level, tc.idx, tc.data).where(
                        tc.level == level, tc.idx.in_(idxs[i : i + 500])
                    )
                    for lv, idx, data in c.execute(stmt):
                        out[(int(lv), int(idx))] = bytes(data)
        return out

    def write_tiles(self, conn: Connection, tiles: Mapping[tuple[int, int], bytes]) -> None:
        if not tiles:
            return
        # one driver-level statement for the batch's tiles (a statement built per tile cost
        # about a microsecond per entry appended); both backends upsert with this syntax
        sql = (
            insert_sql(conn, "log_tiles", ("level", "idx", "data"))
            + " ON CONFLICT (level, idx) DO UPDATE SET data = excluded.data"
        )
        conn.exec_driver_sql(sql, [(level, idx, data) for (level, idx), data in tiles.items()])

    # -- the log: checkpoints ---------------------------------------------------------------
    def latest_checkpoint(self) -> tuple[int, bytes, str] | None:
        with self.read() as conn:
            row = conn.execute(
                select(t.log_checkpoints).order_by(t.log_checkpoints.c.size.desc()).limit(1)
            ).first()
        return None if row is None else (int(row.size), bytes(row.root), row.note)

    def add_checkpoint(self, size: int, root: bytes, note: str) -> None:
        with self.begin() as conn:
            latest = conn.execute(select(func.max(t.log_checkpoints.c.size))).scalar()
            if latest is not None and size < latest:
                raise ConflictError(
                    f"checkpoint of size {size} is older than the latest ({latest})"
                )
            existing = conn.execute(
                select(t.log_checkpoints.c.root).where(t.log_checkpoints.c.size == size)
            ).scalar()
            if existing is not None:
                if bytes(existing) != root:
                    raise ConflictError(f"a different checkpoint of size {size} exists")
                conn.execute(
                    update(t.log_checkpoints)
                    .where(t.log_checkpoints.c.size == size)
                    .values(note=note)
                )
                return
            conn.execute(
                insert(t.log_checkpoints).values(
                    size=size, root=root, note=note, signed_at=int(time.time())
                )
            )

    def add_cosignature(self, size: int, witness: str, line: str) -> None:
        with self.begin() as conn:
            upsert(
                conn,
                t.cosignatures,
                {"size": size, "witness": witness, "line": line, "added_at": int(time.time())},
                ["size", "witness"],
            )

    def checkpoint_at(self, size: int) -> tuple[int, bytes, str, int] | None:
        """The signed checkpoint of exactly this tree size: (size, root, note, signed_at)."""
        tc = t.log_checkpoints.c
        with self.read() as conn:
            row = conn.execute(
                select(tc.size, tc.root, tc.note, tc.signed_at).where(tc.size == size)
            ).first()
        return None if row is None else (int(row[0]), bytes(row[1]), row[2], int(row[3]))

    def checkpoint_list(self) -> list[tuple[int, bytes, int]]:
        """Every signed checkpoint: (size, root, signed_at), smallest first."""
        tc = t.log_checkpoints.c
        with self.read() as conn:
            rows = conn.execute(select(tc.size, tc.root, tc.signed_at).order_by(tc.size)).all()
        return [(int(r[0]), bytes(r[1]), int(r[2])) for r in rows]

    def checkpoint_neighbours(self, size: int) -> tuple[int | None, int | None, int]:
        """The sizes of the signed checkpoints nearest below and above ``size`` (None where
        there is none), and how many the log has signed."""
        tc = t.log_checkpoints.c
        with self.read() as conn:
            below = conn.execute(select(func.max(tc.size)).where(tc.size < size)).scalar()
            above = conn.execute(select(func.min(tc.size)).where(tc.size > size)).scalar()
            n = conn.execute(select(func.count()).select_from(t.log_checkpoints)).scalar_one()
        return (
            None if below is None else int(below),
            None if above is None else int(above),
            int(n),
        )

    def cosignature_lines(self, size: int) -> list[str]:
        with self.read() as conn:
            return list(
                conn.execute(
                    select(t.cosignatures.c.line)
                    .where(t.cosignatures.c.size == size)
                    .order_by(t.cosignatures.c.witness)
                ).scalars()
            )

    # -- the log: reading entries in log order -----------------------------------------------
    def entries(
        self, start: int = 0, stop: int | None = None, *, batch: int = 5000
    ) -> Iterator[tuple[int, bytes, bytes, str, tuple[Any, ...]]]:
        """Stream (log_index, entry, stored leaf hash, id, index columns) in log order."""
        c = t.observations.c
        cols = [c.log_index, c.entry, c.leaf_hash, c.id, *(c[k] for k in INDEX_COLUMNS)]
        pos = start
        while True:
            hi = pos + batch if stop is None else min(pos + batch, stop)
            if hi <= pos:
                return
            with self.read() as conn:
                rows = conn.execute(
                    select(*cols).where(c.log_index >= pos, c.log_index < hi).order_by(c.log_index)
                ).all()
            if not rows:
                return
            for r in rows:
                yield int(r[0]), bytes(r[1]), bytes(r[2]), r[3], tuple(r[4:])
            pos = hi

    def observation_rows(
        self, *, batch: int = 5000
    ) -> Iterator[tuple[int, bytes, bytes, str, tuple[Any, ...], str, Any]]:
        """Every row of the observations table in log-index order, whatever its index (for log
        verification): (log_index, entry, leaf hash, id, index columns, signers, demo_signed)."""
        c = t.observations.c
        cols = [c.log_index, c.entry, c.leaf_hash, c.id, *(c[k] for k in INDEX_COLUMNS)]
        cols += [c.signers, c.demo_signed]
        last: int | None = None
        while True:
            stmt = select(*cols).order_by(c.log_index).limit(batch)
            if last is not None:
                stmt = stmt.where(c.log_index > last)
            with self.read() as conn:
                rows = conn.execute(stmt).all()
            for r in rows:
                yield int(r[0]), bytes(r[1]), bytes(r[2]), r[3], tuple(r[4:-2]), r[-2], r[-1]
            if len(rows) < batch:
                return
            last = int(rows[-1][0])

    def checkpoint_rows(self) -> list[tuple[int, bytes, str]]:
        """Every stored checkpoint, (size, root, note), smallest first (for log verification)."""
        tc = t.log_checkpoints.c
        with self.read() as conn:
            rows = conn.execute(select(tc.size, tc.root, tc.note).order_by(tc.size)).all()
        return [(int(r[0]), bytes(r[1]), r[2]) for r in rows]

    def tile_keys(self) -> list[tuple[int, int]]:
        """The (level, index) of every stored tile (for log verification)."""
        tc = t.log_tiles.c
        with self.read() as conn:
            rows = conn.execute(select(tc.level, tc.idx).order_by(tc.level, tc.idx)).all()
        return [(int(r[0]), int(r[1])) for r in rows]

    def entry_at(self, index: int) -> bytes:
        with self.read() as conn:
            e = conn.execute(
                select(t.observations.c.entry).where(t.observations.c.log_index == index)
            ).scalar()
        if e is None:
            raise NotFoundError(f"no log entry {index}")
        return bytes(e)

    def longest_periods(self, conn: Connection | None = None) -> dict[str, int]:
        """Per type, the longest observed period on the record (microseconds; instants: 0)."""
        mc = t.meta.c
        with self.read(conn) as c:
            rows = c.execute(select(mc.key, mc.value).where(mc.key.startswith(PERIOD_META)))
            return {k.removeprefix(PERIOD_META): int(v) for k, v in rows}


def _longest_periods(
    types: Sequence[str], starts: Sequence[int], ends: Sequence[int | None]
) -> dict[str, int]:
    """Per type, the longest period (end - start) of the entries whose type, start and end
    are given (instants are left out)."""
    if types and types.count(types[0]) == len(types) and None not in ends:
        # the common batch: one type, every entry a period (computed without a Python loop)
        return {types[0]: max(map(operator.sub, ends, starts))}
    longest: dict[str, int] = {}
    for typ, start, end in zip(types, starts, ends, strict=True):
        if end is not None and end - start > longest.get(typ, 0):
            longest[typ] = end - start
    return longest


def _raise_longest(conn: Connection, longest: Mapping[str, int]) -> None:
    """Raise the stored longest period of each type to at least ``longest[type]``."""
    if not longest:
        return
    mc = t.meta.c
    keys = [PERIOD_META + k for k in longest]
    have = {
        k.removeprefix(PERIOD_META): int(v)
        for k, v in conn.execute(select(mc.key, mc.value).where(mc.key.in_(keys)))
    }
    for typ, dur in longest.items():
        if dur > have.get(typ, -1):
            upsert(conn, t.meta, {"key": PERIOD_META + typ, "value": str(dur)}, ["key"])
