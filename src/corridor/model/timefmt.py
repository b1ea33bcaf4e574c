"""Instants and periods: every timestamp carries a UTC offset; naive times need an explicit zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["format_instant", "parse_instant", "resolve_tz"]


def resolve_tz(name: str) -> tzinfo:
    """Return the zone for an IANA name, 'UTC', or a fixed offset such as '+04:00'."""
    from datetime import timezone

    n = name.strip()
    if n.upper() in {"UTC", "Z"}:
        return UTC
    if n[:1] in "+-" and ":" in n:
        sign = 1 if n[0] == "+" else -1
        hh, _, mm = n[1:].partition(":")
        try:
            return timezone(sign * timedelta(hours=int(hh), minutes=int(mm)))
        except ValueError as exc:
            raise ValueError(f"{name!r} is not a UTC offset such as +04:00") from exc
    try:
        return ZoneInfo(n)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def parse_instant(value: str | datetime | date, tz: str | tzinfo | None = None) -> datetime:
    """Parse an ISO 8601 instant. A naive value is rejected unless ``tz`` says where it was taken.

    A bare date means midnight at the start of that day in ``tz``.
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        s = value.strip()
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(s)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an ISO 8601 date or time") from exc
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        if tz is None:
            raise ValueError(
                f"{value!s} has no UTC offset; add one (e.g. +04:00) or give a time zone"
            )
        zone = resolve_tz(tz) if isinstance(tz, str) else tz
        dt = dt.replace(tzinfo=zone)
    return dt


def format_instant(dt: datetime) -> str:
    """ISO 8601 with the offset kept as given (seconds precision unless finer was given)."""
    return dt.isoformat()
