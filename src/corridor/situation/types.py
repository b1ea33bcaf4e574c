"""The situation's value types: what :func:`corridor.situation.situation` returns (its JSON
shape is :func:`corridor.app.shapes.situation`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from corridor.model import Observation
from corridor.model.history import Attested

__all__ = ["ConvoyWait", "CrossingTotal", "PopulationFigure", "RouteSituation", "Situation"]


@dataclass
class RouteSituation:
    route: str
    name: str
    status: str | None  # None: no report at or before the instant
    since: datetime | None
    last_report: datetime | None
    who_may_pass: tuple[str, ...] = ()
    place: str | None = None
    conflicting: tuple[str, ...] = ()  # other statuses reported for the same latest instant
    evidence: tuple[str, ...] = ()


@dataclass
class CrossingTotal:
    checkpoint: str
    direction: str
    category: str
    low: int | None  # None: no report covers the window
    high: int | None
    tonnes_low: float | None = None
    tonnes_high: float | None = None
    reports: int = 0
    disputed_periods: int = 0  # periods with more than one figure
    evidence: tuple[str, ...] = ()


@dataclass
class ConvoyWait:
    convoy: str
    state: str
    place: str | None
    since: datetime
    last_report: datetime
    days_waiting: float
    days_since_report: float
    vehicles: tuple[int, ...] = ()
    tonnes: tuple[float, ...] = ()
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class PopulationFigure:
    """A count of a kind of population at a place, as one reporter reported it, with whose
    claim it is (its sources' ``claim_of``): in the situation, the latest of each reporter
    (those of the same instant side by side); in the series, every one."""

    place: str
    kind: str
    persons: int
    observed: datetime
    id: str
    reporter: str
    claim_of: tuple[str, ...] = ()
    origin: str | None = None  # where arrivals came from


@dataclass
class Situation:
    at: datetime
    window_start: datetime
    routes: list[RouteSituation] = field(default_factory=list)
    crossings: list[CrossingTotal] = field(default_factory=list)
    crossings_overlapping: list[str] = field(default_factory=list)
    checkpoints_without_reports: list[str] = field(default_factory=list)
    convoys_waiting: list[ConvoyWait] = field(default_factory=list)
    incidents: list[Observation] = field(default_factory=list)
    # per place, kind and reporter: a figure of one reporter never hides another's
    population: list[PopulationFigure] = field(default_factory=list)
    # per report the situation rests on, who corroborated and who disputed it (those that
    # carry an attestation)
    attestations: dict[str, Attested] = field(default_factory=dict)

    def evidence_ids(self) -> list[str]:
        """Every report the situation rests on, once each."""
        ids: dict[str, None] = {}
        for r in self.routes:
            ids.update(dict.fromkeys(r.evidence))
        for c in self.crossings:
            ids.update(dict.fromkeys(c.evidence))
        ids.update(dict.fromkeys(self.crossings_overlapping))
        for w in self.convoys_waiting:
            ids.update(dict.fromkeys(w.evidence))
        ids.update(dict.fromkeys(o.id for o in self.incidents))
        ids.update(dict.fromkeys(p.id for p in self.population))
        return list(ids)
