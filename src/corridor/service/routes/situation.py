"""The situation at an instant: ``GET /v1/situation?at=&as_of=`` (what ``corridor status
--json`` prints; with ``as_of``, on the record as of that signed checkpoint, which the answer's
``as_of`` names, and ``at`` then defaults to when it was signed), and the population counts
behind its latest figures: ``GET /v1/population?at=&days=&as_of=``."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from corridor.app import Corridor, shapes
from corridor.app.situation import MAX_DAYS
from corridor.service.auth import published_figures
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses
from corridor.service.params import instant_or_basis

# published reads: anyone, unless the deployment makes reads token-only (CORRIDOR_PUBLIC_READS)
# 404: an `as_of` that is not the size of a signed checkpoint
router = APIRouter(
    prefix="/v1",
    tags=["reads"],
    dependencies=[Depends(published_figures)],
    responses=error_responses(404),
)

AT = Query(
    None,
    description="The instant, RFC 3339 with its offset (e.g. 2023-08-15T12:00:00Z) "
    "[default: now; with as_of, when that checkpoint was signed]. Observations that started "
    "strictly before it count.",
)


AS_OF = Query(
    None, ge=0, le=2**63 - 1,
    description="As the record stood at this tree size (a signed checkpoint's)",
)


@router.get(
    "/situation",
    summary="The situation at an instant, computed from the record",
    response_model=dict[str, Any],
)
def situation(
    at: str | None = AT,
    as_of: int | None = AS_OF,
    app: Corridor = Depends(corridor_app),
) -> Any:
    """Per route its status and since when; crossings in the 7 days before ``at`` by checkpoint,
    direction and category; convoys waiting; incidents of the last 30 days; population. The
    same JSON as ``corridor status --json``; every figure names its evidence (observation ids).
    """
    # the JSON made once per record state and instant (reused while the record and the
    # registry are unchanged: app.situation.at_json), not walked again by FastAPI's encoder
    body = app.situation.at_json(instant_or_basis(app, at, as_of), as_of=as_of)
    if as_of is not None:
        # the checkpoint it rests on, made per request (not cached with the body: its note
        # carries the cosignatures known now), as the last member of the object
        basis = json.dumps(
            shapes.basis(app.log.basis(as_of)), ensure_ascii=False, separators=(",", ":")
        )
        body = b"".join((body.rstrip()[:-1], b',"as_of":', basis.encode(), b"}"))
    return Response(body, media_type="application/json")


@router.get(
    "/population",
    summary="The population counts of the days before an instant, each as reported",
    response_model=dict[str, Any],
)
def population(
    at: str | None = AT,
    days: int = Query(
        365, ge=1, le=MAX_DAYS, description="Days before `at` the counts started in"
    ),
    as_of: int | None = AS_OF,
    app: Corridor = Depends(corridor_app),
) -> Any:
    """Every population count (residents, displaced, arrivals so far) that started in the
    ``days`` before ``at``, oldest first, with its reporter and whose claim it is: the series
    behind the situation's latest figures. Nothing is interpolated; figures of different
    reporters stay apart. With ``as_of``, the answer names the checkpoint it rests on."""
    doc = app.situation.population(instant_or_basis(app, at, as_of), days=days, as_of=as_of)
    if as_of is not None:
        doc["as_of"] = shapes.basis(app.log.basis(as_of))
    return doc
