"""A mapping file checked against the model: every mapped field exists on the body of the
mapping's ``type``, on the envelope or on the entity, every required field is filled, times will
carry an offset, formats and zones are usable. Each problem is one MappingError at its
``FILE:LINE:COLUMN``; fixed values (constants, reporter, source) are read here, once.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from datetime import datetime
from typing import Any

from corridor.ingest.fields import (
    ENTITY_FIELDS,
    ENVELOPE_FIELDS,
    IMPORTER_SOURCE_FIELDS,
    Kind,
    body_fields,
    field_kind,
    required_body_fields,
)
from corridor.ingest.mapping import (
    ColumnSpec,
    ImportMapping,
    MappingFile,
    NumberFormat,
    Path_,
    _suggest,
)
from corridor.ingest.readers.hxl import parse_tag_pattern
from corridor.ingest.values import (
    UNIX_FORMAT,
    cell_text,
    date_text,
    is_empty,
    parse_time,
    slug,
    split_text,
    unix_time,
)
from corridor.model import BODY_TYPES, resolve_tz

__all__ = ["MAX_FORMAT_LENGTH", "check_mapping", "format_problem", "read_fixed", "read_value"]



_PLAIN_NUMBERS = NumberFormat.model_validate({})


def read_fixed(kind: Kind, value: Any) -> Any:
    """A constant's value, read as a cell of that kind would be (without column options)."""
    return read_value(kind, value, None)


def read_value(kind: Kind, value: Any, spec: ColumnSpec | None) -> Any:
    """Read a non-empty cell value (after ``map``) for a field of ``kind``; ValueError if bad."""
    if kind is Kind.instant:
        if spec is not None and spec.format == UNIX_FORMAT:
            return unix_time(value, spec.tz)
        return parse_time(value, fmt=spec.format if spec else None, tz=spec.tz if spec else None)
    if kind in (Kind.int, Kind.float):
        fmt = spec.number if spec and spec.number else _PLAIN_NUMBERS
        return fmt.parse(value)
    if kind is Kind.list:
        return split_text(value, spec.split if spec else None)
    if kind is Kind.date_text:
        return date_text(value)
    if kind is Kind.objects:
        return value
    if spec is not None and spec.slug is not None and spec.slug is not False:
        return slug(value, "" if spec.slug is True else str(spec.slug))
    return cell_text(value)


_TIME_ONLY = {"format", "tz"}

#: The longest ``format:`` accepted (a strptime format; real ones are under 30 characters).
MAX_FORMAT_LENGTH = 100


def format_problem(fmt: str) -> str | None:
    """Why a strptime ``format`` cannot be used, or None.

    A mapping file holds no regular expressions: ``where``, ``skip_if`` and ``map`` compare cell
    text exactly (ignoring case). The one pattern is a time ``format``, which Python's strptime
    turns into a regular expression of fixed pieces: each directive (``%d``) a bounded
    alternation, any other character literal, whitespace ``\\s+``. A directive may appear once
    only (``%d%d`` is refused here, not left to fail on the first row) and the format is bounded
    in length, so the pattern cannot backtrack catastrophically.
    """
    if len(fmt) > MAX_FORMAT_LENGTH:
        return f"a time format of more than {MAX_FORMAT_LENGTH} characters"
    try:
        datetime.strptime("", fmt)
    except re.error as exc:
        return f"{fmt!r} is not a usable time format ({exc.msg}: a directive given twice?)"
    except ValueError as exc:
        msg = str(exc)
        if not msg.startswith(("time data", "unconverted data")):
            return f"{fmt!r} is not a usable time format ({msg})"
    return None


def check_mapping(mf: MappingFile) -> None:
    """Check every mapping of ``mf`` against the model (MappingError at its line)."""
    if mf.encoding is not None:
        try:
            codecs.lookup(mf.encoding)
        except LookupError:
            raise mf.error(("encoding",), f"unknown encoding {mf.encoding!r}") from None
    per_type = Counter(m.type for m in mf.mappings)
    seen_type: Counter[str] = Counter()
    names: dict[str, int] = {}
    for i, m in enumerate(mf.mappings):
        m._index = i
        if m.name is None and m.type in BODY_TYPES:
            seen_type[m.type] += 1
            m.name = m.type if per_type[m.type] == 1 else f"{m.type}-{seen_type[m.type]}"
        if m.name in names:
            raise mf.error(("mappings", i, "name"), f"another mapping is named {m.name!r}")
        names[str(m.name)] = i
        _check_one(mf, m, ("mappings", i))


def _check_one(mf: MappingFile, m: ImportMapping, at: Path_) -> None:
    entity = m.type in ENTITY_FIELDS
    if m.type not in BODY_TYPES and not entity:
        known = [*BODY_TYPES, *ENTITY_FIELDS]
        raise mf.error(
            (*at, "type"),
            f"unknown observation type {m.type!r}; expected one of {', '.join(known)}",
        )
    if entity and (m.reporter is not None or m.source.model_dump(exclude_none=True)):
        key = "reporter" if m.reporter is not None else "source"
        raise mf.error((*at, key), f"a {m.type} is not an observation: it has no {key}")
    if not entity and m.on_existing != "keep":
        raise mf.error((*at, "on_existing"), "on_existing applies to place and checkpoint")
    valid = [*ENTITY_FIELDS[m.type]] if entity else [*ENVELOPE_FIELDS, *body_fields(m.type)]
    for column, path in m.referenced_columns():
        if column.startswith("#"):
            try:
                parse_tag_pattern(column)
            except ValueError as exc:
                raise mf.error((*at, *path), str(exc)) from None

    def target_kind(target: str, path: Path_) -> Kind:
        if target in IMPORTER_SOURCE_FIELDS:
            raise mf.error(path, f"{target} is filled by the importer (file, sheet and row)")
        kind = field_kind(m.type, target)
        if kind is None:
            hint = _suggest(target, valid) or f" (fields: {', '.join(valid)})"
            what = m.type if entity else f"{m.type} observation"
            raise mf.error(path, f"{target!r} is not a field of a {what}{hint}")
        return kind

    fixed: dict[str, Any] = {}
    fixed_at: dict[str, Path_] = {}
    if m.reporter is not None:
        fixed["reporter"], fixed_at["reporter"] = m.reporter, (*at, "reporter")
    for k, v in m.source.model_dump(exclude_none=True).items():
        fixed[f"source.{k}"], fixed_at[f"source.{k}"] = v, (*at, "source", k)
    for target, value in m.constants.items():
        path = (*at, "constants", target)
        target_kind(target, path)
        if target in fixed:
            raise mf.error(path, f"{target} is already given at {mf.position(fixed_at[target])}")
        fixed[target], fixed_at[target] = value, path
    for target, spec in m.columns.items():
        path = (*at, "columns", target)
        kind = target_kind(target, path)
        if target in fixed:
            raise mf.error(
                path,
                f"{target} is also given as a fixed value at "
                f"{mf.position(fixed_at[target])}; give it once",
            )
        _check_spec(mf, m, target, kind, spec, path)

    # Fixed values are read now, so a bad one is reported once, at its line.
    m._fixed = {}
    for target, value in fixed.items():
        if is_empty(value):
            continue
        kind = target_kind(target, fixed_at[target])
        try:
            m._fixed[target] = read_fixed(kind, value)
        except ValueError as exc:
            raise mf.error(fixed_at[target], str(exc)) from None

    filled = set(m._fixed) | set(m.columns)
    if entity:
        for name in required_body_fields(m.type):
            if name not in filled:
                raise mf.error(
                    at, f"a {m.type} needs {name!r}: map a column to it or set it in constants"
                )
        if m.type == "place" and not {"name", "names"} & filled:
            raise mf.error(at, "a place needs 'name' (or 'names'): map a column to it")
        return
    if "observed" not in filled:
        raise mf.error(at, "say when: map a column to 'observed' (see docs/import.md)")
    if "reporter" not in filled:
        raise mf.error(at, "say who reports: give 'reporter' or map a column to it")
    if "source.title" not in filled:
        raise mf.error(at, "name the source: give 'source: {title: ...}'")
    for name in required_body_fields(m.type):
        if name not in filled:
            raise mf.error(
                at,
                f"a {m.type} needs {name!r}: map a column to it or set it in constants",
            )
    observed = m.columns.get("observed")
    if observed is not None and observed.period and "observed_end" in filled:
        raise mf.error(
            (*at, "columns", "observed", "period"),
            "give either period or observed_end, not both",
        )
    if observed is None and "observed_end" in m.columns:
        raise mf.error(
            (*at, "columns", "observed_end"), "observed_end needs observed from a column"
        )


def _check_spec(
    mf: MappingFile, m: ImportMapping, target: str, kind: Kind, spec: ColumnSpec, path: Path_
) -> None:
    if kind is Kind.objects:
        raise mf.error(path, f"{target} holds structured values; set it in constants")
    if kind is not Kind.instant:
        for opt in _TIME_ONLY:
            if getattr(spec, opt) is not None:
                raise mf.error((*path, opt), f"{opt} applies to time fields only")
    if spec.period is not None and target != "observed":
        raise mf.error((*path, "period"), "period applies to 'observed' only")
    if spec.number is not None and kind not in (Kind.int, Kind.float):
        raise mf.error((*path, "number"), f"{target} is not a number field")
    if spec.slug not in (None, False) and kind is not Kind.text:
        raise mf.error((*path, "slug"), f"{target} is not a text field")
    if spec.split is not None and kind is not Kind.list:
        raise mf.error((*path, "split"), f"{target} is not a list field")
    if spec.number is not None:
        n = spec.number
        if n.thousands is not None and n.thousands == n.decimal:
            raise mf.error((*path, "number"), "thousands and decimal separators must differ")
    if kind is Kind.instant:
        if spec.format is not None and spec.format != UNIX_FORMAT:
            problem = format_problem(spec.format)
            if problem:
                raise mf.error((*path, "format"), problem)
        if spec.tz is not None:
            try:
                resolve_tz(spec.tz)
            except ValueError as exc:
                raise mf.error((*path, "tz"), str(exc)) from None
        elif spec.format is not None and spec.format != UNIX_FORMAT and "%z" not in spec.format:
            raise mf.error(
                (*path, "format"),
                f"{spec.format!r} reads times without a UTC offset; add tz "
                "(e.g. tz: UTC or tz: +04:00) or %z to the format",
            )
    if spec.default is not None:
        try:
            read_value(kind, spec.translate(spec.default), spec)
        except ValueError as exc:
            raise mf.error((*path, "default"), str(exc)) from None
