"""Import what corridor exported, with no mapping: the flat tables (CSV, HXL, XLSX, SQLite
aside), JSON and NDJSON, and GeoJSON (observations, or the checkpoints, routes and places
layers). Each row or item becomes exactly the observation it was exported from (its content
is the row's), so an export imported into another database gives the same observation ids,
and importing it again adds nothing. The id, log index and signers an export shows are not
read: the content makes the id, and the importing database signs anew.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from corridor.errors import InputError, RecordError
from corridor.ingest.readers import (
    UnreadableRow,
    check_file,
    file_kind,
    open_table,
    sheet_names,
)
from corridor.ingest.readers.geojson import read_geojson
from corridor.ingest.run import ImportPlan, Planned, Rejection, copy_registry
from corridor.model import (
    Checkpoint,
    Place,
    Registry,
    Route,
    parse_observation,
    record_error_from,
)
from corridor.model.flat import from_row, is_flat_header, unguard_cell

__all__ = ["FLAT_MAPPING", "is_flat_export", "plan_flat_import"]

#: What the summary names as the mapping of a flat import.
FLAT_MAPPING = "(a corridor export: no mapping)"
_NOT_CONTENT = ("id", "log_index", "signed_by", "signature_note", "personal", "proof")


def _json_kind(path: Path) -> str | None:
    if path.suffix.lower() == ".geojson":
        return "geojson"
    with path.open("rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        return "geojson" if b'"FeatureCollection"' in head or b'"Feature"' in head else "ndjson"
    return None


def is_flat_export(path: Path) -> bool:
    """Whether ``path`` looks like something corridor exported (the flat header, JSON
    observations, or GeoJSON)."""
    check_file(path)
    if _json_kind(path) is not None or file_kind(path) == "geojson":
        return True
    try:
        return is_flat_header(open_table(path).columns)
    except InputError:
        return False


def plan_flat_import(path: str | Path, registry: Registry | None = None) -> ImportPlan:
    """Plan the import of a corridor export at ``path``: its rows as observations (and, for
    GeoJSON entity layers, places, checkpoints and routes), checked against ``registry``."""
    p = Path(path)
    check_file(p)
    kind = _json_kind(p) or file_kind(p)
    plan = ImportPlan(p, FLAT_MAPPING, kind=kind)
    known = copy_registry(registry) if registry is not None else Registry.of()
    seen: set[str] = set()
    if kind == "geojson":
        items: Iterator[tuple[int, str | None, Mapping[str, Any]]] = _features(p, plan, known)
    elif kind in ("json", "ndjson"):
        items = _json_items(p, kind)
    else:
        items = _table_rows(p, plan)
    for number, sheet, item in items:
        plan.rows += 1
        try:
            content = dict(item) if "observed" in item else from_row(item)
            for k in _NOT_CONTENT:
                content.pop(k, None)
            if "_error" in content:
                raise ValueError(content["_error"])
            obs = parse_observation(content)
            if registry is not None:
                known.check(obs)
        except (ValueError, RecordError) as exc:
            plan.rejected.append(Rejection(p.name, number, sheet, None, _reason(exc), dict(item)))
            continue
        planned = Planned(obs, "export", number, sheet)
        if obs.id in seen:
            plan.duplicates.append(planned)
        else:
            seen.add(obs.id)
            plan.accepted.append(planned)
    return plan


def _table_rows(p: Path, plan: ImportPlan) -> Iterator[tuple[int, str | None, dict[str, Any]]]:
    sheets: list[str | None] = list(sheet_names(p)) or [None]
    read_any = False
    for sheet in sheets:
        table = open_table(p, sheet=sheet)
        if not is_flat_header(table.columns):
            if sheet is None or sheet == sheets[0]:
                raise InputError(
                    "not a corridor export (its header lacks type, observed_start, reporter, "
                    "source_title): give a mapping file (--map) or a preset (--preset)",
                    where=p.name,
                )
            continue
        read_any = True
        plan.has_sheets = sheet is not None
        plan.columns += [c for c in table.columns if c not in plan.columns]
        text = table.kind in ("csv",)
        for number, row in table.rows():
            if isinstance(row, UnreadableRow):
                plan.rows += 1
                plan.rejected.append(
                    Rejection(p.name, number, table.sheet, None, row.reason, row.values)
                )
                continue
            yield number, table.sheet, (
                {k: unguard_cell(v) for k, v in row.items()} if text else row
            )
    assert read_any


def _json_items(p: Path, kind: str) -> Iterator[tuple[int, str | None, dict[str, Any]]]:
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc.reason}", where=p.name) from None
    if kind == "json":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg} at line {exc.lineno}", where=p.name) from None
        if not isinstance(items, list):
            raise InputError("not a JSON list of observations", where=p.name)
        numbered = list(enumerate(items, start=1))
    else:
        numbered = []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                numbered.append((i, json.loads(line)))
            except json.JSONDecodeError as exc:
                numbered.append((i, {"_error": f"line {i} is not JSON: {exc.msg}"}))
    for number, item in numbered:
        if not isinstance(item, dict):
            item = {"_error": f"item {number} is not a JSON object"}
        yield number, None, item


_ENTITY_LAYERS = ("place", "checkpoint", "route")


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return str(record_error_from(exc))
    return str(exc)


def _features(
    p: Path, plan: ImportPlan, known: Registry
) -> Iterator[tuple[int, str | None, dict[str, Any]]]:
    for number, f in enumerate(read_geojson(p), start=1):
        props = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(props, dict):
            plan.rows += 1
            plan.rejected.append(Rejection(p.name, number, None, None,
                                           "not a Feature with properties", {}))  # fmt: skip
            continue
        layer = props.get("layer")
        if layer in _ENTITY_LAYERS:
            plan.rows += 1
            try:
                _entity(plan, layer, props, f.get("geometry"), known)
            except (ValueError, RecordError) as exc:
                plan.rejected.append(Rejection(p.name, number, None, layer, _reason(exc), props))
            continue
        yield number, None, props


def _entity(
    plan: ImportPlan, layer: str, props: dict[str, Any], geometry: Any, known: Registry
) -> None:
    data = {k: v for k, v in props.items() if k != "layer"}
    entity: Place | Checkpoint | Route
    if layer == "route":
        entity = Route.model_validate(data)
        known.check_route(entity)
        table: dict[str, Any] = known.routes
        kinds = "routes"
    elif layer == "place":
        point = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if point:
            data["lon"], data["lat"] = point[0], point[1]
        entity = Place.model_validate(data)
        table, kinds = known.places, "places"
    else:
        names = data.pop("place_names", None)
        kind = data.pop("place_kind", None)
        point = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if names and data.get("place") not in known.places:
            place = Place.model_validate({
                "id": data.get("place"), "names": names, "kind": kind,
                **({"lon": point[0], "lat": point[1]} if point else {}),
            })  # fmt: skip
            known.places[place.id] = place
            plan.entities.append(place)
            plan.count_entity("places", "added")
        entity = Checkpoint.model_validate(data)
        known.check_checkpoint(entity)
        table, kinds = known.checkpoints, "checkpoints"
    before = table.get(entity.id)
    if before == entity:
        plan.count_entity(kinds, "unchanged")
        return
    table[entity.id] = entity
    plan.entities.append(entity)
    plan.count_entity(kinds, "added" if before is None else "updated")
