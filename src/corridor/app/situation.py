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

    def at(self, at: datetime, *, as_of: int | None = None) -> tuple[Situation, Registry]:
        """The situation as the record shows it at ``at`` (observations that started strictly
        before it; their current versions, with who corroborated and who disputed them), with
        the registry to name things. With ``as_of``, as the record stood at that tree size,
        which must be the size of a signed checkpoint."""
        from corridor.situation import situation
        from corridor.store.situation_inputs import situation_observations

        if as_of is not None:
            self.app.log.basis(as_of)
        store = self.app.store
        registry = store.registry()
        observations = situation_observations(store, at, as_of=as_of, registry=registry)
        return situation(observations, registry, at), registry
