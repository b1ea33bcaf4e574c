"""Scenario format: loading, distributions, and errors that name file, field and reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from corridor.errors import ScenarioError
from corridor.supply import Distribution, load_scenario, scenario_from_mapping

Builder = Callable[..., dict[str, Any]]


def error_of(text: str, name: str = "bad.yaml") -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(text, name)
    return info.value


class TestLoadScenario:
    def test_simplest_form_loads(self, simple_text: str) -> None:
        """The simplest documented scenario loads with its population, ration, stock and inflow."""
        sc = load_scenario(simple_text, "simple.yaml")
        assert sc.name == "simple"
        assert sc.days == 91
        assert sc.population.initial == 1000
        assert sc.ration == {"cereal": 400}
        assert sc.inflows[0].tonnes_per_day == 0.2

    def test_default_ration_is_the_wfp_full_ration(self, base_mapping: Builder) -> None:
        """Without a ration the WFP full ration applies, in its order."""
        data = base_mapping()
        del data["ration"]
        data["stocks"] = {}
        sc = scenario_from_mapping(data, "x")
        assert list(sc.ration) == ["cereal", "pulses", "oil", "blended_food", "sugar", "salt"]
        assert sc.ration["cereal"] == 400

    def test_distributions_parse_in_list_and_mapping_forms(self, base_mapping: Builder) -> None:
        """uniform, triangular and bounded normal parse from lists or mappings."""
        sc = scenario_from_mapping(
            base_mapping(
                population={"uniform": [90, 110]},
                stocks={"cereal": {"triangular": {"min": 1, "mode": 2, "max": 4}}},
                inflows=[{"commodity": "cereal",
                          "tonnes_per_day": {"normal": [1, 0.5, 0, 3]}}],
            ),
            "x",
        )
        assert sc.population.initial == Distribution("uniform", 90, 110)
        assert sc.stocks["cereal"] == Distribution("triangular", 1, 4, mode=2)
        assert sc.inflows[0].tonnes_per_day == Distribution("normal", 0, 3, mean=1, sd=0.5)
        assert [p for p, _ in sc.uncertain()] == [
            "population.initial", "stocks.cereal", "inflows[0].tonnes_per_day"
        ]

    def test_central_values(self) -> None:
        """A single run uses the midpoint, the mode, or the mean kept within bounds."""
        assert Distribution("uniform", 2, 4).central == 3
        assert Distribution("triangular", 0, 10, mode=7).central == 7
        assert Distribution("normal", 0, 1, mean=5, sd=1).central == 1


class TestScenarioErrors:
    def test_negative_population(self) -> None:
        """A negative population names file, line, column, field and reason."""
        err = error_of("name: x\nfrom: 2024-01-01\nto: 2024-02-01\npopulation: -5\n")
        assert str(err).startswith("bad.yaml:4:1, population.initial: must not be negative")

    def test_negative_stock(self, simple_text: str) -> None:
        """A negative initial stock is refused with its field."""
        err = error_of(simple_text.replace("stocks: {cereal: 10}", "stocks: {cereal: -1}"))
        assert "bad.yaml:6:10, stocks.cereal: must not be negative" in str(err)

    def test_distribution_that_can_go_negative(self, simple_text: str) -> None:
        """A stock distribution reaching below zero is refused like a negative number."""
        text = simple_text.replace("stocks: {cereal: 10}", "stocks: {cereal: {uniform: [-1, 3]}}")
        err = error_of(text)
        assert "stocks.cereal: must not be negative" in str(err)
        assert "uniform -1–3" in str(err)

    def test_ration_without_kcal(self, simple_text: str) -> None:
        """A ration commodity with no kcal value names the commodity and the fix."""
        text = simple_text.replace("ration: {cereal: 400}", "ration: {cereal: 400, meat: 50}")
        err = error_of(text)
        assert "bad.yaml:5:23, ration.meat: no kcal value for 'meat'" in str(err)
        assert "kcal_per_100g" in str(err)

    def test_kcal_table_extension_allows_new_commodity(self, simple_text: str) -> None:
        """Giving a kcal value makes a new ration commodity valid."""
        text = simple_text.replace(
            "ration: {cereal: 400}", "ration: {cereal: 400, meat: 50}\nkcal_per_100g: {meat: 250}"
        )
        assert load_scenario(text, "ok.yaml").kcal_table()["meat"] == 250

    def test_overlapping_windows(self) -> None:
        """Two windows of one route that overlap are refused, naming the route and windows."""
        text = """\
name: x
from: 2024-01-01
to: 2024-03-01
population: 10
ration: {cereal: 400}
routes:
  - name: north
    trucks_per_day: 1
    windows:
      - {from: 2024-01-01, to: 2024-02-01}
      - {from: 2024-01-20, state: closed}
"""
        err = error_of(text)
        assert str(err).startswith(
            "bad.yaml:9:5, routes[0].windows: windows 0 and 1 of route 'north'"
        )
        assert "overlap" in str(err)

    def test_inverted_bounds(self, simple_text: str) -> None:
        """A distribution whose min exceeds its max is refused with the bounds."""
        err = error_of(simple_text.replace("population: 1000", "population: {uniform: [10, 5]}"))
        assert "bad.yaml:4:1, population" in str(err)
        assert "inverted bounds: min 10 is greater than max 5" in str(err)

    def test_inverted_normal_bounds(self, simple_text: str) -> None:
        """A normal whose bounds are inverted is refused too."""
        text = simple_text.replace(
            "tonnes_per_day: 0.2", "tonnes_per_day: {normal: {mean: 1, sd: 1, min: 3, max: 0}}"
        )
        err = error_of(text)
        assert "inflows[0].tonnes_per_day" in str(err)
        assert "inverted bounds" in str(err)

    def test_unknown_field(self, simple_text: str) -> None:
        """An unknown field is named."""
        err = error_of(simple_text + "colour: red\n")
        assert str(err) == "bad.yaml:9:1, colour: unknown field"

    def test_missing_field(self) -> None:
        """A missing required field is named."""
        err = error_of("name: x\nfrom: 2024-01-01\nto: 2024-02-01\n")
        assert "population: required field is missing" in str(err)

    def test_commodity_not_in_ration(self, simple_text: str) -> None:
        """A stock of a commodity the ration does not have is refused."""
        err = error_of(simple_text.replace("stocks: {cereal: 10}", "stocks: {rice: 10}"))
        assert "stocks.rice: 'rice' is not in the ration (cereal)" in str(err)

    def test_invalid_yaml(self) -> None:
        """Malformed YAML names the line."""
        err = error_of("name: [x\nfrom: 2024-01-01\n")
        assert str(err).startswith("bad.yaml:")
        assert "not valid YAML" in str(err)

    def test_end_before_start(self, simple_text: str) -> None:
        """The last day must come after the first."""
        err = error_of(simple_text.replace("to: 2024-04-01", "to: 2023-04-01"))
        assert "bad.yaml:3:1, to: must be after from" in str(err)

    def test_mix_over_one(self, base_mapping: Builder) -> None:
        """Route mix fractions may not add up to more than one."""
        with pytest.raises(ScenarioError, match=r"routes\[0\]\.mix: the fractions add up"):
            scenario_from_mapping(
                base_mapping(
                    ration={"cereal": 400, "salt": 5},
                    routes=[{"name": "r", "mix": {"cereal": 0.8, "salt": 0.5}}],
                ),
                "x",
            )

    def test_error_is_a_value_error_with_exit_code_one(self, simple_text: str) -> None:
        """Scenario errors are input errors: ValueError, exit code 1 in the CLI's table."""
        from corridor.cli.app import exit_code

        err = error_of(simple_text.replace("population: 1000", "population: -1"))
        assert isinstance(err, ValueError)
        assert exit_code(err) == 1
