"""The flat form of an observation: one row of plain columns, the same for every type.

Tables that other tools read (CSV, XLSX, HXL, GeoJSON properties, a Datasette database) hold
observations as rows of :data:`FLAT_COLUMNS`: the envelope (``observed_start``, ``reporter``, the
first source as ``source_title``, ``source_url`` ...) then every body field of every type, each
once (``checkpoint``, ``count``, ``status`` ...). A field of another type than the row's stays
empty. Lists and structured values (caveats, actors, cargo lines, further sources) are JSON text.
Personal fields (a driver's name) have no column: they never leave the database.

:func:`to_row` writes a row from an observation's public content; :func:`from_row` reads one back
into content that validates to the same observation (the same id): what is exported re-imports
to the same observations. Every column carries an HXL hashtag (:attr:`FlatColumn.tag`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from corridor.model.bodies import BODY_TYPES, personal_fields

__all__ = [
    "BODY_COLUMNS",
    "FLAT_COLUMNS",
    "INFO_COLUMNS",
    "FlatColumn",
    "from_row",
    "guard_cell",
    "is_flat_header",
    "to_row",
    "unguard_cell",
]


@dataclass(frozen=True)
class FlatColumn:
    """One column of the flat form: its name, HXL hashtag and how its cells are written."""

    name: str
    tag: str
    kind: str = "text"  # text, int, float, json


# Envelope columns, in order. Columns marked info (id, log_index, signed_by) are written for the
# reader and ignored when a row is read back: the content makes the id.
_ENVELOPE: tuple[FlatColumn, ...] = (
    FlatColumn("id", "#meta+id"),
    FlatColumn("log_index", "#meta+index", "int"),
    FlatColumn("type", "#meta+type"),
    FlatColumn("observed_start", "#date+start"),
    FlatColumn("observed_end", "#date+end"),
    FlatColumn("reported_at", "#date+reported"),
    FlatColumn("reporter", "#org+reporter+code"),
    FlatColumn("source_title", "#meta+source"),
    FlatColumn("source_url", "#meta+url"),
    FlatColumn("source_document", "#meta+source+document"),
    FlatColumn("source_date", "#date+source"),
    FlatColumn("source_claim_of", "#org+claimant"),
    FlatColumn("source_file", "#meta+file"),
    FlatColumn("source_sheet", "#meta+sheet"),
    FlatColumn("source_row", "#meta+row", "int"),
    FlatColumn("source_ref", "#meta+ref"),
    FlatColumn("source_version", "#meta+version"),
    FlatColumn("more_sources", "#meta+source+more", "json"),
    FlatColumn("caveats", "#description+caveats", "json"),
    FlatColumn("note", "#description+note"),
    # a correction: the version it replaces and why, {"id": ..., "reason": ...}
    FlatColumn("supersedes", "#meta+supersedes", "json"),
    # a reveal: the sealed entry it opens and the salt, {"sealed": ..., "salt": ...}
    FlatColumn("reveals", "#meta+reveals", "json"),
)
INFO_COLUMNS = frozenset({"id", "log_index", "signed_by"})
_SOURCE_KEYS = ("title", "url", "document", "date", "claim_of", "file", "sheet", "row", "ref",
                "version")  # fmt: skip

# HXL hashtags of body fields (https://hxlstandard.org/standard/dictionary); a field without one
# here (a type added later) gets #meta+<field>.
_BODY_TAGS = {
    "checkpoint": "#loc+checkpoint+code",
    "direction": "#indicator+direction",
    "category": "#indicator+category",
    "count": "#indicator+count+num",
    "tonnes": "#indicator+tonnes+num",
    "commodity": "#item+name",
    "operator": "#org+operator+code",
    "outcome": "#status+outcome",
    "convoy": "#meta+convoy",
    "vehicle": "#item+vehicle",
    "route": "#loc+route+code",
    "status": "#status+code",
    "who_may_pass": "#group+permitted",
    "place": "#loc+code",
    "state": "#status+state",
    "organiser": "#org+organiser+code",
    "vehicles": "#indicator+vehicles+num",
    "cargo": "#item+cargo",
    "actors": "#group+actors",
    "killed": "#affected+killed+num",
    "injured": "#affected+injured+num",
    "missing": "#affected+missing+num",
    "text": "#description+text",
    "force": "#org+force",
    "strength": "#indicator+strength+num",
    "persons": "#population+num",
    "kind": "#indicator+kind",
    "origin": "#loc+origin+code",
    "party": "#org+party",
    "statement": "#description+statement",
    "about": "#description+about",
    "figure": "#indicator+figure+num",
}


def _kind(annotation: Any) -> str:
    text = repr(annotation)
    if "tuple[" in text or "dict[" in text or "CargoLine" in text:
        return "json"
    if "float" in text:
        return "float"
    if "int" in text and "str" not in text:
        return "int"
    return "text"


def _body_columns() -> tuple[FlatColumn, ...]:
    out: dict[str, FlatColumn] = {}
    for body in BODY_TYPES.values():
        personal = personal_fields(body)
        for name, f in body.model_fields.items():
            if name == "type" or name in personal or name in out:
                continue
            tag = _BODY_TAGS.get(name, f"#meta+{name.replace('_', '')}")
            out[name] = FlatColumn(name, tag, _kind(f.annotation))
    return tuple(out.values())


BODY_COLUMNS: tuple[FlatColumn, ...] = _body_columns()
FLAT_COLUMNS: tuple[FlatColumn, ...] = (
    *_ENVELOPE,
    *BODY_COLUMNS,
    FlatColumn("signed_by", "#meta+signers"),
)
_BY_NAME = {c.name: c for c in FLAT_COLUMNS}
_BODY_NAMES = frozenset(c.name for c in BODY_COLUMNS)
# A header with these names is a flat table (an export of corridor's), read without a mapping.
_SIGNATURE = frozenset({"type", "observed_start", "reporter", "source_title"})


def is_flat_header(columns: Any) -> bool:
    """Whether a table's column names are those of the flat form (a corridor export)."""
    return set(columns) >= _SIGNATURE


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def to_row(
    content: Mapping[str, Any],
    *,
    id: str | None = None,
    log_index: int | None = None,
    signers: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The flat row of an observation's public content (``Observation.content()``): a value or
    None for every column of :data:`FLAT_COLUMNS`, in order. Values are str, int or float."""
    row: dict[str, Any] = dict.fromkeys(_BY_NAME)
    row["id"], row["log_index"] = id, log_index
    row["type"] = content["type"]
    observed = content["observed"]
    row["observed_start"] = observed["start"]
    row["observed_end"] = observed.get("end")
    row["reported_at"] = content.get("reported_at")
    row["reporter"] = content["reporter"]
    sources = list(content["sources"])
    for k in _SOURCE_KEYS:
        row[f"source_{k}"] = sources[0].get(k)
    row["more_sources"] = _json(sources[1:]) if len(sources) > 1 else None
    row["caveats"] = _json(list(content["caveats"])) if content.get("caveats") else None
    row["note"] = content.get("note")
    row["supersedes"] = _json(content["supersedes"]) if content.get("supersedes") else None
    row["reveals"] = _json(content["reveals"]) if content.get("reveals") else None
    for name, value in content["body"].items():
        if name == "type" or value is None:
            continue
        col = _BY_NAME.get(name)
        if col is None:  # pragma: no cover - every body field has a column
            raise ValueError(f"no flat column for body field {name!r}")
        row[name] = _json(value) if col.kind == "json" else value
    row["signed_by"] = ",".join(signers) or None
    return row


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _cell(col: FlatColumn, value: Any) -> Any:
    if col.kind == "json":
        if isinstance(value, list | dict):
            return value
        try:
            return json.loads(_text(value))
        except json.JSONDecodeError as exc:
            raise ValueError(f"column {col.name}: not JSON ({exc.msg})") from None
    if col.kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = _text(value)
        if not text.lstrip("-").isdigit():
            raise ValueError(f"column {col.name}: {text[:40]!r} is not a whole number")
        return int(text)
    if col.kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        text = _text(value)
        try:
            return float(text) if any(ch in text for ch in ".eE") else int(text)
        except ValueError:
            raise ValueError(f"column {col.name}: {text[:40]!r} is not a number") from None
    return _text(value)


def from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Observation content (to validate with ``parse_observation``) from a flat row.

    Columns not of the flat form are ignored, so are the info columns (id, log_index,
    signed_by). ValueError names the column when a cell cannot be read or holds a field the
    row's type does not have.
    """
    cells = {k: v for k, v in row.items() if k in _BY_NAME and not _empty(v)}
    kind = _text(cells.get("type", ""))
    if not kind:
        raise ValueError("column type is empty")
    body_type = BODY_TYPES.get(kind)
    if body_type is None:
        raise ValueError(f"column type: unknown observation type {kind!r}")
    fields = set(body_type.model_fields) - {"type"}
    stray = sorted(n for n in cells if n in _BODY_NAMES and n not in fields)
    if stray:
        raise ValueError(f"column {stray[0]} has a value, but a {kind} has no field {stray[0]}")
    source = {
        k: _cell(_BY_NAME[f"source_{k}"], cells[f"source_{k}"])
        for k in _SOURCE_KEYS
        if f"source_{k}" in cells
    }
    more = _cell(_BY_NAME["more_sources"], cells["more_sources"]) if "more_sources" in cells else []
    if not isinstance(more, list):
        raise ValueError("column more_sources: not a JSON list of sources")
    out: dict[str, Any] = {
        "type": kind,
        "observed": {"start": _text(cells.get("observed_start", ""))},
        "reporter": _text(cells.get("reporter", "")),
        "sources": [source, *more],
        "body": {n: _cell(_BY_NAME[n], v) for n, v in cells.items() if n in fields},
    }
    if "observed_end" in cells:
        out["observed"]["end"] = _text(cells["observed_end"])
    if "reported_at" in cells:
        out["reported_at"] = _text(cells["reported_at"])
    if "caveats" in cells:
        out["caveats"] = _cell(_BY_NAME["caveats"], cells["caveats"])
    if "note" in cells:
        out["note"] = _text(cells["note"])
    if "supersedes" in cells:
        out["supersedes"] = _cell(_BY_NAME["supersedes"], cells["supersedes"])
    if "reveals" in cells:
        out["reveals"] = _cell(_BY_NAME["reveals"], cells["reveals"])
    return out


# A text cell a spreadsheet would run as a formula starts with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def guard_cell(value: Any) -> Any:
    """A value as written to a CSV file a spreadsheet may open: text a spreadsheet would run
    as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return first), or that starts with
    ``'``, gets a leading ``'``; numbers are left alone. :func:`unguard_cell` undoes it."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def unguard_cell(value: Any) -> Any:
    """The inverse of :func:`guard_cell`, for a flat CSV file read back."""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value
