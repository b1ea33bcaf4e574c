"""Read-only answers from an SQLite record through the standard library's ``sqlite3``, for the
commands that must start fast (``corridor keys list``): importing SQLAlchemy alone costs about
four times Python's start-up.

Each answer is the same as the full store's (a contract test compares them) and the database is
checked the same way: a missing file, a file that is not a corridor database, a schema that is
missing or at another revision are the same :class:`~corridor.errors.StoreError` with the same
code. Anything this reader cannot decide (the file cannot be opened read-only, say) returns
``None`` and the caller opens the full store, which then says what is wrong.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from corridor.errors import StoreError

__all__ = ["registered_keys"]

#: Kept equal to corridor.store.migrate.HEAD_REVISION by a test (importing that module would
#: import SQLAlchemy).
HEAD_REVISION = "0007"


def _connect(path: Path) -> sqlite3.Connection | None:
    if not path.exists():
        raise StoreError(f"no database at {path}", code="no-database", subject=str(path))
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
    except sqlite3.Error:
        return None


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    try:
        has = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a corridor database ({exc})") from None
    if has is None:
        raise StoreError(f"database sqlite:///{path} is not initialised", code="schema-missing")
    rows = sorted(r[0] for r in conn.execute("SELECT version_num FROM alembic_version"))
    current = ",".join(rows) if rows else None
    if current is None:
        raise StoreError(f"database sqlite:///{path} is not initialised", code="schema-missing")
    if current != HEAD_REVISION:
        raise StoreError(
            f"database schema is at {current}, this corridor needs {HEAD_REVISION}",
            code="schema-old",
        )


def registered_keys(path: Path) -> list[tuple[str, str, bool]] | None:
    """(organisation, verifier key, is a DEMO key) for every registered key, in the store's
    order (``corridor.store.sql.KEY_ORDER``); None when the full store must answer."""
    conn = _connect(path)
    if conn is None:
        return None
    try:
        _check_schema(conn, path)
        rows = conn.execute(
            "SELECT org_id, vkey, demo FROM org_keys ORDER BY org_id, created_at, vkey"
        ).fetchall()
    except sqlite3.OperationalError:
        return None  # locked past the timeout, unreadable -shm: let the full store decide
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a corridor database ({exc})") from None
    finally:
        conn.close()
    return [(str(o), str(v), bool(d)) for o, v, d in rows]
