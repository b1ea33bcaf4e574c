"""Crossings per day: ``GET /v1/crossings/daily`` (what the dashboard's charts draw).

An aggregate, not raw rows: per checkpoint, direction and category, each day's low and high
(competing figures side by side), the reports behind it, and reports spanning several days kept
whole. A day absent from a series had no report: a gap, never a zero.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query

from corridor.app import Corridor, shapes
from corridor.errors import InputError
from corridor.service.auth import published_figures
from corridor.service.deps import corridor_app
from corridor.service.errors import ApiError, error_responses

# 404: an `as_of` that is not the size of a signed checkpoint
router = APIRouter(
    prefix="/v1",
    tags=["reads"],
    dependencies=[Depends(published_figures)],
    responses=error_responses(404),
)


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            422, f"{name}: {value!r} is not a date (YYYY-MM-DD)", code="invalid-input",
            subject=name,
        ) from None


@router.get("/crossings/daily", summary="Crossings per day by checkpoint, direction and category")
def daily(
    start: str = Query(description="First day, YYYY-MM-DD (in `tz`)"),
    end: str | None = Query(None, description="The day after the last [default: start + 1 day]"),
    tz: str = Query("UTC", description="Days in this zone: an IANA name or a UTC offset (+04:00)"),
    checkpoint: list[str] | None = Query(None, description="Only these checkpoints (repeatable)"),
    as_of: int | None = Query(
        None, ge=0, le=2**63 - 1,
        description="As the record stood at this tree size (a signed checkpoint's)",
    ),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """Each series lists only the days that had a report (explicit zeros included); `spans` are
    reports covering more than one day, drawn across their period. A cell lists at most 50
    report ids (`evidence_complete` false beyond); `GET /v1/observations` with the same window
    finds them all."""
    from corridor.model.timefmt import resolve_tz

    first = _day(start, "start")
    last = _day(end, "end") if end is not None else first + timedelta(days=1)
    try:
        zone = resolve_tz(tz)
    except InputError as exc:
        raise ApiError(422, f"tz: {exc.reason}", code="invalid-input", subject="tz") from None
    doc = shapes.daily_crossings(
        app.situation.daily(first, last, zone, checkpoints=checkpoint, as_of=as_of)
    )
    if as_of is not None:  # the signed checkpoint it rests on, as `corridor crossings --as-of`
        doc["as_of"] = shapes.basis(app.log.basis(as_of))
    return doc
