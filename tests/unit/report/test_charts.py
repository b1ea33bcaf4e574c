"""The supply fan chart is written as PNG or SVG and is not trivial."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from corridor.errors import InputError
from corridor.report.charts import fan_chart
from corridor.supply import (
    compile_problem,
    montecarlo_summary,
    run_single,
    scenario_from_mapping,
    scenario_info,
    simulate,
    single_summary,
)

SCENARIO = {
    "name": "chart",
    "from": "2024-01-01",
    "to": "2024-04-01",
    "population": 1000,
    "ration": "wfp",
    "stocks": {"cereal": {"uniform": [5, 30]}, "salt": {"uniform": [0, 1]}},
    "inflows": [{"commodity": "cereal", "tonnes_per_day": {"uniform": [0, 0.5]}}],
}


def summaries(runs: int) -> list[dict[str, Any]]:
    sc = scenario_from_mapping(SCENARIO, "chart")
    problem = compile_problem(sc, runs=runs, seed=1)
    if runs == 1:
        body = single_summary(run_single(problem))
    else:
        body = montecarlo_summary(simulate(problem, seed=1))
    return [{**scenario_info(sc, "chart"), **body}]


class TestFanChart:
    def test_png_is_written(self, tmp_path: Path) -> None:
        """A Monte Carlo fan chart is a PNG of more than 20 KB."""
        path = fan_chart(summaries(200), tmp_path / "fan.png")
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 20_000

    def test_svg_is_written(self, tmp_path: Path) -> None:
        """The SVG variant parses as XML with an svg root and is more than 20 KB."""
        path = fan_chart(summaries(200), tmp_path / "fan.svg")
        root = ET.parse(path).getroot()
        assert root.tag.endswith("svg")
        assert path.stat().st_size > 20_000

    def test_single_run_draws_lines(self, tmp_path: Path) -> None:
        """One deterministic run draws as lines, still a valid PNG."""
        path = fan_chart(summaries(1), tmp_path / "one.png")
        assert path.read_bytes()[:4] == b"\x89PNG"

    def test_unknown_format_is_refused(self, tmp_path: Path) -> None:
        """Only .png and .svg are written."""
        with pytest.raises(InputError, match=r"png or \.svg"):
            fan_chart(summaries(1), tmp_path / "fan.gif")
