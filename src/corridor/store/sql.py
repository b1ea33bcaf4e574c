"""The SQL store: SQLite (embedded default) and PostgreSQL, through SQLAlchemy 2.

All writes go through one transaction per call. ``append_entries`` is the only way an
observation enters: it verifies the reporter's signature, indexes the entry, and extends the
Merkle tree's tiles in the same transaction, so the record and the log cannot diverge.
Driver errors are translated into :class:`corridor.errors.StoreError` here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from corridor.errors import ConflictError, NotFoundError, StoreError
from corridor.model import (
    Checkpoint,
    Observation,
    Organisation,
    Place,
    PublicKey,
    Registry,
    Route,
)
from corridor.store import tables as t
from corridor.store.api import AppendResult, Query, StoredObservation

__all__ = ["SqlStore", "database_url", "to_us"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def to_us(dt: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    return (dt - _EPOCH) // _US


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def database_url(db: str | None) -> str:
    """Turn a --db value (a URL, a file path, or nothing) into an SQLAlchemy URL.

    Nothing means ``corridor.db`` in the working directory; a bare path means an SQLite file.
    ``postgresql://`` URLs use the psycopg 3 driver.
    """
    if not db:
        db = "corridor.db"
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser().resolve()}"
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # what was acknowledged survives a crash
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


INDEX_COLUMNS = (
    "type", "start_us", "end_us", "reporter", "route", "checkpoint", "place", "direction",
    "category",
)  # fmt: skip


@dataclass(frozen=True)
class IndexedEntry:
    """A verified entry ready to be stored at the end of the log: its bytes, its observation's
    id, the query columns derived from it (in INDEX_COLUMNS order) and who signed it."""

    entry: bytes
    id: str
    columns: tuple[Any, ...]
    signers: tuple[str, ...]
    demo_signed: bool
    personal: tuple[tuple[str, bytes, Any], ...] = ()  # (field, salt, value)


def index_columns(obs: Observation) -> tuple[Any, ...]:
    """The query columns derived from an observation, in INDEX_COLUMNS order (checked again
    by log verification)."""
    b = obs.body.__dict__  # plain field values; fast, and None for fields a type lacks
    direction = b.get("direction")
    return (
        obs.type,
        to_us(obs.observed.start),
        to_us(obs.observed.end) if obs.observed.end is not None else None,
        obs.reporter,
        b.get("route"),
        b.get("checkpoint"),
        b.get("place"),
        None if direction is None else str(direction),
        str(b["category"]) if obs.type == "crossing" else None,
    )


_OBS_COLUMNS = (
    "log_index", "id", "entry", "leaf_hash", *INDEX_COLUMNS, "signers", "demo_signed",
    "appended_at",
)  # fmt: skip


def _insert_sql(conn: Connection, table: str, columns: tuple[str, ...]) -> str:
    """A driver-level INSERT in the driver's parameter style (for executemany of tuples)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


class SqlStore:
    """Store implementation over SQLAlchemy. Use :meth:`open`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._registry: Registry | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @classmethod
    def open(cls, db: str | None = None, *, create: bool = False) -> SqlStore:
        """Open the database at ``db``; with ``create``, create or upgrade its schema.

        Without ``create`` a missing or uninitialised database is a StoreError that says how to
        make one.
        """
        url = database_url(db)
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise StoreError(f"--db {db!r} is not a database URL or file path") from exc
        is_sqlite = parsed.get_backend_name() == "sqlite"
        if is_sqlite and not create:
            path = parsed.database
            if path and path != ":memory:" and not Path(path).exists():
                raise StoreError(
                    f"no database at {path}; create one with `corridor init` "
                    "or `corridor case load lachin-2023`"
                )
        try:
            engine = create_engine(url, future=True, pool_pre_ping=not is_sqlite)
        except (NoSuchModuleError, ArgumentError) as exc:
            raise StoreError(f"cannot open {db!r}: {exc}") from exc
        if is_sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine)
        from corridor.store import migrate

        try:
            current = migrate.current_revision(engine)
            if create:
                if current != migrate.head_revision():
                    migrate.upgrade(engine)
            elif current is None:
                raise StoreError(
                    f"database {engine.url.render_as_string(hide_password=True)} is not "
                    "initialised; run `corridor init`"
                )
            elif current != migrate.head_revision():
                raise StoreError(
                    f"database schema is at {current}, this corridor needs "
                    f"{migrate.head_revision()}; run `corridor init` to upgrade"
                )
        except OperationalError as exc:
            engine.dispose()
            raise StoreError(f"cannot reach database: {_driver_message(exc)}") from exc
        except SQLAlchemyError as exc:  # e.g. a damaged SQLite file
            engine.dispose()
            raise StoreError(f"cannot read database: {_driver_message(exc)}") from exc
        return store

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One write transaction; driver errors become StoreError."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"database write failed: {_driver_message(exc)}") from exc

    @contextmanager
    def read(self, conn: Connection | None = None) -> Iterator[Connection]:
        """A connection to read on: ``conn`` if given (inside a caller's transaction), else a
        new one; driver errors become StoreError."""
        if conn is not None:
            yield conn
            return
        try:
            with self.engine.connect() as c:
                yield c
        except SQLAlchemyError as exc:
            raise StoreError(f"database read failed: {_driver_message(exc)}") from exc

    # -- meta ------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self.read() as conn:
            return conn.execute(select(t.meta.c.value).where(t.meta.c.key == key)).scalar()

    def set_meta(self, values: Mapping[str, str]) -> None:
        with self.begin() as conn:
            for k, v in values.items():
                _upsert(conn, t.meta, {"key": k, "value": v}, ["key"])

    # -- entities --------------------------------------------------------------------------
    def registry(self) -> Registry:
        if self._registry is None:
            with self.read() as conn:
                keys: dict[str, list[PublicKey]] = {}
                for row in conn.execute(select(t.org_keys).order_by(t.org_keys.c.created_at)):
                    keys.setdefault(row.org_id, []).append(PublicKey(vkey=row.vkey, demo=row.demo))
                orgs = [
                    Organisation(
                        id=r.id,
                        name=r.name,
                        kind=r.kind,
                        note=r.note,
                        keys=tuple(keys.get(r.id, ())),
                    )
                    for r in conn.execute(select(t.organisations))
                ]
                places = [
                    Place(id=r.id, names=r.names, lat=r.lat, lon=r.lon, kind=r.kind, note=r.note)
                    for r in conn.execute(select(t.places))
                ]
                routes = [
                    Route(id=r.id, name=r.name, places=r.places, note=r.note)
                    for r in conn.execute(select(t.routes))
                ]
                cps = [
                    Checkpoint(
                        id=r.id,
                        name=r.name,
                        place=r.place,
                        route=r.route,
                        operator=r.operator,
                        note=r.note,
                    )
                    for r in conn.execute(select(t.checkpoints))
                ]
            self._registry = Registry.of(orgs, places, routes, cps)
        return self._registry

    def put_entities(
        self,
        organisations: Sequence[Organisation] = (),
        places: Sequence[Place] = (),
        routes: Sequence[Route] = (),
        checkpoints: Sequence[Checkpoint] = (),
    ) -> None:
        """Insert or update entities (they are configuration, not log entries)."""
        with self.begin() as conn:
            for o in organisations:
                _upsert(conn, t.organisations, o.model_dump(mode="json", exclude={"keys"}), ["id"])
            for p in places:
                _upsert(conn, t.places, p.model_dump(mode="json"), ["id"])
            for r in routes:
                _upsert(conn, t.routes, r.model_dump(mode="json"), ["id"])
            for c in checkpoints:
                _upsert(conn, t.checkpoints, c.model_dump(mode="json"), ["id"])
        self._registry = None

    def register_key(
        self, org_id: str, vkey: str, keyid: bytes, public_key: bytes, *, demo: bool
    ) -> bool:
        """Register an organisation's verifier key; returns False if it was already there."""
        with self.begin() as conn:
            if (
                conn.execute(
                    select(t.organisations.c.id).where(t.organisations.c.id == org_id)
                ).first()
                is None
            ):
                raise NotFoundError(f"unknown organisation {org_id!r}")
            existing = conn.execute(select(t.org_keys).where(t.org_keys.c.vkey == vkey)).first()
            if existing is not None:
                return False
            conn.execute(
                insert(t.org_keys).values(
                    vkey=vkey,
                    org_id=org_id,
                    keyid=keyid,
                    public_key=public_key,
                    demo=demo,
                    created_at=int(time.time()),
                )
            )
        self._registry = None
        return True

    def org_keys(self) -> list[tuple[str, str, bytes, bytes, bool]]:
        """Every registered key: (org_id, vkey, keyid, public_key, demo)."""
        with self.read() as conn:
            return [
                (r.org_id, r.vkey, r.keyid, r.public_key, r.demo)
                for r in conn.execute(select(t.org_keys).order_by(t.org_keys.c.org_id))
            ]

    # -- the log: appending ----------------------------------------------------------------
    def size(self, conn: Connection | None = None) -> int:
        stmt = select(func.coalesce(func.max(t.observations.c.log_index) + 1, 0))
        with self.read(conn) as c:
            return int(c.execute(stmt).scalar_one())

    def existing_ids(self, ids: Iterable[str], conn: Connection | None = None) -> set[str]:
        ids = list(ids)
        out: set[str] = set()
        col = t.observations.c.id
        with self.read(conn) as c:
            for i in range(0, len(ids), 500):
                out.update(c.execute(select(col).where(col.in_(ids[i : i + 500]))).scalars())
        return out

    def append_indexed(
        self,
        items: Sequence[IndexedEntry],
        *,
        extend_tree: Callable[[Connection, int, list[bytes]], None],
        leaf_hash: Callable[[bytes], bytes],
    ) -> AppendResult:
        """Append verified entries (deduplicated by id) in one transaction.

        ``extend_tree(conn, old_size, leaf_hashes)`` extends the Merkle tree in the same
        transaction. Used by :class:`corridor.recording.Ledger`, the only writer.
        """
        result = AppendResult()
        now = int(time.time())
        with self.begin() as conn:
            if self.dialect == "postgresql":
                # one appender at a time: the log is a sequence
                conn.exec_driver_sql("LOCK TABLE observations IN EXCLUSIVE MODE")
            size = self.size(conn)
            present = self.existing_ids((i.id for i in items), conn)
            rows: list[tuple[Any, ...]] = []
            personal_rows: list[dict[str, Any]] = []
            leaves: list[bytes] = []
            seen: set[str] = set()
            for item in items:
                oid = item.id
                if oid in present or oid in seen:
                    result.duplicates.append(oid)
                    continue
                seen.add(oid)
                lh = leaf_hash(item.entry)
                rows.append(
                    (size + len(rows), oid, item.entry, lh, *item.columns,
                     ",".join(item.signers), item.demo_signed, now)
                )  # fmt: skip
                leaves.append(lh)
                for field, salt, value in item.personal:
                    personal_rows.append(
                        {
                            "obs_id": oid,
                            "field": field,
                            "salt": salt,
                            "value": value,
                            "erased_at": None,
                        }
                    )
                result.accepted.append(oid)
            if rows:
                conn.exec_driver_sql(_insert_sql(conn, "observations", _OBS_COLUMNS), rows)
                if personal_rows:
                    conn.execute(insert(t.personal_data), personal_rows)
                extend_tree(conn, size, leaves)
            result.tree_size = size + len(rows)
        return result

    # -- tiles (the Merkle tree's storage) --------------------------------------------------
    def read_tiles(
        self, keys: Sequence[tuple[int, int]], conn: Connection | None = None
    ) -> dict[tuple[int, int], bytes]:
        if not keys:
            return {}
        out: dict[tuple[int, int], bytes] = {}
        tc = t.log_tiles.c
        with self.read(conn) as c:
            for i in range(0, len(keys), 200):
                chunk = list(keys[i : i + 200])
                stmt = select(tc.level, tc.idx, tc.data).where(tuple_(tc.level, tc.idx).in_(chunk))
                for level, idx, data in c.execute(stmt):
                    out[(int(level), int(idx))] = bytes(data)
        return out

    def write_tiles(self, conn: Connection, tiles: Mapping[tuple[int, int], bytes]) -> None:
        for (level, idx), data in tiles.items():
            _upsert(conn, t.log_tiles, {"level": level, "idx": idx, "data": data}, ["level", "idx"])

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
            _upsert(
                conn,
                t.cosignatures,
                {"size": size, "witness": witness, "line": line, "added_at": int(time.time())},
                ["size", "witness"],
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

    # -- reading observations --------------------------------------------------------------
    def _where(self, q: Query) -> list[Any]:
        c = t.observations.c
        cond: list[Any] = []
        if q.type:
            cond.append(c.type == q.type)
        if q.reporter:
            cond.append(c.reporter == q.reporter)
        if q.route:
            cond.append(c.route == q.route)
        if q.checkpoint:
            cond.append(c.checkpoint == q.checkpoint)
        if q.direction:
            cond.append(c.direction == q.direction)
        if q.category:
            cond.append(c.category == q.category)
        if q.place:
            cond.append(c.place == q.place)
        if q.start is not None:
            s = to_us(q.start)
            # overlaps [start, end): instants at or after start; periods ending after start
            cond.append(or_(c.start_us >= s, and_(c.end_us.is_not(None), c.end_us > s)))
        if q.end is not None:
            cond.append(c.start_us < to_us(q.end))
        return cond

    def query(self, q: Query | None = None) -> Iterator[StoredObservation]:
        q = q or Query()
        c = t.observations.c
        stmt = (
            select(c.log_index, c.entry, c.signers, c.demo_signed)
            .where(*self._where(q))
            .order_by(c.start_us, c.log_index)
        )
        if q.limit:
            stmt = stmt.limit(q.limit)
        with self.read() as conn:
            rows = conn.execute(stmt).all()
        for r in rows:
            yield _stored(r.log_index, r.entry, r.signers, r.demo_signed)

    def count(self, q: Query | None = None) -> int:
        q = q or Query()
        with self.read() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(t.observations).where(*self._where(q))
                ).scalar_one()
            )

    def get(self, id_or_prefix: str) -> StoredObservation:
        key = id_or_prefix.strip().lower()
        if len(key) < 6:
            raise NotFoundError("give at least 6 characters of an observation id")
        c = t.observations.c
        with self.read() as conn:
            rows = conn.execute(
                select(c.log_index, c.entry, c.signers, c.demo_signed)
                .where(c.id.startswith(key, autoescape=True))
                .limit(2)
            ).all()
        if not rows:
            raise NotFoundError(f"no observation with id {id_or_prefix!r}")
        if len(rows) > 1:
            raise NotFoundError(f"id prefix {id_or_prefix!r} is ambiguous; give more characters")
        r = rows[0]
        return _stored(r.log_index, r.entry, r.signers, r.demo_signed)

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

    def integrity_problems(self, limit: int = 5) -> list[str]:
        """What the database engine finds damaged in its own file (SQLite ``quick_check``:
        pages, records, b-trees); empty when intact, and on PostgreSQL (for log verification)."""
        if self.dialect != "sqlite":
            return []
        with self.read() as conn:
            rows = conn.exec_driver_sql(f"PRAGMA quick_check({int(limit)})").all()
        lines = (" ".join(str(r[0]).split()) for r in rows)
        return [m.replace("*** in database main *** ", "") for m in lines if m != "ok"]

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

    # -- personal data ---------------------------------------------------------------------
    def personal_values(self, obs_id: str) -> list[tuple[str, bytes, Any, int | None]]:
        with self.read() as conn:
            return [
                (r.field, bytes(r.salt), r.value, r.erased_at)
                for r in conn.execute(
                    select(t.personal_data).where(t.personal_data.c.obs_id == obs_id)
                )
            ]

    def erase_personal(self, obs_id: str) -> int:
        """Erase the private values of an observation; the salted commitments stay in the log."""
        with self.begin() as conn:
            res = conn.execute(
                update(t.personal_data)
                .where(t.personal_data.c.obs_id == obs_id, t.personal_data.c.erased_at.is_(None))
                .values(value=None, erased_at=int(time.time()))
            )
            return int(res.rowcount or 0)


def _stored(log_index: int, entry: bytes, signers: str, demo: bool) -> StoredObservation:
    content = json.loads(entry)["observation"]
    content.pop("personal", None)
    obs = Observation.model_validate(content)
    return StoredObservation(
        observation=obs,
        log_index=int(log_index),
        signers=tuple(s for s in signers.split(",") if s),
        demo_signed=bool(demo),
    )


def _upsert(conn: Connection, table: Any, values: dict[str, Any], keys: list[str]) -> None:
    dialect = conn.dialect.name
    ins: Any
    if dialect == "postgresql":
        ins = postgresql.insert(table).values(**values)
    elif dialect == "sqlite":
        ins = sqlite.insert(table).values(**values)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise StoreError(f"unsupported database {dialect}")
    rest = {k: v for k, v in values.items() if k not in keys}
    stmt = (
        ins.on_conflict_do_update(index_elements=keys, set_=rest)
        if rest
        else ins.on_conflict_do_nothing(index_elements=keys)
    )
    conn.execute(stmt)


def _driver_message(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    msg = str(orig if orig is not None else exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__
