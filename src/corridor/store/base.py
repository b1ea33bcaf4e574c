"""What every part of the SQL store shares: the engine, transactions, upserts, error text."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from corridor.errors import StoreError

__all__ = ["BUSY_TIMEOUT_S", "StoreBase", "driver_message", "insert_sql", "upsert"]

#: How long an SQLite writer waits for another's write lock before giving up.
BUSY_TIMEOUT_S = 60


class StoreBase:
    """The engine and its connections; driver errors become StoreError."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One write transaction; driver errors become StoreError.

        On SQLite the write lock is taken when the transaction begins (``BEGIN IMMEDIATE``), so
        whatever the transaction reads (the log's size, the ids present) cannot change under it:
        concurrent writers wait for each other (up to the busy timeout) instead of colliding.
        PostgreSQL appends lock the observations table for the same reason.
        """
        try:
            with self.engine.begin() as conn:
                if self.dialect == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                yield conn
        except SQLAlchemyError as exc:
            message = driver_message(exc)
            if "database is locked" in message:
                raise StoreError(
                    f"the database is busy: another process held its write lock for more than "
                    f"{BUSY_TIMEOUT_S} s; try again when it is done",
                    code="busy",
                ) from exc
            raise StoreError(f"database write failed: {message}") from exc

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
            raise StoreError(f"database read failed: {driver_message(exc)}") from exc


def upsert(conn: Connection, table: Any, values: dict[str, Any], keys: list[str]) -> None:
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


def insert_sql(conn: Connection, table: str, columns: Sequence[str], *, rows: int = 1) -> str:
    """A driver-level INSERT in the driver's parameter style: of one row (for executemany of
    tuples), or of ``rows`` rows (for one execution of their values, row after row)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    one = f"({', '.join([mark] * len(columns))})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * rows)}"


def driver_message(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    msg = str(orig if orig is not None else exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__
