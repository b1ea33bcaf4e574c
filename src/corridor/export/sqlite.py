"""A redacted SQLite copy of a view of the record, for Datasette or any SQL tool.

Tables: ``observations`` (the flat columns of :mod:`corridor.model.flat`, typed INTEGER, REAL or
TEXT, plus ``latitude`` and ``longitude`` of the observation's place, which Datasette's map
plugins pick up), ``organisations``, ``places``, ``routes``, ``checkpoints`` and ``export`` (what
was exported, when, from which log size). Redacted: no personal field (a driver's name, a phone
number) has a column, and no signature, signing key or log entry is copied. Rows are inserted a
page at a time as they come, so memory stays constant.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from corridor.export.geojson import observation_geometry
from corridor.model import Registry
from corridor.model.flat import FLAT_COLUMNS

__all__ = ["write_sqlite"]

_TYPES = {"int": "INTEGER", "float": "REAL", "json": "TEXT", "text": "TEXT"}
_BATCH = 256


def _create(db: sqlite3.Connection) -> None:
    cols = ", ".join(
        f'"{c.name}" {_TYPES[c.kind]}' + (" PRIMARY KEY" if c.name == "id" else "")
        for c in FLAT_COLUMNS
    )
    db.executescript(
        f"""
        CREATE TABLE observations ({cols}, latitude REAL, longitude REAL);
        CREATE INDEX observations_type_start ON observations (type, observed_start);
        CREATE TABLE organisations (id TEXT PRIMARY KEY, name TEXT, kind TEXT, note TEXT);
        CREATE TABLE places (id TEXT PRIMARY KEY, label TEXT, names TEXT, latitude REAL,
                             longitude REAL, kind TEXT, note TEXT);
        CREATE TABLE routes (id TEXT PRIMARY KEY, name TEXT, places TEXT, note TEXT);
        CREATE TABLE checkpoints (id TEXT PRIMARY KEY, name TEXT, place TEXT REFERENCES places,
                                  route TEXT REFERENCES routes, operator TEXT, note TEXT,
                                  latitude REAL, longitude REAL);
        CREATE TABLE export (key TEXT PRIMARY KEY, value TEXT);
        """
    )


def _entities(db: sqlite3.Connection, registry: Registry) -> None:
    db.executemany(
        "INSERT INTO organisations VALUES (?, ?, ?, ?)",
        [(o.id, o.name, str(o.kind), o.note) for o in registry.organisations.values()],
    )
    db.executemany(
        "INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (p.id, p.label, json.dumps([n.model_dump(exclude_none=True) for n in p.names],
                                       ensure_ascii=False), p.lat, p.lon, p.kind, p.note)
            for p in registry.places.values()
        ],
    )  # fmt: skip
    db.executemany(
        "INSERT INTO routes VALUES (?, ?, ?, ?)",
        [(r.id, r.name, json.dumps(list(r.places)), r.note) for r in registry.routes.values()],
    )
    rows = []
    for c in registry.checkpoints.values():
        place = registry.places.get(c.place)
        lat, lon = (place.lat, place.lon) if place is not None else (None, None)
        rows.append((c.id, c.name, c.place, c.route, c.operator, c.note, lat, lon))
    db.executemany("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def write_sqlite(
    rows: Iterable[Mapping[str, Any]],
    path: Path,
    registry: Registry,
    about: Mapping[str, str],
) -> int:
    """Write a new database at ``path`` (which must not exist); return the observations
    written."""
    names = [c.name for c in FLAT_COLUMNS]
    insert = (
        f"INSERT INTO observations ({', '.join(chr(34) + n + chr(34) for n in names)}, latitude, "
        f"longitude) VALUES ({', '.join('?' * (len(names) + 2))})"
    )
    db = sqlite3.connect(path)
    n = 0
    try:
        _create(db)
        _entities(db, registry)
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            geometry = observation_geometry(row, registry)
            point = geometry is not None and geometry["type"] == "Point"
            lon, lat = geometry["coordinates"] if point else (None, None)  # type: ignore[index]
            batch.append((*(row.get(c) for c in names), lat, lon))
            n += 1
            if len(batch) >= _BATCH:
                db.executemany(insert, batch)
                batch.clear()
        db.executemany(insert, batch)
        db.executemany("INSERT INTO export VALUES (?, ?)", sorted({**about,
                       "observations": str(n)}.items()))  # fmt: skip
        db.commit()
    finally:
        db.close()
    return n
