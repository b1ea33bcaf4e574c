"""Monte Carlo: the batched engine against the scalar reference, seeds, quantiles, odds."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import ScenarioError
from corridor.supply import (
    compile_problem,
    quantile_index,
    run,
    run_scalar,
    run_single,
    scenario_from_mapping,
    simulate,
)
from corridor.supply.rations import KCAL_TARGET

Builder = Callable[..., dict[str, Any]]
START = date(2024, 1, 1)
COMMODITIES = ["cereal", "pulses", "oil", "salt"]


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def maybe_dist(draw: st.DrawFn, lo: float, hi: float) -> Any:
    """A number or a distribution within [lo, hi]."""
    a = draw(st.floats(lo, hi))
    b = draw(st.floats(lo, hi))
    lo_, hi_ = min(a, b), max(a, b)
    kind = draw(st.sampled_from(["number", "uniform", "triangular", "normal"]))
    if kind == "number" or hi_ - lo_ < 1e-6:
        return a
    if kind == "uniform":
        return {"uniform": [lo_, hi_]}
    if kind == "triangular":
        return {"triangular": [lo_, draw(st.floats(lo_, hi_)), hi_]}
    return {"normal": {"mean": (lo_ + hi_) / 2, "sd": (hi_ - lo_) / 2, "min": lo_, "max": hi_}}


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    days = draw(st.integers(1, 40))
    ration_names = draw(st.lists(st.sampled_from(COMMODITIES), min_size=1, max_size=3,
                                 unique=True))
    data: dict[str, Any] = {
        "name": "random",
        "from": day(0),
        "to": day(days),
        "ration": {c: maybe_dist(draw, 0, 500) for c in ration_names},
        "stocks": {c: maybe_dist(draw, 0, 0.3) for c in ration_names if draw(st.booleans())},
    }
    changes = []
    for _ in range(draw(st.integers(0, 3))):
        on = day(draw(st.integers(-2, days + 2)))
        if draw(st.booleans()):
            changes.append({"date": on, "delta": maybe_dist(draw, -300, 300)})
        else:
            changes.append({"date": on, "persons": maybe_dist(draw, 0, 500)})
    data["population"] = {"initial": maybe_dist(draw, 0, 500), "changes": changes}
    for key in ("inflows", "local"):
        items = []
        for _ in range(draw(st.integers(0, 3))):
            c = draw(st.sampled_from(ration_names))
            if draw(st.booleans()):
                items.append({"commodity": c, "tonnes": maybe_dist(draw, 0, 0.5),
                              "date": day(draw(st.integers(-1, days)))})
            else:
                item = {"commodity": c, "tonnes_per_day": maybe_dist(draw, 0, 0.2)}
                if draw(st.booleans()):
                    a = draw(st.integers(-3, days))
                    item["from"] = day(a)
                    item["to"] = day(a + draw(st.integers(1, days + 3)))
                items.append(item)
        data[key] = items
    routes = []
    for i in range(draw(st.integers(0, 2))):
        cuts = sorted(draw(st.lists(st.integers(-2, days + 2), min_size=2, max_size=6,
                                    unique=True)))
        windows = []
        for a, b in itertools.pairwise(cuts):
            if draw(st.booleans()):
                w: dict[str, Any] = {"from": day(a), "to": day(b),
                                     "state": draw(st.sampled_from(["open", "restricted",
                                                                    "closed"]))}
                if draw(st.booleans()):
                    w["trucks_per_day"] = maybe_dist(draw, 0, 3)
                windows.append(w)
        routes.append({
            "name": f"r{i}",
            "trucks_per_day": maybe_dist(draw, 0, 3),
            "tonnes_per_truck": maybe_dist(draw, 0, 0.05),
            "windows": windows,
        })
    data["routes"] = routes
    return data


class TestBatchedEngine:
    @settings(max_examples=200, deadline=None)
    @given(scenarios(), st.integers(1, 6), st.integers(0, 10_000))
    def test_agrees_exactly_with_the_scalar_reference(
        self, data: dict[str, Any], runs: int, seed: int
    ) -> None:
        """Every run's first shortfall, total shortfall and the daily stock quantiles equal the
        scalar reference's, with clamping, population changes and route windows."""
        sc = scenario_from_mapping(data, "random")
        problem = compile_problem(sc, runs=runs, seed=seed)
        res = simulate(problem, seed=seed)
        stock0, inflow, local, need = problem.expand()
        T = problem.days
        stocks = []
        for r in range(runs):
            ref = run_scalar(stock0[r].tolist(), inflow[r].tolist(), local[r].tolist(),
                             need[r].tolist())
            plain = run(stock0[r], inflow[r], local[r], need[r])
            assert plain.stock.tolist() == ref.stock
            assert plain.shortfall.tolist() == ref.shortfall
            stocks.append(ref.stock)
            for c in range(len(problem.commodities)):
                first = next((t for t, v in enumerate(ref.shortfall[c]) if v > 0), T)
                assert res.first_shortfall[c, r] == first
                assert res.total_shortfall[c, r] == sum(ref.shortfall[c])
            person_days = int(need[r].sum(axis=-1)[0] // max(1, int(problem.ration[0, r])))
            if problem.ration[0, r] > 0 and person_days > 0:
                eaten = [sum(need[r][c]) - sum(ref.shortfall[c]) for c in range(len(stock0[r]))]
                kcal = sum(e * k for e, k in zip(eaten, problem.kcal_per_g, strict=True))
                assert res.kcal_coverage[r] == pytest.approx(kcal / (person_days * KCAL_TARGET))
        ordered = np.sort(np.array(stocks, dtype=np.int64), axis=0)  # (R, C, T+1)
        for i, q in enumerate(res.quantiles):
            expected = ordered[quantile_index(q, runs)].T
            assert np.array_equal(res.stock_quantiles[:, :, i], expected)


class TestSeeds:
    def test_same_seed_same_result(self, base_mapping: Builder) -> None:
        """Runs with one seed are identical; another seed gives other draws."""
        sc = scenario_from_mapping(
            base_mapping(stocks={"cereal": {"uniform": [0, 2]}}), "x"
        )
        a = simulate(compile_problem(sc, runs=50, seed=5))
        b = simulate(compile_problem(sc, runs=50, seed=5))
        c = simulate(compile_problem(sc, runs=50, seed=6))
        assert np.array_equal(a.stock_quantiles, b.stock_quantiles)
        assert np.array_equal(a.first_shortfall, b.first_shortfall)
        assert not np.array_equal(compile_problem(sc, runs=50, seed=5).stock0,
                                  compile_problem(sc, runs=50, seed=6).stock0)
        assert c.runs == 50

    def test_a_parameter_draws_the_same_across_scenarios(self, base_mapping: Builder) -> None:
        """A parameter keeps its draws when other parameters are added (common random numbers)."""
        stocks = {"cereal": {"uniform": [0, 2]}}
        one = scenario_from_mapping(base_mapping(stocks=stocks), "x")
        two = scenario_from_mapping(
            base_mapping(stocks=stocks, population={"uniform": [50, 150]}), "x"
        )
        assert np.array_equal(compile_problem(one, runs=20, seed=1).stock0,
                              compile_problem(two, runs=20, seed=1).stock0)

    def test_samples_stay_in_bounds(self, base_mapping: Builder) -> None:
        """Draws of a bounded normal stay within its bounds."""
        sc = scenario_from_mapping(
            base_mapping(stocks={"cereal": {"normal": {"mean": 1, "sd": 5, "min": 0.5,
                                                        "max": 1.5}}}), "x"
        )
        s0 = compile_problem(sc, runs=2000, seed=3).stock0
        assert s0.min() >= 500_000
        assert s0.max() <= 1_500_000

    def test_monte_carlo_needs_a_seed(self, base_mapping: Builder) -> None:
        """More than one run without a seed is refused."""
        sc = scenario_from_mapping(base_mapping(), "x")
        with pytest.raises(ScenarioError, match="seed"):
            compile_problem(sc, runs=3, seed=None)


class TestQuantiles:
    @pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 20, 99, 1000, 10_000])
    @pytest.mark.parametrize("p", [0.05, 0.25, 0.5, 0.75, 0.95])
    def test_index_matches_numpy_inverted_cdf(self, n: int, p: float) -> None:
        """The quantile index is numpy's inverted-CDF quantile."""
        values = np.arange(n) * 10
        assert values[quantile_index(p, n)] == np.quantile(values, p, method="inverted_cdf")


class TestStockoutProbability:
    def test_counts_runs_short_on_or_before_each_day(self, base_mapping: Builder) -> None:
        """The probability by day t is the share of runs whose first shortfall is on or before t."""
        sc = scenario_from_mapping(base_mapping(), "x")
        res = simulate(compile_problem(sc, runs=1))
        fake = type(res)(
            problem=compile_problem(sc, runs=4, seed=0), seed=0, quantiles=res.quantiles,
            stock_quantiles=res.stock_quantiles,
            first_shortfall=np.array([[0, 2, 2, sc.days]]),
            total_shortfall=res.total_shortfall, person_days=res.person_days,
            kcal_coverage=res.kcal_coverage,
        )
        prob = fake.stockout_probability()
        assert prob[0, :4].tolist() == [0.25, 0.25, 0.75, 0.75]
        assert prob[0, -1] == 0.75
        assert fake.first_shortfall_quantiles([0.05, 0.5, 0.95])[0].tolist() == [0, 2, sc.days]

    def test_simple_scenario_runs_out_on_day_fifty(self, simple_text: str) -> None:
        """Every run of the deterministic simple scenario first runs short on day 50."""
        from corridor.supply import load_scenario

        sc = load_scenario(simple_text, "simple.yaml")
        res = simulate(compile_problem(sc, runs=10, seed=1))
        assert res.first_shortfall.tolist() == [[50] * 10]
        prob = res.stockout_probability()[0]
        assert prob[49] == 0.0
        assert prob[50] == 1.0
        assert res.kcal_coverage[0] == pytest.approx(run_single(compile_problem(sc)).kcal_coverage)


class TestCentralRun:
    def test_single_run_uses_central_values(self, base_mapping: Builder) -> None:
        """One run takes each distribution's central value, whatever the seed."""
        sc = scenario_from_mapping(
            base_mapping(stocks={"cereal": {"triangular": [0, 3, 4]}},
                         population={"uniform": [100, 300]}), "x"
        )
        p = compile_problem(sc, runs=1, seed=99)
        assert p.stock0.tolist() == [[3_000_000]]
        assert p.population()[:, 0].tolist() == [200] * sc.days

    def test_population_change_clamps_at_zero(self, base_mapping: Builder) -> None:
        """A change that would make the population negative leaves it at zero, and later
        increases start from zero."""
        sc = scenario_from_mapping(
            base_mapping(population={"initial": 100, "changes": [
                {"date": "2024-01-05", "delta": -500}, {"date": "2024-01-10", "delta": 30}]}),
            "x",
        )
        pop = compile_problem(sc).population()[:, 0].tolist()
        assert pop[:4] == [100] * 4
        assert pop[4:9] == [0] * 5
        assert pop[9:] == [30] * (sc.days - 9)
        assert not math.isnan(run_single(compile_problem(sc)).kcal_coverage)
