"""Which fields a mapping may fill, and what kind of value each takes.

A mapping fills envelope fields (``observed``, ``reporter``, ``source.url`` ...) and the fields of
the body of its ``type`` (``corridor.model.BODY_TYPES``), named bare: ``count``, not
``body.count``. A mapping of an entity type (``place``, ``checkpoint``: :data:`ENTITY_FIELDS`)
fills that entity's fields instead: it adds places and checkpoints to the record's registry.
"""

from __future__ import annotations

import types
from enum import Enum
from functools import cache
from types import MappingProxyType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from corridor.model import BODY_TYPES

__all__ = [
    "ENTITY_FIELDS",
    "ENVELOPE_FIELDS",
    "IMPORTER_SOURCE_FIELDS",
    "Kind",
    "body_fields",
    "field_kind",
    "required_body_fields",
]


class Kind(Enum):
    """How a cell is read for a field."""

    instant = "instant"  # a date or time, made aware with the column's tz
    int = "int"
    float = "float"
    text = "text"
    list = "list"  # several texts, from `split`
    date_text = "date_text"  # YYYY, YYYY-MM or YYYY-MM-DD (source.date)
    objects = "objects"  # structured values (convoy cargo): constants only


ENVELOPE_FIELDS: dict[str, Kind] = {
    "observed": Kind.instant,
    "observed_end": Kind.instant,
    "reported_at": Kind.instant,
    "reporter": Kind.text,
    "note": Kind.text,
    "caveats": Kind.list,
    "source.title": Kind.text,
    "source.url": Kind.text,
    "source.document": Kind.text,
    "source.date": Kind.date_text,
    "source.claim_of": Kind.text,
    "source.ref": Kind.text,
    "source.version": Kind.text,
}

#: The entities a mapping may add (``type: place`` ...), their fields and kinds. A place's
#: ``name`` is its one name (``names`` takes a list: every name in use).
ENTITY_FIELDS: dict[str, dict[str, Kind]] = {
    "place": {"id": Kind.text, "name": Kind.text, "names": Kind.list, "lat": Kind.float,
              "lon": Kind.float, "kind": Kind.text, "note": Kind.text},
    "checkpoint": {"id": Kind.text, "name": Kind.text, "place": Kind.text, "route": Kind.text,
                   "operator": Kind.text, "note": Kind.text},
}  # fmt: skip
#: Fields every mapping of an entity type must fill (a place needs ``name`` or ``names``).
ENTITY_REQUIRED: dict[str, tuple[str, ...]] = {
    "place": ("id",),
    "checkpoint": ("id", "name", "place", "route"),
}

# Filled by the importer from the file itself, never by a mapping.
IMPORTER_SOURCE_FIELDS = frozenset({"source.file", "source.sheet", "source.row"})


def _leaves(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _leaves(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        out: list[Any] = []
        for a in get_args(annotation):
            if a is not type(None):
                out += _leaves(a)
        return out
    return [annotation]


def _kind_of(annotation: Any) -> Kind:
    leaves = _leaves(annotation)
    if any(get_origin(leaf) is tuple for leaf in leaves):
        for leaf in leaves:
            if get_origin(leaf) is tuple:
                items = [a for a in get_args(leaf) if a is not Ellipsis]
                if any(isinstance(i, type) and issubclass(i, BaseModel) for i in items):
                    return Kind.objects
        return Kind.list
    if leaves and all(leaf is int for leaf in leaves):
        return Kind.int
    if leaves and all(leaf in (int, float) for leaf in leaves):
        return Kind.float
    return Kind.text


@cache
def body_fields(type_name: str) -> MappingProxyType[str, Kind]:
    """The fields of a body type a mapping may fill, with their kinds."""
    model = BODY_TYPES[type_name]
    return MappingProxyType(
        {name: _kind_of(f.annotation) for name, f in model.model_fields.items() if name != "type"}
    )


def required_body_fields(type_name: str) -> list[str]:
    """Body fields without a default: every mapping of this type must fill them."""
    if type_name in ENTITY_REQUIRED:
        return list(ENTITY_REQUIRED[type_name])
    model = BODY_TYPES[type_name]
    return [n for n, f in model.model_fields.items() if n != "type" and f.is_required()]


def field_kind(type_name: str, target: str) -> Kind | None:
    """The kind of ``target`` for observations of ``type_name``, or None if it is not a field."""
    if type_name in ENTITY_FIELDS:
        return ENTITY_FIELDS[type_name].get(target)
    if target in ENVELOPE_FIELDS:
        return ENVELOPE_FIELDS[target]
    return body_fields(type_name).get(target)
