"""Figures in bodies: counts, tonnages and claimed figures are bounded and finite."""

from __future__ import annotations

from typing import Any

import pytest

from corridor.errors import RecordError
from corridor.model import parse_observation
from corridor.model.bodies import MAX_COUNT, MAX_FIGURE, MAX_TONNES


def _obs(type_: str, **body: Any) -> dict[str, Any]:
    return {
        "type": type_,
        "observed": "2024-01-05T10:00:00+02:00",
        "reporter": "ngo-x",
        "sources": [{"title": "t"}],
        "body": body,
    }


def _crossing(**body: Any) -> dict[str, Any]:
    b = {"checkpoint": "north-gate", "direction": "inbound", "category": "vehicles", **body}
    return _obs("crossing", **b)


def _field(data: dict[str, Any]) -> str | None:
    with pytest.raises(RecordError) as exc:
        parse_observation(data).canonical  # noqa: B018 (the canonical form must not fail later)
    return exc.value.field


class TestCounts:
    @pytest.mark.parametrize("n", [2**53 + 1, 10**30, MAX_COUNT + 1])
    def test_huge_count_is_refused_naming_it(self, n: int) -> None:
        """A count beyond the maximum (2**53 + 1, 10**30) is a RecordError naming body.count."""
        assert _field(_crossing(count=n)) == "body.count"

    def test_maximum_count_is_accepted(self) -> None:
        """MAX_COUNT itself is a valid count, and canonicalises."""
        assert parse_observation(_crossing(count=MAX_COUNT)).canonical

    @pytest.mark.parametrize(
        ("type_", "body", "field"),
        [
            ("population", {"place": "p", "persons": 10**16, "kind": "resident"}, "body.persons"),
            ("incident", {"category": "other", "killed": 2**60}, "body.killed"),
            (
                "deployment",
                {"force": "f", "status": "deployed", "strength": 2**54},
                "body.strength",
            ),
            ("convoy", {"convoy": "c", "state": "waiting", "vehicles": 10**12}, "body.vehicles"),
        ],
    )
    def test_every_count_field_is_bounded(
        self, type_: str, body: dict[str, Any], field: str
    ) -> None:
        """Persons, casualties, strength and vehicles share the count's bound."""
        assert _field(_obs(type_, **body)) == field


class TestTonnes:
    @pytest.mark.parametrize("t", [1e308, float("inf"), float("nan"), MAX_TONNES * 2])
    def test_tonnes_must_be_finite_and_bounded(self, t: float) -> None:
        """1e308, infinity and NaN tonnes are refused naming body.tonnes."""
        assert _field(_crossing(tonnes=t)) == "body.tonnes"

    def test_cargo_line_tonnes_are_bounded(self) -> None:
        """A convoy's cargo line of 1e308 t is refused naming the line."""
        cargo = [{"commodity": "f", "tonnes": 1e308}]
        data = _obs("convoy", convoy="c", state="waiting", cargo=cargo)
        assert _field(data) == "body.cargo.0.tonnes"


class TestFigure:
    @pytest.mark.parametrize("f", [float("inf"), float("-inf"), float("nan"), MAX_FIGURE * 10])
    def test_claimed_figure_is_finite_and_bounded(self, f: float) -> None:
        """A claim's figure must be a finite number within ±10**15."""
        data = _obs("claim", party="p", statement="s", about="a", figure=f)
        assert _field(data) == "body.figure"
