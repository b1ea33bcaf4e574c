"""Watches: subscriptions delivered as signed webhooks (docs/watches.md). A watch belongs to the
token that made it; an admin token sees and removes every watch."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, JsonValue

from corridor.app import Corridor
from corridor.service.auth import Principal, require
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses

router = APIRouter(prefix="/v1", tags=["watches"])

READER = require("reader")


class WatchFilter(BaseModel):
    """entries: type, checkpoint, route, org (each optional); verdict: case and commitment,
    with at (an instant; default: now at each evaluation) and window (daily)."""

    type: str | None = Field(None, max_length=32)
    checkpoint: str | None = Field(None, max_length=64)
    route: str | None = Field(None, max_length=64)
    org: str | None = Field(None, max_length=64)
    case: str | None = Field(None, max_length=200)
    commitment: str | None = Field(None, max_length=200)
    at: str | None = Field(None, max_length=64)
    window: Literal["daily"] | None = None


class NewWatch(BaseModel):
    kind: Literal["entries", "verdict"]
    filter: WatchFilter = Field(default_factory=WatchFilter)
    url: str = Field(min_length=1, max_length=2000, description="an http or https URL")
    label: str | None = Field(None, max_length=200)


class Watch(BaseModel):
    id: str
    kind: str
    filter: dict[str, str]
    url: str
    label: str | None
    owner: str
    created_at: str | None
    cursor: int
    last: dict[str, JsonValue] | None


class CreatedWatch(Watch):
    secret: str = Field(description="the whsec_ signing secret: shown this once")


class WatchList(BaseModel):
    items: list[Watch]


class Attempt(BaseModel):
    attempt: int
    at: str | None
    http_status: int | None
    error: str | None


class Delivery(BaseModel):
    id: str = Field(description="the webhook-id, the same for every attempt")
    event: str
    type: str
    status: str = Field(description="pending, delivered, failed or cancelled")
    attempts: int
    next_at: str | None
    created_at: str | None
    delivered_at: str | None
    payload: dict[str, JsonValue]
    tries: list[Attempt]


class DeliveryList(BaseModel):
    items: list[Delivery]


WatchId = PathParam(min_length=1, max_length=32, description="the watch's id")


def _owner(p: Principal) -> str | None:
    return None if p.role == "admin" else p.token_id


@router.post("/watches", summary="Make a watch", status_code=201, response_model=CreatedWatch,
             responses=error_responses(404))  # fmt: skip
def create_watch(
    body: NewWatch,
    principal: Principal = Depends(READER),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """The answer holds the signing secret (`whsec_...`), shown this once: the receiver checks
    every delivery's `webhook-signature` with it. A verdict watch's case is a built-in case
    (GET /v1/cases) the record holds (404 otherwise)."""
    flt = body.filter.model_dump(exclude_none=True)
    return app.watches.add(
        body.kind, flt, body.url, owner=principal.token_id, label=body.label, builtin_only=True
    )


@router.get("/watches", summary="The token's watches", response_model=WatchList)
def list_watches(
    principal: Principal = Depends(READER), app: Corridor = Depends(corridor_app)
) -> dict[str, Any]:
    return {"items": app.watches.list(owner=_owner(principal))}


@router.get("/watches/{watch_id}", summary="One watch", response_model=Watch,
            responses=error_responses(403, 404))  # fmt: skip
def get_watch(
    watch_id: str = WatchId,
    principal: Principal = Depends(READER),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    return app.watches.get(watch_id, owner=_owner(principal))


@router.delete("/watches/{watch_id}", summary="Remove a watch", response_model=Watch,
               responses=error_responses(403, 404))  # fmt: skip
def remove_watch(
    watch_id: str = WatchId,
    principal: Principal = Depends(READER),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """Its pending deliveries are cancelled; its deliveries stay listed."""
    return app.watches.remove(watch_id, owner=_owner(principal))


@router.get("/watches/{watch_id}/deliveries", summary="A watch's deliveries and attempts",
            response_model=DeliveryList, responses=error_responses(403, 404))  # fmt: skip
def list_deliveries(
    watch_id: str = WatchId,
    principal: Principal = Depends(READER),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """Newest first, each with every attempt: when, the receiver's status or why it failed."""
    return {"items": app.watches.deliveries(watch_id, owner=_owner(principal))}
