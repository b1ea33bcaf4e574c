"""The mapping file: loading, checks against the model, and errors at FILE:LINE:COLUMN."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pytest

from corridor.errors import InputError, MappingError
from corridor.ingest import MappingFile, load_mapping, parse_mapping

BASE = """\
mappings:
  - type: crossing
    reporter: ngo-x
    source: {title: Daily truck counts, url: https://example.org/counts}
    constants: {checkpoint: north-gate, direction: inbound, category: vehicles}
    skip_if_empty: [trucks_in]
    columns:
      observed: {column: date, format: "%Y-%m-%d", tz: UTC, period: day}
      count: {column: trucks_in}
"""

MakeMapping = Callable[..., MappingFile]


def _error(text: str) -> MappingError:
    with pytest.raises(MappingError) as info:
        parse_mapping(text, "m.yaml")
    return info.value


class TestLoadMapping:
    def test_simplest_mapping_loads(self, simple_mapping: MappingFile) -> None:
        """The mapping from the issue loads, named after its type."""
        (m,) = simple_mapping.mappings
        assert m.label == "crossing"
        assert m.fixed["checkpoint"] == "north-gate"
        assert m.fixed["reporter"] == "ngo-x"
        assert m.fixed["source.title"] == "Daily truck counts"
        assert m.columns["observed"].period == "day"
        assert m.skip_if_empty == ("trucks_in",)

    def test_mapping_error_is_input_error(self) -> None:
        """A bad mapping is an InputError (exit 1 on the command line)."""
        assert isinstance(_error("mappings: []\n"), InputError)

    def test_column_shorthand(self, make_mapping: MakeMapping) -> None:
        """`field: column` is short for `field: {column: column}`."""
        mf = make_mapping(BASE.replace("count: {column: trucks_in}", "count: trucks_in"))
        assert mf.mappings[0].columns["count"].column == ("trucks_in",)

    def test_several_columns(self, make_mapping: MakeMapping) -> None:
        """A list of columns is read as one value."""
        text = BASE.replace(
            'observed: {column: date, format: "%Y-%m-%d", tz: UTC, period: day}',
            "observed: {column: [date, time], tz: UTC}",
        )
        assert make_mapping(text).mappings[0].columns["observed"].column == ("date", "time")

    def test_names_default_to_type_and_number(self, make_mapping: MakeMapping) -> None:
        """Unnamed mappings of one type are named crossing-1, crossing-2."""
        body = BASE.split("\n", 1)[1]
        mf = make_mapping("mappings:\n" + body + body)
        assert [m.label for m in mf.mappings] == ["crossing-1", "crossing-2"]

    def test_duplicate_names_are_an_error(self) -> None:
        """Two mappings with one name cannot be told apart in the quarantine."""
        body = BASE.split("\n", 1)[1].replace(
            "  - type: crossing", "  - name: a\n    type: crossing"
        )
        err = _error("mappings:\n" + body + body)
        assert "another mapping is named 'a'" in str(err)

    def test_envelope_and_source_fields(self, make_mapping: MakeMapping) -> None:
        """Envelope fields and source fields may be mapped from columns."""
        text = BASE.replace(
            "count: {column: trucks_in}",
            "count: {column: trucks_in}\n"
            "      note: remarks\n"
            "      caveats: {column: caveats, split: ';'}\n"
            "      source.claim_of: party\n"
            "      reported_at: {column: reported, tz: UTC}",
        )
        assert set(make_mapping(text).mappings[0].columns) >= {"note", "caveats", "source.claim_of"}

    def test_yaml_no_and_numbers_stay_text(self, make_mapping: MakeMapping) -> None:
        """'no', 'NO' and '+4:00' are text, not booleans or sexagesimal numbers."""
        text = BASE.replace(
            "count: {column: trucks_in}",
            "count: {column: trucks_in}\n"
            "      direction: {column: dir, map: {no: inbound, NO: outbound, 1: inbound}}",
        ).replace("direction: inbound, ", "")
        text = text.replace("tz: UTC", "tz: +4:00")
        m = make_mapping(text).mappings[0]
        assert m.columns["direction"].map == {"no": "inbound", "NO": "outbound", "1": "inbound"}
        assert m.columns["observed"].tz == "+4:00"

    def test_skip_rows_ranges(self, make_mapping: MakeMapping) -> None:
        """skip_rows takes numbers and ranges such as '5-7'."""
        mf = make_mapping(BASE + "    skip_rows: [2, 5-7]\n")
        assert mf.mappings[0].skip_rows == (2, 5, 6, 7)

    def test_conditions_are_texts(self, make_mapping: MakeMapping) -> None:
        """where and skip_if take one value or a list, as text."""
        mf = make_mapping(BASE + "    where: {direction: [IN, in]}\n    skip_if: {status: 0}\n")
        m = mf.mappings[0]
        assert m.where == {"direction": ("IN", "in")} and m.skip_if == {"status": ("0",)}

    def test_constant_times_are_read(self, make_mapping: MakeMapping) -> None:
        """A constant time with an offset is read once, at load."""
        text = BASE.replace(
            "category: vehicles}", "category: vehicles, reported_at: 2023-07-02T10:00:00Z}"
        )
        mf = make_mapping(text)
        assert mf.mappings[0].fixed["reported_at"].tzinfo is not None
        assert mf.mappings[0].fixed["reported_at"].utcoffset() == UTC.utcoffset(None)

    def test_csv_options(self, make_mapping: MakeMapping) -> None:
        """encoding and delimiter apply to the whole file."""
        mf = make_mapping("encoding: cp1252\ndelimiter: ';'\n" + BASE)
        assert (mf.encoding, mf.delimiter) == ("cp1252", ";")

    def test_load_from_file(self, tmp_path: Path) -> None:
        """load_mapping names the file in positions."""
        p = tmp_path / "counts.map.yaml"
        p.write_text(BASE.replace("count:", "cont:"), encoding="utf-8")
        with pytest.raises(MappingError, match=r"^counts\.map\.yaml:9:7: "):
            load_mapping(p)

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing mapping file is a MappingError naming it."""
        with pytest.raises(MappingError, match="no such mapping file"):
            load_mapping(tmp_path / "nope.yaml")


class TestMappingErrors:
    def test_unknown_field_with_position_and_suggestion(self) -> None:
        """A field the body does not have is named at its line, with the likely intended one."""
        err = _error(BASE.replace("count: {column", "cont: {column"))
        assert err.where == "m.yaml:9:7"
        assert "'cont' is not a field of a crossing observation; did you mean 'count'?" in str(err)

    def test_unknown_key(self) -> None:
        """A misspelt option is named with a suggestion."""
        err = _error(BASE.replace("period: day", "perod: day"))
        assert "columns.observed.perod: unknown key 'perod'; did you mean 'period'?" in str(err)
        assert err.where == "m.yaml:8:61"

    def test_unknown_type(self) -> None:
        """An unknown observation type lists the known ones."""
        err = _error(BASE.replace("type: crossing", "type: crosing"))
        assert "unknown observation type 'crosing'; expected one of crossing" in str(err)

    def test_required_body_field(self) -> None:
        """A body field every observation needs must be mapped or constant."""
        err = _error(BASE.replace("direction: inbound, ", ""))
        assert "a crossing needs 'direction'" in str(err)

    def test_naive_format_needs_tz(self) -> None:
        """A format that reads times without offset needs tz: timestamps carry an offset."""
        err = _error(BASE.replace(" tz: UTC,", ""))
        assert "reads times without a UTC offset; add tz" in str(err)
        assert "columns.observed.format" in str(err)

    def test_format_with_offset_needs_no_tz(self, make_mapping: MakeMapping) -> None:
        """A format with %z reads the offset from the value."""
        make_mapping(BASE.replace('"%Y-%m-%d", tz: UTC', '"%Y-%m-%d %z"'))

    def test_unknown_zone(self) -> None:
        """An unknown time zone is named."""
        assert "unknown time zone 'Mars/Base'" in str(_error(BASE.replace("UTC", "Mars/Base")))

    def test_bad_period(self) -> None:
        """period is hour, day or week."""
        assert "'hour', 'day' or 'week'" in str(
            _error(BASE.replace("period: day", "period: month"))
        )

    def test_period_only_on_observed(self) -> None:
        """period applies to observed only."""
        err = _error(BASE.replace("{column: trucks_in}", "{column: trucks_in, period: day}"))
        assert "period applies to 'observed' only" in str(err)

    @pytest.mark.parametrize(
        ("option", "message"),
        [
            ("tz: UTC", "tz applies to time fields only"),
            ("number: {decimal: ','}", "count is not a number field".replace("count", "commodity")),
            ("split: ';'", "commodity is not a list field"),
        ],
    )
    def test_options_fit_the_field(self, option: str, message: str) -> None:
        """Column options must suit the field's kind."""
        text = BASE.replace(
            "count: {column: trucks_in}",
            f"count: {{column: trucks_in}}\n      commodity: {{column: what, {option}}}",
        )
        assert message in str(_error(text))

    def test_period_and_observed_end(self) -> None:
        """A period and an end column contradict each other."""
        text = BASE.replace(
            "count: {column", "observed_end: {column: e, tz: UTC}\n      count: {column"
        )
        assert "either period or observed_end" in str(_error(text))

    def test_same_separators(self) -> None:
        """Thousands and decimal separators must differ."""
        text = BASE.replace("{column: trucks_in}", "{column: trucks_in, number: {thousands: '.'}}")
        assert "must differ" in str(_error(text))

    def test_structured_field_from_column(self) -> None:
        """Convoy cargo cannot come from one cell."""
        text = """\
mappings:
  - type: convoy
    reporter: ngo-x
    source: {title: T}
    constants: {state: planned}
    columns:
      observed: {column: date, tz: UTC}
      convoy: id
      cargo: goods
"""
        assert "cargo holds structured values; set it in constants" in str(_error(text))

    def test_field_given_twice(self) -> None:
        """A field fixed in constants cannot also come from a column."""
        err = _error(BASE.replace("category: vehicles}", "category: vehicles, count: 1}"))
        assert "count is also given as a fixed value at m.yaml:5:" in str(err)

    def test_bad_constant(self) -> None:
        """A constant that cannot be read is reported at its line."""
        text = BASE.replace("category: vehicles}", "category: vehicles, tonnes: lots}")
        err = _error(text)
        assert (
            "'lots' is not a number" in str(err) and err.where and err.where.startswith("m.yaml:5:")
        )

    def test_bad_default(self) -> None:
        """A default that cannot be read is reported at its line."""
        err = _error(BASE.replace("{column: trucks_in}", "{column: trucks_in, default: none}"))
        assert "columns.count.default: 'none' is not a number" in str(err)

    def test_importer_source_fields(self) -> None:
        """file, sheet and row of the source belong to the importer."""
        assert "importer fills file, sheet and row" in str(
            _error(BASE.replace("url: https://example.org/counts", "row: 3"))
        )
        err = _error(BASE.replace("count: {column", "source.file: f\n      count: {column"))
        assert "source.file is filled by the importer" in str(err)

    def test_observed_required(self) -> None:
        """Every mapping must say when."""
        text = BASE.replace(
            '      observed: {column: date, format: "%Y-%m-%d", tz: UTC, period: day}\n', ""
        )
        assert "say when" in str(_error(text))

    def test_reporter_required(self) -> None:
        """Every mapping must say who reports."""
        assert "say who reports" in str(_error(BASE.replace("    reporter: ngo-x\n", "")))

    def test_source_title_required(self) -> None:
        """Every mapping must name its source."""
        text = BASE.replace("source: {title: Daily truck counts, url:", "source: {url:")
        assert "name the source" in str(_error(text))

    def test_yaml_syntax_error_position(self) -> None:
        """Broken YAML is reported at its line and column."""
        err = _error(BASE.replace("{title: Daily truck counts,", "{title: Daily truck counts"))
        assert err.where is not None and err.where.startswith("m.yaml:")
        assert "not valid YAML" in str(err)

    def test_not_a_mapping_file(self) -> None:
        """A YAML list is not a mapping file."""
        assert "'mappings:' list" in str(_error("- a\n- b\n"))

    def test_unknown_encoding(self) -> None:
        """An unknown CSV encoding is refused at load."""
        assert "unknown encoding 'klingon'" in str(_error("encoding: klingon\n" + BASE))
