"""The built-in Lachin scenarios and the demo lines."""

from __future__ import annotations

import pytest

from corridor.app.supply import builtin_scenarios
from corridor.errors import InputError
from corridor.supply import demo_lines, load_scenario


class TestBuiltinScenarios:
    def test_four_scenarios_load_and_state_their_assumptions(self) -> None:
        """The case ships four valid scenarios, each with assumptions, sources and ranges."""
        items = builtin_scenarios("lachin-2023")
        names = [load_scenario(text, src).name for src, text in items]
        assert names == ["as recorded", "aghdam only", "both roads from 2023-09-01",
                         "aghdam first, lachin within 24 hours"]
        for src, text in items:
            sc = load_scenario(text, src)
            assert text.startswith("#")
            assert sc.assumptions and sc.sources
            uncertain = dict(sc.uncertain())
            assert "stocks.cereal" in uncertain
            assert any(p.startswith("local") for p in uncertain)

    def test_unknown_case_is_refused(self) -> None:
        """An unknown case name is bad input."""
        with pytest.raises(InputError, match="unknown case"):
            builtin_scenarios("nowhere")


class TestDemoLines:
    def test_one_line_per_scenario_with_dates_and_coverage(self) -> None:
        """Each scenario gets its cereal stock-out range and kcal coverage; the record-based one
        says it needs the record when there is none."""
        lines = demo_lines(builtin_scenarios("lachin-2023"), None, runs=200, seed=1)
        assert lines[0].startswith("as recorded: needs the record")
        for line in lines[1:4]:
            assert "cereal runs out" in line
            assert "(p5–p95)" in line
            assert "kcal coverage" in line
        assert "assumptions" in lines[-1]

    def test_demo_is_reproducible(self) -> None:
        """The same seed prints the same lines."""
        items = builtin_scenarios("lachin-2023")[1:2]
        assert demo_lines(items, runs=100, seed=3) == demo_lines(items, runs=100, seed=3)


class TestAsRecorded:
    def test_takes_deliveries_and_population_from_the_record(self) -> None:
        """The as-recorded scenario adds the record's deliveries and follows its population."""
        from corridor.model import parse_observation
        from corridor.supply import compile_problem

        def o(kind: str, when: str, body: dict[str, object]) -> object:
            return parse_observation({"type": kind, "observed": when, "reporter": "t",
                                      "sources": [{"title": "t"}], "body": body})

        observations = [
            o("population", "2022-12-12T00:00:00+04:00",
              {"place": "karabakh", "persons": 120000, "kind": "resident"}),
            o("convoy", "2023-09-23T00:00:00+04:00", {
                "convoy": "icrc", "state": "delivered",
                "cargo": [{"commodity": "wheat flour", "tonnes": 66}]}),
            o("population", "2023-09-30T12:00:00+04:00",
              {"place": "armenia", "origin": "karabakh", "persons": 100417,
               "kind": "cumulative_arrivals"}),
        ]
        src, text = builtin_scenarios("lachin-2023")[0]
        sc = load_scenario(text, src)
        p = compile_problem(sc, runs=1, observations=observations)  # type: ignore[arg-type]
        day = (sc.start.replace(year=2023, month=9, day=23) - sc.start).days
        assert p.fixed_inflow[day, 0] == 66_000_000
        pop = p.population()[:, 0]
        assert pop[day] == 120000
        assert pop[day + 8] == 120000 - 100417
