"""The engine contract: the scalar reference, the vectorised engine, days of supply."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.supply import (
    compile_problem,
    days_of_supply,
    load_scenario,
    run,
    run_scalar,
    run_single,
)


class TestToTheGram:
    def test_simple_scenario_gives_the_formula_series(self, simple_text: str) -> None:
        """Constant population, one commodity, known stock and inflow: stock[t] = 10 t − t × 0.2 t
        until zero, exactly in grams, and the unmet need is 0.2 t a day after that."""
        sc = load_scenario(simple_text, "simple.yaml")
        res = run_single(compile_problem(sc))
        need, inflow, stock0 = 1000 * 400, 200_000, 10_000_000
        expected = [max(0, stock0 + t * (inflow - need)) for t in range(sc.days + 1)]
        assert res.series.stock[0].tolist() == expected
        expected_short = [
            max(0, need - (expected[t] + inflow)) for t in range(sc.days)
        ]
        assert res.series.shortfall[0].tolist() == expected_short
        assert expected.index(0) == 50
        assert res.need[0].tolist() == [need] * sc.days
        assert res.inflow[0].tolist() == [inflow] * sc.days


class TestScalarReference:
    def test_clamps_at_zero_and_records_unmet_need(self) -> None:
        """Stock never goes below zero; what cannot be met is the shortfall."""
        ref = run_scalar([5], [[0, 10, 0]], [[0, 0, 0]], [[3, 3, 20]])
        assert ref.stock == [[5, 2, 9, 0]]
        assert ref.shortfall == [[0, 0, 11]]

    def test_meets_need_exactly_without_shortfall(self) -> None:
        """Stock that exactly covers need reaches zero with no shortfall."""
        ref = run_scalar([3], [[0]], [[0]], [[3]])
        assert ref.stock == [[3, 0]]
        assert ref.shortfall == [[0]]


flows = st.integers(min_value=0, max_value=10**7)


@st.composite
def arrays(draw: st.DrawFn) -> tuple[list[int], list[list[int]], list[list[int]], list[list[int]]]:
    c = draw(st.integers(1, 4))
    t = draw(st.integers(0, 40))
    grid = st.lists(st.lists(flows, min_size=t, max_size=t), min_size=c, max_size=c)
    return draw(st.lists(flows, min_size=c, max_size=c)), draw(grid), draw(grid), draw(grid)


class TestVectorisedEngine:
    @settings(max_examples=300, deadline=None)
    @given(arrays())
    def test_agrees_exactly_with_the_scalar_reference(
        self, data: tuple[list[int], list[list[int]], list[list[int]], list[list[int]]]
    ) -> None:
        """Prefix sums with a running minimum give the reference's stock and shortfall exactly."""
        stock0, inflow, local, need = data
        ref = run_scalar(stock0, inflow, local, need)
        c, t = len(stock0), len(need[0])
        got = run(
            np.array(stock0, np.int64),
            np.array(inflow, np.int64).reshape(c, t),
            np.array(local, np.int64).reshape(c, t),
            np.array(need, np.int64).reshape(c, t),
        )
        assert got.stock.tolist() == ref.stock
        assert got.shortfall.tolist() == ref.shortfall

    def test_batch_axes_are_independent(self) -> None:
        """Leading batch axes run side by side, each as on its own."""
        rng = np.random.default_rng(3)
        need = rng.integers(0, 100, size=(5, 2, 30))
        inflow = rng.integers(0, 100, size=(5, 2, 30))
        local = np.zeros_like(need)
        stock0 = rng.integers(0, 300, size=(5, 2))
        batch = run(stock0, inflow, local, need)
        for b in range(5):
            one = run(stock0[b], inflow[b], local[b], need[b])
            assert np.array_equal(batch.stock[b], one.stock)

    def test_cumulative_shortfall_is_the_running_total(self) -> None:
        """The cumulative shortfall starts at zero and adds each day's unmet need."""
        got = run(np.array([0]), np.array([[0, 0]]), np.array([[0, 0]]), np.array([[2, 3]]))
        assert got.cumulative_shortfall.tolist() == [[0, 2, 5]]


class TestDaysOfSupply:
    def test_is_stock_over_need_and_infinite_without_need(self) -> None:
        """Days of supply divide the morning stock by the day's need; no need means infinity."""
        dos = days_of_supply(np.array([[10, 4, 0]]), np.array([[5, 0]]))
        assert dos.tolist() == [[2.0, float("inf")]]
