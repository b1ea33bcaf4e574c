"""Cell values into typed values: numbers written by people, times with their zone, text.

Pure functions; each raises ``ValueError`` with a reason a user can act on ("'3x' is not a
number"), which the row builder prefixes with the row and column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from corridor.model import resolve_tz

__all__ = [
    "PERIODS",
    "cell_text",
    "combine_cells",
    "date_text",
    "is_empty",
    "parse_number",
    "parse_time",
    "period_of",
    "split_text",
]

Period = Literal["hour", "day", "week"]
PERIODS: dict[str, timedelta] = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}

# Spaces people and spreadsheets put between digit groups: space, no-break, narrow no-break, thin.
_GROUP_SPACES = " \u00a0\u202f\u2009"
_MINUS = "-\u2212"


def is_empty(value: Any) -> bool:
    """True for a missing cell: None, or text that is empty or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """The text a spreadsheet user sees in a cell, trimmed: integral floats lose their '.0', a
    date cell (a datetime at midnight) reads as its date."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == time(0):
            return value.date().isoformat()  # a date cell
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def parse_number(
    value: Any,
    *,
    decimal: str = ".",
    thousands: str | None = None,
    units: Sequence[str] = (),
) -> int | float:
    """Parse '30,000', '1 234,5', '12 t' or a numeric cell; integral values come back as int.

    ``thousands`` defaults to ',' (or '.' when ``decimal`` is ','); '' allows no grouping. Digit
    groups must have three digits, so '3,5' is not read as 35 by mistake. Spaces between groups are
    always accepted. ``units`` are suffixes that may follow the number ('t', 'tonnes').
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} is not a number")
        return int(value) if value.is_integer() else value
    if isinstance(value, Decimal):
        return _from_decimal(value, str(value))
    if not isinstance(value, str):
        raise ValueError(f"{cell_text(value)!r} is not a number")
    original = value
    s = value.strip()
    for unit in sorted(units, key=len, reverse=True):
        if unit and s.casefold().endswith(unit.casefold()):
            s = s[: -len(unit)].rstrip()
            break
    if thousands is None:
        thousands = "," if decimal == "." else "."
    groups = re.escape(thousands + _GROUP_SPACES) if thousands else re.escape(_GROUP_SPACES)
    dec = re.escape(decimal)
    pattern = (
        rf"^(?P<sign>[+{re.escape(_MINUS)}])?"
        rf"(?:(?P<int>\d+|\d{{1,3}}(?:[{groups}]\d{{3}})+)(?:{dec}(?P<frac>\d+))?"
        rf"|{dec}(?P<frac_only>\d+))$"
    )
    m = re.match(pattern, s)
    if not m:
        raise ValueError(f"{original.strip()!r} is not a number")
    digits = re.sub(rf"[{groups}]", "", m["int"] or "0")
    frac = m["frac"] or m["frac_only"] or ""
    sign = "-" if m["sign"] and m["sign"] in _MINUS else ""
    text = f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}"
    return _from_decimal(Decimal(text), original)


def _from_decimal(d: Decimal, original: str) -> int | float:
    try:
        if d == d.to_integral_value():
            return int(d)
        return float(d)
    except (InvalidOperation, ValueError, OverflowError):
        raise ValueError(f"{original!r} is not a number") from None


def _attach_zone(dt: datetime, tz: str | None, shown: str) -> datetime:
    if dt.tzinfo is not None and dt.tzinfo.utcoffset(dt) is not None:
        return dt
    if tz is None:
        raise ValueError(
            f"{shown!r} has no UTC offset; set tz in the mapping (e.g. tz: UTC or tz: +04:00)"
        )
    zone: tzinfo = resolve_tz(tz)
    return dt.replace(tzinfo=zone)


def parse_time(value: Any, *, fmt: str | None = None, tz: str | None = None) -> datetime:
    """A cell into an aware datetime: a spreadsheet date or datetime, or text read with ``fmt``
    (strptime) or, failing that, as ISO 8601. Naive times take the zone ``tz``; without one they
    are an error, since every timestamp in the record carries its offset."""
    shown = cell_text(value)
    if isinstance(value, datetime):
        return _attach_zone(value, tz, shown)
    if isinstance(value, date):
        return _attach_zone(datetime(value.year, value.month, value.day), tz, shown)
    if isinstance(value, time):
        raise ValueError(f"{shown!r} is a time of day without a date")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{shown!r} is a number, not a date (format the cells as dates)")
    if not isinstance(value, str):
        raise ValueError(f"{shown!r} is not a date or time")
    s = value.strip()
    dt: datetime | None = None
    if fmt is not None:
        try:
            dt = datetime.strptime(s, fmt)
        except ValueError:
            dt = None
    if dt is None:
        iso = s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s
        try:
            dt = datetime.fromisoformat(iso)
        except ValueError:
            if fmt is not None:
                raise ValueError(f"{s!r} does not match the format {fmt!r}") from None
            raise ValueError(f"{s!r} is not an ISO 8601 date or time") from None
    return _attach_zone(dt, tz, s)


def period_of(start: datetime, period: str) -> tuple[datetime, datetime]:
    """The period [start, start + period) holding ``start``: an hour or day is aligned to its
    local boundary; a week begins at midnight of the given day. Days are calendar days in the
    zone, so a day with a clock change lasts 23 or 25 hours."""
    if period == "hour":
        s = start.replace(minute=0, second=0, microsecond=0)
    else:
        s = start.replace(hour=0, minute=0, second=0, microsecond=0)
    # Wall-clock arithmetic in the zone, then re-read the offset (clock changes).
    end = (s.replace(tzinfo=None) + PERIODS[period]).replace(tzinfo=s.tzinfo)
    return s, end


def combine_cells(values: Sequence[Any]) -> Any:
    """Several cells read as one value: a date cell then a time cell make one datetime; anything
    else is joined as text with single spaces."""
    if len(values) == 1:
        return values[0]
    if len(values) == 2 and isinstance(values[0], date) and isinstance(values[1], time):
        d = values[0]
        return datetime.combine(d.date() if isinstance(d, datetime) else d, values[1])
    return " ".join(cell_text(v) for v in values)


def split_text(value: Any, sep: str | None) -> list[str]:
    """A list cell: text split at ``sep`` (items trimmed, empty ones dropped), or one item."""
    if isinstance(value, list | tuple):
        return [cell_text(v) for v in value if not is_empty(v)]
    text = cell_text(value)
    if sep is None:
        return [text] if text else []
    return [p.strip() for p in text.split(sep) if p.strip()]


def date_text(value: Any) -> str:
    """A source date (YYYY, YYYY-MM or YYYY-MM-DD) from a date cell or text."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return cell_text(value)
