"""The service itself: what log it serves, and whether it is up."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from corridor import __version__
from corridor.app import Corridor
from corridor.service.deps import corridor_app

router = APIRouter(prefix="/v1", tags=["service"])


@router.get("", summary="The service and the log it serves")
def about(app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
    vkey, demo = app.log.key()
    return {"service": "corridor", "version": __version__, "log": {"vkey": vkey, "demo": demo,
            "origin": vkey.split("+", 1)[0]}}  # fmt: skip


@router.get("/health", summary="Liveness: the database answers")
def health(app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
    return {"status": "ok", "size": app.store.size()}
