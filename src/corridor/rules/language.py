"""The commitment language: Pydantic models of a rule file.

A rule file holds ``commitments``; each has an ``id``, ``title``, ``party``, ``source``, optional
``from``/``to`` and a ``kind`` with its own fields (docs/rules.md). Structure is checked by the
models; meaning (filter fields against the observation bodies, ids against the registry,
``from`` before ``to``) by :func:`corridor.rules.checks.problems`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from corridor.model import parse_instant, resolve_tz
from corridor.model.entities import Ident

__all__ = [
    "DIMENSIONS",
    "ENVELOPE_FIELDS",
    "STATE_SUBJECTS",
    "Absence",
    "AnyOf",
    "Commitment",
    "Concurrent",
    "Filter",
    "FilterSpec",
    "Response",
    "RuleSet",
    "Sequence",
    "Source",
    "Standing",
    "State",
    "Step",
    "Threshold",
    "alternatives",
    "format_duration",
    "instant",
    "parse_duration",
]

Scalar = str | int | float | bool
Path = tuple[str | int, ...]

_DURATION = re.compile(r"^(?=\d)(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def parse_duration(text: object) -> int:
    """'30m', '24h', '1d', '7d', '1d12h' -> seconds. Raises ValueError naming the format."""
    s = text.strip() if isinstance(text, str) else None
    m = _DURATION.match(s) if s else None
    if m is None:
        raise ValueError(
            f"malformed duration {text!r}: write a number and a unit, e.g. 30m, 24h, 1d, 7d"
        )
    return sum(int(g) * mult for g, (_, mult) in zip(m.groups(), _UNITS, strict=True) if g)


def format_duration(seconds: int) -> str:
    """Seconds back to the shortest duration text: 86400 -> '1d'."""
    out, rest = "", int(seconds)
    for unit, mult in _UNITS:
        if rest >= mult:
            out += f"{rest // mult}{unit}"
            rest %= mult
    return out or "0s"


def _duration(v: object) -> int:
    if isinstance(v, int) and not isinstance(v, bool):
        raise ValueError(f"malformed duration {v!r}: give a unit, e.g. {v}h or {v}d")
    n = parse_duration(v)
    if n <= 0:
        raise ValueError(f"duration {v!r} must be longer than zero")
    return n


Duration = Annotated[int, BeforeValidator(_duration)]

# Fields of the envelope a filter may name besides body fields.
ENVELOPE_FIELDS = ("reporter",)

# The fields that say *what is reported on* (where, which series); the others are conditions
# on what was seen. A report matching the dimension fields covers a window (docs/rules.md).
DIMENSIONS: dict[str, frozenset[str]] = {
    "crossing": frozenset({"checkpoint", "direction", "category", "reporter"}),
    "route_status": frozenset({"route", "place", "reporter"}),
    "convoy": frozenset({"convoy", "route", "checkpoint", "place", "reporter"}),
    "incident": frozenset({"route", "checkpoint", "place", "reporter"}),
    "deployment": frozenset({"force", "route", "place", "reporter"}),
    "population": frozenset({"place", "kind", "origin", "reporter"}),
    "claim": frozenset({"party", "about", "reporter"}),
}

# Stateful bodies and the fields naming the thing whose state they report.
STATE_SUBJECTS: dict[str, tuple[str, ...]] = {
    "route_status": ("route",),
    "deployment": ("force",),
    "convoy": ("convoy",),
}

class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Standing(StrEnum):
    """Which observations a rule counts: all, signed by their reporter, or corroborated."""

    any = "any"
    signed = "signed"
    corroborated = "corroborated"


class Filter(_Frozen):
    """An observation ``type`` and body fields, each with a value or a list of values.

    Written flat in YAML: ``{type: crossing, checkpoint: hakari-bridge, direction: [inbound]}``.
    """

    type: str
    where: tuple[tuple[str, tuple[Scalar, ...]], ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, v: Any) -> Any:
        if isinstance(v, Mapping) and "where" not in v:
            out: dict[str, Any] = {}
            where: list[tuple[str, tuple[Any, ...]]] = []
            for k, x in v.items():
                if k == "type":
                    out["type"] = x
                else:
                    where.append((str(k), tuple(x) if isinstance(x, list | tuple) else (x,)))
            out["where"] = tuple(where)
            return out
        return v

    @field_validator("where")
    @classmethod
    def _nonempty(
        cls, v: tuple[tuple[str, tuple[Scalar, ...]], ...]
    ) -> tuple[tuple[str, tuple[Scalar, ...]], ...]:
        for k, vals in v:
            if not vals:
                raise ValueError(f"{k}: give a value or a non-empty list of values")
        return v

    def fields(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.where)

    def values(self, name: str) -> tuple[Scalar, ...] | None:
        for k, vals in self.where:
            if k == name:
                return vals
        return None


class AnyOf(_Frozen):
    """Any of several filters: ``{any: [filter, filter]}``."""

    any: tuple[Filter, ...] = Field(min_length=1)


def _filter_tag(v: Any) -> str:
    if isinstance(v, AnyOf) or (isinstance(v, Mapping) and "any" in v):
        return "any"
    return "filter"


FilterSpec = Annotated[
    Annotated[Filter, Tag("filter")] | Annotated[AnyOf, Tag("any")],
    Discriminator(_filter_tag),
]


def alternatives(spec: Filter | AnyOf) -> tuple[Filter, ...]:
    """The filters a spec accepts (one, or the members of ``any``)."""
    return spec.any if isinstance(spec, AnyOf) else (spec,)


class Source(_Frozen):
    """The instrument a commitment comes from, and its date."""

    instrument: str = Field(min_length=1)
    date: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD")
    url: str | None = None
    article: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        if isinstance(v, str) and not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", v.strip()):
            raise ValueError("must be YYYY, YYYY-MM or YYYY-MM-DD")
        return v


def _tuple_of_str(v: object) -> object:
    return (v,) if isinstance(v, str) else v


class _Base(_Frozen):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: Ident
    title: str = Field(min_length=1)
    party: Annotated[tuple[Ident, ...], BeforeValidator(_tuple_of_str)] = Field(min_length=1)
    source: Source
    tz: str | None = Field(None, description="IANA zone or UTC offset, e.g. +04:00")
    from_: AwareDatetime | None = Field(None, alias="from")
    to: AwareDatetime | None = None
    evidence: Standing = Standing.any
    continuous: bool = Field(
        False, description="the record is complete: a missing report means nothing happened"
    )
    note: str | None = None

    @field_validator("tz")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is not None:
            resolve_tz(v)
        return v

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _instant(cls, v: object, info: ValidationInfo) -> object:
        if isinstance(v, str):
            return parse_instant(v, info.data.get("tz"))
        return v

    @property
    def zone(self) -> tzinfo:
        return resolve_tz(self.tz or "UTC")

    @property
    def start(self) -> float | None:
        return None if self.from_ is None else self.from_.timestamp()

    @property
    def stop(self) -> float | None:
        return None if self.to is None else self.to.timestamp()

    def _needs_tz(self, every: int | None) -> None:
        if every is not None and self.tz is None:
            raise ValueError("a calendar window (every) needs tz, e.g. tz: +04:00 or Asia/Baku")


class Threshold(_Base):
    """Per calendar window (and per value of ``for_each``), a count or sum within bounds."""

    kind: Literal["threshold"]
    every: Duration
    measure: str = "count"
    of: FilterSpec
    for_each: str | None = None
    at_least: float | None = Field(None, ge=0)
    at_most: float | None = Field(None, ge=0)
    covered_by: FilterSpec | None = None

    @field_validator("measure")
    @classmethod
    def _measure(cls, v: str) -> str:
        if v != "count" and not re.match(r"^sum\([a-z_]+\)$", v):
            raise ValueError(f"measure {v!r}: write count or sum(FIELD), e.g. sum(count)")
        return v

    @model_validator(mode="after")
    def _bounds(self) -> Threshold:
        self._needs_tz(self.every)
        if self.at_least is None and self.at_most is None:
            raise ValueError("give at_least, at_most or both")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError("at_least is greater than at_most")
        return self

    @property
    def measure_field(self) -> str | None:
        return None if self.measure == "count" else self.measure[4:-1]


class Response(_Base):
    """Every ``when`` is followed by a matching ``then`` within ``within`` (bounds inclusive)."""

    kind: Literal["response"]
    when: FilterSpec
    then: FilterSpec
    within: Duration
    same: Annotated[tuple[str, ...], BeforeValidator(_tuple_of_str)] = ()
    covered_by: FilterSpec | None = None


class Concurrent(_Base):
    """The first occurrences of two or more filters fall within ``within`` of each other."""

    kind: Literal["concurrent"]
    of: tuple[FilterSpec, ...] = Field(min_length=2)
    within: Duration


class Step(_Frozen):
    """One step of a sequence: a filter, optionally within a duration of the step before."""

    filter: FilterSpec
    within: Duration | None = None

    @model_validator(mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        if isinstance(v, Mapping) and "filter" not in v:
            rest = {k: x for k, x in v.items() if k != "within"}
            out: dict[str, Any] = {"filter": rest}
            if "within" in v:
                out["within"] = v["within"]
            return out
        return v


class Sequence(_Base):
    """Ordered ``steps``; each after the one before, optionally within a duration of it."""

    kind: Literal["sequence"]
    steps: tuple[Step, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _first(self) -> Sequence:
        if self.steps[0].within is not None:
            raise ValueError("the first step has no step before it: remove its within")
        return self


class Absence(_Base):
    """A filter that must not match in the period (or in any window of ``every``)."""

    kind: Literal["absence"]
    of: FilterSpec
    every: Duration | None = None
    covered_by: FilterSpec | None = None

    @model_validator(mode="after")
    def _tzcheck(self) -> Absence:
        self._needs_tz(self.every)
        return self


class State(_Base):
    """A stateful body (route status, deployment, convoy) holds for at least a fraction."""

    kind: Literal["state"]
    of: Filter
    at_least: float = Field(1.0, gt=0, le=1)
    every: Duration | None = None
    stale_after: Duration | None = Field(
        None, description="a report says nothing about the state longer than this after it"
    )

    @model_validator(mode="after")
    def _tzcheck(self) -> State:
        self._needs_tz(self.every)
        return self


Commitment = Annotated[
    Threshold | Response | Concurrent | Sequence | Absence | State,
    Field(discriminator="kind"),
]
KINDS: dict[str, type[_Base]] = {
    "threshold": Threshold,
    "response": Response,
    "concurrent": Concurrent,
    "sequence": Sequence,
    "absence": Absence,
    "state": State,
}


class RuleSet(_Frozen):
    """A rule file: an optional default ``tz`` and the list of ``commitments``."""

    version: Literal[1] = 1
    tz: str | None = None
    commitments: tuple[Commitment, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _default_tz(cls, v: Any) -> Any:
        if isinstance(v, Mapping) and v.get("tz") and isinstance(v.get("commitments"), list):
            cs = [
                {**c, "tz": v["tz"]} if isinstance(c, Mapping) and "tz" not in c else c
                for c in v["commitments"]
            ]
            return {**v, "commitments": cs}
        return v

    @field_validator("tz")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is not None:
            resolve_tz(v)
        return v


def instant(v: datetime | float) -> float:
    """An aware datetime or epoch seconds, as epoch seconds."""
    return v.timestamp() if isinstance(v, datetime) else float(v)
