"""Filters compiled to predicates over events, and the coverage filter derived from a filter.

A filter matches an event when the type is equal and every named field has one of the listed
values (for a list-valued field such as ``who_may_pass``: when any element is listed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import BaseModel

from corridor.model import BODY_TYPES
from corridor.rules.checks import _is_tuple, field_type, normalise
from corridor.rules.events import Event
from corridor.rules.language import DIMENSIONS, ENVELOPE_FIELDS, AnyOf, Filter, alternatives

__all__ = [
    "Pred",
    "compile_spec",
    "coverage_spec",
    "describe",
    "has_field",
    "never",
    "rule_types",
    "types_of",
]

Pred = Callable[[Event], bool]


def never(e: Event) -> bool:
    return False


def has_field(body_type: str, name: str) -> bool:
    return name in ENVELOPE_FIELDS or name in BODY_TYPES[body_type].model_fields


def _compile_one(f: Filter, need: str | None) -> Pred:
    t = f.type
    plain: list[tuple[str, frozenset[object]]] = []
    listy: list[tuple[str, frozenset[object]]] = []
    reporters: frozenset[object] | None = None
    for name, vals in f.where:
        vs: frozenset[object] = frozenset(normalise(t, name, v) for v in vals)
        if name == "reporter":
            reporters = vs
        elif _is_tuple(field_type(t, name)):
            listy.append((name, vs))
        else:
            plain.append((name, vs))
    if need is not None and not has_field(t, need):
        need = None
    if not listy and reporters is None and need is None:
        if not plain:
            return lambda e: e.type == t
        if len(plain) == 1:
            ((k, v0),) = plain
            return lambda e: e.type == t and e.fields.get(k) in v0
        if len(plain) == 2:
            (k1, v1), (k2, v2) = plain
            return lambda e: e.type == t and e.fields.get(k1) in v1 and e.fields.get(k2) in v2
    conds = tuple(plain)
    lconds = tuple(listy)
    rep = reporters

    def pred(e: Event) -> bool:
        if e.type != t:
            return False
        fs = e.fields
        for k, vs in conds:
            if fs.get(k) not in vs:
                return False
        for k, vs in lconds:
            v = fs.get(k)
            if not isinstance(v, tuple) or vs.isdisjoint(v):
                return False
        if rep is not None and e.reporter not in rep:
            return False
        return need is None or fs.get(need) is not None

    return pred


def compile_spec(spec: Filter | AnyOf, *, need: str | None = None) -> Pred:
    """A predicate for a filter (or ``any`` of filters). ``need`` additionally requires that
    field to be reported (not null) where the type has it."""
    preds = [_compile_one(f, need) for f in alternatives(spec)]
    if len(preds) == 1:
        return preds[0]
    ps = tuple(preds)
    return lambda e: any(p(e) for p in ps)


def coverage_spec(spec: Filter | AnyOf, keep: Iterable[str] = ()) -> Filter | AnyOf:
    """The filter a report must match to *cover* a window or deadline for ``spec``: its type and
    its dimension fields (where, which series; docs/rules.md), plus the fields in ``keep``."""
    extra = set(keep)
    out = []
    for f in alternatives(spec):
        dims = DIMENSIONS.get(f.type, frozenset()) | extra
        out.append(Filter(type=f.type, where=tuple((k, v) for k, v in f.where if k in dims)))
    return out[0] if len(out) == 1 else AnyOf(any=tuple(out))


def types_of(*specs: Filter | AnyOf | None) -> frozenset[str]:
    """Every observation type the specs name."""
    return frozenset(f.type for s in specs if s is not None for f in alternatives(s))


def rule_types(rules: Iterable[object]) -> frozenset[str]:
    """Every observation type any filter in ``rules`` (commitments, or rule sets) names: the
    only observations evaluating them can look at."""
    found: set[str] = set()

    def walk(v: object) -> None:
        if isinstance(v, Filter):
            found.add(v.type)
        elif isinstance(v, BaseModel):
            for name in type(v).model_fields:
                walk(getattr(v, name))
        elif isinstance(v, tuple | list):
            for x in v:
                walk(x)

    for r in rules:
        walk(r)
    return frozenset(found)


def describe(spec: Filter | AnyOf) -> str:
    """A filter as short text: ``route_status route=aghdam-road status=open``."""
    parts = []
    for f in alternatives(spec):
        conds = " ".join(f"{k}={'|'.join(str(v) for v in vals)}" for k, vals in f.where)
        parts.append(f"{f.type} {conds}".strip())
    return " or ".join(parts)
