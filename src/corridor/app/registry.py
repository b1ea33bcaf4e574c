"""The registry: the organisations, places, routes and checkpoints observations refer to; read
it, or add (or replace) one entity, its references checked, the write recorded in the admin
record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from corridor.app import shapes
from corridor.errors import RecordError
from corridor.model import Checkpoint, Organisation, Place, Registry, Route

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["KINDS", "Entity", "RegistryCases"]

Entity = Organisation | Place | Route | Checkpoint

#: The registry's collections and the entity each holds.
KINDS: dict[str, type[Entity]] = {
    "organisations": Organisation,
    "places": Place,
    "routes": Route,
    "checkpoints": Checkpoint,
}
_ACTION = {"organisations": "organisation", "places": "place", "routes": "route",
           "checkpoints": "checkpoint"}  # fmt: skip


class RegistryCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def get(self) -> Registry:
        return self.app.store.registry()

    def shape(self) -> dict[str, list[dict[str, Any]]]:
        """Every entity, by collection (what ``GET /v1/registry`` answers)."""
        return shapes.registry(self.get())

    def items(self, kind: str) -> list[dict[str, Any]]:
        return self.shape()[kind]

    def put(self, entity: Entity, *, actor: str | None = None) -> tuple[dict[str, Any], bool]:
        """Add an entity, or replace the one with its id; returns (its shape, newly added).

        A route's places and a checkpoint's place, route and operator must exist; an
        organisation's keys are registered on their own (``keys``), never with it.
        """
        registry = self.get()
        kind = next(k for k, cls in KINDS.items() if isinstance(entity, cls))
        if isinstance(entity, Organisation) and entity.keys:
            raise RecordError(
                "an organisation's keys are registered on their own, not with it", field="keys"
            )
        if isinstance(entity, Route):
            registry.check_route(entity)
        elif isinstance(entity, Checkpoint):
            registry.check_checkpoint(entity)
        new = entity.id not in getattr(registry, kind)
        store = self.app.store
        if isinstance(entity, Organisation):
            store.put_entities(organisations=[entity])
        elif isinstance(entity, Place):
            store.put_entities(places=[entity])
        elif isinstance(entity, Route):
            store.put_entities(routes=[entity])
        else:
            store.put_entities(checkpoints=[entity])
        data = entity.model_dump(mode="json")
        self.app.access.record(
            f"{_ACTION[kind]}.{'add' if new else 'replace'}", entity.id, data, actor=actor
        )
        stored = getattr(self.get(), kind)[entity.id]
        return stored.model_dump(mode="json"), new
