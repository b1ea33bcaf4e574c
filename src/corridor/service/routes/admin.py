"""The admin record: every registry write, key registration and token change, append-only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from corridor.app import Corridor
from corridor.service.auth import Principal, require
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses

router = APIRouter(prefix="/v1/admin", tags=["access"])


class AdminAction(BaseModel):
    seq: int
    at: str
    actor: str = Field(description="a token id, or cli:<user> for a local operator")
    action: str = Field(description="e.g. token.create, token.revoke, key.register, "
                        "organisation.add, place.replace, case.load")  # fmt: skip
    subject: str | None
    detail: dict[str, Any]


class AdminActions(BaseModel):
    items: list[AdminAction]
    next_after: int | None = Field(description="the seq to continue after, when more may follow")


@router.get("/actions", summary="The admin record", response_model=AdminActions,
            responses=error_responses(403))  # fmt: skip
def admin_actions(
    after: int = Query(0, ge=0, le=2**62, description="only actions after this seq"),
    limit: int = Query(100, ge=1, le=1000),
    _admin: Principal = Depends(require("admin", "read")),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    items = app.access.actions(after, limit)
    return {"items": items, "next_after": items[-1]["seq"] if len(items) == limit else None}
