"""Planning an import: every row ends somewhere, ids are stable, mappings share a file."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.errors import InputError, MappingError
from corridor.ingest import MappingFile, parse_mapping, plan_import, summarise
from corridor.model import Registry

MakeMapping = Callable[..., MappingFile]
WriteCsv = Callable[..., Path]
WriteXlsx = Callable[..., Path]

COUNTS = """\
date,trucks_in,note
2023-07-01,"30,000",ok
2023-07-02,3x,bad number
2023-07-03,,not reported
2023-07-04,-3,negative
2023-07-05,12,ok
"""

BY_DIRECTION = """\
mappings:
  - name: in
    type: crossing
    reporter: ngo-x
    source: {title: Gate log}
    constants: {checkpoint: north-gate, category: vehicles, direction: inbound}
    where: {dir: IN}
    skip_if_empty: [n]
    columns:
      observed: {column: date, format: "%Y-%m-%d", tz: UTC, period: day}
      count: {column: n}
  - name: out
    type: crossing
    reporter: ngo-x
    source: {title: Gate log}
    constants: {checkpoint: north-gate, category: vehicles, direction: outbound}
    where: {dir: OUT}
    skip_if_empty: [n]
    columns:
      observed: {column: date, format: "%Y-%m-%d", tz: UTC, period: day}
      count: {column: n}
"""

SHEETS = """\
mappings:
  - type: crossing
    sheet: Log
    reporter: ngo-x
    source: {title: Gate log}
    constants: {checkpoint: north-gate, category: vehicles, count: 1}
    columns:
      observed: {column: [Date, Time], tz: "+03:00"}
      direction: {column: Direction, map: {IN: inbound, OUT: outbound}}
      vehicle: Plate
"""


def _log_rows() -> list[list[object]]:
    return [
        ["Date", "Time", "Plate", "Direction"],
        [datetime(2023, 7, 1), time(8, 15), "NX-1", "IN"],
        [datetime(2023, 7, 1), time(9, 0), "NX-2", "OUT"],
        [datetime(2023, 7, 1), time(9, 30), "NX-3", "UP"],
    ]


class TestPlanImport:
    def test_daily_counts(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, registry: Registry
    ) -> None:
        """Good rows are accepted, bad ones rejected with reasons, empty ones skipped."""
        plan = plan_import(write_csv(COUNTS), simple_mapping, registry)
        assert plan.rows == 5
        assert [p.row for p in plan.accepted] == [2, 6]
        assert plan.accepted[0].observation.body.count == 30000
        assert [(r.row, r.error) for r in plan.rejected] == [
            (3, "column trucks_in: '3x' is not a number"),
            (5, "body.count (column trucks_in): Input should be greater than or equal to 0"),
        ]
        assert plan.rejected[0].message == "row 3, column trucks_in: '3x' is not a number"
        assert [(s.row, s.reason) for s in plan.skipped] == [
            (4, "column trucks_in is empty (skip_if_empty)")
        ]

    def test_replanning_gives_the_same_ids(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, registry: Registry
    ) -> None:
        """Planning the same file twice yields the same observation ids."""
        p = write_csv(COUNTS)
        first = [o.id for o in plan_import(p, simple_mapping, registry).observations]
        again = [o.id for o in plan_import(p, simple_mapping, registry).observations]
        assert first == again and len(set(first)) == 2

    def test_same_file_elsewhere_gives_the_same_ids(
        self, tmp_path: Path, simple_mapping: MappingFile, registry: Registry
    ) -> None:
        """The source names the file by its name, so a copy elsewhere has the same ids."""
        a, b = tmp_path / "counts.csv", tmp_path / "copy" / "counts.csv"
        b.parent.mkdir()
        a.write_text(COUNTS, encoding="utf-8")
        b.write_text(COUNTS, encoding="utf-8")
        ids = [
            [o.id for o in plan_import(p, simple_mapping, registry).observations] for p in (a, b)
        ]
        assert ids[0] == ids[1]

    def test_identical_rows_are_two_observations(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, registry: Registry
    ) -> None:
        """Two rows with the same values are two observations (they differ in row)."""
        plan = plan_import(
            write_csv("date,trucks_in\n2023-07-01,5\n2023-07-01,5\n"), simple_mapping, registry
        )
        ids = [o.id for o in plan.observations]
        assert len(ids) == 2 and ids[0] != ids[1] and not plan.duplicates

    def test_identical_observations_from_one_row_are_duplicates(
        self, write_csv: WriteCsv, registry: Registry
    ) -> None:
        """Two mappings that make the same observation from one row count it once."""
        bodies = [SIMPLE_BODY.replace("name: NAME", f"name: {n}") for n in "ab"]
        mf = parse_mapping("mappings:\n" + "".join(bodies), "m.yaml")
        plan = plan_import(write_csv("date,trucks_in\n2023-07-01,5\n"), mf, registry)
        assert (len(plan.accepted), len(plan.duplicates)) == (1, 1)

    def test_several_mappings_with_where(
        self, write_csv: WriteCsv, make_mapping: MakeMapping, registry: Registry
    ) -> None:
        """Each row goes to the mapping whose where holds; one no mapping wants is rejected."""
        p = write_csv("date,dir,n\n2023-07-01,IN,4\n2023-07-01,out,3\n2023-07-01,UP,1\n")
        plan = plan_import(p, make_mapping(BY_DIRECTION), registry)
        assert [(x.row, x.mapping, x.observation.body.direction) for x in plan.accepted] == [
            (2, "in", "inbound"),
            (3, "out", "outbound"),
        ]
        (r,) = plan.rejected
        assert r.row == 4 and r.mapping is None
        assert (
            r.error == "no mapping selects this row (in wants dir is 'IN'; out wants dir is 'OUT')"
        )

    def test_two_mappings_read_every_row(self, examples: Path, registry: Registry) -> None:
        """Inbound and outbound counts from one row are two observations."""
        from corridor.ingest import load_mapping

        plan = plan_import(
            examples / "daily-counts.csv",
            load_mapping(examples / "daily-counts.map.yaml"),
            registry,
        )
        row2 = [p for p in plan.accepted if p.row == 2]
        assert sorted(p.observation.body.direction for p in row2) == ["inbound", "outbound"]

    def test_xlsx_sheet_from_mapping(
        self, write_xlsx: WriteXlsx, make_mapping: MakeMapping, registry: Registry
    ) -> None:
        """The mapping's sheet is read; sources name the sheet; date and time cells combine."""
        p = write_xlsx({"About": [["synthetic"]], "Log": _log_rows()})
        plan = plan_import(p, make_mapping(SHEETS), registry)
        assert [x.observation.body.vehicle for x in plan.accepted] == ["NX-1", "NX-2"]
        src = plan.accepted[0].observation.sources[0]
        assert (src.file, src.sheet, src.row) == ("book.xlsx", "Log", 2)
        assert plan.accepted[0].observation.start.isoformat() == "2023-07-01T08:15:00+03:00"
        assert plan.rejected[0].message.startswith("sheet Log, row 4, body.direction")

    def test_sheet_argument_overrides_mapping(
        self, write_xlsx: WriteXlsx, make_mapping: MakeMapping, registry: Registry
    ) -> None:
        """--sheet picks another sheet of the same layout."""
        p = write_xlsx({"Log": _log_rows()[:2], "July": _log_rows()})
        plan = plan_import(p, make_mapping(SHEETS), registry, sheet="July")
        assert len(plan.accepted) == 2 and plan.accepted[0].sheet == "July"

    def test_sheet_argument_for_csv(self, write_csv: WriteCsv, simple_mapping: MappingFile) -> None:
        """A CSV file has no sheets to choose."""
        with pytest.raises(InputError, match="a CSV file has no sheets"):
            plan_import(write_csv(COUNTS), simple_mapping, sheet="Log")

    def test_missing_column_is_a_mapping_error(
        self, write_csv: WriteCsv, simple_mapping: MappingFile
    ) -> None:
        """A column the file does not have stops the import at the mapping's line."""
        with pytest.raises(MappingError) as info:
            plan_import(write_csv("date,trucks\n2023-07-01,1\n"), simple_mapping)
        err = info.value
        assert err.where == "test.map.yaml:9:15"  # count: {column: trucks_in}
        assert "no column 'trucks_in' in counts.csv; did you mean 'trucks'?" in str(err)

    def test_columns_match_ignoring_case_and_spaces(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, registry: Registry
    ) -> None:
        """Header names match the mapping's ignoring case and runs of spaces."""
        p = write_csv("DATE,Trucks_In\n2023-07-01,1\n")
        assert len(plan_import(p, simple_mapping, registry).accepted) == 1

    def test_without_registry_references_are_not_checked(
        self, write_csv: WriteCsv, make_mapping: MakeMapping
    ) -> None:
        """Planning without a registry checks the rows only."""
        mf = make_mapping(SIMPLE_MAPPING.replace("north-gate", "nowhere"))
        assert len(plan_import(write_csv(COUNTS), mf).accepted) == 2

    def test_progress_is_told(self, write_csv: WriteCsv, simple_mapping: MappingFile) -> None:
        """A progress object hears of the table and of every row."""
        seen: list[object] = []

        class P:
            def start(self, label: str, total: int | None) -> None:
                seen.append((label, total))

            def advance(self, n: int = 1) -> None:
                seen.append(n)

        plan_import(write_csv(COUNTS), simple_mapping, progress=P())
        assert seen == [("reading counts.csv", 5), 1, 1, 1, 1, 1]


class TestSummarise:
    def test_counts(
        self, write_csv: WriteCsv, simple_mapping: MappingFile, registry: Registry
    ) -> None:
        """Ids already in the record count as duplicates, not accepted."""
        plan = plan_import(write_csv(COUNTS), simple_mapping, registry)
        first = plan.accepted[0].observation.id
        s = summarise(plan, duplicate_ids=[first], quarantine="q.csv", tree_size=9)
        assert (s.rows, s.accepted, s.duplicates, s.rejected, s.skipped) == (5, 1, 1, 2, 1)
        j = s.to_json()
        assert j["quarantine"] == "q.csv" and j["tree_size"] == 9
        assert j["first_rejected"][0] == {
            "row": 3,
            "mapping": "crossing",
            "error": "column trucks_in: '3x' is not a number",
        }


SIMPLE_BODY = """\
  - type: crossing
    name: NAME
    reporter: ngo-x
    source: {title: Daily truck counts}
    constants: {checkpoint: north-gate, direction: inbound, category: vehicles}
    columns:
      observed: {column: date, format: "%Y-%m-%d", tz: UTC, period: day}
      count: {column: trucks_in}
"""
SIMPLE_MAPPING = """\
mappings:
  - type: crossing
    reporter: ngo-x
    source: {title: Daily truck counts}
    constants: {checkpoint: north-gate, direction: inbound, category: vehicles}
    columns:
      observed: {column: date, format: "%Y-%m-%d", tz: UTC, period: day}
      count: {column: trucks_in}
"""


# -- the invariant: every row ends somewhere -----------------------------------------------------

_cells = {
    "date": st.sampled_from(["2023-07-01", "2023-07-02", "", "July 1", "2023-13-01"]),
    "dir": st.sampled_from(["IN", "out", "UP", ""]),
    "n": st.one_of(
        st.integers(-5, 100_000).map(lambda n: f"{n:,}"),
        st.sampled_from(["", "3x", "1.5", " 7 "]),
    ),
}
_rows = st.lists(st.fixed_dictionaries(_cells), max_size=30)


class TestEveryRowEndsSomewhere:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=_rows)
    def test_counts_add_up(self, rows: list[dict[str, str]]) -> None:
        """accepted + duplicates + skipped + rejected equals the data rows, each row once."""
        registry = _registry()
        mf = parse_mapping(BY_DIRECTION, "m.yaml")
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "rows.csv"
            with p.open("w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["date", "dir", "n"])
                w.writerows([[r["date"], r["dir"], r["n"]] for r in rows])
            plan = plan_import(p, mf, registry)
        nonempty = [r for r in rows if any(v.strip() for v in r.values())]
        ended = (
            [x.row for x in plan.accepted]
            + [x.row for x in plan.duplicates]
            + [x.row for x in plan.skipped]
            + [x.row for x in plan.rejected]
        )
        assert plan.rows == len(nonempty)
        assert sorted(ended) == sorted(set(ended))  # no row twice: each is selected at most once
        assert len(ended) == plan.rows
        assert not plan.duplicates  # rows differ in row number, so never duplicates
        assert all(r.error for r in plan.rejected)

    @settings(max_examples=30, deadline=None)
    @given(rows=_rows)
    def test_replanning_is_stable(self, rows: list[dict[str, str]]) -> None:
        """Planning the same rows twice gives the same ids and the same rejections."""
        mf = parse_mapping(BY_DIRECTION, "m.yaml")
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "rows.csv"
            with p.open("w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["date", "dir", "n"])
                w.writerows([[r["date"], r["dir"], r["n"]] for r in rows])
            a, b = plan_import(p, mf), plan_import(p, mf)
        assert [o.id for o in a.observations] == [o.id for o in b.observations]
        assert [r.message for r in a.rejected] == [r.message for r in b.rejected]


def _registry() -> Registry:
    from corridor.model import Checkpoint, Organisation

    return Registry.of(
        [Organisation(id="ngo-x", name="NGO X", kind="monitor")],
        checkpoints=[Checkpoint(id="north-gate", name="North Gate", place="p", route="r")],
    )
