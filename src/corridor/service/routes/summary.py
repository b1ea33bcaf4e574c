"""What the record spans: ``GET /v1/summary`` (the dashboard's first call)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from corridor.app import Corridor
from corridor.service.auth import public
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses

# 404: an `as_of` that is not the size of a signed checkpoint
router = APIRouter(
    prefix="/v1", tags=["reads"], dependencies=[Depends(public)], responses=error_responses(404)
)


@router.get("/summary", summary="What the record spans: size, first and last start, cases held")
def summary(
    as_of: int | None = Query(
        None, ge=0, le=2**63 - 1,
        description="As the record stood at this tree size (a signed checkpoint's)",
    ),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """The tree size, the first and last start of a fact, every signed checkpoint (size, root,
    when), the built-in cases the record holds (with their time zone) and the log's key: what
    the dashboard's date slider and "as of" selector offer."""
    return app.site.summary(as_of=as_of)
