"""Monte Carlo over a scenario: sampling, the batched engine, quantiles and stockout probability.

A scenario is compiled into a :class:`Problem`: integer grams per day for every run. Each
distribution in the scenario is drawn once per run (a run's parameters hold for its whole horizon)
from its own numpy Generator seeded by (seed, the parameter's field path), so a seed reproduces
a result exactly and scenarios sharing a parameter share its draws (common random numbers).
Sampled values are rounded to whole grams (tonnes × 10⁶, half to even) and whole persons before
the engine runs; from there everything is int64 and exact.

The batched engine (:func:`simulate`) applies the prefix-sum/running-minimum form of the contract
(see corridor.supply.engine) one day at a time over a (commodity, run) array: S += d; M =
min(M, S); stock = S − M. Stepping through days with whole-row numpy operations is faster here than
``np.minimum.accumulate`` over the full (run, commodity, day) array (measured: the accumulate alone
costs about four cumulative sums), keeps the working set in cache, and lets each day's stock row
be summarised (quantiles) and dropped, so memory is O(commodities × runs). A run's daily net flow
d is constant between "segment" boundaries (a window opens or closes, the population changes), so
it is built once per segment; deterministic dated flows (the record's deliveries) are added on
their days.

Quantiles are the inverted-CDF definition (the smallest sample value whose empirical CDF reaches
p; ``numpy.quantile(method="inverted_cdf")``), so they are actual run values in whole grams. Each
day's (commodity, run) row is sorted along runs: numpy's SIMD sort is robust to the many ties
(runs at zero stock) that make ``np.partition`` several times slower here (measured).
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from corridor.errors import ScenarioError
from corridor.model import Observation
from corridor.model.timefmt import resolve_tz
from corridor.supply.engine import Series, run
from corridor.supply.rations import KCAL_TARGET
from corridor.supply.record import (
    GRAMS_PER_TONNE,
    RecordDeliveries,
    record_deliveries,
    record_population,
)
from corridor.supply.scenario import Distribution, Scenario, central

__all__ = [
    "FAN_QUANTILES",
    "MonteCarloResult",
    "Problem",
    "Term",
    "compile_problem",
    "quantile_index",
    "simulate",
]

Int64Array = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Progress = Callable[[int, int], None]

#: Quantiles kept per day: enough for a fan chart (p5–p95 and p25–p75 bands, median).
FAN_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)

_LIMIT = 2**62


@dataclass(frozen=True)
class Term:
    """A flow whose size varies by run: ``amount`` grams (C, R) on each day where ``active``."""

    name: str
    local: bool
    active: NDArray[np.bool_]
    amount: Int64Array


@dataclass(frozen=True)
class Problem:
    """A scenario for ``runs`` runs in whole grams: everything the engine needs, nothing else."""

    name: str
    commodities: tuple[str, ...]
    start: date
    days: int
    runs: int
    kcal_per_g: FloatArray  # (C,)
    stock0: Int64Array  # (C, R)
    ration: Int64Array  # (C, R) grams per person per day
    pop_starts: tuple[int, ...]  # first day of each population segment; the first is 0
    pop_values: Int64Array  # (P, R) persons in each segment
    fixed_inflow: Int64Array  # (T, C) grams, the same in every run
    fixed_local: Int64Array  # (T, C)
    terms: tuple[Term, ...]
    deliveries: RecordDeliveries | None = None

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=t) for t in range(self.days + 1)]

    def population(self) -> Int64Array:
        """Persons per day and run, (T, R)."""
        out = np.empty((self.days, self.runs), dtype=np.int64)
        ends = (*self.pop_starts[1:], self.days)
        for s, e, v in zip(self.pop_starts, ends, self.pop_values, strict=True):
            out[s:e] = v
        return out

    def expand(
        self, runs: Sequence[int] | None = None
    ) -> tuple[Int64Array, Int64Array, Int64Array, Int64Array]:
        """Per-run arrays for the plain engine (all runs, or those listed): stock0 (n, C);
        inflow, local, need (n, C, T)."""
        idx = np.arange(self.runs) if runs is None else np.asarray(runs, dtype=np.intp)
        n = idx.size
        inflow = np.broadcast_to(self.fixed_inflow.T, (n, *self.fixed_inflow.T.shape)).copy()
        local = np.broadcast_to(self.fixed_local.T, inflow.shape).copy()
        for term in self.terms:
            target = local if term.local else inflow
            target += term.amount[:, idx].T[:, :, None] * term.active[None, None, :]
        need = self.ration[:, idx].T[:, :, None] * self.population()[:, idx].T[:, None, :]
        return self.stock0[:, idx].T.copy(), inflow, local, need


class _Sampler:
    """Draws every parameter; each from its own stream, seeded by (seed, field path).

    Own streams make results reproducible and give common random numbers across scenarios:
    ``stocks.cereal`` gets the same draws in every scenario run with the same seed, whatever
    other parameters the scenarios have.
    """

    def __init__(self, scenario: Scenario, runs: int, seed: int | None) -> None:
        self.values: dict[str, FloatArray] = {}
        for path, q in scenario.quantities():
            if isinstance(q, Distribution) and seed is not None:
                key = zlib.crc32(path.encode())
                rng = np.random.default_rng(np.random.SeedSequence([seed, key]))
                self.values[path] = q.sample(rng, runs)
            else:
                self.values[path] = np.full(runs, central(q), dtype=np.float64)

    def get(self, path: str) -> FloatArray:
        return self.values[path]


def _grams(tonnes: FloatArray) -> Int64Array:
    return np.rint(tonnes * GRAMS_PER_TONNE).astype(np.int64)


def _whole(x: FloatArray) -> Int64Array:
    return np.rint(x).astype(np.int64)


def compile_problem(
    scenario: Scenario,
    *,
    runs: int = 1,
    seed: int | None = None,
    observations: Sequence[Observation] | None = None,
) -> Problem:
    """Sample a scenario ``runs`` times into a Problem. ``runs == 1`` uses central values
    (midpoint, mode or mean of each distribution) and ignores the seed."""
    if runs < 1:
        raise ScenarioError("must be at least 1", where="runs")
    sc = scenario
    if sc.record is not None and observations is None:
        raise ScenarioError(
            "this scenario takes deliveries or population from the record; load the case "
            "into the store first",
            where=f"{sc.name}, record",
        )
    if runs > 1 and (seed is None or seed < 0):
        raise ScenarioError("a Monte Carlo run needs a seed of 0 or more", where="seed")
    sampler = _Sampler(sc, runs, seed if runs > 1 else None)
    commodities = sc.commodities
    index = {c: i for i, c in enumerate(commodities)}
    C, T, R = len(commodities), sc.days, runs
    kcal = sc.kcal_table()
    kcal_per_g = np.array([kcal[c] / 100.0 for c in commodities], dtype=np.float64)
    ration = np.stack([_whole(sampler.get(f"ration.{c}")) for c in commodities])
    stock0 = np.zeros((C, R), dtype=np.int64)
    for c in sc.stocks:
        stock0[index[c]] = _grams(sampler.get(f"stocks.{c}"))

    fixed = {True: np.zeros((T, C), np.int64), False: np.zeros((T, C), np.int64)}
    terms: list[Term] = []

    def add(name: str, is_local: bool, active: NDArray[np.bool_], amount: Int64Array) -> None:
        if not active.any() or not amount.any():
            return
        if (amount == amount[:, :1]).all():
            fixed[is_local][active] += amount[:, 0]
        else:
            terms.append(Term(name, is_local, active, amount))

    def span(a: date | None, b: date | None) -> NDArray[np.bool_]:
        lo = 0 if a is None else max(0, (a - sc.start).days)
        hi = T if b is None else min(T, (b - sc.start).days)
        out = np.zeros(T, dtype=np.bool_)
        if lo < hi:
            out[lo:hi] = True
        return out

    for key, items in (("local", sc.local), ("inflows", sc.inflows)):
        for i, it in enumerate(items):
            amount = np.zeros((C, R), np.int64)
            if it.tonnes is not None:
                assert it.on is not None
                amount[index[it.commodity]] = _grams(sampler.get(f"{key}[{i}].tonnes"))
                active = span(it.on, it.on + timedelta(days=1))
            else:
                amount[index[it.commodity]] = _grams(sampler.get(f"{key}[{i}].tonnes_per_day"))
                active = span(it.start, it.end)
            add(f"{key}[{i}]", key == "local", active, amount)
    for i, r in enumerate(sc.routes):
        mix = sc.route_mix(r)
        for j, w in enumerate(r.windows):
            if w.state == "closed":
                continue
            path = f"routes[{i}].windows[{j}]"
            load = sampler.get(f"{path}.trucks_per_day") * sampler.get(f"{path}.tonnes_per_truck")
            amount = np.zeros((C, R), np.int64)
            for c, f in mix.items():
                amount[index[c]] = _grams(load * f)
            add(path, False, span(w.start, w.end), amount)

    deliveries = None
    tz = resolve_tz(sc.timezone)
    base = _whole(sampler.get("population.initial"))
    if sc.record is not None and observations is not None:
        if sc.record.deliveries:
            deliveries = record_deliveries(
                observations,
                start=sc.start,
                days=T,
                tz=tz,
                commodities=commodities,
                commodity_map=sc.commodity_table(),
                conflicting=sc.record.conflicting_reports,
                ration_mix=sc.ration_mix(),
            )
            for c, series in deliveries.grams.items():
                fixed[False][:, index[c]] += np.asarray(series, dtype=np.int64)
        if sc.record.population:
            rp = record_population(
                observations, start=sc.start, days=T, tz=tz, places=sc.record.places
            )
            starts, values = _record_segments(rp.counted, rp.departed, base)
        else:
            starts, values = _scenario_segments(sc, base, sampler)
    else:
        starts, values = _scenario_segments(sc, base, sampler)

    problem = Problem(
        name=sc.name,
        commodities=commodities,
        start=sc.start,
        days=T,
        runs=R,
        kcal_per_g=kcal_per_g,
        stock0=stock0,
        ration=ration,
        pop_starts=tuple(starts),
        pop_values=np.stack(values),
        fixed_inflow=fixed[False],
        fixed_local=fixed[True],
        terms=tuple(terms),
        deliveries=deliveries,
    )
    _check_range(problem)
    return problem


def _scenario_segments(
    sc: Scenario, base: Int64Array, sampler: _Sampler
) -> tuple[list[int], list[Int64Array]]:
    cur = np.maximum(base, 0)
    starts, values = [0], [cur]
    changes = sorted(enumerate(sc.population.changes), key=lambda ic: ic[1].on)
    for i, ch in changes:
        t = max(0, (ch.on - sc.start).days)
        if t >= sc.days:
            continue
        if ch.delta is not None:
            cur = np.maximum(cur + _whole(sampler.get(f"population.changes[{i}].delta")), 0)
        else:
            cur = np.maximum(_whole(sampler.get(f"population.changes[{i}].persons")), 0)
        if starts[-1] == t:
            values[-1] = cur
        else:
            starts.append(t)
            values.append(cur)
    return starts, values


def _record_segments(
    counted: Sequence[int | None], departed: Sequence[int], base: Int64Array
) -> tuple[list[int], list[Int64Array]]:
    starts: list[int] = []
    values: list[Int64Array] = []
    prev: tuple[int | None, int] | None = None
    for t, key in enumerate(zip(counted, departed, strict=True)):
        if key == prev:
            continue
        prev = key
        c, d = key
        v = np.full(base.shape, c, np.int64) if c is not None else np.maximum(base - d, 0)
        starts.append(t)
        values.append(v)
    return starts, values


def _check_range(p: Problem) -> None:
    """Refuse scenarios whose sums could overflow int64 (absurd magnitudes)."""
    most_in = int(p.fixed_inflow.sum() + p.fixed_local.sum())
    for term in p.terms:
        most_in += int(term.active.sum()) * int(term.amount.max())
    most_need = int(p.ration.max()) * int(p.pop_values.max()) * p.days
    if int(p.stock0.max()) + most_in + most_need >= _LIMIT:
        raise ScenarioError("quantities too large to add up exactly", where=p.name)


def _segments(p: Problem) -> list[tuple[int, int]]:
    cuts = {0, p.days, *p.pop_starts}
    for term in p.terms:
        a = term.active.astype(np.int8)
        cuts.update((np.flatnonzero(np.diff(a)) + 1).tolist())
    edges = sorted(c for c in cuts if 0 <= c <= p.days)
    return [(a, b) for a, b in itertools.pairwise(edges) if a < b]


def quantile_index(p: float, n: int) -> int:
    """Index, in sorted order, of the inverted-CDF p-quantile of n values."""
    return min(n - 1, max(0, math.ceil(p * n - 1e-9) - 1))


@dataclass(frozen=True)
class MonteCarloResult:
    """What the runs of a Problem show. Days are indexed from the scenario's first day."""

    problem: Problem
    seed: int | None
    quantiles: tuple[float, ...]
    stock_quantiles: Int64Array  # (T+1, C, Q) grams at the start of each day
    first_shortfall: Int64Array  # (C, R) day of the first unmet need; T means none
    total_shortfall: Int64Array  # (C, R) grams
    person_days: Int64Array  # (R,)
    kcal_coverage: FloatArray  # (R,) kcal eaten / (person-days × 2,100); nan with no people

    @property
    def runs(self) -> int:
        return self.problem.runs

    def stockout_probability(self) -> FloatArray:
        """(C, T): the share of runs with unmet need on or before each day."""
        T = self.problem.days
        out = np.empty((len(self.problem.commodities), T), dtype=np.float64)
        for c, first in enumerate(self.first_shortfall):
            counts = np.bincount(first, minlength=T + 1)[:T]
            out[c] = np.cumsum(counts) / self.runs
        return out

    def first_shortfall_quantiles(self, qs: Sequence[float]) -> Int64Array:
        """(C, Q) inverted-CDF quantiles of the first-shortfall day (T: none within the horizon)."""
        ks = [quantile_index(q, self.runs) for q in qs]
        ordered = np.sort(self.first_shortfall, axis=-1)
        return ordered[:, ks]

    def kcal_coverage_quantiles(self, qs: Sequence[float]) -> FloatArray:
        values = np.sort(self.kcal_coverage[~np.isnan(self.kcal_coverage)])
        if values.size == 0:
            return np.full(len(qs), np.nan)
        return values[[quantile_index(q, values.size) for q in qs]]

    def quantile_column(self, q: float) -> int:
        return self.quantiles.index(q)


def simulate(
    problem: Problem,
    *,
    quantiles: Sequence[float] = FAN_QUANTILES,
    seed: int | None = None,
    progress: Progress | None = None,
) -> MonteCarloResult:
    """Run every run of ``problem`` at once; keep per-day stock quantiles and per-run totals."""
    p = problem
    C, R, T = len(p.commodities), p.runs, p.days
    qs = tuple(quantiles)
    cols = [quantile_index(q, R) for q in qs]
    fixed = p.fixed_inflow + p.fixed_local
    fixed_days: list[bool] = np.asarray(fixed.any(axis=1), dtype=np.bool_).tolist()

    S = p.stock0.copy()  # prefix sum S[t]
    M = np.zeros((C, R), np.int64)  # min(0, running minimum of S): minus the total shortfall
    row = np.empty((C, R), np.int64)
    at_zero = np.empty((C, R), np.bool_)
    no_shortfall = np.zeros((C, R), np.int64)
    out = np.empty((T + 1, C, len(qs)), np.int64)
    np.copyto(row, S)
    row.sort(axis=-1)
    out[0] = row[:, cols]

    pop_end = (*p.pop_starts[1:], T)
    seg_pop = 0
    done = 0
    for a, b in _segments(p):
        while pop_end[seg_pop] <= a:
            seg_pop += 1
        rate = -(p.ration * p.pop_values[seg_pop][None, :])
        for term in p.terms:
            if term.active[a]:
                rate += term.amount
        for t in range(a, b):
            np.add(S, rate, out=S)
            if fixed_days[t]:
                np.add(S, fixed[t][:, None], out=S)
            np.minimum(M, S, out=M)
            np.subtract(S, M, out=row)  # stock at the start of day t+1
            np.equal(M, 0, out=at_zero)
            np.add(no_shortfall, at_zero, out=no_shortfall)
            row.sort(axis=-1)
            out[t + 1] = row[:, cols]
        done = b
        if progress is not None:
            progress(done, T)

    total_shortfall = -M
    lengths = np.diff(np.array([*p.pop_starts, T]))
    person_days = (p.pop_values * lengths[:, None]).sum(axis=0)
    eaten = p.ration * person_days[None, :] - total_shortfall
    kcal = (eaten.astype(np.float64) * p.kcal_per_g[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(person_days > 0, kcal / (person_days * float(KCAL_TARGET)), np.nan)
    return MonteCarloResult(
        problem=p,
        seed=seed,
        quantiles=qs,
        stock_quantiles=out,
        first_shortfall=no_shortfall,
        total_shortfall=total_shortfall,
        person_days=person_days,
        kcal_coverage=coverage,
    )


@dataclass(frozen=True)
class SingleResult:
    """One deterministic run with every daily series, (C, T) or (C, T+1) grams."""

    problem: Problem
    series: Series
    inflow: Int64Array
    local: Int64Array
    need: Int64Array
    population: Int64Array  # (T,)

    @property
    def kcal_coverage(self) -> float:
        person_days = int(self.population.sum())
        if person_days == 0:
            return math.nan
        eaten = self.need.sum(axis=-1) - self.series.shortfall.sum(axis=-1)
        return float((eaten * self.problem.kcal_per_g).sum()) / (person_days * KCAL_TARGET)


def run_single(problem: Problem, run_index: int = 0) -> SingleResult:
    """Every daily series of one run through the plain vectorised engine."""
    stock0, inflow, local, need = problem.expand([run_index])
    series = run(stock0[0], inflow[0], local[0], need[0])
    return SingleResult(
        problem, series, inflow[0], local[0], need[0], problem.population()[:, run_index].copy()
    )
