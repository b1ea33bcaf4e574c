"""The situation at an instant, computed from the record (pure: observations in, summary out).

Honesty rules, applied throughout:
- "no data" is never shown as "no movement": a window without any crossing report for a
  checkpoint is ``None``, an explicit zero is ``0``;
- figures that disagree for the same thing and period stay side by side (a low–high range and
  the sources), never averaged;
- reports that span more than the window are not cut into pieces: they are listed as
  overlapping, not counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from corridor.model import (
    ConvoyEvent,
    ConvoyState,
    Crossing,
    Incident,
    Observation,
    PopulationCount,
    Registry,
    RouteStatus,
)

__all__ = [
    "ConvoyWait",
    "CrossingTotal",
    "RouteSituation",
    "Situation",
    "situation",
]

WAITING_STATES = {ConvoyState.waiting, ConvoyState.dispatched, ConvoyState.inspected}
FINAL_STATES = {
    ConvoyState.crossed,
    ConvoyState.delivered,
    ConvoyState.turned_back,
    ConvoyState.returned,
}


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
        }


def _end(o: Observation) -> datetime:
    return o.end if o.end is not None else o.start


def situation(
    observations: Iterable[Observation],
    registry: Registry,
    at: datetime,
    *,
    window: timedelta = timedelta(days=7),
    incident_window: timedelta = timedelta(days=30),
) -> Situation:
    """Summarise the record as it stood at ``at`` (observations that started after are ignored)."""
    obs = [o for o in observations if o.start <= at]
    obs.sort(key=lambda o: (o.start, o.id))
    sit = Situation(at=at, window_start=at - window)
    sit.routes = _routes(obs, registry, at)
    _crossings(obs, registry, sit)
    sit.convoys_waiting = _convoys(obs, at)
    since = at - incident_window
    sit.incidents = [o for o in obs if isinstance(o.body, Incident) and _end(o) >= since]
    sit.population = _population(obs)
    return sit


def _routes(obs: Sequence[Observation], registry: Registry, at: datetime) -> list[RouteSituation]:
    by_route: dict[str, list[tuple[Observation, RouteStatus]]] = defaultdict(list)
    for o in obs:
        if isinstance(o.body, RouteStatus):
            by_route[o.body.route].append((o, o.body))
    out = []
    for rid, route in sorted(registry.routes.items()):
        reports = by_route.get(rid, [])
        if not reports:
            out.append(RouteSituation(rid, route.name, None, None, None))
            continue
        last, body = reports[-1]
        same_time = [(o, b) for o, b in reports if o.start == last.start]
        statuses = {str(b.status) for _o, b in same_time}
        since = last.start
        for o, b in reversed(reports):
            if b.status != body.status:
                break
            since = o.start
        out.append(
            RouteSituation(
                rid,
                route.name,
                str(body.status),
                since,
                last.start,
                body.who_may_pass,
                body.place,
                tuple(sorted(statuses - {str(body.status)})),
                tuple(o.id for o, _b in same_time),
            )
        )
    return out


def _crossings(obs: Sequence[Observation], registry: Registry, sit: Situation) -> None:
    lo, hi = sit.window_start, sit.at
    # per (checkpoint, direction, category): reports grouped by the period they cover; several
    # figures for one period are competing claims (a range), not quantities to add
    groups: dict[tuple[str, str, str], dict[object, list[tuple[str, Crossing]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    reported_checkpoints: set[str] = set()
    for o in obs:
        b = o.body
        if not isinstance(b, Crossing):
            continue
        slot: object
        if o.end is None:
            if not lo <= o.start < hi:
                continue
            slot = ("vehicle", o.id)  # a per-vehicle record is its own thing
        else:
            if not (o.start < hi and o.end > lo):
                continue
            if o.start < lo or o.end > hi:
                sit.crossings_overlapping.append(o.id)
                continue
            slot = (o.start, o.end)
        reported_checkpoints.add(b.checkpoint)
        groups[(b.checkpoint, str(b.direction), str(b.category))][slot].append((o.id, b))
    for (cp, d, c), periods in sorted(groups.items()):
        low = high = 0
        t_low: float | None = None
        t_high: float | None = None
        disputed = 0
        ids: list[str] = []
        have_count = False
        for reports in periods.values():
            counts = [b.count for _i, b in reports if b.count is not None]
            tonnes = [b.tonnes for _i, b in reports if b.tonnes is not None]
            if counts:
                have_count = True
                low += min(counts)
                high += max(counts)
                disputed += min(counts) != max(counts)
            if tonnes:
                t_low = (t_low or 0.0) + min(tonnes)
                t_high = (t_high or 0.0) + max(tonnes)
            ids += [i for i, _b in reports]
        sit.crossings.append(
            CrossingTotal(
                cp,
                d,
                c,
                low if have_count else None,
                high if have_count else None,
                t_low,
                t_high,
                len(ids),
                disputed,
                tuple(ids),
            )
        )
    sit.checkpoints_without_reports = sorted(set(registry.checkpoints) - reported_checkpoints)


def _convoys(obs: Sequence[Observation], at: datetime) -> list[ConvoyWait]:
    events: dict[str, list[tuple[Observation, ConvoyEvent]]] = defaultdict(list)
    for o in obs:
        if isinstance(o.body, ConvoyEvent):
            events[o.body.convoy].append((o, o.body))
    out = []
    for convoy, evs in events.items():
        last_start = evs[-1][0].start
        latest = [b for o, b in evs if o.start == last_start]
        states = {b.state for b in latest}
        if states & FINAL_STATES or not states & WAITING_STATES:
            continue
        # the waiting run: back from the end while the convoy was not in a final state
        since = last_start
        for o, b in reversed(evs):
            if b.state in FINAL_STATES:
                break
            since = o.start
        run = [(o, b) for o, b in evs if o.start >= since]
        last_report = max(o.start for o, _b in run)
        vehicles = sorted({b.vehicles for _o, b in run if b.vehicles is not None})
        tonnes = sorted({sum(cl.tonnes for cl in b.cargo) for _o, b in run if b.cargo})
        place = next(
            (b.place or b.checkpoint for _o, b in reversed(run) if b.place or b.checkpoint), None
        )
        out.append(
            ConvoyWait(
                convoy,
                str(latest[-1].state),
                place,
                since,
                last_report,
                (at - since).total_seconds() / 86400,
                (at - last_report).total_seconds() / 86400,
                tuple(vehicles),
                tuple(tonnes),
                tuple(o.id for o, _b in run),
            )
        )
    out.sort(key=lambda w: w.since)
    return out


def _population(obs: Sequence[Observation]) -> list[tuple[str, str, int, datetime, str]]:
    latest: dict[tuple[str, str], tuple[Observation, PopulationCount]] = {}
    for o in obs:
        if isinstance(o.body, PopulationCount):
            latest[(o.body.place, str(o.body.kind))] = (o, o.body)
    return [(p, k, b.persons, o.start, o.id) for (p, k), (o, b) in sorted(latest.items())]
