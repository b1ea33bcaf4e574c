"""Instants: offsets, zones, local times that do not exist or exist twice, and the bounds."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import CorridorError, InputError
from corridor.model.timefmt import (
    EARLIEST,
    LATEST,
    check_instant,
    localize,
    parse_instant,
    resolve_tz,
)

GAZA = ZoneInfo("Asia/Gaza")


class TestLocalTimes:
    def test_spring_forward_gap_is_refused(self) -> None:
        """02:30 on 20 April 2024 never showed on a clock in Gaza: refused, naming the jump."""
        with pytest.raises(InputError) as exc:
            parse_instant("2024-04-20T02:30", "Asia/Gaza", what="observed")
        msg = str(exc.value)
        assert msg.startswith("observed: 2024-04-20 02:30 does not exist in Asia/Gaza")
        assert "+02:00 to +03:00" in msg

    def test_fall_back_fold_is_refused(self) -> None:
        """01:30 on 26 October 2024 happened twice in Gaza: refused, offering both offsets."""
        with pytest.raises(InputError) as exc:
            parse_instant("2024-10-26T01:30", "Asia/Gaza")
        assert "happens twice in Asia/Gaza" in str(exc.value)
        assert "+03:00 for the first, +02:00 for the second" in str(exc.value)

    def test_an_offset_settles_it(self) -> None:
        """With its UTC offset the same wall time is accepted: the offset names the instant."""
        dt = parse_instant("2024-10-26T01:30+02:00", "Asia/Gaza")
        assert dt.utcoffset() == timedelta(hours=2)

    def test_ordinary_local_time_keeps_its_zone(self) -> None:
        """A local time that exists once takes the zone's offset, as before."""
        dt = parse_instant("2024-04-20T03:30", "Asia/Gaza")
        assert dt.tzinfo is GAZA and dt.utcoffset() == timedelta(hours=3)

    def test_missing_midnight_of_a_bare_date(self) -> None:
        """A bare date whose midnight was skipped (Beirut, 31 March 2024) is refused."""
        with pytest.raises(InputError, match="does not exist in Asia/Beirut"):
            parse_instant("2024-03-31", "Asia/Beirut")

    def test_localize_of_a_fixed_offset_never_refuses(self) -> None:
        """A fixed offset has no gaps or folds."""
        tz = timezone(timedelta(hours=4))
        assert localize(datetime(2024, 3, 31, 0, 0), tz).tzinfo is tz


class TestBounds:
    def test_utc_year_zero_is_refused(self) -> None:
        """Year 1 at +01:00 is year 0 in UTC: refused with a clear message, no OverflowError."""
        with pytest.raises(InputError, match="out of range"):
            parse_instant("0001-01-01T00:00+01:00")

    def test_year_one_utc_is_refused(self) -> None:
        """0001-01-01T00:00Z (the `status --at` of the issue) is out of range."""
        with pytest.raises(InputError, match="between 1900-01-01 and 2200-01-01"):
            parse_instant("0001-01-01T00:00Z", what="--at")

    def test_last_day_with_a_zone_is_refused(self) -> None:
        """9999-12-31 in Asia/Gaza is refused, not overflowed."""
        with pytest.raises(InputError, match="out of range"):
            parse_instant("9999-12-31", "Asia/Gaza")

    def test_bounds_are_inclusive(self) -> None:
        """EARLIEST and LATEST themselves are accepted; a microsecond beyond is not."""
        assert check_instant(EARLIEST) == EARLIEST
        assert check_instant(LATEST) == LATEST
        for bad in (EARLIEST - timedelta(microseconds=1), LATEST + timedelta(microseconds=1)):
            with pytest.raises(InputError):
                check_instant(bad)

    def test_bounds_are_in_utc(self) -> None:
        """1900-01-01T00:30 at +01:00 is 1899 in UTC: refused."""
        with pytest.raises(InputError):
            parse_instant("1900-01-01T00:30+01:00")

    def test_date_and_datetime_values(self) -> None:
        """date and datetime objects obey the same rules as text."""
        assert parse_instant(date(2024, 1, 5), "UTC") == datetime(2024, 1, 5, tzinfo=UTC)
        with pytest.raises(InputError):
            parse_instant(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))))


class TestResolveTz:
    @pytest.mark.parametrize("name", ["Mars/Olympus", "+25:00", "+04:60", "+04", "", "../etc"])
    def test_unknown_zone_is_an_input_error(self, name: str) -> None:
        """A zone name that is not an IANA zone, UTC or +HH:MM is an InputError."""
        with pytest.raises(InputError):
            resolve_tz(name)

    def test_offsets_and_names(self) -> None:
        """+04:00, UTC and an IANA name resolve."""
        assert resolve_tz("+04:00") == timezone(timedelta(hours=4))
        assert resolve_tz("utc") is UTC
        assert resolve_tz("Asia/Baku") == ZoneInfo("Asia/Baku")

    def test_not_a_string(self) -> None:
        """A non-string zone (a YAML number) is an InputError, not a TypeError."""
        with pytest.raises(InputError):
            resolve_tz(4)  # type: ignore[arg-type]


class TestErrors:
    def test_bad_text_is_an_input_error(self) -> None:
        """Unparseable text raises InputError, which is also a ValueError."""
        with pytest.raises(InputError) as exc:
            parse_instant("yesterday", "UTC")
        assert isinstance(exc.value, ValueError)


_ZONES = st.sampled_from(["UTC", "Asia/Gaza", "Asia/Beirut", "Europe/London", "+04:00", None])


class TestProperties:
    @settings(max_examples=300, deadline=None)
    @given(text=st.text(max_size=60), tz=_ZONES | st.text(max_size=20))
    def test_any_text_raises_only_corridor_errors(self, text: str, tz: str | None) -> None:
        """parse_instant on any text and zone returns a bounded instant or a CorridorError."""
        try:
            dt = parse_instant(text, tz)
        except CorridorError:
            return
        assert EARLIEST <= dt <= LATEST

    @settings(max_examples=300, deadline=None)
    @given(
        dt=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        tz=_ZONES,
    )
    def test_any_local_time_names_one_instant(self, dt: datetime, tz: str | None) -> None:
        """Whatever the local time, the result round-trips through UTC to the same wall time."""
        try:
            out = parse_instant(dt.isoformat(), tz)
        except CorridorError:
            return
        assert out.astimezone(UTC).astimezone(out.tzinfo).replace(tzinfo=None) == dt

    @settings(max_examples=200, deadline=None)
    @given(text=st.text(max_size=30))
    def test_any_zone_name_raises_only_corridor_errors(self, text: str) -> None:
        """resolve_tz on any text returns a tzinfo or raises a CorridorError."""
        with contextlib.suppress(CorridorError):
            assert isinstance(resolve_tz(text), tzinfo)
