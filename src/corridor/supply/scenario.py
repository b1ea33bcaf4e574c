"""Supply scenarios: the YAML format, its Pydantic models, and loading with precise errors.

A scenario says, for a period of days, how many people there are, what ration they need, what
stocks they start with, and what comes in (routes with open and closed windows, other inflows,
local production). Any number may instead be a distribution, sampled once per Monte Carlo run:

* ``{uniform: [min, max]}``
* ``{triangular: [min, mode, max]}``
* ``{normal: {mean: m, sd: s, min: a, max: b}}`` (a normal truncated to [a, b]; bounds required)

:func:`load_scenario` parses YAML text; every problem raises :class:`corridor.errors.ScenarioError`
naming the file (with the line when known), the field and the reason. The format is documented in
docs/scenarios.md.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from corridor.errors import ScenarioError
from corridor.source import Marks, locate, parse_yaml
from corridor.supply.rations import (
    KCAL_PER_100G,
    NON_FOOD,
    RATION_MIX,
    WFP_FULL_RATION,
    CommodityMap,
    MapEntry,
)

__all__ = [
    "MAX_DAYS",
    "Distribution",
    "Inflow",
    "Population",
    "PopulationChange",
    "Quantity",
    "RecordUse",
    "Route",
    "Scenario",
    "Window",
    "central",
    "load_scenario",
    "scenario_from_mapping",
]

#: Longest horizon a scenario may have (ten years of days).
MAX_DAYS = 3660

_DIST_KINDS = ("uniform", "triangular", "normal")
_MIN_NORMAL_MASS = 1e-3


@dataclass(frozen=True)
class Distribution:
    """A distribution for one parameter; ``low`` and ``high`` bound its support."""

    kind: Literal["uniform", "triangular", "normal"]
    low: float
    high: float
    mode: float = 0.0
    mean: float = 0.0
    sd: float = 0.0

    @property
    def central(self) -> float:
        """The value a single deterministic run uses: midpoint, mode, or mean (kept in bounds)."""
        if self.kind == "uniform":
            return (self.low + self.high) / 2.0
        if self.kind == "triangular":
            return self.mode
        return min(max(self.mean, self.low), self.high)

    def describe(self) -> str:
        if self.kind == "uniform":
            return f"uniform {_num(self.low)}–{_num(self.high)}"
        if self.kind == "triangular":
            return f"triangular {_num(self.low)}–{_num(self.mode)}–{_num(self.high)}"
        bounds = f"[{_num(self.low)}, {_num(self.high)}]"
        return f"normal mean {_num(self.mean)} sd {_num(self.sd)} in {bounds}"

    def sample(self, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        """``n`` draws as float64."""
        if self.low == self.high:
            return np.full(n, self.low, dtype=np.float64)
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.kind == "triangular":
            return rng.triangular(self.low, self.mode, self.high, n)
        out = np.empty(n, dtype=np.float64)
        filled = 0
        while filled < n:  # rejection sampling; the mass check at load bounds the rounds
            need = n - filled
            draw = rng.normal(self.mean, self.sd, max(16, int(need / _normal_mass(self) * 1.2)))
            keep = draw[(draw >= self.low) & (draw <= self.high)][:need]
            out[filled : filled + keep.size] = keep
            filled += keep.size
        return out

    @classmethod
    def parse(cls, kind: str, args: Any) -> Distribution:
        """Build from ``{kind: args}``; raise ValueError with the reason when malformed."""
        names = {
            "uniform": ("min", "max"),
            "triangular": ("min", "mode", "max"),
            "normal": ("mean", "sd", "min", "max"),
        }[kind]
        if isinstance(args, Mapping):
            unknown = sorted(set(map(str, args)) - set(names))
            if unknown or set(names) - set(args):
                got = ", ".join(map(str, args))
                raise ValueError(f"{kind} takes {', '.join(names)}; got {got}")
            values = [args[n] for n in names]
        elif isinstance(args, list | tuple):
            if len(args) != len(names):
                raise ValueError(f"{kind} takes [{', '.join(names)}]; got {len(args)} values")
            values = list(args)
        else:
            raise ValueError(f"{kind} takes [{', '.join(names)}]")
        nums: dict[str, float] = {}
        for n, v in zip(names, values, strict=True):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ValueError(f"{kind} {n} must be a finite number, not {v!r}")
            nums[n] = float(v)
        lo, hi = nums["min"], nums["max"]
        if lo > hi:
            raise ValueError(f"inverted bounds: min {_num(lo)} is greater than max {_num(hi)}")
        if kind == "uniform":
            return cls("uniform", lo, hi)
        if kind == "triangular":
            mode = nums["mode"]
            if not lo <= mode <= hi:
                raise ValueError(f"mode {_num(mode)} is outside [{_num(lo)}, {_num(hi)}]")
            return cls("triangular", lo, hi, mode=mode)
        if nums["sd"] <= 0:
            raise ValueError(f"sd must be positive, not {_num(nums['sd'])}")
        d = cls("normal", lo, hi, mean=nums["mean"], sd=nums["sd"])
        if lo < hi and _normal_mass(d) < _MIN_NORMAL_MASS:
            raise ValueError("the bounds keep less than 0.1% of the normal's mass")
        return d


def _normal_mass(d: Distribution) -> float:
    def cdf(x: float) -> float:
        return 0.5 * (1.0 + math.erf((x - d.mean) / (d.sd * math.sqrt(2.0))))

    return cdf(d.high) - cdf(d.low)


def _num(x: float) -> str:
    return f"{x:g}"


def _quantity(v: Any) -> float | Distribution:
    if isinstance(v, Distribution):
        return v
    if isinstance(v, bool):
        raise ValueError("expected a number or a distribution such as {uniform: [1, 2]}")
    if isinstance(v, int | float):
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return float(v)
    if isinstance(v, Mapping) and len(v) == 1:
        kind = str(next(iter(v)))
        if kind in _DIST_KINDS:
            return Distribution.parse(kind, v[kind])
        raise ValueError(f"unknown distribution {kind!r}; expected one of {', '.join(_DIST_KINDS)}")
    raise ValueError(
        "expected a number or a distribution: {uniform: [min, max]}, "
        "{triangular: [min, mode, max]} or {normal: {mean, sd, min, max}}"
    )


#: A number, or a distribution sampled once per run.
Quantity = Annotated[float | Distribution, PlainValidator(_quantity)]


def central(q: float | Distribution) -> float:
    """The value of a quantity in a single deterministic run."""
    return q.central if isinstance(q, Distribution) else q


def lowest(q: float | Distribution) -> float:
    return q.low if isinstance(q, Distribution) else q


def highest(q: float | Distribution) -> float:
    return q.high if isinstance(q, Distribution) else q


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, arbitrary_types_allowed=True
    )


class Inflow(_Model):
    """One commodity: ``tonnes_per_day`` over [from, to), or ``tonnes`` once on ``date``."""

    commodity: str
    tonnes_per_day: Quantity | None = None
    tonnes: Quantity | None = None
    on: date | None = Field(None, alias="date")
    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to")
    note: str | None = None


class Window(_Model):
    """A period [from, to) in which a route is open, restricted or closed."""

    start: date = Field(alias="from")
    end: date | None = Field(None, alias="to", description="exclusive; none: the scenario's end")
    state: Literal["open", "restricted", "closed"] = "open"
    trucks_per_day: Quantity | None = None
    tonnes_per_truck: Quantity | None = None
    note: str | None = None


class Route(_Model):
    """A road: trucks per day when open, tonnes per truck, the food mix, and its windows."""

    name: str = Field(min_length=1)
    trucks_per_day: Quantity = 0.0
    tonnes_per_truck: Quantity = 20.0
    mix: dict[str, float] | None = Field(
        None, description="mass fraction of each ration commodity in a load; the rest is non-food"
    )
    windows: tuple[Window, ...] = ()
    note: str | None = None


class PopulationChange(_Model):
    """From ``date`` on, the population changes by ``delta`` or is set to ``persons``."""

    on: date = Field(alias="date")
    delta: Quantity | None = None
    persons: Quantity | None = None
    note: str | None = None


def _population_shorthand(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float) or (
        isinstance(v, Mapping) and len(v) == 1 and str(next(iter(v))) in _DIST_KINDS
    ):
        return {"initial": v}
    return v


class Population(_Model):
    initial: Quantity
    changes: tuple[PopulationChange, ...] = ()


class RecordUse(_Model):
    """Take deliveries and/or the population series from the record (see corridor.supply.record)."""

    deliveries: bool = True
    population: bool = True
    places: tuple[str, ...] = Field(
        (), description="resident counts for, and arrivals from, these places; none: any"
    )
    conflicting_reports: Literal["min", "max", "mean"] = "min"


class _MapTarget(_Model):
    commodity: str
    factor: float = Field(1.0, ge=0)


def _ration_shorthand(v: Any) -> Any:
    if isinstance(v, str) and v.strip().lower() in {"wfp", "wfp-full", "wfp_full"}:
        return dict(WFP_FULL_RATION)
    return v


def _wfp_ration() -> dict[str, float | Distribution]:
    return {k: float(v) for k, v in WFP_FULL_RATION.items()}


class Scenario(_Model):
    """One supply scenario. Days are [from, to): ``to`` is the morning of the last stock value."""

    name: str = Field(min_length=1)
    description: str | None = None
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    timezone: str = Field("UTC", description="zone that decides which day a recorded event is on")
    population: Annotated[Population, BeforeValidator(_population_shorthand)]
    ration: dict[str, Quantity] = Field(
        default_factory=lambda: _wfp_ration()
    )
    kcal_per_100g: dict[str, float] = Field(default_factory=dict)
    stocks: dict[str, Quantity] = Field(default_factory=dict)
    local: tuple[Inflow, ...] = ()
    inflows: tuple[Inflow, ...] = ()
    routes: tuple[Route, ...] = ()
    record: RecordUse | None = None
    commodity_map: dict[str, str | _MapTarget] = Field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @field_validator("ration", "stocks", "kcal_per_100g", "commodity_map", mode="before")
    @classmethod
    def _mapping(cls, v: Any, info: ValidationInfo) -> Any:
        if info.field_name == "ration":
            v = _ration_shorthand(v)
        if v is None:
            return {}
        if not isinstance(v, Mapping):
            raise ValueError("expected a mapping of commodity to value")
        return {str(k): x for k, x in v.items()}

    # -- derived -------------------------------------------------------------------------------

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def commodities(self) -> tuple[str, ...]:
        return tuple(self.ration)

    def kcal_table(self) -> dict[str, float]:
        return {**KCAL_PER_100G, **self.kcal_per_100g}

    def commodity_table(self) -> CommodityMap:
        entries: dict[str, MapEntry] = {}
        for name, t in self.commodity_map.items():
            entries[name] = MapEntry(t) if isinstance(t, str) else MapEntry(t.commodity, t.factor)
        return CommodityMap.with_overrides(entries)

    def route_mix(self, route: Route) -> dict[str, float]:
        """The route's mix, or the ration's proportions by mass (central values) when not given."""
        if route.mix is not None:
            return dict(route.mix)
        return self.ration_mix()

    def ration_mix(self) -> dict[str, float]:
        """Each ration commodity's share of the ration's mass (central values)."""
        grams = {c: central(q) for c, q in self.ration.items()}
        total = sum(grams.values())
        return {c: (g / total if total > 0 else 0.0) for c, g in grams.items()}

    def with_end(self, end: date) -> Scenario:
        return self.model_copy(update={"end": end})

    def uncertain(self) -> list[tuple[str, Distribution]]:
        """Every parameter given as a distribution, with its field path, in sampling order."""
        return [(p, q) for p, q in self.quantities() if isinstance(q, Distribution)]

    def quantities(self) -> Iterator[tuple[str, float | Distribution]]:
        """Every numeric parameter with its field path; the Monte Carlo samples in this order."""
        yield "population.initial", self.population.initial
        for i, ch in enumerate(self.population.changes):
            for name in ("delta", "persons"):
                q = getattr(ch, name)
                if q is not None:
                    yield f"population.changes[{i}].{name}", q
        for c, q in self.ration.items():
            yield f"ration.{c}", q
        for c, q in self.stocks.items():
            yield f"stocks.{c}", q
        for key, items in (("local", self.local), ("inflows", self.inflows)):
            for i, it in enumerate(items):
                q = it.tonnes_per_day if it.tonnes_per_day is not None else it.tonnes
                assert q is not None
                yield f"{key}[{i}].{'tonnes_per_day' if it.tonnes is None else 'tonnes'}", q
        for i, r in enumerate(self.routes):
            for j, w in enumerate(r.windows):
                if w.state == "closed":
                    continue
                trucks = w.trucks_per_day if w.trucks_per_day is not None else r.trucks_per_day
                load = w.tonnes_per_truck if w.tonnes_per_truck is not None else r.tonnes_per_truck
                yield f"routes[{i}].windows[{j}].trucks_per_day", trucks
                yield f"routes[{i}].windows[{j}].tonnes_per_truck", load


# -- loading -----------------------------------------------------------------------------------


class _FieldProblem(Exception):
    def __init__(self, path: Sequence[str | int], reason: str) -> None:
        super().__init__(reason)
        self.path = tuple(path)
        self.reason = reason


def load_scenario(text: str, source_name: str) -> Scenario:
    """Parse and validate YAML; raise ScenarioError naming FILE:LINE:COLUMN, field and reason."""
    doc = parse_yaml(text, source_name, error=ScenarioError)
    return scenario_from_mapping(doc.data, source_name, marks=doc.marks)


def scenario_from_mapping(
    data: Any,
    source_name: str,
    *,
    lines: Mapping[tuple[str | int, ...], int] | None = None,
    marks: Marks | None = None,
) -> Scenario:
    """Validate already-parsed data into a Scenario (as :func:`load_scenario`, without YAML).

    With ``marks`` errors name FILE:LINE:COLUMN; with only ``lines`` (path -> line), FILE:LINE.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError("a scenario is a mapping with name, from, to, population ...",
                            where=locate(source_name, marks) if marks else source_name)
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        path = tuple(p for p in err.get("loc", ()) if not _is_pydantic_tag(p))
        reason = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "missing":
            reason = "required field is missing"
        elif err.get("type") == "extra_forbidden":
            reason = "unknown field"
        raise _error(source_name, path, reason, lines, marks) from None
    try:
        check_scenario(sc)
    except _FieldProblem as p:
        raise _error(source_name, p.path, p.reason, lines, marks) from None
    return sc


def _is_pydantic_tag(p: Any) -> bool:
    return isinstance(p, str) and (p.startswith("function-") or p in {"str", "_MapTarget"})


def _error(
    source: str,
    path: tuple[Any, ...],
    reason: str,
    lines: Mapping[tuple[str | int, ...], int] | None,
    marks: Marks | None,
) -> ScenarioError:
    field = _path_str(path)
    if marks is not None:
        where = locate(source, marks, path)
    else:
        line = None
        for n in range(len(path), -1, -1):
            line = (lines or {}).get(tuple(path[:n]))
            if line is not None:
                break
        where = f"{source}:{line}" if line is not None else source
    return ScenarioError(reason, where=f"{where}, {field}" if field else where)


def _path_str(path: Sequence[Any]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


# -- semantic checks ---------------------------------------------------------------------------


def check_scenario(sc: Scenario) -> None:
    """Checks across fields; raise _FieldProblem(path, reason) at the first problem."""
    if sc.end <= sc.start:
        raise _FieldProblem(("to",), f"must be after from ({sc.start})")
    if sc.days > MAX_DAYS:
        raise _FieldProblem(("to",), f"the scenario spans {sc.days} days; at most {MAX_DAYS}")
    try:
        from corridor.model.timefmt import resolve_tz

        resolve_tz(sc.timezone)
    except ValueError as exc:
        raise _FieldProblem(("timezone",), str(exc)) from None
    if not sc.ration:
        raise _FieldProblem(("ration",), "the ration names no commodity")
    kcal = sc.kcal_table()
    for c, v in sc.kcal_per_100g.items():
        if not math.isfinite(v) or v < 0:
            raise _FieldProblem(("kcal_per_100g", c), "must be a non-negative number")
    ration_list = ", ".join(sc.ration)
    for c, q in sc.ration.items():
        if c not in kcal:
            raise _FieldProblem(
                ("ration", c), f"no kcal value for {c!r}; give one under kcal_per_100g"
            )
        _non_negative(("ration", c), q)

    def known(path: tuple[str | int, ...], c: str) -> None:
        if c not in sc.ration:
            raise _FieldProblem(path, f"{c!r} is not in the ration ({ration_list})")

    _check_population(sc)
    for c, q in sc.stocks.items():
        known(("stocks", c), c)
        _non_negative(("stocks", c), q)
    for key, items in (("local", sc.local), ("inflows", sc.inflows)):
        for i, it in enumerate(items):
            _check_inflow(sc, (key, i), it)
            known((key, i, "commodity"), it.commodity)
    names: set[str] = set()
    for i, r in enumerate(sc.routes):
        if r.name in names:
            raise _FieldProblem(("routes", i, "name"), f"duplicate route {r.name!r}")
        names.add(r.name)
        _non_negative(("routes", i, "trucks_per_day"), r.trucks_per_day)
        _non_negative(("routes", i, "tonnes_per_truck"), r.tonnes_per_truck)
        if r.mix is not None:
            for c, f in r.mix.items():
                known(("routes", i, "mix", c), c)
                if not 0.0 <= f <= 1.0:
                    raise _FieldProblem(("routes", i, "mix", c), "a fraction must be in [0, 1]")
            if sum(r.mix.values()) > 1.0 + 1e-9:
                raise _FieldProblem(("routes", i, "mix"), "the fractions add up to more than 1")
        _check_windows(sc, i, r)
    for name, t in sc.commodity_map.items():
        target = t if isinstance(t, str) else t.commodity
        if target not in {NON_FOOD, RATION_MIX} and target not in sc.ration:
            raise _FieldProblem(
                ("commodity_map", name),
                f"{target!r} is not a ration commodity ({ration_list}), "
                f"{NON_FOOD!r} or {RATION_MIX!r}",
            )


def _non_negative(path: tuple[str | int, ...], q: float | Distribution) -> None:
    if lowest(q) < 0:
        what = "a distribution that can be negative" if isinstance(q, Distribution) else "negative"
        raise _FieldProblem(path, f"must not be negative; got {what} ({_describe(q)})")


def _describe(q: float | Distribution) -> str:
    return q.describe() if isinstance(q, Distribution) else _num(q)


def _check_population(sc: Scenario) -> None:
    _non_negative(("population", "initial"), sc.population.initial)
    if highest(sc.population.initial) > 1e9:
        raise _FieldProblem(("population", "initial"), "more than a billion people")
    if sc.record is not None and sc.record.population and sc.population.changes:
        raise _FieldProblem(
            ("population", "changes"),
            "cannot be combined with record.population (the record gives the changes)",
        )
    for i, ch in enumerate(sc.population.changes):
        path: tuple[str | int, ...] = ("population", "changes", i)
        if (ch.delta is None) == (ch.persons is None):
            raise _FieldProblem(path, "give exactly one of delta and persons")
        if ch.persons is not None:
            _non_negative((*path, "persons"), ch.persons)
        for q in (ch.delta, ch.persons):
            if q is not None and max(abs(lowest(q)), abs(highest(q))) > 1e9:
                raise _FieldProblem(path, "more than a billion people")


def _check_inflow(sc: Scenario, path: tuple[str | int, ...], it: Inflow) -> None:
    if (it.tonnes_per_day is None) == (it.tonnes is None):
        raise _FieldProblem(path, "give exactly one of tonnes_per_day and tonnes (with date)")
    if it.tonnes is not None:
        if it.on is None:
            raise _FieldProblem((*path, "date"), "a one-off delivery (tonnes) needs a date")
        if it.start is not None or it.end is not None:
            raise _FieldProblem((*path, "from"), "a one-off delivery has a date, not from/to")
        _non_negative((*path, "tonnes"), it.tonnes)
        _bounded((*path, "tonnes"), it.tonnes)
    else:
        assert it.tonnes_per_day is not None
        if it.on is not None:
            raise _FieldProblem((*path, "date"), "a daily flow has from/to, not date")
        _non_negative((*path, "tonnes_per_day"), it.tonnes_per_day)
        _bounded((*path, "tonnes_per_day"), it.tonnes_per_day)
        if it.start is not None and it.end is not None and it.end <= it.start:
            raise _FieldProblem((*path, "to"), f"must be after from ({it.start})")


def _bounded(path: tuple[str | int, ...], q: float | Distribution) -> None:
    if highest(q) > 1e7:
        raise _FieldProblem(path, "more than ten million tonnes")


def _check_windows(sc: Scenario, i: int, r: Route) -> None:
    spans: list[tuple[date, date, int]] = []
    for j, w in enumerate(r.windows):
        path: tuple[str | int, ...] = ("routes", i, "windows", j)
        end = w.end if w.end is not None else max(sc.end, w.start + timedelta(days=1))
        if w.end is not None and w.end <= w.start:
            raise _FieldProblem((*path, "to"), f"must be after from ({w.start})")
        for name in ("trucks_per_day", "tonnes_per_truck"):
            q = getattr(w, name)
            if q is not None:
                _non_negative((*path, name), q)
        trucks = w.trucks_per_day if w.trucks_per_day is not None else r.trucks_per_day
        load = w.tonnes_per_truck if w.tonnes_per_truck is not None else r.tonnes_per_truck
        if highest(trucks) * highest(load) > 1e7:
            raise _FieldProblem(path, "more than ten million tonnes a day")
        spans.append((w.start, end, j))
    spans.sort()
    for (s0, e0, j0), (s1, _e1, j1) in itertools.pairwise(spans):
        if s1 < e0:
            raise _FieldProblem(
                ("routes", i, "windows"),
                f"windows {min(j0, j1)} and {max(j0, j1)} of route {r.name!r} overlap "
                f"({s0}..{e0} and {s1}..)",
            )
