"""The quarantine file: rejected rows as they were, with where from and why; fixed, they import."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from corridor.errors import InputError
from corridor.ingest import (
    MappingFile,
    default_quarantine_path,
    plan_import,
    write_quarantine,
)
from corridor.model import Registry

WriteCsv = Callable[..., Path]
WriteXlsx = Callable[..., Path]

COUNTS = """\
date,trucks_in,note
2023-07-01,5,ok
2023-07-02,3x,typo
2023-07-04,-3,negative
"""


def _read(p: Path) -> list[dict[str, str]]:
    with p.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


class TestWriteQuarantine:
    def test_rows_with_reasons(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, registry: Registry, tmp_path: Path
    ) -> None:
        """Each rejected row keeps its columns and gains _file, _row, _mapping and _error."""
        plan = plan_import(write_csv(COUNTS), simple_mapping, registry)
        q = write_quarantine(plan, tmp_path / "q.csv")
        assert q == tmp_path / "q.csv"
        rows = _read(q)
        assert list(rows[0]) == ["date", "trucks_in", "note", "_file", "_row", "_mapping", "_error"]
        assert rows[0] == {
            "date": "2023-07-02",
            "trucks_in": "3x",
            "note": "typo",
            "_file": "counts.csv",
            "_row": "3",
            "_mapping": "crossing",
            "_error": "column trucks_in: '3x' is not a number",
        }
        assert rows[1]["_row"] == "4" and "body.count" in rows[1]["_error"]

    def test_nothing_rejected_nothing_written(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, tmp_path: Path
    ) -> None:
        """Without rejected rows no file is written."""
        plan = plan_import(write_csv("date,trucks_in\n2023-07-01,5\n"), simple_mapping)
        assert write_quarantine(plan, tmp_path / "q.csv") is None
        assert not (tmp_path / "q.csv").exists()

    def test_written_whole(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, tmp_path: Path
    ) -> None:
        """The file replaces an earlier quarantine file whole, leaving no temporary file."""
        (tmp_path / "q.csv").write_text("a,_file,_row,_mapping,_error\n1,x.csv,2,m,old\n")
        plan = plan_import(write_csv(COUNTS), simple_mapping)
        write_quarantine(plan, tmp_path / "q.csv")
        assert len(_read(tmp_path / "q.csv")) == 2
        assert sorted(p.name for p in tmp_path.iterdir()) == ["counts.csv", "q.csv"]

    def test_other_files_are_not_replaced(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, tmp_path: Path
    ) -> None:
        """An existing file that is not a quarantine file is refused and kept as it was."""
        (tmp_path / "q.csv").write_text("old", encoding="utf-8")
        plan = plan_import(write_csv(COUNTS), simple_mapping)
        with pytest.raises(InputError, match="not a quarantine file"):
            write_quarantine(plan, tmp_path / "q.csv")
        assert (tmp_path / "q.csv").read_text() == "old"

    def test_workbook_rows_name_their_sheet(
        self, write_xlsx: WriteXlsx, make_mapping: Callable[..., MappingFile], tmp_path: Path
    ) -> None:
        """Rows from a workbook carry _sheet; date cells are written as ISO text."""
        p = write_xlsx({"Log": [["when", "n"], [datetime(2023, 7, 1, 8, 0), "x"]]})
        mf = make_mapping(
            """\
            mappings:
              - type: crossing
                reporter: ngo-x
                source: {title: T}
                constants: {checkpoint: north-gate, direction: inbound, category: vehicles}
                columns: {observed: {column: when, tz: UTC}, count: n}
            """
        )
        rows = _read(write_quarantine(plan_import(p, mf), tmp_path / "q.csv"))
        assert rows[0]["_sheet"] == "Log" and rows[0]["when"] == "2023-07-01 08:00:00"

    def test_default_path(self, tmp_path: Path) -> None:
        """By default the quarantine is quarantine-<name>.csv in the working directory."""
        assert default_quarantine_path("/data/daily counts.xlsx", tmp_path) == (
            tmp_path / "quarantine-daily counts.csv"
        )
        assert default_quarantine_path("/data/a.csv") == Path("quarantine-a.csv")


class TestReimportQuarantine:
    def test_fixed_rows_become_the_observations_they_would_have_been(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, registry: Registry, tmp_path: Path
    ) -> None:
        """A corrected quarantine row keeps its original file and row, so its id is the one the
        right row would have had."""
        bad = plan_import(write_csv(COUNTS), simple_mapping, registry)
        q = write_quarantine(bad, tmp_path / "quarantine-counts.csv")
        text = q.read_text(encoding="utf-8-sig").replace(",3x,", ",3,")
        q.write_text(text, encoding="utf-8-sig")
        fixed = plan_import(q, simple_mapping, registry)
        good = plan_import(
            write_csv(COUNTS.replace(",3x,", ",3,"), name="counts.csv"), simple_mapping, registry
        )
        assert [o.id for o in fixed.observations] == [good.observations[1].id]
        (still,) = fixed.rejected
        assert (still.file, still.row) == ("counts.csv", 4)
        # and its quarantine keeps the original provenance, not the quarantine file's
        again = _read(write_quarantine(fixed, tmp_path / "q2.csv"))
        assert [(r["_file"], r["_row"]) for r in again] == [("counts.csv", "4")]
        assert list(again[0]).count("_row") == 1

    def test_bad_row_number(self, write_csv: WriteCsv, simple_mapping: MappingFile) -> None:
        """A quarantine row whose _row was damaged is rejected, not guessed."""
        p = write_csv("date,trucks_in,_file,_row,_mapping,_error\n2023-07-01,1,counts.csv,x,,\n")
        (r,) = plan_import(p, simple_mapping).rejected
        assert r.error == "column _row: 'x' is not a row number"

    def test_unknown_mapping_name(self, write_csv: WriteCsv, simple_mapping: MappingFile) -> None:
        """A quarantine row for a mapping the file does not have is rejected."""
        p = write_csv("date,trucks_in,_file,_row,_mapping\n2023-07-01,1,counts.csv,2,other\n")
        (r,) = plan_import(p, simple_mapping).rejected
        assert r.error == "no mapping named 'other'"


WITH_DRIVER = """\
mappings:
  - type: crossing
    reporter: ngo-x
    source: {title: Vehicle log (synthetic test), url: https://example.org/log}
    constants: {checkpoint: north-gate, direction: inbound, category: vehicles, count: 1}
    columns:
      observed: {column: date, format: "%Y-%m-%d", tz: UTC, period: day}
      vehicle: {column: plate}
      driver_name: {column: driver}
      note: {column: note}
"""


class TestQuarantineIsSafeToOpen:
    def test_formulas_are_neutralised_and_restored(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, registry: Registry, tmp_path: Path
    ) -> None:
        """A cell a spreadsheet would run (=, +, -, @) gets a leading quote; imported back, the
        value is what it was, so the fixed row is the observation it would have been."""
        text = "date,trucks_in,note\n2023-07-02,3x,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n"
        bad = plan_import(write_csv(text), simple_mapping, registry)
        q = write_quarantine(bad, tmp_path / "quarantine-counts.csv")
        (row,) = _read(q)
        assert row["note"] == "'=HYPERLINK(\"http://x\",\"y\")"
        q.write_text(q.read_text(encoding="utf-8-sig").replace(",3x,", ",3,"), "utf-8-sig")
        fixed = plan_import(q, simple_mapping, registry)
        good = plan_import(
            write_csv(text.replace(",3x,", ",3,"), name="counts.csv"), simple_mapping, registry
        )
        assert [o.id for o in fixed.observations] == [o.id for o in good.observations]

    def test_plain_negative_numbers_stay(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, registry: Registry, tmp_path: Path
    ) -> None:
        """-3 is a number, not a formula: it is written as it was."""
        bad = plan_import(write_csv(COUNTS), simple_mapping, registry)
        rows = _read(write_quarantine(bad, tmp_path / "q.csv"))
        assert rows[1]["trucks_in"] == "-3"

    def test_personal_columns_are_left_out(
        self,
        write_csv: WriteCsv,
        make_mapping: Callable[..., MappingFile],
        registry: Registry,
        tmp_path: Path,
    ) -> None:
        """A column that feeds a field identifying a person is empty in the quarantine file,
        and the reason says so; the rest of the row is kept."""
        text = "date,plate,driver,note\n2023-07-40,AB 123,Ali Veli (fictional),late\n"
        bad = plan_import(write_csv(text), make_mapping(WITH_DRIVER), registry)
        q = write_quarantine(bad, tmp_path / "q.csv")
        (row,) = _read(q)
        assert row["driver"] == "" and row["plate"] == "AB 123" and row["note"] == "late"
        assert "personal values left out of this file: driver" in row["_error"]
        assert "Ali Veli" not in q.read_text(encoding="utf-8-sig")
