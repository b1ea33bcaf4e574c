"""The situation at an instant: routes, crossings in the window, convoys waiting, incidents.

Only what the situation needs is read (windowed and latest-per-key queries), so the time it
takes does not grow with the record.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from corridor.model import Registry
from corridor.situation import Situation

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["SituationCases"]


class SituationCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def at(self, at: datetime) -> tuple[Situation, Registry]:
        """The situation as the record shows it at ``at`` (observations that started strictly
        before it), with the registry to name things."""
        from corridor.situation import situation
        from corridor.store.situation_inputs import situation_observations

        store = self.app.store
        registry = store.registry()
        return situation(situation_observations(store, at), registry, at), registry
