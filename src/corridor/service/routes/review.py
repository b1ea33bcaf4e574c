"""The review queue over HTTP (docs/review.md): the current observations matching filters, each
with its review state. Review statements themselves are client-signed attestations (stance
``reviewed``) submitted through ``POST /v1/entries``."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi import Query as QueryParam
from pydantic import BaseModel, Field

from corridor.app import Corridor, shapes
from corridor.app.review import ReviewFilter
from corridor.service.auth import Principal, public
from corridor.service.deps import corridor_app
from corridor.service.errors import ApiError, error_responses
from corridor.service.params import instant

router = APIRouter(prefix="/v1", tags=["review"])

State = Literal["submitted", "under_review", "accepted", "disputed"]
FactType = Literal[
    "crossing", "route_status", "convoy", "incident", "deployment", "population", "claim"
]


class ReviewQueue(BaseModel):
    filter: dict[str, Any] = Field(description="the filters applied")
    items: list[dict[str, Any]] = Field(
        description="observations (shapes.observation), each with its review state: status, "
        "by, id, reason"
    )
    as_of: dict[str, Any] | None = Field(None, description="the signed checkpoint it rests on")


def reviewer(
    request: Request, principal: Principal | None = Depends(public)
) -> Principal | None:
    """Who may read the queue: anyone where published reads show every entry; a token of
    any role where they show only accepted ones (the queue lists the others)."""
    app: Corridor = request.app.state.corridor
    if app.settings.public_view == "accepted":
        if principal is None:
            raise ApiError(401, "this deployment publishes accepted entries only: the review "
                           "queue needs a token")  # fmt: skip
        if not principal.allows("reader"):
            raise ApiError(403, f"token {principal.token_id} has no read scope",
                           subject=principal.token_id)  # fmt: skip
    return principal


@router.get("/review", summary="The review queue", response_model=ReviewQueue,
            responses=error_responses(403, 404))  # fmt: skip
def review_queue(
    state: list[State] = QueryParam([], description="only entries in these states (repeat)"),
    type: FactType | None = QueryParam(None, description="only this type"),
    reporter: str | None = QueryParam(None, max_length=64),
    checkpoint: str | None = QueryParam(None, max_length=64,
                                        description="only this corridor checkpoint"),
    start: str | None = QueryParam(None, max_length=64, description="period start (RFC 3339)"),
    end: str | None = QueryParam(None, max_length=64, description="period end (exclusive)"),
    as_of: int | None = QueryParam(None, ge=0, le=2**62, description="as of the signed "
                                   "checkpoint of this tree size"),
    _reader: Principal | None = Depends(reviewer),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:  # fmt: skip
    """The current observations matching the filters, oldest first, each with its review state
    (the latest review statement about it by an organisation other than its reporter;
    `submitted` without one). Reader role or public, as the deployment's public view allows."""
    f = ReviewFilter(
        states=tuple(state), type=type, reporter=reporter, checkpoint=checkpoint,
        start=instant(start, "start"), end=instant(end, "end"), as_of=as_of,
    )  # fmt: skip
    items = app.review.queue(f)
    doc: dict[str, Any] = {"filter": f.to_json(), "items": [shapes.review_item(i) for i in items]}
    if as_of is not None:
        doc["as_of"] = shapes.basis(app.log.basis(as_of))
    return doc
