"""The entities an observation may refer to, and the check that its references exist."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from corridor.errors import RecordError
from corridor.model.bodies import (
    Claim,
    ConvoyEvent,
    Crossing,
    Deployment,
    Incident,
    PopulationCount,
    RouteStatus,
)
from corridor.model.entities import Checkpoint, Organisation, Place, Route
from corridor.model.observation import Observation, parse_observation

__all__ = ["Registry"]


@dataclass
class Registry:
    """Organisations, places, routes and checkpoints of a record, by id."""

    organisations: dict[str, Organisation] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)
    checkpoints: dict[str, Checkpoint] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        organisations: Iterable[Organisation] = (),
        places: Iterable[Place] = (),
        routes: Iterable[Route] = (),
        checkpoints: Iterable[Checkpoint] = (),
    ) -> Registry:
        return cls(
            {o.id: o for o in organisations},
            {p.id: p for p in places},
            {r.id: r for r in routes},
            {c.id: c for c in checkpoints},
        )

    # -- entity consistency ---------------------------------------------------------------
    def check_route(self, route: Route, where: str | None = None) -> None:
        for i, p in enumerate(route.places):
            if p not in self.places:
                raise RecordError(f"unknown place {p!r}", field=f"places[{i}]", where=where)

    def check_checkpoint(self, cp: Checkpoint, where: str | None = None) -> None:
        if cp.place not in self.places:
            raise RecordError(f"unknown place {cp.place!r}", field="place", where=where)
        if cp.route not in self.routes:
            raise RecordError(f"unknown route {cp.route!r}", field="route", where=where)
        if cp.operator is not None and cp.operator not in self.organisations:
            raise RecordError(
                f"unknown organisation {cp.operator!r}", field="operator", where=where
            )

    # -- observation references -----------------------------------------------------------
    def parse(self, item: Mapping[str, Any], where: str | None = None) -> Observation:
        """Validate a raw observation and check its references (RecordError naming the item
        and field): what a face does before it signs, beside a database or a server."""
        obs = parse_observation(dict(item), where=where)
        self.check(obs, where=where)
        return obs

    def check(self, obs: Observation, where: str | None = None) -> None:
        """Raise RecordError if the observation names an unknown organisation, place, route or
        checkpoint."""
        if obs.reporter not in self.organisations:
            raise RecordError(
                f"unknown organisation {obs.reporter!r} (add it to the case first)",
                field="reporter",
                where=where,
            )
        b = obs.body
        refs: list[tuple[str, str | None, Mapping[str, object], str]] = []
        if isinstance(b, Crossing):
            refs += [("checkpoint", b.checkpoint, self.checkpoints, "checkpoint")]
            refs += [("operator", b.operator, self.organisations, "organisation")]
        elif isinstance(b, RouteStatus):
            refs += [
                ("route", b.route, self.routes, "route"),
                ("place", b.place, self.places, "place"),
            ]
        elif isinstance(b, ConvoyEvent | Incident):
            refs += [
                ("place", b.place, self.places, "place"),
                ("route", b.route, self.routes, "route"),
                ("checkpoint", b.checkpoint, self.checkpoints, "checkpoint"),
            ]
            if isinstance(b, ConvoyEvent):
                refs += [("organiser", b.organiser, self.organisations, "organisation")]
        elif isinstance(b, Deployment):
            refs += [
                ("place", b.place, self.places, "place"),
                ("route", b.route, self.routes, "route"),
            ]
        elif isinstance(b, PopulationCount):
            refs += [
                ("place", b.place, self.places, "place"),
                ("origin", b.origin, self.places, "place"),
            ]
        elif isinstance(b, Claim):
            pass
        for fname, value, table, what in refs:
            if value is not None and value not in table:
                raise RecordError(f"unknown {what} {value!r}", field=f"body.{fname}", where=where)
