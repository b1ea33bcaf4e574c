"""Submission exports of KoBoToolbox and ODK Central, read as tables (a mapping's
``format: form``).

What is read: a CSV export (KoBoToolbox, ODK Central's root table), an XLSX export (KoBoToolbox:
one sheet for the submissions, one per repeat group), ODK Central's ZIP of CSV files (the root
table and ``FORM-REPEAT.csv`` per repeat group), and JSON (KoBoToolbox's ``data.json``, a list or
``{"results": [...]}``; ODK Central's OData ``{"value": [...]}``, repeats expanded inline).

Tables. The first table, ``submissions``, has one row per submission; each repeat group is a
table of its own, named after the repeat (``incidents``), one row per repeat instance, holding
that instance's fields and its parent's (so a mapping of repeat rows can read the submission's
checkpoint and times). Pick a table with the mapping's ``sheet:``.

Columns keep the export's names (``group/field`` in KoBoToolbox, ``group-field`` in ODK
Central, nested objects in JSON joined with ``/``), and answer to shorter names too: ``field``
alone, or the path with either separator, where that is not ambiguous. ODK Central's split
geopoint columns (``location-Latitude`` ...) and JSON GeoJSON points are joined into one
``lat lon altitude accuracy`` text, as KoBoToolbox writes it. Six columns are added:

- ``_instance``: the submission's instanceID (``meta/instanceID``, ``KEY``, ``__id``, else
  ``uuid:`` + ``_uuid``);
- ``_ref``: ``_instance`` for a submission, ``INSTANCE/REPEAT[n]`` for the n-th instance of a
  repeat, the same whichever export it comes from; an import that maps it to ``source.ref`` is
  idempotent across exports and re-exports;
- ``_version``: the form version (``__version__``, ``FormVersion``, ``__system/formVersion``);
- ``_submitted``: when the server received it;
- ``_gps``: the submission's first GPS point as ``GPS lat, lon ±accuracy m``;
- ``_replaces``: for a submission edited on the server, the ``_ref`` of the one it replaces
  (``meta/deprecatedID``, the previous instanceID; for a repeat instance, the same position in
  the replaced submission), else empty.

A submission without an instanceID is an unreadable row (quarantined with the reason).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.errors import InputError
from corridor.ingest.readers import Opened, Options, Records, UnreadableRow

__all__ = ["DERIVED", "FORM", "MAIN", "FormTable", "aliases", "read_form"]

MAIN = "submissions"
DERIVED = ("_instance", "_ref", "_version", "_submitted", "_gps", "_replaces")
_INSTANCE = ("meta/instanceID", "meta-instanceID", "instanceID", "KEY", "__id")
_DEPRECATED = ("meta/deprecatedID", "meta-deprecatedID", "deprecatedID")
_VERSION = ("__version__", "FormVersion", "__system/formVersion", "_version", "_version_")
_SUBMITTED = ("_submission_time", "SubmissionDate", "__system/submissionDate")
_GEO_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")
_INDEX = re.compile(r"\[(\d+)\]$")


@dataclass
class FormTable:
    """One table of a form export: its columns and its rows (row number, values)."""

    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any] | UnreadableRow]] = field(default_factory=list)

    def add(self, number: int, row: dict[str, Any] | UnreadableRow) -> None:
        if isinstance(row, dict):
            for c in row:
                if c not in self.columns:
                    self.columns.append(c)
        self.rows.append((number, row))


@dataclass(frozen=True)
class _Form:
    kind: str = "form"
    has_sheets: bool = True

    def claims(self, path: Path, head: bytes) -> bool:
        return False  # chosen by the mapping file (format: form), never guessed

    def sheet_names(self, path: Path) -> list[str]:
        return list(read_form(path))

    def open(self, path: Path, options: Options) -> Opened:
        tables = read_form(path)
        name = options.sheet or MAIN
        if name not in tables:
            raise InputError(
                f"no table {name!r} in this form export (tables: {', '.join(tables)})",
                where=path.name,
            )
        table = tables[name]
        header = tuple(table.columns)

        def records() -> Records:
            for number, row in table.rows:
                if isinstance(row, UnreadableRow):
                    values = row.values if isinstance(row.values, dict) else {}
                    yield number, UnreadableRow(row.reason, [values.get(c) for c in header])
                else:
                    yield number, [row.get(c) for c in header]

        return Opened(records, sheet=name, estimated_rows=len(table.rows), header=header,
                      header_row=0, aliases=aliases(header))  # fmt: skip


FORM = _Form()


def aliases(columns: Sequence[str]) -> dict[str, str]:
    """The shorter names each column answers to: its last path segments, with ``/`` or ``-``
    between them; a name two columns would answer to is left out."""
    seen: dict[str, set[str]] = {}
    for c in columns:
        sep = "/" if "/" in c else "-"
        parts = c.split(sep)
        for k in range(len(parts)):
            for joined in ("/".join(parts[k:]), "-".join(parts[k:])):
                if joined != c:
                    seen.setdefault(joined, set()).add(c)
    return {a: next(iter(cs)) for a, cs in seen.items() if len(cs) == 1 and a not in columns}


# -- reading ---------------------------------------------------------------------------------


def read_form(path: Path) -> dict[str, FormTable]:
    """The tables of a form export: ``submissions`` first, then one per repeat group."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", where=str(path)) from None
    body = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if body[:1] in (b"{", b"["):
        return _from_json(path, data)
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
        if not any(n.startswith(("xl/", "content.xml")) or n == "[Content_Types].xml"
                   for n in names):  # fmt: skip
            return _from_zip(path, data)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _from_workbook(path)
    main = FormTable(MAIN)
    for number, row in _csv_rows(path.name, data):
        main.add(number, _submission(row))
    return {MAIN: main}


def _csv_rows(name: str, data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", where=name) from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header:
            raise InputError("no header row: the file is empty", where=name)
        for number, values in enumerate(reader, start=2):
            if any(v.strip() for v in values):
                cells = zip(header, values, strict=False)
                yield number, {h: (v if v != "" else None) for h, v in cells}
    except csv.Error as exc:
        raise InputError(f"not readable CSV: {exc}", where=name) from None


def _join_geopoints(row: dict[str, Any], geo: set[str] | None = None) -> dict[str, Any]:
    """ODK Central's X-Latitude, X-Longitude, X-Altitude, X-Accuracy as one X (added to
    ``geo``)."""
    out = dict(row)
    for c in list(row):
        if c.endswith("-Latitude"):
            base = c[: -len("-Latitude")]
            parts = [row.get(f"{base}-{p}") for p in _GEO_PARTS]
            for p in _GEO_PARTS:
                out.pop(f"{base}-{p}", None)
            if geo is not None:
                geo.add(base)
            if parts[0] not in (None, "") and parts[1] not in (None, ""):
                out[base] = " ".join(str(v) for v in parts if v not in (None, ""))
            else:
                out[base] = None
    return out


def _first(row: dict[str, Any], names: Sequence[str]) -> Any:
    for n in names:
        v = row.get(n)
        if v not in (None, ""):
            return v
    return None


def _submission(
    row: dict[str, Any], geo: set[str] | None = None
) -> dict[str, Any] | UnreadableRow:
    points = set(geo or ())
    row = _join_geopoints(row, points)
    instance = _first(row, _INSTANCE)
    if instance is None and row.get("_uuid") not in (None, ""):
        instance = f"uuid:{row['_uuid']}"
    if instance is None:
        return UnreadableRow(
            "no instanceID (meta/instanceID, KEY, __id or _uuid): every submission of a "
            "KoBoToolbox or ODK export carries one",
            row,
        )
    text = _uuid(instance)
    row["_instance"] = row["_ref"] = text
    deprecated = _first(row, _DEPRECATED)
    row["_replaces"] = _uuid(deprecated) if deprecated is not None else None
    row["_version"] = _first(row, _VERSION)
    row["_submitted"] = _first(row, _SUBMITTED)
    row["_gps"] = _gps(row, points)
    return row


def _uuid(value: Any) -> str:
    text = str(value).strip()
    if not text.startswith("uuid:") and re.fullmatch(r"[0-9a-fA-F-]{32,36}", text):
        text = "uuid:" + text
    return text


def _gps(row: dict[str, Any], geo: set[str]) -> str | None:
    """The first geopoint of a submission (a column joined from ODK's split columns or a JSON
    point, or one with KoBoToolbox's _X_latitude beside it) as 'GPS lat, lon ±acc m'."""
    for c, v in row.items():
        if not isinstance(v, str) or (c not in geo and f"_{c.split('/')[-1]}_latitude" not in row):
            continue
        parts = v.split()
        if len(parts) >= 2:
            acc = f" ±{parts[3]} m" if len(parts) > 3 else ""
            return f"GPS {parts[0]}, {parts[1]}{acc}"
    return None


def _child(parent: dict[str, Any], repeat: str, n: int, row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in parent.items() if k not in DERIVED}
    out.update(_join_geopoints(row))
    out["_instance"] = parent["_instance"]
    out["_ref"] = f"{parent['_ref']}/{repeat}[{n}]"
    replaced = parent.get("_replaces")
    out["_replaces"] = f"{replaced}/{repeat}[{n}]" if replaced else None
    out["_version"], out["_submitted"] = parent["_version"], parent["_submitted"]
    out["_gps"] = parent["_gps"]
    return out


def _from_zip(path: Path, data: bytes) -> dict[str, FormTable]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        csvs = [i for i in z.infolist() if i.filename.lower().endswith(".csv")]
        if not csvs:
            raise InputError("a ZIP without CSV files: not an ODK Central export", where=path.name)
        if sum(i.file_size for i in csvs) > 1024 * 1024 * 1024:
            raise InputError("the ZIP unpacks to more than 1 GiB", where=path.name)
        files = {Path(i.filename).name: z.read(i) for i in csvs}
    names = sorted(files, key=len)
    root = names[0]
    stem = root[: -len(".csv")]
    tables = {MAIN: FormTable(MAIN)}
    by_key: dict[str, dict[str, Any]] = {}
    for number, row in _csv_rows(root, files[root]):
        sub = _submission(row)
        tables[MAIN].add(number, sub)
        if isinstance(sub, dict) and row.get("KEY"):
            by_key[str(row["KEY"])] = sub
    # repeat tables, parents before children (a nested repeat's file name is longer)
    for name in names[1:]:
        repeat = name[: -len(".csv")].removeprefix(stem + "-").split("~")[0]
        table = tables.setdefault(repeat, FormTable(repeat))
        counts: dict[str, int] = {}
        for number, row in _csv_rows(name, files[name]):
            parent = by_key.get(str(row.get("PARENT_KEY")))
            if parent is None:
                table.add(number, UnreadableRow(
                    f"{name}: PARENT_KEY {row.get('PARENT_KEY')!r} is no row of the export",
                    row))  # fmt: skip
                continue
            key = str(row.get("KEY") or "")
            m = _INDEX.search(key)
            n = int(m[1]) if m else counts.get(parent["_ref"], 0) + 1
            counts[parent["_ref"]] = n
            child = _child(parent, repeat, n, {k: v for k, v in row.items()
                                               if k not in ("KEY", "PARENT_KEY")})  # fmt: skip
            table.add(number, child)
            if key:
                by_key[key] = child
    return tables


def _from_workbook(path: Path) -> dict[str, FormTable]:
    from corridor.ingest.readers.sheets import read_sheets

    sheets = read_sheets(path)
    tables: dict[str, FormTable] = {}
    by_index: dict[tuple[str, str], dict[str, Any]] = {}
    for i, (name, rows) in enumerate(sheets):
        if not rows:
            continue
        header = [str(h) if h is not None else f"column_{j + 1}" for j, h in enumerate(rows[0])]
        table_name = MAIN if i == 0 else name
        table = tables.setdefault(table_name, FormTable(table_name))
        counts: dict[str, int] = {}
        for number, values in enumerate(rows[1:], start=2):
            if all(v in (None, "") for v in values):
                continue
            row = dict(zip(header, values, strict=False))
            if i == 0:
                sub = _submission(row)
                table.add(number, sub)
                if isinstance(sub, dict) and row.get("_index") is not None:
                    by_index[(name, str(row["_index"]))] = sub
                continue
            parent = by_index.get((str(row.get("_parent_table_name") or sheets[0][0]),
                                   str(row.get("_parent_index"))))  # fmt: skip
            if parent is None:
                table.add(number, UnreadableRow(
                    f"sheet {name}: _parent_index {row.get('_parent_index')!r} is no row of "
                    "its parent sheet", row))  # fmt: skip
                continue
            n = counts.get(parent["_ref"], 0) + 1
            counts[parent["_ref"]] = n
            own = {k: v for k, v in row.items() if not k.startswith(("_parent_", "_submission_"))
                   and k != "_index"}  # fmt: skip
            child = _child(parent, name, n, own)
            table.add(number, child)
            if row.get("_index") is not None:
                by_index[(name, str(row["_index"]))] = child
    if MAIN not in tables:
        raise InputError("the workbook holds no submissions", where=path.name)
    return tables


# -- JSON ------------------------------------------------------------------------------------


def _geo_text(v: dict[str, Any]) -> str | None:
    coords = v.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        return None
    parts = [coords[1], coords[0], *coords[2:3]]
    accuracy = (v.get("properties") or {}).get("accuracy")
    if accuracy is not None:
        parts.append(accuracy)
    return " ".join(str(p) for p in parts)


def _flatten(obj: dict[str, Any], prefix: str, out: dict[str, Any],
             repeats: dict[str, list[Any]], geo: set[str]) -> None:  # fmt: skip
    for k, v in obj.items():
        if k.endswith("@odata.navigationLink"):
            continue
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            if v.get("type") == "Point":
                out[key] = _geo_text(v)
                geo.add(key)
            else:
                _flatten(v, key + "/", out, repeats, geo)
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            repeats[key] = v
        elif isinstance(v, list):
            out[key] = " ".join(str(x) for x in v) if v else None
        else:
            out[key] = v


def _from_json(path: Path, data: bytes) -> dict[str, FormTable]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", where=path.name) from None
    except RecursionError:
        raise InputError("not JSON: nested too deeply", where=path.name) from None
    items = doc
    if isinstance(doc, dict):
        items = doc.get("results", doc.get("value"))
    if not isinstance(items, list):
        raise InputError(
            "not a submission export: expected a list, {\"results\": [...]} (KoBoToolbox) or "
            "{\"value\": [...]} (ODK Central OData)",
            where=path.name,
        )
    tables = {MAIN: FormTable(MAIN)}
    counters: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            tables[MAIN].add(number, UnreadableRow(f"submission {number} is not an object", {}))
            continue
        flat: dict[str, Any] = {}
        repeats: dict[str, list[Any]] = {}
        geo: set[str] = set()
        _flatten(item, "", flat, repeats, geo)
        sub = _submission(flat, geo)
        tables[MAIN].add(number, sub)
        if isinstance(sub, dict):
            _json_repeats(sub, repeats, tables, counters)
    return tables


def _json_repeats(parent: dict[str, Any], repeats: dict[str, list[Any]],
                  tables: dict[str, FormTable], counters: dict[str, int]) -> None:  # fmt: skip
    for key, items in repeats.items():
        name = key.split("/")[-1]
        table = tables.setdefault(name, FormTable(name))
        for n, item in enumerate(items, start=1):
            flat: dict[str, Any] = {}
            nested: dict[str, list[Any]] = {}
            _flatten(item, "", flat, nested, set())
            flat.pop("__id", None)
            counters[name] = counters.get(name, 0) + 1
            child = _child(parent, name, n, flat)
            table.add(counters[name], child)
            _json_repeats(child, nested, tables, counters)
