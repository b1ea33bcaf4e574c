"""The shipped examples import as documented, and are labelled synthetic."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from corridor.ingest import load_mapping, plan_import
from corridor.model import Registry


def _rows(p: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    from openpyxl import load_workbook

    wb = load_workbook(p, read_only=True)
    try:
        return [(ws.title, list(ws.iter_rows(values_only=True))) for ws in wb.worksheets]
    finally:
        wb.close()


class TestExamples:
    def test_daily_counts(self, examples: Path, registry: Registry) -> None:
        """The daily-counts CSV: two observations a day, one skipped and two quarantined rows."""
        plan = plan_import(
            examples / "daily-counts.csv",
            load_mapping(examples / "daily-counts.map.yaml"),
            registry,
        )
        assert (plan.rows, len(plan.accepted), len(plan.skipped), len(plan.rejected)) == (
            10,
            17,
            1,
            2,
        )
        assert [r.message for r in plan.rejected] == [
            "row 8, column trucks_in: '3x' is not a number",
            "row 9, body.count (column trucks_out): Input should be greater than or equal to 0",
        ]
        first = plan.accepted[0].observation
        assert first.body.tonnes == 1204.5 and first.observed.duration.days == 1

    def test_vehicles(self, examples: Path, registry: Registry) -> None:
        """The vehicle log: one observation per vehicle, drivers kept out of the content."""
        plan = plan_import(
            examples / "vehicles.xlsx", load_mapping(examples / "vehicles.map.yaml"), registry
        )
        assert (plan.rows, len(plan.accepted), len(plan.rejected)) == (10, 8, 2)
        obs = plan.accepted[2].observation
        assert obs.body.outcome == "turned_back" and obs.note == "papers incomplete"
        assert obs.personal() == {"driver_name": "Driver C (fictional)"}
        assert "driver_name" not in obs.content()["body"]
        assert [r.row for r in plan.rejected] == [8, 9]

    def test_workbook_matches_its_script(self, examples: Path, tmp_path: Path) -> None:
        """vehicles.xlsx holds what make_vehicles_xlsx.py writes."""
        spec = importlib.util.spec_from_file_location(
            "make_vehicles", examples / "make_vehicles_xlsx.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.OUT = tmp_path / "vehicles.xlsx"
        module.main()
        assert _rows(module.OUT) == _rows(examples / "vehicles.xlsx")

    @pytest.mark.parametrize(
        "name",
        [
            "daily-counts.csv",
            "daily-counts.map.yaml",
            "vehicles.map.yaml",
            "make_vehicles_xlsx.py",
            "north-gate-case.yaml",
            "corridors-case.yaml",
            "daily-counts.hxl.csv",
            "daily-counts.hxl.map.yaml",
            "checkpoint-form-kobo.csv",
            "checkpoint-form-odk.json",
            "voyages.csv",
            "voyages.map.yaml",
            "consignments.csv",
            "consignments.map.yaml",
            "crossings.geojson",
            "crossings.map.yaml",
            "acled-events.csv",
            "acled-deletions.csv",
        ],
    )
    def test_labelled_synthetic(self, examples: Path, name: str) -> None:
        """Every example file says it is synthetic."""
        assert "synthetic" in (examples / name).read_text(encoding="utf-8").lower()


class TestDocs:
    DOC = Path(__file__).resolve().parents[3] / "docs" / "import.md"

    def test_every_option_is_documented(self) -> None:
        """Every key of the mapping format appears in docs/import.md."""
        import re

        from corridor.ingest import ColumnSpec, ImportMapping, MappingFile, NumberFormat, SourceSpec

        text = self.DOC.read_text(encoding="utf-8")
        for model in (MappingFile, ImportMapping, ColumnSpec, NumberFormat, SourceSpec):
            for key in model.model_fields:
                assert re.search(rf"\b{key}\b", text), key

    def test_examples_in_the_docs_load(self) -> None:
        """The complete mapping files shown in docs/import.md load."""
        import re

        from corridor.ingest import parse_mapping

        text = self.DOC.read_text(encoding="utf-8")
        blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
        starts = ("mappings:", "preset:", "format:")
        complete = [b for b in blocks if b.startswith(starts) and "..." not in b]
        assert len(complete) == 6
        for b in complete:
            parse_mapping(b, "doc.yaml")

    def test_command_is_documented(self) -> None:
        """The command line and every option of `corridor import` are in the docs."""
        text = self.DOC.read_text(encoding="utf-8")
        for opt in ("--map", "--preset", "--param", "--sheet", "--dry-run", "--json",
                    "--quarantine", "--db", "--keys"):
            assert f"`{opt}" in text, opt
