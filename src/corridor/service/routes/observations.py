"""STAND-IN, to be replaced by svc-core's ``routes/observations.py`` (issue 9): the observation
reads of the API contract (JSON pages only: no NDJSON or CSV streaming), with no
authentication, so that the client and the CLI's remote mode can be tested before svc-core's
branch is merged.

``GET /v1/observations?type=&start=&end=&reporter=&route=&checkpoint=&direction=&category=
&place=&after=&limit=`` → ``{"items": [shapes.observation(...)], "next_after": N | null}``, in
log order (the change feed: ``after`` is a log index, absent for the beginning; ``next_after``
is set while a page comes back full); ``GET /v1/observations/{id}`` → the observation and its
``proof`` (null while it is beyond the latest signed checkpoint).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from corridor.app import Corridor, shapes
from corridor.service.deps import corridor_app
from corridor.service.params import instant

router = APIRouter(prefix="/v1", tags=["observations"])

PAGE = 100
MAX_PAGE = 1000


@router.get("/observations", summary="Observations in log order, with filters (STAND-IN)")
def observations(
    type: str | None = None,
    start: str | None = None,
    end: str | None = None,
    reporter: str | None = None,
    route: str | None = None,
    checkpoint: str | None = None,
    direction: str | None = None,
    category: str | None = None,
    place: str | None = None,
    after: int = Query(-1, ge=-1, le=2**62),
    limit: int = Query(PAGE, ge=1, le=MAX_PAGE),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    from corridor.store.api import Query as Filters

    q = Filters(
        type=type, start=instant(start, "start"), end=instant(end, "end"), reporter=reporter,
        route=route, checkpoint=checkpoint, direction=direction, category=category,
        place=place, after=after, limit=limit,
    )  # fmt: skip
    rows = app.observations.list(q)
    return {
        "items": [shapes.observation(s) for s in rows],
        "next_after": rows[-1].log_index if len(rows) == limit else None,
    }


@router.get("/observations/{id}", summary="One observation and its inclusion proof (STAND-IN)")
def observation(id: str, app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
    s = app.observations.show(id)
    proofs, _missing = app.log.prove_many([(s.id, s.log_index)])
    return {**shapes.observation(s), "proof": proofs.get(s.id)}
