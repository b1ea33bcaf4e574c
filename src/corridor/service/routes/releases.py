"""Numbered releases over HTTP: list and show them (published reads), make one (admin; recorded
in the admin record). docs/releases.md."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from corridor.app import Corridor, shapes
from corridor.app.releases import MAX_NOTES
from corridor.service.auth import Principal, public, require
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses

router = APIRouter(prefix="/v1", tags=["releases"])


class ReleaseDoc(BaseModel):
    number: int
    tree_size: int
    root: str = Field(description="the checkpoint's root hash, base64")
    notes: str
    created_at: str
    actor: str = Field(description="who made it: a token id, or cli:<user>")
    checkpoint_signer: str = Field(description="the name of the log key that signed it")
    witnessed: bool = Field(description="false only for a release made unwitnessed")
    witnessed_by: list[str] = Field(description="the witnesses whose cosignatures the "
                                    "checkpoint carried when it was released")  # fmt: skip
    citation: str = Field(description="the line to cite it by")
    checkpoint: str = Field(description="the signed note, with the cosignatures known now")


class ReleaseList(BaseModel):
    items: list[ReleaseDoc]


class NewRelease(BaseModel):
    notes: str = Field(min_length=1, max_length=MAX_NOTES, description="what it is, why now")
    size: int | None = Field(None, ge=0, le=2**62, description="the tree size of the signed "
                             "checkpoint to release (default: the latest)")  # fmt: skip
    unwitnessed: bool = Field(False, description="release a checkpoint no witness has cosigned "
                              "(the release says so)")  # fmt: skip


@router.get("/releases", summary="The numbered releases, oldest first", response_model=ReleaseList)
def list_releases(
    _reader: Principal | None = Depends(public), app: Corridor = Depends(corridor_app)
) -> dict[str, Any]:
    return {"items": [shapes.release(r) for r in app.releases.list()]}


@router.get("/releases/{number}", summary="One release and its citation",
            response_model=ReleaseDoc, responses=error_responses(404))  # fmt: skip
def get_release(
    number: int = PathParam(ge=1, le=2**62),
    _reader: Principal | None = Depends(public),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    return shapes.release(app.releases.show(number))


@router.post("/releases", summary="Mark a witnessed checkpoint as the next release",
             status_code=201, response_model=ReleaseDoc,
             responses=error_responses(403, 404, 409))  # fmt: skip
def create_release(
    body: NewRelease,
    principal: Principal = Depends(require("admin")),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """The checkpoint must carry a witness cosignature unless `unwitnessed` (422, code
    `not-witnessed`, otherwise; 404 `no-checkpoint` for a size the log never signed; 409 for a
    checkpoint released already). Recorded in the admin record."""
    r = app.releases.create(
        notes=body.notes, size=body.size, unwitnessed=body.unwitnessed, actor=principal.actor
    )
    return shapes.release(r)
