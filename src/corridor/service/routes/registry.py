"""STAND-IN, to be replaced by svc-core's ``routes/registry.py`` (issue 9): the registry reads
of the API contract, with no authentication and no admin writes, so that the client can be
tested before svc-core's branch is merged.

``GET /v1/registry`` → ``{"organisations", "places", "routes", "checkpoints"}``, each item the
model entity's ``model_dump(mode="json")``; ``GET /v1/organisations|places|routes|checkpoints``
→ ``{"items": [...]}``; ``GET /v1/keys`` → ``{"items": [shapes.key(...)]}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from corridor.app import Corridor, shapes
from corridor.service.deps import corridor_app

router = APIRouter(prefix="/v1", tags=["registry"])

KINDS = ("organisations", "places", "routes", "checkpoints")


def _registry(app: Corridor) -> dict[str, list[dict[str, Any]]]:
    reg = app.store.registry()
    return {
        kind: [e.model_dump(mode="json") for _id, e in sorted(getattr(reg, kind).items())]
        for kind in KINDS
    }


@router.get("/registry", summary="Organisations, places, routes and checkpoints (STAND-IN)")
def registry(app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
    return _registry(app)


def _one(kind: str) -> None:
    @router.get(f"/{kind}", summary=f"The {kind} of the record (STAND-IN)", name=kind)
    def items(app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
        return {"items": _registry(app)[kind]}


for _kind in KINDS:
    _one(_kind)


@router.get("/keys", summary="Registered verifier keys (STAND-IN)")
def keys(app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
    return {"items": [shapes.key(o, v, d) for o, v, d in app.keys.list()]}
