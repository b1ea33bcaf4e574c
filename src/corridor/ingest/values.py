"""Cell values into typed values: numbers written by people, times with their zone, text.

Pure functions; each raises :class:`~corridor.errors.InputError` (a ``ValueError``) with a
reason a user can act on ("'3x' is not a number"), which the row builder prefixes with the row
and column. Times obey the record's rules (corridor.model.timefmt): within 1900..2200 UTC, and a
local time must exist, once, in its zone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from corridor.errors import InputError
from corridor.model.timefmt import check_instant, localize, resolve_tz

__all__ = [
    "PERIODS",
    "UNIX_FORMAT",
    "cell_text",
    "combine_cells",
    "date_text",
    "is_empty",
    "parse_number",
    "parse_time",
    "period_of",
    "slug",
    "split_text",
    "unix_time",
]

#: The ``format`` of a time column holding seconds since 1970-01-01 UTC (ACLED's timestamp).
UNIX_FORMAT = "unix"

Period = Literal["hour", "day", "week"]
PERIODS: dict[str, timedelta] = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}

# Spaces people and spreadsheets put between digit groups: space, no-break, narrow no-break, thin.
_GROUP_SPACES = " \u00a0\u202f\u2009"
_MINUS = "-\u2212"
_MAX_NUMBER_TEXT = 60  # longer text is not a figure anyone wrote
_MAX_TIME_TEXT = 100


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


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
        raise InputError(f"{value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{value!r} is not a number")
        return int(value) if value.is_integer() else value
    if isinstance(value, Decimal):
        return _from_decimal(value, str(value))
    if not isinstance(value, str):
        raise InputError(f"{_short(cell_text(value))!r} is not a number")
    original = value
    s = value.strip()
    if len(s) > _MAX_NUMBER_TEXT:
        raise InputError(f"{_short(s)!r} is not a number (more than {_MAX_NUMBER_TEXT} characters)")
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
        raise InputError(f"{original.strip()!r} is not a number")
    digits = re.sub(rf"[{groups}]", "", m["int"] or "0")
    frac = m["frac"] or m["frac_only"] or ""
    sign = "-" if m["sign"] and m["sign"] in _MINUS else ""
    text = f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}"
    return _from_decimal(Decimal(text), original)


def _from_decimal(d: Decimal, original: str) -> int | float:
    try:
        if not d.is_finite():
            raise ValueError
        if d == d.to_integral_value():
            return int(d)
        f = float(d)
    except (InvalidOperation, ValueError, OverflowError):
        raise InputError(f"{_short(original)!r} is not a number") from None
    if not math.isfinite(f):
        raise InputError(f"{_short(original)!r} is too large a number")
    return f


def _attach_zone(dt: datetime, tz: str | None, shown: str) -> datetime:
    if dt.tzinfo is not None and dt.tzinfo.utcoffset(dt) is not None:
        return check_instant(dt)
    if tz is None:
        raise InputError(
            f"{_short(shown)!r} has no UTC offset; set tz in the mapping "
            "(e.g. tz: UTC or tz: +04:00)"
        )
    return check_instant(localize(dt, resolve_tz(tz)))


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
        raise InputError(f"{shown!r} is a time of day without a date")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise InputError(f"{_short(shown)!r} is a number, not a date (format the cells as dates)")
    if not isinstance(value, str):
        raise InputError(f"{_short(shown)!r} is not a date or time")
    s = value.strip()
    if len(s) > _MAX_TIME_TEXT:
        raise InputError(f"{_short(s)!r} is not a date or time (too long)")
    dt: datetime | None = None
    why = ""
    if fmt is not None:
        try:
            dt = datetime.strptime(s, fmt)
        except (ValueError, OverflowError) as exc:
            # "day is out of range for month" (2024-02-30) says more than "does not match"
            text = str(exc)
            why = f" ({text})" if "out of range" in text or "must be in" in text else ""
            dt = None
    if dt is None:
        iso = s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s
        try:
            dt = datetime.fromisoformat(iso)
        except ValueError as exc:
            text = str(exc)
            if not why and ("out of range" in text or "must be in" in text):
                why = f" ({text})"
            if fmt is not None:
                raise InputError(f"{s!r} does not match the format {fmt!r}{why}") from None
            raise InputError(f"{s!r} is not an ISO 8601 date or time{why}") from None
    return _attach_zone(dt, tz, s)


def period_of(start: datetime, period: str) -> tuple[datetime, datetime]:
    """The period [start, start + period) holding ``start``: an hour or day is aligned to its
    local boundary; a week begins at midnight of the given day. Days are calendar days in the
    zone, so a day with a clock change lasts 23 or 25 hours.

    A start that does not exist in the zone, or exists twice (a clock change at midnight or on
    the hour), is an InputError; an end that falls in a gap is the instant the clocks jumped.
    """
    if period not in PERIODS:
        raise InputError(f"unknown period {period!r}; expected one of {', '.join(PERIODS)}")
    if period == "hour":
        local = start.replace(tzinfo=None, minute=0, second=0, microsecond=0)
    else:
        local = start.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    zone = start.tzinfo
    if zone is None:
        raise InputError(f"{start.isoformat()} has no UTC offset")
    what = "the hour" if period == "hour" else f"the {period}"
    try:
        s = check_instant(localize(local, zone))
        # Wall-clock arithmetic in the zone, then re-read the offset (clock changes); a gap at
        # the end is resolved to the instant of the jump, written with the offset after it.
        end = (local + PERIODS[period]).replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
        check_instant(end)
    except InputError as exc:
        raise InputError(f"{what} starting {local:%Y-%m-%d %H:%M}: {exc.reason}") from None
    except OverflowError:
        raise InputError(
            f"{what} starting {local:%Y-%m-%d %H:%M} ends beyond the last date"
        ) from None
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


def unix_time(value: Any, tz: str | None = None) -> datetime:
    """Seconds since 1970-01-01T00:00Z (a number or its text) as an aware datetime in ``tz``
    (default UTC)."""
    seconds = parse_number(value, thousands="")
    try:
        dt = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise InputError(f"{_short(cell_text(value))!r} is not a time in seconds") from None
    return check_instant(dt.astimezone(resolve_tz(tz)) if tz else dt)


_SLUG_DROP = re.compile(r"[^a-z0-9._-]+")


def slug(value: Any, prefix: str = "") -> str:
    """An id made of a text: 'Kerem Shalom' -> 'kerem-shalom' (with a prefix: 'acled-…'); letters
    outside a-z are dropped after accents are taken off, at most 64 characters."""
    import unicodedata

    text = unicodedata.normalize("NFKD", cell_text(value)).encode("ascii", "ignore").decode()
    body = _SLUG_DROP.sub("-", text.lower()).strip("-._")
    if not body:
        raise InputError(f"{_short(cell_text(value))!r} makes no id (no letters or digits a-z 0-9)")
    return (prefix + body)[:64].rstrip("-._")
