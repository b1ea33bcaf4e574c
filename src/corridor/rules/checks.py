"""Semantic checks of a rule file: filter fields against the observation bodies, values against
their types, ids against the registry, ``for_each``/``same``/``measure`` fields, ``from`` before
``to``. Each problem carries the YAML path of the offending node so the parser can name
FILE:LINE:COLUMN.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any, Union

from pydantic import TypeAdapter, ValidationError

from corridor.model import BODY_TYPES, FACT_TYPES, Registry, personal_fields
from corridor.rules.language import (
    ENVELOPE_FIELDS,
    STATE_SUBJECTS,
    Absence,
    AnyOf,
    Concurrent,
    Filter,
    Path,
    Response,
    RuleSet,
    Scalar,
    Sequence,
    State,
    Threshold,
    _Base,
    alternatives,
)

__all__ = ["Problem", "enum_values", "field_type", "filter_problems", "normalise", "problems"]

# Registry table each id-valued field refers to.
_REFERS = {
    "checkpoint": "checkpoints",
    "route": "routes",
    "place": "places",
    "origin": "places",
    "operator": "organisations",
    "organiser": "organisations",
    "reporter": "organisations",
}
_SUMMABLE = {
    "crossing": ("count", "tonnes"),
    "convoy": ("vehicles",),
    "incident": ("killed", "injured", "missing"),
    "deployment": ("strength",),
    "population": ("persons", "vehicles"),
}


class Problem(typing.NamedTuple):
    """A problem with a rule file: the YAML path of the node, the reason, and whether the key
    (rather than the value) is at fault."""

    path: Path
    reason: str
    at_key: bool = False


def field_type(body_type: str, name: str) -> Any:
    """The annotation of a body field (None for ``reporter``); KeyError if there is none."""
    if name in ENVELOPE_FIELDS:
        return str
    return BODY_TYPES[body_type].model_fields[name].annotation


def _strip_optional(ann: Any) -> Any:
    origin = typing.get_origin(ann)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        return args[0] if len(args) == 1 else ann
    return ann


def _is_tuple(ann: Any) -> bool:
    return typing.get_origin(_strip_optional(ann)) is tuple


def _enum_of(ann: Any) -> type[Enum] | None:
    a = _strip_optional(ann)
    return a if isinstance(a, type) and issubclass(a, Enum) else None


def enum_values(body_type: str, name: str) -> tuple[str, ...] | None:
    """The closed set of values of an enumerated field, or None."""
    e = _enum_of(field_type(body_type, name))
    return None if e is None else tuple(str(m.value) for m in e)


_ADAPTERS: dict[tuple[str, str], TypeAdapter[Any]] = {}


def normalise(body_type: str, name: str, value: Scalar) -> Scalar:
    """Coerce a filter value to the field's type (enums to their string value)."""
    key = (body_type, name)
    if key not in _ADAPTERS:
        ann = _strip_optional(field_type(body_type, name))
        if _is_tuple(ann):
            ann = typing.get_args(ann)[0]
        _ADAPTERS[key] = TypeAdapter(ann)
    out = _ADAPTERS[key].validate_python(value)
    if isinstance(out, Enum):
        return str(out.value)
    if not isinstance(out, str | int | float | bool):
        raise ValueError(f"{value!r} cannot be used in a filter")
    return out


def _has_field(body_type: str, name: str) -> bool:
    return name in ENVELOPE_FIELDS or name in BODY_TYPES[body_type].model_fields


def filter_problems(f: Filter, path: Path, registry: Registry | None) -> list[Problem]:
    """Problems of one filter: unknown type or field, bad value, unknown id."""
    if f.type not in FACT_TYPES:
        known = ", ".join(t for t in BODY_TYPES if t in FACT_TYPES)
        if f.type in BODY_TYPES:  # a retraction or an attestation
            why = (
                f"a {f.type} is a statement about an observation, not an observation rules "
                "count (rules see the current state; evidence: corroborated counts "
                "corroborations)"
            )
            return [Problem((*path, "type"), f"{why}; filter on one of {known}")]
        return [Problem((*path, "type"), f"unknown observation type {f.type!r} (one of {known})")]
    body = BODY_TYPES[f.type]
    personal = personal_fields(body)
    out: list[Problem] = []
    for name, vals in f.where:
        p = (*path, name)
        if name == "type" or not _has_field(f.type, name):
            fields = ", ".join(k for k in body.model_fields if k not in personal and k != "type")
            out.append(Problem(p, f"{f.type} has no field {name!r} (fields: {fields})", True))
            continue
        if name in personal:
            out.append(Problem(p, f"{name!r} is personal data; rules cannot select on it", True))
            continue
        if name == "cargo":
            out.append(Problem(p, "cargo lines cannot be filtered; filter on commodity", True))
            continue
        for j, v in enumerate(vals):
            vp = (*p, j) if len(vals) > 1 else p
            try:
                nv = normalise(f.type, name, v)
            except (ValidationError, ValueError):
                allowed = enum_values(f.type, name)
                why = f"one of {', '.join(allowed)}" if allowed else "wrong type"
                out.append(Problem(vp, f"{name}: {v!r} is not a valid value ({why})"))
                continue
            table = _REFERS.get(name)
            if registry is not None and table is not None:
                known_ids: Mapping[str, object] = getattr(registry, table)
                if nv not in known_ids:
                    out.append(Problem(vp, f"unknown {table[:-1]} {nv!r}"))
    return out


def _spec_problems(spec: Filter | AnyOf, path: Path, registry: Registry | None) -> list[Problem]:
    if isinstance(spec, AnyOf):
        out: list[Problem] = []
        for j, f in enumerate(spec.any):
            out += filter_problems(f, (*path, "any", j), registry)
        return out
    return filter_problems(spec, path, registry)


def _types(spec: Filter | AnyOf) -> list[str]:
    return [f.type for f in alternatives(spec) if f.type in FACT_TYPES]


def _commitment_problems(c: _Base, p: Path, registry: Registry | None) -> list[Problem]:
    out: list[Problem] = []
    if c.from_ is not None and c.to is not None and c.from_ >= c.to:
        out.append(Problem((*p, "from"), f"from ({c.from_.isoformat()}) is not before to "
                                         f"({c.to.isoformat()})"))
    if registry is not None:
        for j, party in enumerate(c.party):
            if party not in registry.organisations:
                pp = (*p, "party", j) if len(c.party) > 1 else (*p, "party")
                out.append(Problem(pp, f"unknown organisation {party!r}"))
    if isinstance(c, Threshold | Absence):
        out += _spec_problems(c.of, (*p, "of"), registry)
        if c.covered_by is not None:
            out += _spec_problems(c.covered_by, (*p, "covered_by"), registry)
    if isinstance(c, Threshold):
        out += _threshold_problems(c, p)
    elif isinstance(c, Response):
        out += _spec_problems(c.when, (*p, "when"), registry)
        out += _spec_problems(c.then, (*p, "then"), registry)
        if c.covered_by is not None:
            out += _spec_problems(c.covered_by, (*p, "covered_by"), registry)
        for j, name in enumerate(c.same):
            sp = (*p, "same", j) if len(c.same) > 1 else (*p, "same")
            for t in {*_types(c.when), *_types(c.then)}:
                if not _has_field(t, name):
                    out.append(Problem(sp, f"same: {t} has no field {name!r}"))
                    break
                if name in personal_fields(BODY_TYPES[t]):
                    out.append(Problem(sp, f"same: {name!r} is personal data"))
                    break
    elif isinstance(c, Concurrent):
        for j, spec in enumerate(c.of):
            out += _spec_problems(spec, (*p, "of", j), registry)
    elif isinstance(c, Sequence):
        for j, step in enumerate(c.steps):
            out += _spec_problems(step.filter, (*p, "steps", j), registry)
    elif isinstance(c, State):
        out += _state_problems(c, p, registry)
    return out


def _threshold_problems(c: Threshold, p: Path) -> list[Problem]:
    out: list[Problem] = []
    if c.for_each is not None:
        if c.for_each == "type":
            out.append(Problem((*p, "for_each"), "for_each: split per type with one rule each"))
        for t in _types(c.of):
            if not _has_field(t, c.for_each):
                out.append(Problem((*p, "for_each"), f"for_each: {t} has no field {c.for_each!r}"))
                break
            if c.for_each in personal_fields(BODY_TYPES[t]) or c.for_each == "cargo":
                out.append(Problem((*p, "for_each"), f"for_each: cannot split on {c.for_each!r}"))
                break
    mf = c.measure_field
    if mf is not None:
        for t in _types(c.of):
            if mf not in _SUMMABLE.get(t, ()):
                can = ", ".join(_SUMMABLE.get(t, ())) or "none"
                out.append(Problem((*p, "measure"), f"measure: cannot sum {t}.{mf} (summable "
                                                    f"non-negative fields of {t}: {can})"))
                break
    return out


def _state_problems(c: State, p: Path, registry: Registry | None) -> list[Problem]:
    out = filter_problems(c.of, (*p, "of"), registry)
    if c.of.type in BODY_TYPES and c.of.type not in STATE_SUBJECTS:
        stateful = ", ".join(STATE_SUBJECTS)
        out.append(Problem((*p, "of", "type"), f"{c.of.type} is not stateful (one of {stateful})"))
    for name in STATE_SUBJECTS.get(c.of.type, ()):
        vals = c.of.values(name)
        if vals is None or len(vals) != 1:
            out.append(Problem((*p, "of"), f"a state rule on {c.of.type} names exactly one "
                                           f"{name} (the thing whose state it follows)"))
    return out


def problems(rules: RuleSet, registry: Registry | None = None) -> list[Problem]:
    """Every semantic problem of a rule set, in file order. ``registry`` enables id checks."""
    out: list[Problem] = []
    seen: set[str] = set()
    for i, c in enumerate(rules.commitments):
        p: Path = ("commitments", i)
        if c.id in seen:
            out.append(Problem((*p, "id"), f"duplicate commitment id {c.id!r}"))
        seen.add(c.id)
        out += _commitment_problems(c, p, registry)
    return out
