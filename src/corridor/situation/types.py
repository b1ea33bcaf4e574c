"""The situation's value types: what :func:`corridor.situation.situation` returns, and its JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from corridor.model import Observation, Registry
from corridor.model.history import Attested, summaries_json

__all__ = ["ConvoyWait", "CrossingTotal", "RouteSituation", "Situation"]


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
    population: list[tuple[str, str, int, datetime, str]] = field(default_factory=list)
    # per report the situation rests on, who corroborated and who disputed it (those that
    # carry an attestation)
    attestations: dict[str, Attested] = field(default_factory=dict)
    attested_reports: dict[str, Observation] = field(default_factory=dict)  # those reports

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
        ids.update(dict.fromkeys(i for *_x, i in self.population))
        return list(ids)

    def to_json(self, registry: Registry | None = None) -> dict[str, Any]:
        def iso(d: datetime | None) -> str | None:
            return d.isoformat() if d is not None else None

        return {
            "at": iso(self.at),
            "window": {"start": iso(self.window_start), "end": iso(self.at)},
            "routes": [
                {
                    "route": r.route,
                    "name": r.name,
                    "status": r.status,
                    "since": iso(r.since),
                    "last_report": iso(r.last_report),
                    "who_may_pass": list(r.who_may_pass),
                    "place": r.place,
                    "conflicting": list(r.conflicting),
                    "evidence": list(r.evidence),
                }
                for r in self.routes
            ],
            "crossings_last_7_days": [
                {
                    "checkpoint": c.checkpoint,
                    "direction": c.direction,
                    "category": c.category,
                    "count": None if c.low is None else (c.low if c.low == c.high else None),
                    "low": c.low,
                    "high": c.high,
                    "tonnes_low": c.tonnes_low,
                    "tonnes_high": c.tonnes_high,
                    "reports": c.reports,
                    "disputed_periods": c.disputed_periods,
                    "evidence": list(c.evidence),
                }
                for c in self.crossings
            ],
            "crossing_reports_spanning_window": self.crossings_overlapping,
            "checkpoints_without_reports": self.checkpoints_without_reports,
            "convoys_waiting": [
                {
                    "convoy": w.convoy,
                    "state": w.state,
                    "place": w.place,
                    "since": iso(w.since),
                    "last_report": iso(w.last_report),
                    "days_waiting": round(w.days_waiting, 1),
                    "days_since_report": round(w.days_since_report, 1),
                    "vehicles": list(w.vehicles),
                    "tonnes": list(w.tonnes),
                    "evidence": list(w.evidence),
                }
                for w in self.convoys_waiting
            ],
            "incidents": [
                {
                    "id": o.id,
                    "observed": iso(o.start),
                    "category": str(getattr(o.body, "category", "")),
                    "place": getattr(o.body, "place", None),
                    "killed": getattr(o.body, "killed", None),
                    "injured": getattr(o.body, "injured", None),
                    "text": getattr(o.body, "text", None),
                    "claim_of": [s.claim_of for s in o.sources if s.claim_of],
                }
                for o in self.incidents
            ],
            "population": [
                {"place": p, "kind": k, "persons": n, "observed": iso(d), "id": i}
                for p, k, n, d, i in self.population
            ],
            "attestations": summaries_json(self.attestations),
        }
