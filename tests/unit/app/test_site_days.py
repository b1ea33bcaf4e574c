"""The days a static site holds a situation for, and the observation ids its data files name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from corridor.app.site import _collect_ids, _days

TZ = timezone(timedelta(hours=4))


@given(
    first=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1),
                       timezones=st.just(UTC)),
    length=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3000)),
    count=st.integers(min_value=1, max_value=1830),
)  # fmt: skip
def test_days_are_consecutive_and_end_on_the_last_day(
    first: datetime, length: timedelta, count: int
) -> None:
    """Consecutive local days, at most ``count``, ending on the day of the last start and never
    before the day of the first."""
    last = first + length
    days = _days({"span": {"first": first.isoformat(), "last": last.isoformat()}}, TZ, count)
    assert days[-1] == last.astimezone(TZ).date()
    assert days[0] >= first.astimezone(TZ).date()
    assert 1 <= len(days) <= count
    assert all((b - a).days == 1 for a, b in pairwise(days))


def test_no_span_no_day() -> None:
    """A record without facts holds no day."""
    assert _days({"span": None}, TZ, 10) == []


def test_ids_are_found_anywhere_in_a_document() -> None:
    """Every 64-hex string, nested at any depth, is an id; other strings are not."""
    a, b = "a" * 64, "0123456789abcdef" * 4
    found: set[str] = set()
    _collect_ids({"x": [a, {"y": b}], "z": "A" * 64, "w": "abc", "n": 3}, found)
    assert found == {a, b}
