"""`corridor supply` end to end through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor.cli.app import main

SIMPLE = """\
name: simple
from: 2024-01-01
to: 2024-04-01
population: 1000
ration: {cereal: 400}
stocks: {cereal: 10}
inflows:
  - {commodity: cereal, tonnes_per_day: 0.2}
"""


@pytest.fixture
def simple(tmp_path: Path) -> Path:
    path = tmp_path / "simple.yaml"
    path.write_text(SIMPLE, encoding="utf-8")
    return path


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


class TestSupplyCommand:
    def test_json_single_run(self, simple: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """One run prints one JSON document with the series to the gram."""
        code, out, _ = run_cli(["supply", "--scenario", str(simple), "--json"], capsys)
        assert code == 0
        doc = json.loads(out)
        (s,) = doc["scenarios"]
        assert s["mode"] == "single"
        cereal = s["commodities"][0]
        assert cereal["first_shortfall"] == "2024-02-20"
        assert cereal["min_days_of_supply"] == 0.0
        assert s["series"]["cereal"]["stock_g"][:3] == [10_000_000, 9_800_000, 9_600_000]
        assert s["kcal_coverage"] == pytest.approx(0.516484, abs=1e-6)

    def test_human_single_run(self, simple: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """The table names the first shortfall and the kcal coverage."""
        code, out, _ = run_cli(["supply", "--scenario", str(simple)], capsys)
        assert code == 0
        assert "2024-02-20" in out
        assert "kcal coverage: 52%" in out

    def test_monte_carlo_is_reproducible(
        self, simple: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The same seed prints the same Monte Carlo result."""
        text = SIMPLE.replace("stocks: {cereal: 10}", "stocks: {cereal: {uniform: [5, 15]}}")
        simple.write_text(text, encoding="utf-8")
        args = ["supply", "--scenario", str(simple), "--runs", "300", "--seed", "4", "--json"]
        first = run_cli(args, capsys)[1]
        second = run_cli(args, capsys)[1]
        assert first == second
        doc = json.loads(first)["scenarios"][0]
        assert doc["mode"] == "monte_carlo"
        assert set(doc["commodities"][0]["stockout_date"]) == {"p5", "p50", "p95"}
        assert len(doc["series"]["cereal"]["stockout_probability"]) == 91

    def test_from_and_to_restrict_and_extend(
        self, simple: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--from restricts the reported days; --to moves the scenario's end."""
        code, out, _ = run_cli(["supply", "--scenario", str(simple), "--from", "2024-02-01",
                                "--to", "2024-05-01", "--json"], capsys)
        assert code == 0
        s = json.loads(out)["scenarios"][0]
        assert s["to"] == "2024-05-01"
        assert s["series"]["dates"][0] == "2024-02-01"
        assert s["series"]["cereal"]["stock_g"][0] == 10_000_000 - 31 * 200_000

    def test_case_runs_builtin_scenarios_and_plots(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--case runs the built-in scenarios (skipping the record-based one without a record),
        prints quantiles and writes a fan chart."""
        monkeypatch.chdir(tmp_path)
        plot = tmp_path / "out.png"
        code, out, _ = run_cli(
            ["supply", "--case", "lachin-2023", "--runs", "200", "--seed", "1", "--plot",
             str(plot), "--db", str(tmp_path / "none.db")],
            capsys,
        )
        assert code == 0
        assert "aghdam only" in out
        assert "stockout p5" in out
        assert "skipped 'as recorded'" in out
        assert plot.read_bytes()[:4] == b"\x89PNG"
        assert plot.stat().st_size > 50_000

    def test_bad_scenario_exits_1_with_file_field_reason(
        self, simple: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A malformed scenario exits 1 with one line naming file, field and reason."""
        simple.write_text(SIMPLE.replace("population: 1000", "population: -3"), encoding="utf-8")
        code, out, err = run_cli(["supply", "--scenario", str(simple)], capsys)
        assert code == 1
        assert out == ""
        assert err.strip() == (
            f"error: {simple}:4:1, population.initial: must not be negative; got negative (-3)"
        )

    def test_missing_file_exits_1(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A scenario file that does not exist is bad input."""
        code, _, err = run_cli(["supply", "--scenario", str(tmp_path / "nope.yaml")], capsys)
        assert code == 1
        assert "no such file" in err

    def test_explicit_record_scenario_without_record_exits_1(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Asking for the as-recorded scenario with no record says the case must be loaded."""
        code, _, err = run_cli(["supply", "--case", "lachin-2023", "--scenario", "as-recorded",
                                "--db", str(tmp_path / "none.db")], capsys)
        assert code == 1
        assert "needs the record" in err
