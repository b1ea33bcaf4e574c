"""The organisations' registered verifier keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from corridor.app import Corridor, shapes
from corridor.service.auth import Principal, public, require
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses

router = APIRouter(prefix="/v1", tags=["registry"])


class Key(BaseModel):
    org: str
    vkey: str
    demo: bool


class KeyList(BaseModel):
    items: list[Key]


class NewKey(BaseModel):
    vkey: str = Field(min_length=1, max_length=512,
                      description="a C2SP note verifier key, name+keyid+base64(0x01||key); "
                      "name = the organisation id")  # fmt: skip
    rotate: bool = Field(False, description="register it although the organisation already "
                         "has a key (a key rotation)")  # fmt: skip


class RegisteredKey(Key):
    added: bool = Field(description="false when it was registered already")


@router.get("/keys", summary="Registered verifier keys", response_model=KeyList)
def list_keys(
    _reader: Principal | None = Depends(public), app: Corridor = Depends(corridor_app)
) -> dict[str, Any]:
    return {"items": [shapes.key(o, v, d) for o, v, d in app.keys.list()]}


@router.post(
    "/keys",
    summary="Register an organisation's verifier key",
    status_code=201,
    response_model=RegisteredKey,
    responses={
        200: {"model": RegisteredKey, "description": "Registered already"},
        **error_responses(403, 404),
    },
)
def add_key(
    body: NewKey,
    response: Response,
    principal: Principal = Depends(require("admin", "keys")),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """Register the public key an organisation signs its entries with (never its private
    key: the server holds none). A second key for an organisation is a rotation and needs
    `rotate`; recorded in the admin record."""
    vkey, added = app.keys.add(body.vkey, rotate=body.rotate, actor=principal.actor)
    if not added:
        response.status_code = 200
    return {**shapes.key(vkey.split("+", 1)[0], vkey, False), "added": added}
