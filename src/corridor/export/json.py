"""Observations as JSON (one array) or NDJSON (one object per line), in the shape the CLI's
``--json`` and the HTTP API give them (:func:`corridor.app.shapes.observation`), written as they
come: the array is opened, then each item follows, so memory stays constant."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import IO, Any

__all__ = ["write_json", "write_ndjson"]


def _dump(item: Mapping[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def write_json(items: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """A JSON array of the items, one per line; return how many."""
    n = 0
    out.write("[")
    for item in items:
        out.write(("\n" if n == 0 else ",\n") + _dump(item))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def write_ndjson(items: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """One JSON object per line (NDJSON / JSON Lines); return how many."""
    n = 0
    for item in items:
        out.write(_dump(item) + "\n")
        n += 1
    return n
