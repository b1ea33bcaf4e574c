"""The registry: organisations, places, routes and checkpoints. Reading is public; adding (or
replacing) one needs an admin token and is recorded in the admin record."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from corridor.app import Corridor
from corridor.app.registry import Entity
from corridor.model import Checkpoint, Organisation, Place, Route
from corridor.service.auth import Principal, public, require
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses

router = APIRouter(prefix="/v1", tags=["registry"])


class RegistryDoc(BaseModel):
    organisations: list[Organisation]
    places: list[Place]
    routes: list[Route]
    checkpoints: list[Checkpoint]


class Organisations(BaseModel):
    items: list[Organisation]


class Places(BaseModel):
    items: list[Place]


class Routes(BaseModel):
    items: list[Route]


class Checkpoints(BaseModel):
    items: list[Checkpoint]


ADMIN = require("admin", "registry")


def _put(app: Corridor, entity: Entity, principal: Principal, response: Response) -> Any:
    data, new = app.registry.put(entity, actor=principal.actor)
    response.status_code = 201 if new else 200
    return data


def _written(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {201: {"model": model, "description": "Added"},
            200: {"model": model, "description": "Replaced (same id)"},
            **error_responses(403)}  # fmt: skip


@router.get("/registry", summary="Every organisation, place, route and checkpoint",
            response_model=RegistryDoc)  # fmt: skip
def registry(
    _reader: Principal | None = Depends(public), app: Corridor = Depends(corridor_app)
) -> dict[str, Any]:
    """Each entity as the model writes it, so that a client rebuilds the record's registry."""
    return app.registry.shape()


@router.get("/organisations", summary="Organisations", response_model=Organisations)
def organisations(
    _reader: Principal | None = Depends(public), app: Corridor = Depends(corridor_app)
) -> dict[str, Any]:
    return {"items": app.registry.items("organisations")}


@router.post("/organisations", summary="Add or replace an organisation", status_code=201,
             response_model=Organisation, responses=_written(Organisation))  # fmt: skip
def put_organisation(
    body: Organisation,
    response: Response,
    principal: Principal = Depends(ADMIN),
    app: Corridor = Depends(corridor_app),
) -> Any:
    """Its keys are registered on their own (`POST /v1/keys`), never with it."""
    return _put(app, body, principal, response)


@router.get("/places", summary="Places, with every name in use", response_model=Places)
def places(
    _reader: Principal | None = Depends(public), app: Corridor = Depends(corridor_app)
) -> dict[str, Any]:
    return {"items": app.registry.items("places")}


@router.post("/places", summary="Add or replace a place", status_code=201,
             response_model=Place, responses=_written(Place))  # fmt: skip
def put_place(
    body: Place,
    response: Response,
    principal: Principal = Depends(ADMIN),
    app: Corridor = Depends(corridor_app),
) -> Any:
    return _put(app, body, principal, response)


@router.get("/routes", summary="Routes", response_model=Routes)
def routes(
    _reader: Principal | None = Depends(public), app: Corridor = Depends(corridor_app)
) -> dict[str, Any]:
    return {"items": app.registry.items("routes")}


@router.post("/routes", summary="Add or replace a route", status_code=201,
             response_model=Route, responses=_written(Route))  # fmt: skip
def put_route(
    body: Route,
    response: Response,
    principal: Principal = Depends(ADMIN),
    app: Corridor = Depends(corridor_app),
) -> Any:
    """Every place it names must be in the registry."""
    return _put(app, body, principal, response)


@router.get("/checkpoints", summary="Checkpoints", response_model=Checkpoints)
def checkpoints(
    _reader: Principal | None = Depends(public), app: Corridor = Depends(corridor_app)
) -> dict[str, Any]:
    return {"items": app.registry.items("checkpoints")}


@router.post("/checkpoints", summary="Add or replace a checkpoint", status_code=201,
             response_model=Checkpoint, responses=_written(Checkpoint))  # fmt: skip
def put_checkpoint(
    body: Checkpoint,
    response: Response,
    principal: Principal = Depends(ADMIN),
    app: Corridor = Depends(corridor_app),
) -> Any:
    """Its place, route and operator (if any) must be in the registry."""
    return _put(app, body, principal, response)
