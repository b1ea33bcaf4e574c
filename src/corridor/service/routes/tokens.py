"""API tokens: made, listed and revoked by an admin (or locally with `corridor token`)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from corridor.app import Corridor
from corridor.app.access import MAX_EXPIRY_DAYS
from corridor.service.auth import Principal, require
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses

router = APIRouter(prefix="/v1", tags=["access"])

Role = Literal["admin", "reporter", "reader", "witness"]
Scope = Literal["read", "submit", "registry", "keys", "tokens", "witness"]


class Token(BaseModel):
    id: str
    org: str | None
    role: Role
    scopes: list[Scope]
    label: str | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None


class NewToken(BaseModel):
    org: str | None = Field(None, max_length=64,
                            description="its organisation (a reporter's; none for an admin)")
    role: Role = "reporter"
    expires_days: int | None = Field(90, ge=0, le=MAX_EXPIRY_DAYS,
                                     description="days until it expires; 0 or null: never")
    label: str | None = Field(None, max_length=200)
    scopes: list[Scope] | None = Field(None, max_length=6,
                                       description="a subset of its role's (default: all)")


class CreatedToken(Token):
    token: str = Field(description="the token itself: shown this once, stored only hashed")


class TokenList(BaseModel):
    items: list[Token]


TokenId = PathParam(min_length=1, max_length=32, description="the token's id")
ADMIN = require("admin", "tokens")


@router.get("/tokens", summary="Every token (never the token itself)", response_model=TokenList,
            responses=error_responses(403))  # fmt: skip
def list_tokens(
    _admin: Principal = Depends(ADMIN), app: Corridor = Depends(corridor_app)
) -> dict[str, Any]:
    return {"items": app.access.tokens()}


@router.post("/tokens", summary="Make a token", status_code=201, response_model=CreatedToken,
             responses=error_responses(403, 404))  # fmt: skip
def create_token(
    body: NewToken,
    principal: Principal = Depends(ADMIN),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """The token is in this answer only; the record keeps its SHA-256 hash. Recorded in the
    admin record."""
    token, shape = app.access.create_token(
        body.org,
        body.role,
        expires_days=body.expires_days,
        label=body.label,
        scopes=body.scopes,
        actor=principal.actor,
    )
    return {**shape, "token": token}


@router.delete("/tokens/{token_id}", summary="Revoke a token", response_model=Token,
               responses=error_responses(403, 404))  # fmt: skip
def revoke_token(
    token_id: str = TokenId,
    principal: Principal = Depends(ADMIN),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """At once, in every worker. Revoking a revoked token changes nothing."""
    return app.access.revoke(token_id, actor=principal.actor)
