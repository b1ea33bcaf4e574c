"""The situation at an instant: routes, crossings in the window, convoys waiting, incidents."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from corridor.model import Registry
from corridor.status import Situation, situation
from corridor.store.api import Query

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["SituationCases"]


class SituationCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def at(self, at: datetime) -> tuple[Situation, Registry]:
        """The situation as the record shows it at ``at``, with the registry to name things."""
        store = self.app.store
        registry = store.registry()
        observations = [s.observation for s in store.query(Query(end=at))]
        return situation(observations, registry, at), registry

    def json(self, at: datetime) -> dict[str, Any]:
        """The situation's JSON shape (:meth:`Situation.to_json`)."""
        return self.at(at)[0].to_json()
