"""Mapping presets: the recurring shapes of public corridor data, so that a user gives a few
parameters instead of writing a whole mapping file (docs/import.md, Presets).

A mapping file may be just::

    preset: daily-counts
    reporter: ngo-x
    checkpoint: north-gate
    date: Date
    inbound: Trucks in

or the same on the command line: ``corridor import FILE --preset daily-counts --param
reporter=ngo-x ...``. Each preset is a module here with ``PRESET``: its parameters (name, what
it is, default) and a function that builds the full mapping file from them, which is then
checked like any other.
"""

from __future__ import annotations

import difflib
import importlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from corridor.errors import MappingError

__all__ = ["MODULES", "Param", "Preset", "expand", "get", "names"]

#: Preset name -> the module under corridor.ingest.presets that defines it.
MODULES: dict[str, str] = {
    "daily-counts": "counts",
    "voyages": "voyages",
    "consignments": "consignments",
    "checkpoint-form": "form",
    "acled": "acled",
    "acled-deletions": "acled",
    "crossings-geojson": "crossings",
}

Error = Callable[[tuple[str | int, ...], str], MappingError]


@dataclass(frozen=True)
class Param:
    """A preset's parameter. ``default`` None with ``required`` False: left out."""

    name: str
    help: str
    default: Any = None
    required: bool = False


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    params: tuple[Param, ...]
    build: Callable[[dict[str, Any]], dict[str, Any]] = field(repr=False)


def names() -> list[str]:
    return list(MODULES)


def get(name: str) -> Preset:
    """The preset named ``name`` (KeyError if there is none)."""
    module = importlib.import_module(f"corridor.ingest.presets.{MODULES[name]}")
    presets: Mapping[str, Preset] = module.PRESETS
    return presets[name]


def _value(v: Any) -> Any:
    """A parameter from the command line: a JSON object or list where it parses as one."""
    if isinstance(v, str) and v.strip()[:1] in ("{", "["):
        try:
            return json.loads(v)
        except json.JSONDecodeError:
            return v
    return v


def expand(data: Mapping[str, Any], error: Error) -> dict[str, Any]:
    """The mapping file a preset makes of ``data`` (``preset: NAME`` and its parameters);
    ``error(path, reason)`` makes the MappingError for a bad or missing parameter."""
    name = data.get("preset")
    if not isinstance(name, str) or name not in MODULES:
        close = difflib.get_close_matches(str(name), names(), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise error(("preset",), f"unknown preset {name!r}; {hint}presets: {', '.join(names())}")
    preset = get(name)
    known = {p.name: p for p in preset.params}
    params: dict[str, Any] = {}
    for key, value in data.items():
        if key == "preset":
            continue
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise error(
                (key,),
                f"not a parameter of preset {name}{hint} "
                f"(parameters: {', '.join(known)})",
            )
        params[key] = _value(value)
    for p in preset.params:
        if p.name not in params:
            if p.required:
                raise error((), f"preset {name} needs {p.name!r}: {p.help}")
            if p.default is not None:
                params[p.name] = p.default
    out = preset.build(params)
    out["preset"] = name
    return out


def source(params: Mapping[str, Any], title: str) -> dict[str, Any]:
    """The ``source:`` of a preset's mappings from its source_* parameters."""
    out = {"title": params.get("source_title") or title}
    for k in ("url", "document", "claim_of"):
        if params.get(f"source_{k}"):
            out[k] = params[f"source_{k}"]
    return out


SOURCE_PARAMS = (
    Param("source_title", "the source every observation cites (its title)"),
    Param("source_url", "its URL"),
    Param("source_document", "a document reference, when there is no URL"),
    Param("source_claim_of", "the party whose claim the figures are, if they are a party's"),
)


def day(params: Mapping[str, Any], column: str) -> dict[str, Any]:
    """A column read as the day it names, in the preset's time zone."""
    spec: dict[str, Any] = {"column": column, "tz": params.get("tz", "UTC"), "period": "day"}
    if params.get("date_format"):
        spec["format"] = params["date_format"]
    return spec


def checkpoint_spec(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(constants, columns) that give the checkpoint: a fixed one, or a column with a map from
    the file's names to checkpoint ids."""
    if params.get("crossing"):
        spec: dict[str, Any] = {"column": params["crossing"]}
        if params.get("crossings"):
            spec["map"] = params["crossings"]
        else:
            spec["slug"] = True
        return {}, {"checkpoint": spec}
    return {"checkpoint": params.get("checkpoint")}, {}


CHECKPOINT_PARAMS = (
    Param("checkpoint", "the checkpoint id, when the file is about one checkpoint"),
    Param("crossing", "else the column naming the crossing of each row"),
    Param("crossings", "a map from the file's crossing names to checkpoint ids "
          "(default: the name made an id: 'Kerem Shalom' -> kerem-shalom)"),
)  # fmt: skip
