"""The SQL store: SQLite (embedded default) and PostgreSQL, through SQLAlchemy 2.

All writes go through one transaction per call. ``append_entries`` is the only way an
observation enters: it verifies the reporter's signature, indexes the entry, and extends the
Merkle tree's tiles in the same transaction, so the record and the log cannot diverge.
Driver errors are translated into :class:`corridor.errors.StoreError` here.

This module opens the database; the store's methods live in its parts (re-exported here):
:mod:`~corridor.store.columns` (derived query columns), :mod:`~corridor.store.log` (appends,
tiles, checkpoints), :mod:`~corridor.store.observations` (reading observations),
:mod:`~corridor.store.history` (versions, successors, attestations),
:mod:`~corridor.store.witnesses` (the log's witnesses), :mod:`~corridor.store.releases`
(numbered releases).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from corridor.errors import NotFoundError, StoreError
from corridor.model import (
    Checkpoint,
    Organisation,
    Place,
    PublicKey,
    Registry,
    Route,
)
from corridor.store import tables as t
from corridor.store.base import BUSY_TIMEOUT_S, driver_message, upsert
from corridor.store.columns import (
    INDEX_COLUMNS,
    IndexedBatch,
    IndexedEntry,
    from_us,
    index_columns,
    to_us,
)
from corridor.store.history import HistoryStore
from corridor.store.releases import ReleaseStore
from corridor.store.tokens import TokenStore
from corridor.store.urls import database_url
from corridor.store.watches import WatchStore
from corridor.store.witnesses import WitnessStore

#: The order keys are listed in (also :func:`corridor.store.peek.registered_keys`'s).
KEY_ORDER = (t.org_keys.c.org_id, t.org_keys.c.created_at, t.org_keys.c.vkey)

__all__ = [
    "INDEX_COLUMNS",
    "KEY_ORDER",
    "IndexedBatch",
    "IndexedEntry",
    "SqlStore",
    "database_url",
    "from_us",
    "index_columns",
    "to_us",
]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # 16 KiB pages for a new database (an existing one keeps its own; this must come before
    # WAL mode, which writes the first page): an append commits about half the bytes it does
    # with 4 KiB pages, as fewer, larger frames of the write-ahead log
    cur.execute("PRAGMA page_size=16384")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # what was acknowledged survives a crash
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA secure_delete=ON")  # freed space is zeroed: erased values leave no trace
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    # a page cache of up to 32 MiB (the default is 2 MiB): an append batch touches more pages
    # of the id index than that, and without room the cache spills them to the log mid-batch
    cur.execute("PRAGMA cache_size=-32768")
    # checkpoint the write-ahead log at 4,000 pages (64 MiB of 16 KiB pages) rather than 1,000:
    # a page that several batches rewrite (the id index's) is copied into the file once, not
    # once per batch; the file is cut back to that size after a checkpoint
    cur.execute("PRAGMA wal_autocheckpoint=4000")
    cur.execute(f"PRAGMA journal_size_limit={64 * 1024 * 1024}")
    cur.close()


class SqlStore(TokenStore, HistoryStore, WitnessStore, ReleaseStore, WatchStore):
    """Store implementation over SQLAlchemy. Use :meth:`open`.

    Its parts: :mod:`corridor.store.log` (appends, tiles, checkpoints),
    :mod:`corridor.store.observations` (reading observations), :mod:`corridor.store.tokens`
    (API tokens, the admin action record), :mod:`corridor.store.witnesses` (the log's
    witnesses); this module opens the database and holds its configuration (meta, entities,
    keys, personal data).
    """

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
            raise StoreError(f"{db!r} is not a database URL or file path") from exc
        backend = parsed.get_backend_name()
        if backend not in {"sqlite", "postgresql"}:
            raise StoreError(
                f"{backend} databases are not supported: give an SQLite file path or a "
                "postgresql:// URL"
            )
        is_sqlite = backend == "sqlite"
        if is_sqlite and not create:
            path = parsed.database
            if path and path != ":memory:" and not Path(path).exists():
                raise StoreError(f"no database at {path}", code="no-database", subject=path)
        try:
            engine = create_engine(url, future=True, pool_pre_ping=not is_sqlite)
        except (NoSuchModuleError, ArgumentError, ImportError) as exc:
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
                    "initialised",
                    code="schema-missing",
                )
            elif current != migrate.head_revision():
                raise StoreError(
                    f"database schema is at {current}, this corridor needs "
                    f"{migrate.head_revision()}",
                    code="schema-old",
                )
        except OperationalError as exc:
            engine.dispose()
            raise StoreError(f"cannot reach database: {driver_message(exc)}") from exc
        except DatabaseError as exc:  # a file that is not an SQLite database, or a damaged one
            engine.dispose()
            where = parsed.database if is_sqlite else url
            raise StoreError(
                f"{where} is not a corridor database ({driver_message(exc)})"
            ) from exc
        except SQLAlchemyError as exc:  # e.g. a damaged SQLite file
            engine.dispose()
            raise StoreError(f"cannot read database: {driver_message(exc)}") from exc
        return store

    def close(self) -> None:
        self.engine.dispose()

    def integrity_problems(self, limit: int = 5) -> list[str]:
        """What the database engine finds damaged in its own file (SQLite ``quick_check``:
        pages, records, b-trees); empty when intact, and on PostgreSQL (for log verification)."""
        if self.dialect != "sqlite":
            return []
        with self.read() as conn:
            rows = conn.exec_driver_sql(f"PRAGMA quick_check({int(limit)})").all()
        lines = (" ".join(str(r[0]).split()) for r in rows)
        return [m.replace("*** in database main *** ", "") for m in lines if m != "ok"]

    # -- meta ------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self.read() as conn:
            return conn.execute(select(t.meta.c.value).where(t.meta.c.key == key)).scalar()

    def set_meta(self, values: Mapping[str, str]) -> None:
        with self.begin() as conn:
            for k, v in values.items():
                upsert(conn, t.meta, {"key": k, "value": v}, ["key"])

    # -- entities --------------------------------------------------------------------------
    def registry(self) -> Registry:
        """The organisations, places, routes and checkpoints, read afresh on every call: in a
        server another process may have added one since (no cache to go stale). The rows are
        always read; only when they are what they were last time is the last registry's
        content reused (a copy: callers may add to theirs) instead of validated again."""
        with self.read() as conn:
            rows = (
                [tuple(r) for r in conn.execute(
                    select(t.org_keys).order_by(t.org_keys.c.created_at))],
                [tuple(r) for r in conn.execute(select(t.organisations))],
                [tuple(r) for r in conn.execute(select(t.places))],
                [tuple(r) for r in conn.execute(select(t.routes))],
                [tuple(r) for r in conn.execute(select(t.checkpoints))],
            )  # fmt: skip
        last = self._registry_rows
        if last is not None and last[0] == rows:
            r = last[1]
            return Registry(
                dict(r.organisations), dict(r.places), dict(r.routes), dict(r.checkpoints)
            )
        registry = self._registry_of(rows)
        self._registry_rows = (rows, registry)
        return Registry(
            dict(registry.organisations),
            dict(registry.places),
            dict(registry.routes),
            dict(registry.checkpoints),
        )

    _registry_rows: tuple[Any, Registry] | None = None

    @staticmethod
    def _registry_of(rows: tuple[list[tuple[Any, ...]], ...]) -> Registry:
        key_rows, org_rows, place_rows, route_rows, cp_rows = rows
        kc, oc, pc = t.org_keys.c.keys(), t.organisations.c.keys(), t.places.c.keys()
        rc, cc = t.routes.c.keys(), t.checkpoints.c.keys()
        keys: dict[str, list[PublicKey]] = {}
        for row in key_rows:
            k = dict(zip(kc, row, strict=True))
            keys.setdefault(k["org_id"], []).append(PublicKey(vkey=k["vkey"], demo=k["demo"]))
        orgs = []
        for row in org_rows:
            o = dict(zip(oc, row, strict=True))
            orgs.append(
                Organisation(
                    id=o["id"], name=o["name"], kind=o["kind"], note=o["note"],
                    keys=tuple(keys.get(o["id"], ())),
                )
            )  # fmt: skip
        places = []
        for row in place_rows:
            p = dict(zip(pc, row, strict=True))
            places.append(
                Place(id=p["id"], names=p["names"], lat=p["lat"], lon=p["lon"], kind=p["kind"],
                      note=p["note"])
            )  # fmt: skip
        routes = []
        for row in route_rows:
            r = dict(zip(rc, row, strict=True))
            routes.append(Route(id=r["id"], name=r["name"], places=r["places"], note=r["note"]))
        cps = []
        for row in cp_rows:
            x = dict(zip(cc, row, strict=True))
            cps.append(
                Checkpoint(
                    id=x["id"], name=x["name"], place=x["place"], route=x["route"],
                    operator=x["operator"], note=x["note"],
                )
            )  # fmt: skip
        return Registry.of(orgs, places, routes, cps)

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
                upsert(conn, t.organisations, o.model_dump(mode="json", exclude={"keys"}), ["id"])
            for p in places:
                upsert(conn, t.places, p.model_dump(mode="json"), ["id"])
            for r in routes:
                upsert(conn, t.routes, r.model_dump(mode="json"), ["id"])
            for c in checkpoints:
                upsert(conn, t.checkpoints, c.model_dump(mode="json"), ["id"])

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
        return True

    def org_keys(self) -> list[tuple[str, str, bytes, bytes, bool]]:
        """Every registered key: (org_id, vkey, keyid, public_key, demo); by organisation, each
        organisation's oldest first."""
        with self.read() as conn:
            return [
                (r.org_id, r.vkey, r.keyid, r.public_key, r.demo)
                for r in conn.execute(select(t.org_keys).order_by(*KEY_ORDER))
            ]

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
        """Erase the private values of an observation, and their salts (so that the salted
        commitment left in the log can no longer confirm a guessed value), then scrub the old
        bytes from the database files: on SQLite ``secure_delete`` zeroes freed space and the
        WAL is checkpointed and truncated; on PostgreSQL the table is rewritten (``VACUUM
        FULL``) and a checkpoint lets the WAL that held the value be recycled.
        """
        with self.begin() as conn:
            res = conn.execute(
                update(t.personal_data)
                .where(t.personal_data.c.obs_id == obs_id, t.personal_data.c.erased_at.is_(None))
                .values(value=None, salt=b"", erased_at=int(time.time()))
            )
            n = int(res.rowcount or 0)
        if n:
            self._scrub()
        return n

    def _scrub(self) -> None:
        """Remove erased bytes from the database's files, as far as the engine allows."""
        try:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                if self.dialect == "sqlite":
                    c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                else:
                    c.exec_driver_sql("VACUUM FULL personal_data")
                    # needs the pg_checkpoint role; without it the WAL recycles in its time
                    with contextlib.suppress(SQLAlchemyError):
                        c.exec_driver_sql("CHECKPOINT")
        except SQLAlchemyError as exc:
            raise StoreError(
                f"the values were erased, but scrubbing the database files failed: "
                f"{driver_message(exc)}"
            ) from exc
