"""Cell values into numbers, times and text."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.ingest.values import (
    cell_text,
    combine_cells,
    is_empty,
    parse_number,
    parse_time,
    period_of,
    split_text,
)


def _group(n: int, sep: str) -> str:
    s = f"{abs(n):,}".replace(",", sep)
    return ("-" if n < 0 else "") + s


class TestParseNumber:
    def test_thousand_separators(self) -> None:
        """'30,000' reads as thirty thousand."""
        assert parse_number("30,000") == 30000

    def test_plain_integer_is_int(self) -> None:
        """An integral number comes back as an int, not a float."""
        assert parse_number("12") == 12
        assert isinstance(parse_number("12.0"), int)

    def test_decimal_point(self) -> None:
        """'1,204.5' reads as 1204.5."""
        assert parse_number("1,204.5") == 1204.5

    def test_decimal_comma(self) -> None:
        """With a decimal comma, '1.234,5' reads as 1234.5 and '3,5' as 3.5."""
        assert parse_number("1.234,5", decimal=",") == 1234.5
        assert parse_number("3,5", decimal=",") == 3.5

    def test_spaces_group_digits(self) -> None:
        """Spaces, no-break and narrow no-break spaces may group digits."""
        assert parse_number("1 234") == 1234
        assert parse_number("1\u00a0234\u202f567") == 1234567

    def test_groups_must_have_three_digits(self) -> None:
        """'3,5' with a decimal point is not read as 35 by mistake."""
        with pytest.raises(ValueError, match="'3,5' is not a number"):
            parse_number("3,5")

    def test_no_grouping_allowed(self) -> None:
        """thousands '' refuses grouped numbers."""
        with pytest.raises(ValueError):
            parse_number("1,000", thousands="")

    def test_units_are_dropped(self) -> None:
        """A unit suffix such as '12 t' or '2.5tonnes' is dropped, ignoring case."""
        assert parse_number("12 t", units=["t", "tonnes"]) == 12
        assert parse_number("2.5Tonnes", units=["t", "tonnes"]) == 2.5

    def test_unknown_unit_is_an_error(self) -> None:
        """A suffix that is not a declared unit makes the value no number."""
        with pytest.raises(ValueError, match="'12 kg' is not a number"):
            parse_number("12 kg", units=["t"])

    def test_signs(self) -> None:
        """Plus, minus and the Unicode minus sign are read."""
        assert parse_number("+7") == 7
        assert parse_number("-3") == -3
        assert parse_number("\u22124") == -4

    def test_numeric_cells_pass_through(self) -> None:
        """Numbers from a spreadsheet cell are kept; integral floats become ints."""
        assert parse_number(5) == 5
        assert parse_number(5.0) == 5 and isinstance(parse_number(5.0), int)
        assert parse_number(2.25) == 2.25
        assert parse_number(Decimal("3.5")) == 3.5

    @pytest.mark.parametrize("bad", ["3x", "", "1,2,3", "--1", "1.2.3", "abc"])
    def test_not_a_number(self, bad: str) -> None:
        """Text that is no number is an error quoting the text."""
        with pytest.raises(ValueError, match="is not a number"):
            parse_number(bad)

    @pytest.mark.parametrize("bad", [True, float("nan"), float("inf"), date(2023, 1, 1)])
    def test_non_numbers(self, bad: object) -> None:
        """Booleans, NaN, infinity and dates are not numbers."""
        with pytest.raises(ValueError):
            parse_number(bad)

    @given(st.integers(-(10**15), 10**15), st.sampled_from([",", " ", "\u00a0", ""]))
    def test_grouped_integers_round_trip(self, n: int, sep: str) -> None:
        """Any integer written with digit groups reads back as itself."""
        text = _group(n, sep) if sep else str(n)
        assert parse_number(text) == n

    @given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
    def test_decimal_comma_round_trip(self, d: Decimal) -> None:
        """Any decimal written the continental way ('1.234,56') reads back as itself."""
        whole, _, frac = f"{abs(d):.2f}".partition(".")
        text = ("-" if d < 0 else "") + _group(int(whole), ".") + "," + frac
        assert parse_number(text, decimal=",") == pytest.approx(float(d))


class TestParseTime:
    def test_format_and_zone(self) -> None:
        """A naive time read with a format takes the column's zone."""
        dt = parse_time("2023-07-01 08:15", fmt="%Y-%m-%d %H:%M", tz="+04:00")
        assert dt == datetime(2023, 7, 1, 8, 15, tzinfo=timezone(timedelta(hours=4)))

    def test_iana_zone(self) -> None:
        """An IANA zone gives the offset in force at that time."""
        dt = parse_time("2023-07-01T08:00", tz="Europe/Berlin")
        assert dt.utcoffset() == timedelta(hours=2)

    def test_naive_time_without_zone_is_an_error(self) -> None:
        """A time without offset and without tz is refused, saying how to fix it."""
        with pytest.raises(ValueError, match="has no UTC offset; set tz in the mapping"):
            parse_time("2023-07-01 08:15")

    def test_offset_in_value_wins(self) -> None:
        """A value that carries its offset keeps it, whatever the column's tz."""
        dt = parse_time("2023-07-01T08:15:00+03:00", tz="UTC")
        assert dt.utcoffset() == timedelta(hours=3)

    def test_spreadsheet_datetime_cell(self) -> None:
        """A datetime cell takes the zone; a date cell means midnight."""
        assert parse_time(datetime(2023, 7, 1, 9), tz="UTC") == datetime(2023, 7, 1, 9, tzinfo=UTC)
        assert parse_time(date(2023, 7, 1), tz="UTC") == datetime(2023, 7, 1, tzinfo=UTC)

    def test_time_of_day_alone_is_an_error(self) -> None:
        """A time cell without a date says so."""
        with pytest.raises(ValueError, match="time of day without a date"):
            parse_time(time(8, 15), tz="UTC")

    def test_number_is_not_a_date(self) -> None:
        """A number (an unformatted Excel date) is refused with a hint."""
        with pytest.raises(ValueError, match="format the cells as dates"):
            parse_time(45108, tz="UTC")

    def test_format_mismatch(self) -> None:
        """Text that fits neither the format nor ISO 8601 names the format."""
        with pytest.raises(ValueError, match="does not match the format '%d/%m/%Y'"):
            parse_time("July 1st", fmt="%d/%m/%Y", tz="UTC")

    def test_iso_fallback(self) -> None:
        """ISO 8601 text is read even where a format is given (corrected quarantine rows)."""
        assert parse_time("2023-07-01", fmt="%d/%m/%Y", tz="UTC").day == 1

    def test_not_iso(self) -> None:
        """Without a format, text must be ISO 8601."""
        with pytest.raises(ValueError, match="not an ISO 8601"):
            parse_time("01/07/2023", tz="UTC")


class TestPeriodOf:
    def test_day(self) -> None:
        """A day period starts at local midnight and lasts to the next."""
        s, e = period_of(datetime(2023, 7, 1, 14, 30, tzinfo=UTC), "day")
        assert (s, e) == (
            datetime(2023, 7, 1, tzinfo=UTC),
            datetime(2023, 7, 2, tzinfo=UTC),
        )

    def test_hour(self) -> None:
        """An hour period starts at the top of the hour."""
        s, e = period_of(datetime(2023, 7, 1, 14, 30, tzinfo=UTC), "hour")
        assert s.minute == 0 and e - s == timedelta(hours=1)

    def test_week(self) -> None:
        """A week starts at midnight of the given day and lasts seven days."""
        s, e = period_of(datetime(2023, 7, 5, 10, tzinfo=UTC), "week")
        assert s.day == 5 and s.hour == 0 and e - s == timedelta(days=7)

    def test_day_with_clock_change(self) -> None:
        """A calendar day in a zone with a clock change ends at the next local midnight."""
        berlin = ZoneInfo("Europe/Berlin")
        s, e = period_of(datetime(2023, 3, 26, 12, tzinfo=berlin), "day")
        assert e.isoformat() == "2023-03-27T00:00:00+02:00"
        assert e.astimezone(UTC) - s.astimezone(UTC) == timedelta(hours=23)


class TestCells:
    def test_is_empty(self) -> None:
        """None and blank text are empty; zero is not."""
        assert is_empty(None) and is_empty("  ") and not is_empty(0)

    def test_cell_text(self) -> None:
        """Cells read as the text a user sees."""
        assert cell_text(30000.0) == "30000"
        assert cell_text(" IN ") == "IN"
        assert cell_text(datetime(2023, 7, 1, 8, 15)) == "2023-07-01 08:15:00"
        assert cell_text(True) == "true"

    def test_date_and_time_cells_combine(self) -> None:
        """A date cell and a time cell make one datetime."""
        assert combine_cells([date(2023, 7, 1), time(8, 15)]) == datetime(2023, 7, 1, 8, 15)

    def test_text_cells_join(self) -> None:
        """Other cells are joined as text with a space."""
        assert combine_cells(["2023-07-01", "08:15"]) == "2023-07-01 08:15"

    def test_split(self) -> None:
        """A list cell is split at the separator, items trimmed and empties dropped."""
        assert split_text("ICRC; UN ;;", ";") == ["ICRC", "UN"]
        assert split_text("ICRC", None) == ["ICRC"]
