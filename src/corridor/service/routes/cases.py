"""The built-in cases: ``GET /v1/cases`` (what ``corridor case list --json`` prints)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from corridor.app import Corridor, shapes
from corridor.service.auth import public
from corridor.service.deps import corridor_app

# published reads: anyone, unless the deployment makes reads token-only (CORRIDOR_PUBLIC_READS)
router = APIRouter(prefix="/v1", tags=["reads"], dependencies=[Depends(public)])


@router.get("/cases", summary="The built-in cases (name and title)")
def cases(app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
    """The cases shipped with corridor, whose rules ``GET /v1/commitments?case=`` judges and
    whose scenarios ``POST /v1/supply/runs`` runs. Their records are signed with DEMO keys."""
    return {"items": shapes.cases(app.cases.list())}
