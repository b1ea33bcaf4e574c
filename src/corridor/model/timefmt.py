"""Instants and periods: every timestamp carries a UTC offset; naive times need an explicit zone.

Two rules keep a bad time out of the append-only record:

- **Bounds.** Every instant lies between :data:`EARLIEST` (1900-01-01T00:00Z) and :data:`LATEST`
  (2200-01-01T00:00Z), inclusive, measured in UTC. That covers archival reports and any
  present-day monitoring, and leaves thousands of years of margin before anything downstream can
  overflow (Python datetimes end at year 9999, the store's microsecond integers at ±292,000
  years, rule windows and the situation's 7- and 30-day look-backs are days).
- **Local times must name one instant.** A local time read with a time zone that does not exist
  there (the clocks jumped over it) or exists twice (the clocks went back) is refused, unless the
  text carries its UTC offset.

Every error is an :class:`~corridor.errors.InputError` (a ``ValueError``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from corridor.errors import InputError

__all__ = [
    "EARLIEST",
    "LATEST",
    "check_instant",
    "format_instant",
    "localize",
    "parse_instant",
    "resolve_tz",
]

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

_OFFSET = re.compile(r"^([+-])(\d{1,2}):(\d{2})$")
_MAX_TEXT = 100  # no ISO 8601 instant or zone name is longer


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def resolve_tz(name: str) -> tzinfo:
    """Return the zone for an IANA name, 'UTC', or a fixed offset such as '+04:00'."""
    if not isinstance(name, str):
        raise InputError(f"{_shown(name)!r} is not a time zone name")
    n = name.strip()
    if n.upper() in {"UTC", "Z"}:
        return UTC
    m = _OFFSET.match(n)
    if m:
        hh, mm = int(m[2]), int(m[3])
        if hh > 23 or mm > 59:
            raise InputError(f"{name!r} is not a UTC offset such as +04:00")
        sign = 1 if m[1] == "+" else -1
        return timezone(sign * timedelta(hours=hh, minutes=mm))
    if n[:1] in "+-" or not n or len(n) > _MAX_TEXT or not n.isascii() or not n.isprintable():
        raise InputError(f"unknown time zone {_shown(name)!r}; use an IANA name or +HH:MM")
    try:
        return ZoneInfo(n)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InputError(f"unknown time zone {_shown(name)!r}") from exc


def _utc(dt: datetime) -> datetime | None:
    """``dt`` in UTC, or None where that falls outside what datetime can hold."""
    try:
        return dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def check_instant(dt: datetime, what: str | None = None) -> datetime:
    """Return an aware ``dt`` if it lies within [EARLIEST, LATEST] in UTC, else InputError.

    ``what`` names the field or option in the message.
    """
    utc = _utc(dt)
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise InputError(
            f"{dt.isoformat()} is out of range: times must lie between "
            f"{EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC)",
            where=what,
        )
    return dt


def _offset_text(off: timedelta | None) -> str:
    if off is None:
        return "?"
    total = int(off.total_seconds())
    sign = "+" if total >= 0 else "-"
    hh, rem = divmod(abs(total), 3600)
    return f"{sign}{hh:02d}:{rem // 60:02d}"


def localize(naive: datetime, zone: tzinfo, what: str | None = None) -> datetime:
    """Attach ``zone`` to a naive local time, refusing a time that does not exist in the zone
    (spring-forward gap) or exists twice (fall-back), since neither names one instant."""
    dt0 = naive.replace(tzinfo=zone, fold=0)
    dt1 = naive.replace(tzinfo=zone, fold=1)
    try:
        off0, off1 = dt0.utcoffset(), dt1.utcoffset()
    except (OverflowError, ValueError):
        raise InputError(f"{naive.isoformat()} is out of range", where=what) from None
    if off0 == off1:
        return dt0
    local = naive.isoformat(sep=" ", timespec="minutes")
    a, b = _offset_text(off0), _offset_text(off1)
    if off0 is not None and off1 is not None and off0 < off1:
        raise InputError(
            f"{local} does not exist in {zone}: the clocks jumped from {a} to {b}; "
            "give the time with its UTC offset",
            where=what,
        )
    raise InputError(
        f"{local} happens twice in {zone}: the clocks went back from {a} to {b}; "
        f"give the UTC offset ({a} for the first, {b} for the second)",
        where=what,
    )


def parse_instant(
    value: str | datetime | date, tz: str | tzinfo | None = None, *, what: str | None = None
) -> datetime:
    """Parse an ISO 8601 instant. A naive value is rejected unless ``tz`` says where it was taken;
    a local time that does not exist in ``tz``, or exists twice, is rejected; so is an instant
    outside [EARLIEST, LATEST]. ``what`` names the field or option in errors.

    A bare date means midnight at the start of that day in ``tz``.
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        s = value.strip()
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        try:
            if len(s) > _MAX_TEXT:
                raise ValueError
            dt = datetime.fromisoformat(s)
        except ValueError:
            raise InputError(
                f"{_shown(value)!r} is not an ISO 8601 date or time", where=what
            ) from None
    else:
        raise InputError(f"{_shown(value)!r} is not an ISO 8601 date or time", where=what)
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        if tz is None:
            raise InputError(
                f"{_shown(value)} has no UTC offset; add one (e.g. +04:00) or give a time zone",
                where=what,
            )
        zone = resolve_tz(tz) if isinstance(tz, str) else tz
        dt = localize(dt.replace(tzinfo=None), zone, what)
    return check_instant(dt, what)


def format_instant(dt: datetime) -> str:
    """ISO 8601 with the offset kept as given (seconds precision unless finer was given)."""
    return dt.isoformat()
