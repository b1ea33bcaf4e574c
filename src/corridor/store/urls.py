"""Database URLs, without importing a driver or SQLAlchemy (settings read them at start-up)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["database_url", "sqlite_path"]


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


def sqlite_path(url: str) -> Path | None:
    """The file of an ``sqlite:///`` URL (None for any other database, or an in-memory one)."""
    if not url.startswith("sqlite:///"):
        return None
    rest = url.removeprefix("sqlite:///")
    if not rest or rest == ":memory:" or "?" in rest:
        return None
    return Path(rest)
