"""Cell values into numbers, times and text."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import CorridorError, InputError
from corridor.ingest.values import (
    PERIODS,
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



class TestTimeEdges:
    def test_gap_in_the_zone_is_refused(self) -> None:
        """A mapping's tz: Asia/Gaza cannot read 02:30 on 20 April 2024: it never existed."""
        with pytest.raises(InputError, match="does not exist in Asia/Gaza"):
            parse_time("2024-04-20 02:30", fmt="%Y-%m-%d %H:%M", tz="Asia/Gaza")

    def test_fold_in_the_zone_is_refused(self) -> None:
        """01:30 on 26 October 2024 in Gaza happened twice: refused."""
        with pytest.raises(InputError, match="happens twice"):
            parse_time(datetime(2024, 10, 26, 1, 30), tz="Asia/Gaza")

    def test_impossible_day_names_the_reason(self) -> None:
        """30 February read with a day format is refused, saying the day is out of range."""
        with pytest.raises(InputError, match="day is out of range for month"):
            parse_time("30/02/2024", fmt="%d/%m/%Y", tz="UTC")
        with pytest.raises(InputError, match="day is out of range for month"):
            parse_time("2024-02-30", tz="UTC")

    @pytest.mark.parametrize(
        ("value", "tz"),
        [("9999-12-31", "Asia/Gaza"), ("0001-01-01T00:00+01:00", None), ("1850-01-01", "UTC")],
    )
    def test_out_of_range_is_refused(self, value: str, tz: str | None) -> None:
        """Times outside 1900..2200 UTC are refused, never overflowed."""
        with pytest.raises(InputError, match="out of range"):
            parse_time(value, tz=tz)

    def test_aware_cell_out_of_range(self) -> None:
        """An aware datetime cell obeys the bounds too."""
        with pytest.raises(InputError, match="out of range"):
            parse_time(datetime(2500, 1, 1, tzinfo=UTC))

    def test_day_whose_midnight_does_not_exist(self) -> None:
        """A day in Beirut whose midnight was skipped (31 March 2024) cannot start a day period."""
        beirut = ZoneInfo("Asia/Beirut")
        with pytest.raises(InputError, match=r"day starting 2024-03-31 00:00: .*does not exist"):
            period_of(datetime(2024, 3, 31, 10, tzinfo=beirut), "day")

    def test_hour_that_happens_twice(self) -> None:
        """The hour 01:00 on 26 October 2024 in Gaza happened twice: no hour period."""
        with pytest.raises(InputError, match="the hour starting 2024-10-26 01:00"):
            period_of(datetime(2024, 10, 26, 1, 15, fold=1, tzinfo=GAZA), "hour")

    def test_day_ending_in_a_gap_ends_at_the_jump(self) -> None:
        """The day before Beirut skips midnight ends at the jump, written 01:00+03:00 (not as
        00:00+02:00, a wall time that never showed)."""
        beirut = ZoneInfo("Asia/Beirut")
        s, e = period_of(datetime(2024, 3, 30, 10, tzinfo=beirut), "day")
        assert e.isoformat() == "2024-03-31T01:00:00+03:00"
        assert e.astimezone(UTC) - s.astimezone(UTC) == timedelta(hours=24)

    def test_period_past_the_upper_bound(self) -> None:
        """A week starting on the last day allowed ends out of range: refused."""
        with pytest.raises(InputError, match="the week starting 2199-12-31 00:00"):
            period_of(datetime(2199, 12, 31, tzinfo=UTC), "week")


class TestNumberEdges:
    @pytest.mark.parametrize("bad", [float("inf"), Decimal("Infinity"), Decimal("NaN")])
    def test_non_finite_is_refused(self, bad: object) -> None:
        """Infinite and NaN cells are not numbers."""
        with pytest.raises(InputError):
            parse_number(bad)

    def test_huge_decimal_fraction_is_refused(self) -> None:
        """A fraction too large for a double is refused, not turned into infinity."""
        with pytest.raises(InputError, match="too large"):
            parse_number(Decimal("1" + "0" * 400 + ".5"))

    def test_very_long_text_is_refused(self) -> None:
        """Text of thousands of digits is not a figure anyone wrote."""
        with pytest.raises(InputError, match="more than 60 characters"):
            parse_number("9" * 5000)


GAZA = ZoneInfo("Asia/Gaza")
_FORMATS = st.sampled_from([None, "%Y-%m-%d", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M%z", "%j %Y"])
_TZS = st.sampled_from([None, "UTC", "Asia/Gaza", "Asia/Beirut", "+04:00"])
_CELLS = (
    st.text(max_size=40)
    | st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
    | st.dates()
    | st.floats()
    | st.integers()
    | st.decimals()
    | st.none()
)


class TestValueProperties:
    @settings(max_examples=300, deadline=None)
    @given(value=_CELLS, fmt=_FORMATS, tz=_TZS, period=st.sampled_from([None, *PERIODS]))
    def test_time_parser_raises_only_corridor_errors(
        self, value: object, fmt: str | None, tz: str | None, period: str | None
    ) -> None:
        """Any cell, format, zone and period gives a bounded instant or a CorridorError."""
        try:
            dt = parse_time(value, fmt=fmt, tz=tz)
            if period is not None:
                dt, end = period_of(dt, period)
                assert end > dt
        except CorridorError:
            return
        assert datetime(1900, 1, 1, tzinfo=UTC) <= dt <= datetime(2200, 1, 1, tzinfo=UTC)

    @settings(max_examples=300, deadline=None)
    @given(
        value=_CELLS,
        decimal=st.sampled_from([".", ","]),
        thousands=st.sampled_from([None, "", ",", ".", " "]),
    )
    def test_number_parser_raises_only_corridor_errors(
        self, value: object, decimal: str, thousands: str | None
    ) -> None:
        """Any cell gives a finite int or float, or a CorridorError."""
        try:
            n = parse_number(value, decimal=decimal, thousands=thousands, units=("t",))
        except CorridorError:
            return
        assert isinstance(n, int) or math.isfinite(n)


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
