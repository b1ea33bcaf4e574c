"""One row through one mapping: selection, skipping, and the observation or the reason why not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from corridor.ingest import MappingFile
from corridor.ingest.rows import (
    Provenance,
    RowRejected,
    build_observation,
    selects,
    skip_reason,
)
from corridor.model import Observation, Registry

MakeMapping = Callable[..., MappingFile]

VEHICLES = """\
mappings:
  - type: crossing
    reporter: ngo-x
    source: {title: Gate log}
    constants: {checkpoint: north-gate, category: vehicles, count: 1}
    columns:
      observed: {column: [date, time], tz: "+03:00"}
      direction: {column: dir, map: {IN: inbound, OUT: outbound}}
      vehicle: plate
      driver_name: driver
      tonnes: {column: load, number: {unit: t}, default: 0}
      outcome: {column: result, map: {turned back: turned_back, "-": null}, default: passed}
      caveats: {column: caveats, split: ";"}
"""

ROW: dict[str, Any] = {
    "date": "2023-07-01",
    "time": "08:15",
    "dir": "IN",
    "plate": "NX-1",
    "driver": "Driver A",
    "load": "18 t",
    "result": "turned back",
    "caveats": "time approximate; plate partly read",
}

PROV = Provenance("gate.csv", None, 7)


def _cols(mf: MappingFile) -> dict[str, str]:
    return {c: c for c, _ in mf.mappings[0].referenced_columns()}


def _build(mf: MappingFile, row: dict[str, Any], registry: Registry | None = None) -> Observation:
    return build_observation(mf.mappings[0], row, _cols(mf), PROV, registry)


def _reason(mf: MappingFile, row: dict[str, Any], registry: Registry | None = None) -> str:
    with pytest.raises(RowRejected) as info:
        _build(mf, row, registry)
    return str(info.value)


class TestBuildObservation:
    def test_a_full_row(self, make_mapping: MakeMapping) -> None:
        """Every column lands in its field, translated and parsed."""
        obs = _build(make_mapping(VEHICLES), ROW)
        b = obs.body
        assert obs.start == datetime(2023, 7, 1, 8, 15, tzinfo=timezone(timedelta(hours=3)))
        assert obs.end is None
        assert (b.direction, b.tonnes, b.outcome, b.vehicle) == (
            "inbound",
            18,
            "turned_back",
            "NX-1",
        )
        assert obs.caveats == ("time approximate", "plate partly read")

    def test_source_names_file_and_row(self, make_mapping: MakeMapping) -> None:
        """The observation's source is the mapping's, plus the file and row."""
        (src,) = _build(make_mapping(VEHICLES), ROW).sources
        assert (src.title, src.file, src.sheet, src.row) == ("Gate log", "gate.csv", None, 7)

    def test_sheet_in_source(self, make_mapping: MakeMapping) -> None:
        """Rows of a workbook name their sheet."""
        mf = make_mapping(VEHICLES)
        obs = build_observation(mf.mappings[0], ROW, _cols(mf), Provenance("g.xlsx", "Log", 3))
        assert obs.sources[0].sheet == "Log"

    def test_personal_field_kept_out_of_content(self, make_mapping: MakeMapping) -> None:
        """The driver's name is in the body but not in the public content or the id."""
        obs = _build(make_mapping(VEHICLES), ROW)
        assert obs.personal() == {"driver_name": "Driver A"}
        assert "driver_name" not in obs.content()["body"]
        other = _build(make_mapping(VEHICLES), {**ROW, "driver": "Someone Else"})
        assert other.id == obs.id

    def test_map_ignores_case(self, make_mapping: MakeMapping) -> None:
        """A value map matches exactly first, then ignoring case."""
        assert _build(make_mapping(VEHICLES), {**ROW, "dir": "out"}).body.direction == "outbound"

    def test_unmapped_value_passes_to_validation(self, make_mapping: MakeMapping) -> None:
        """A value the map does not know is checked as it is, and the reason names the column."""
        reason = _reason(make_mapping(VEHICLES), {**ROW, "dir": "SIDEWAYS"})
        assert reason == (
            "body.direction (column dir): 'SIDEWAYS' is not one of 'inbound' or 'outbound'"
        )

    def test_map_to_null_uses_default(self, make_mapping: MakeMapping) -> None:
        """A value mapped to null counts as empty, so the default applies."""
        assert _build(make_mapping(VEHICLES), {**ROW, "result": "-"}).body.outcome == "passed"

    def test_default_for_empty_cell(self, make_mapping: MakeMapping) -> None:
        """An empty cell takes the column's default."""
        assert _build(make_mapping(VEHICLES), {**ROW, "load": " "}).body.tonnes == 0

    def test_empty_optional_cell_is_omitted(self, make_mapping: MakeMapping) -> None:
        """An empty cell without default leaves the field out."""
        assert _build(make_mapping(VEHICLES), {**ROW, "plate": None}).body.vehicle is None

    def test_empty_required_cell(self, make_mapping: MakeMapping) -> None:
        """An empty cell for a required field says the cell is empty."""
        reason = _reason(make_mapping(VEHICLES), {**ROW, "dir": ""})
        assert reason == "body.direction (column dir): required, but the cell is empty"

    def test_one_of_joined_columns_empty(self, make_mapping: MakeMapping) -> None:
        """When columns are read together, an empty one is named."""
        reason = _reason(make_mapping(VEHICLES), {**ROW, "time": ""})
        assert reason == "column time is empty (columns date + time are read together)"

    def test_bad_number_names_column(self, make_mapping: MakeMapping) -> None:
        """A value that is no number names its column and quotes it."""
        assert _reason(make_mapping(VEHICLES), {**ROW, "load": "twenty"}) == (
            "column load: 'twenty' is not a number"
        )

    def test_model_error_names_field_and_column(self, simple_mapping: MappingFile) -> None:
        """A value the model refuses names the field and the column it came from."""
        row = {"date": "2023-07-01", "trucks_in": "-3"}
        assert _reason(simple_mapping, row) == (
            "body.count (column trucks_in): Input should be greater than or equal to 0"
        )

    def test_period_day(self, simple_mapping: MappingFile) -> None:
        """period: day makes the observation cover the whole day."""
        obs = _build(simple_mapping, {"date": "2023-07-01", "trucks_in": "30,000"})
        assert obs.observed.start == datetime(2023, 7, 1, tzinfo=UTC)
        assert obs.observed.end == datetime(2023, 7, 2, tzinfo=UTC)
        assert obs.body.count == 30000

    def test_naive_time_rejected_without_tz(self, make_mapping: MakeMapping) -> None:
        """A time column without tz rejects times that carry no offset, and keeps those that do."""
        text = VEHICLES.replace('observed: {column: [date, time], tz: "+03:00"}', "observed: when")
        mf = make_mapping(text)
        row = {**ROW, "when": "2023-07-01T08:15"}
        assert "has no UTC offset; set tz in the mapping" in _reason(mf, row)
        ok = _build(mf, {**ROW, "when": "2023-07-01T08:15+04:00"})
        assert ok.start.utcoffset() == timedelta(hours=4)

    def test_observed_end_column(self, make_mapping: MakeMapping) -> None:
        """An end column makes a period; an end before the start is refused."""
        text = VEHICLES.replace(
            'observed: {column: [date, time], tz: "+03:00"}',
            "observed: {column: from, tz: UTC}\n      observed_end: {column: to, tz: UTC}",
        )
        mf = make_mapping(text)
        obs = _build(mf, {**ROW, "from": "2023-07-01", "to": "2023-07-03"})
        assert obs.observed.duration == timedelta(days=2)
        reason = _reason(mf, {**ROW, "from": "2023-07-03", "to": "2023-07-01"})
        assert "end must be after start" in reason and "observed" in reason

    def test_unknown_reference_from_mapping(
        self, make_mapping: MakeMapping, registry: Registry
    ) -> None:
        """A checkpoint the record does not know, set in the mapping, says so."""
        mf = make_mapping(VEHICLES.replace("checkpoint: north-gate", "checkpoint: east-gate"))
        assert _reason(mf, ROW, registry) == (
            "body.checkpoint (set in the mapping): unknown checkpoint 'east-gate'"
        )

    def test_unknown_reporter(self, make_mapping: MakeMapping, registry: Registry) -> None:
        """An unknown reporter is refused per row, not fatally."""
        mf = make_mapping(VEHICLES.replace("reporter: ngo-x", "reporter: ngo-y"))
        assert "reporter (set in the mapping): unknown organisation 'ngo-y'" in _reason(
            mf, ROW, registry
        )

    def test_known_references_pass(self, make_mapping: MakeMapping, registry: Registry) -> None:
        """References that exist pass the registry check."""
        assert _build(make_mapping(VEHICLES), ROW, registry).body.checkpoint == "north-gate"


class TestSelectAndSkip:
    def test_where_selects(self, make_mapping: MakeMapping) -> None:
        """where holds when every column has one of its values, ignoring case."""
        mf = make_mapping(VEHICLES + "    where: {dir: [in, inbound]}\n")
        m = mf.mappings[0]
        cols = {**_cols(mf), "dir": "dir"}
        assert selects(m, {"dir": "IN"}, cols) and not selects(m, {"dir": "OUT"}, cols)

    def test_skip_if_empty(self, simple_mapping: MappingFile) -> None:
        """A row with an empty skip_if_empty column is skipped, saying which."""
        m = simple_mapping.mappings[0]
        cols = {"trucks_in": "trucks_in", "date": "date"}
        assert skip_reason(m, 2, {"trucks_in": ""}, cols) == (
            "column trucks_in is empty (skip_if_empty)"
        )
        assert skip_reason(m, 2, {"trucks_in": "0"}, cols) is None

    def test_skip_if_and_skip_rows(self, make_mapping: MakeMapping) -> None:
        """skip_if matches a value; skip_rows lists row numbers."""
        mf = make_mapping(VEHICLES + "    skip_if: {plate: TOTAL}\n    skip_rows: [9]\n")
        m = mf.mappings[0]
        cols = _cols(mf)
        assert skip_reason(m, 3, {"plate": "total"}, cols) == "column plate is 'total' (skip_if)"
        assert skip_reason(m, 9, {"plate": "NX"}, cols) == "listed in skip_rows"
        assert skip_reason(m, 3, {"plate": "NX"}, cols) is None


class TestRowEdges:
    def _zoned(self, make_mapping: MakeMapping, tz: str, period: str) -> MappingFile:
        return make_mapping(
            VEHICLES.replace(
                'observed: {column: [date, time], tz: "+03:00"}',
                f'observed: {{column: when, format: "%Y-%m-%d %H:%M", tz: {tz}, period: {period}}}',
            )
        )

    def test_day_start_that_does_not_exist_rejects_the_row(self, make_mapping: MakeMapping) -> None:
        """period: day on a Beirut day whose midnight was skipped rejects that row, naming the
        column (a RowRejected, which the importer quarantines), instead of escaping."""
        mf = self._zoned(make_mapping, "Asia/Beirut", "day")
        reason = _reason(mf, {**ROW, "when": "2024-03-31 10:00"})
        assert reason.startswith("column when: the day starting 2024-03-31 00:00")
        assert "does not exist in Asia/Beirut" in reason

    def test_hour_in_a_gap_rejects_the_row(self, make_mapping: MakeMapping) -> None:
        """period: hour with a local hour that never existed rejects that row."""
        mf = self._zoned(make_mapping, "Asia/Gaza", "hour")
        assert "does not exist in Asia/Gaza" in _reason(mf, {**ROW, "when": "2024-04-20 02:30"})

    def test_last_day_with_a_zone_rejects_the_row(self, make_mapping: MakeMapping) -> None:
        """9999-12-31 as a day in a zone is refused for the row, not an OverflowError."""
        mf = self._zoned(make_mapping, "Asia/Gaza", "day")
        assert "out of range" in _reason(mf, {**ROW, "when": "9999-12-31 00:00"})

    def test_huge_count_names_the_column(self, simple_mapping: MappingFile) -> None:
        """A count of 2**53 + 1 is refused naming body.count and its column."""
        reason = _reason(simple_mapping, {"date": "2023-07-01", "trucks_in": "9007199254740993"})
        assert reason.startswith("body.count (column trucks_in): Input should be less than")

    def test_control_character_names_the_column(self, make_mapping: MakeMapping) -> None:
        """An escape sequence in a plate number is refused naming body.vehicle and its column."""
        reason = _reason(make_mapping(VEHICLES), {**ROW, "plate": "NX\x1b[2J"})
        assert reason.startswith("body.vehicle (column plate): contains the control character")
