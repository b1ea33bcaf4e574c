"""One row through one mapping: selected or not, skipped or not, and else an observation or a
precise reason why not ("column trucks_in: '3x' is not a number", "body.count (column trucks_in):
Input should be greater than or equal to 0").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from corridor.errors import RecordError
from corridor.ingest.checks import read_value
from corridor.ingest.fields import Kind, field_kind
from corridor.ingest.mapping import ImportMapping
from corridor.ingest.values import cell_text, combine_cells, is_empty, period_of, split_text
from corridor.model import (
    BODY_TYPES,
    Checkpoint,
    Observation,
    Place,
    Registry,
    Route,
    parse_observation,
    record_error_from,
)

__all__ = [
    "Entity",
    "Provenance",
    "RowRejected",
    "build_entity",
    "build_observation",
    "selects",
    "skip_reason",
]

Entity = Place | Checkpoint | Route

_ENVELOPE = ("reported_at", "reporter", "note", "caveats")


@dataclass(frozen=True)
class Provenance:
    """Where a row comes from: it becomes the observation's source file, sheet and row."""

    file: str
    sheet: str | None
    row: int


class RowRejected(ValueError):
    """A row cannot become an observation; the message names the column or field and why."""


def _matches(value: Any, wanted: tuple[str, ...]) -> bool:
    text = cell_text(value).casefold()
    return any(text == w.casefold() for w in wanted)


def selects(m: ImportMapping, row: Mapping[str, Any], cols: Mapping[str, str]) -> bool:
    """Whether the mapping's ``where`` conditions all hold for the row (no conditions: yes)."""
    return all(_matches(row.get(cols[c]), vals) for c, vals in m.where.items())


def skip_reason(
    m: ImportMapping, number: int, row: Mapping[str, Any], cols: Mapping[str, str]
) -> str | None:
    """Why the mapping skips this row (``skip_rows``, ``skip_if``, ``skip_if_empty``), or None."""
    if number in m.skip_rows:
        return "listed in skip_rows"
    for c, vals in m.skip_if.items():
        if _matches(row.get(cols[c]), vals):
            return f"column {c} is {cell_text(row.get(cols[c]))!r} (skip_if)"
    for c in m.skip_if_empty:
        if is_empty(row.get(cols[c])):
            return f"column {c} is empty (skip_if_empty)"
    return None


def _read_cells(
    m: ImportMapping, row: Mapping[str, Any], cols: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = dict(m.fixed)
    origin: dict[str, str] = dict.fromkeys(m.fixed, "set in the mapping")
    for target, spec in m.columns.items():
        origin[target] = spec.label
        cells = [row.get(cols.get(c, c)) for c in spec.column]
        empty = [c for c, v in zip(spec.column, cells, strict=True) if is_empty(v)]
        if len(empty) == len(cells):
            value: Any = None
        elif field_kind(m.type, target) is Kind.list and len(cells) > 1:
            # several columns into one list (ACLED's actor1, assoc_actor_1, actor2 ...)
            value = [
                item
                for c in cells
                if not is_empty(c)
                for item in split_text(spec.translate(c), spec.split)
            ]
        elif empty and spec.join is None:
            raise RowRejected(f"column {empty[0]} is empty ({spec.label} are read together)")
        elif spec.join is not None:
            value = spec.join.join(cell_text(spec.translate(c)) for c in cells if not is_empty(c))
        else:
            value = spec.translate(combine_cells(cells))
        if is_empty(value):
            value = spec.default
        if is_empty(value):
            continue
        kind = field_kind(m.type, target)
        assert kind is not None  # checked when the mapping was loaded
        try:
            values[target] = read_value(kind, value, spec)
            if target == "observed" and spec.period:
                values["observed"], values["observed_end"] = period_of(
                    values["observed"], spec.period
                )
        except ValueError as exc:
            raise RowRejected(f"{spec.label}: {exc}") from None
    return values, origin


def _observation_dict(m: ImportMapping, values: dict[str, Any], prov: Provenance) -> dict[str, Any]:
    source: dict[str, Any] = {
        k.removeprefix("source."): v for k, v in values.items() if k.startswith("source.")
    }
    if "ref" not in source:  # a record id in the source identifies the row by itself
        source.update(file=prov.file, row=prov.row)
        if prov.sheet is not None:
            source["sheet"] = prov.sheet
    out: dict[str, Any] = {
        "type": m.type,
        "sources": [source],
        "body": {
            k: v
            for k, v in values.items()
            if not k.startswith("source.")
            and k not in _ENVELOPE
            and k not in ("observed", "observed_end")
        },
    }
    if "observed" in values:
        out["observed"] = {"start": values["observed"], "end": values.get("observed_end")}
    for k in _ENVELOPE:
        if k in values:
            out[k] = values[k]
    return out


def _target_of(field: str | None) -> str | None:
    if not field:
        return None
    parts = field.split(".")
    if parts[0] == "body":
        return parts[1] if len(parts) > 1 and parts[1] not in BODY_TYPES else None
    if parts[0] == "observed":
        return "observed_end" if parts[1:2] == ["end"] else "observed"
    if parts[0] == "sources":
        return f"source.{parts[2]}" if len(parts) > 2 else None
    return parts[0]


def _reason(exc: RecordError, origin: Mapping[str, str], values: Mapping[str, Any]) -> str:
    target = _target_of(exc.field)
    src = origin.get(target) if target else None
    reason = exc.reason
    if "should match pattern '^[a-z0-9]" in reason and target and target in values:
        reason = (
            f"{str(values[target])[:60]!r} is not an id (lower case a-z 0-9 . _ -): translate it "
            "with map, or make one of it with slug: true"
        )
    if reason.startswith("Field required") and target and target not in values and src:
        reason = reason.replace("Field required", "required, but the cell is empty", 1)
    label = exc.field or "row"
    return f"{label} ({src}): {reason}" if src else f"{label}: {reason}"


def build_observation(
    m: ImportMapping,
    row: Mapping[str, Any],
    cols: Mapping[str, str],
    prov: Provenance,
    registry: Registry | None = None,
) -> Observation:
    """Turn one row into a validated Observation whose source names file, sheet and row;
    with a registry, its references (reporter, checkpoint, place ...) must exist.

    Raises RowRejected with the column or field and the reason.
    """
    values, origin = _read_cells(m, row, cols)
    data = _observation_dict(m, values, prov)
    try:
        obs = parse_observation(data)
        if registry is not None:
            registry.check(obs)
    except RecordError as exc:
        raise RowRejected(_reason(exc, origin, values)) from None
    return obs


def build_entity(
    m: ImportMapping,
    row: Mapping[str, Any],
    cols: Mapping[str, str],
    registry: Registry,
) -> Entity:
    """Turn one row into a place or checkpoint (``m.type``) whose references exist in
    ``registry``. Raises RowRejected naming the field, and the column it came from."""
    values, origin = _read_cells(m, row, cols)
    if m.type == "place" and "name" in values:
        values["names"] = [values.pop("name"), *values.get("names", [])]
    model = Place if m.type == "place" else Checkpoint
    try:
        entity = model.model_validate(values)
        if isinstance(entity, Checkpoint):
            registry.check_checkpoint(entity)
    except ValidationError as exc:
        err = record_error_from(exc)
        raise RowRejected(_reason(err, origin, values)) from None
    except RecordError as exc:
        raise RowRejected(_reason(exc, origin, values)) from None
    return entity
