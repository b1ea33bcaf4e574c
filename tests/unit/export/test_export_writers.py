"""The export writers on their own: XLSX sheets beyond Excel's row limit, empty exports, the
XLSForm against the model and pyxform."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from corridor.cases import load_case
from corridor.export.geojson import write_features
from corridor.export.json import write_json, write_ndjson
from corridor.export.xlsform import ACCESS_LABELS, TALLIES, write_xlsform
from corridor.export.xlsx import write_xlsx
from corridor.ingest.flat import plan_flat_import
from corridor.model import ACCESS_CATEGORIES, Category, Direction
from corridor.model.flat import FLAT_COLUMNS, to_row

CASE = load_case("lachin-2023")
COLUMNS = [c.name for c in FLAT_COLUMNS]


class TestXlsx:
    def test_sheets_continue_past_the_row_limit(self, tmp_path: Path) -> None:
        """With 5 rows a sheet, 12 observations take sheets observations, -2, -3; all of them
        read back."""
        obs = CASE.observations[:12]
        p = tmp_path / "out.xlsx"
        n = write_xlsx((to_row(o.content(), id=o.id) for o in obs), p, COLUMNS, sheet_rows=5)
        assert n == 12
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(p))
        assert book.sheet_names == ["observations", "observations-2", "observations-3"]
        plan = plan_flat_import(p, CASE.registry)
        assert [a.observation.id for a in plan.accepted] == [o.id for o in obs]
        assert plan.rejected == []

    def test_hashtag_row_and_no_rows(self, tmp_path: Path) -> None:
        p = tmp_path / "empty.xlsx"
        assert write_xlsx(iter(()), p, COLUMNS, tagged=True) == 0
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(p)).get_sheet_by_name("observations").to_python()
        assert rows[0][:3] == ["id", "log_index", "type"] and rows[1][2] == "#meta+type"
        assert plan_flat_import(p).rows == 0


class TestStreams:
    def test_empty_and_full(self) -> None:
        for write in (write_json, write_ndjson, write_features):
            out = StringIO()
            assert write(iter(()), out) == 0
            if write is not write_ndjson:
                json.loads(out.getvalue())
        out = StringIO()
        write_json(({"a": i} for i in range(3)), out)
        assert json.loads(out.getvalue()) == [{"a": 0}, {"a": 1}, {"a": 2}]


class TestXlsForm:
    def test_categories_come_from_the_model(self) -> None:
        assert set(ACCESS_LABELS) == set(ACCESS_CATEGORIES) and len(ACCESS_LABELS) == 9
        assert {(d, c) for _n, d, c in TALLIES} == {(d, c) for d in Direction for c in Category}

    def test_pyxform_accepts_it(self, tmp_path: Path) -> None:
        from pyxform.xls2xform import convert

        p = tmp_path / "form.xlsx"
        n = write_xlsform(p, CASE.registry, version="2024010101")
        assert n == len(CASE.registry.checkpoints)
        result = convert(xlsform=str(p), validate=False)
        assert result.warnings == []
        xform = result.xform
        for name, _d, _c in TALLIES:
            assert f"<{name}>0</{name}>" in xform  # a zero by default: explicit zero
        for cat in ACCESS_CATEGORIES:
            assert cat.value in xform
        assert 'version="2024010101"' in xform and "geopoint" in xform
        chosen = next(iter(CASE.registry.checkpoints))
        assert chosen in xform

    def test_without_a_reporter_it_asks(self, tmp_path: Path) -> None:
        from pyxform.xls2xform import convert

        p = tmp_path / "form.xlsx"
        write_xlsform(p, CASE.registry)
        xform = convert(xlsform=str(p), validate=False).xform
        assert "Reporting organisation" in xform
