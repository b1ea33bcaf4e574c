"""The situation at an instant, computed from observations (pure: observations in, summary out).

Boundary rule (one for the store and the situation, docs/record.md): the situation at ``at``
counts the observations that *started strictly before* ``at`` (``start < at``); a period is the
half-open [start, end). The store's reads for an instant use the same test (``start_us < at``).

Honesty rules, applied throughout:
- "no data" is never shown as "no movement": a window without any crossing report for a
  checkpoint is ``None``, an explicit zero is ``0``;
- figures that disagree for the same thing and period stay side by side (a low–high range and
  the sources), never averaged;
- reports that span more than the window are not cut into pieces: they are listed as
  overlapping, not counted;
- the current state counts (:func:`corridor.model.history.resolve`): a corrected report counts
  by its last version, a retracted one not at all; who corroborated and who disputed each report
  the situation rests on is kept beside it (``Situation.attestations``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

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
from corridor.model.history import resolve
from corridor.situation.types import (
    ConvoyWait,
    CrossingTotal,
    PopulationFigure,
    RouteSituation,
    Situation,
)

__all__ = [
    "DEFAULT_INCIDENT_WINDOW",
    "DEFAULT_WINDOW",
    "FINAL_STATES",
    "WAITING_STATES",
    "before",
    "situation",
]

DEFAULT_WINDOW = timedelta(days=7)
DEFAULT_INCIDENT_WINDOW = timedelta(days=30)

WAITING_STATES = frozenset({ConvoyState.waiting, ConvoyState.dispatched, ConvoyState.inspected})
FINAL_STATES = frozenset(
    {
        ConvoyState.crossed,
        ConvoyState.delivered,
        ConvoyState.turned_back,
        ConvoyState.returned,
    }
)


def before(o: Observation, at: datetime) -> bool:
    """The boundary rule: ``o`` is part of the situation at ``at`` if it started before it."""
    return o.start < at


def _overlaps(o: Observation, since: datetime) -> bool:
    """``o`` (started before the instant) overlaps [since, instant): an instant at or after
    ``since``, or a period ending after it."""
    return o.start >= since if o.end is None else o.end > since


def situation(
    observations: Iterable[Observation],
    registry: Registry,
    at: datetime,
    *,
    window: timedelta = DEFAULT_WINDOW,
    incident_window: timedelta = DEFAULT_INCIDENT_WINDOW,
) -> Situation:
    """Summarise the record as it stood at ``at``: only observations that started before
    ``at`` count (:func:`before`); crossings in [at - window, at), incidents overlapping
    [at - incident_window, at). ``observations`` are the record or a part of it read by
    current-state queries (with the attestations about them), in log order: superseded and
    retracted versions do not count."""
    resolved = resolve(observations, partial=True)
    obs = [o for o in resolved.facts if before(o, at)]
    obs.sort(key=lambda o: (o.start, o.id))
    sit = Situation(at=at, window_start=at - window)
    sit.routes = _routes(obs, registry, at)
    _crossings(obs, registry, sit)
    sit.convoys_waiting = _convoys(obs, at)
    since = at - incident_window
    sit.incidents = [o for o in obs if isinstance(o.body, Incident) and _overlaps(o, since)]
    sit.population = _population(obs)
    sit.attestations = resolved.about(sit.evidence_ids())
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
    out.sort(key=lambda w: (w.since, w.convoy))  # ties by name: the same order on any input
    return out


def population_figure(o: Observation) -> PopulationFigure:
    """A population count as the situation and the series show it (``o``'s body is one)."""
    b = o.body
    assert isinstance(b, PopulationCount)
    return PopulationFigure(
        place=b.place,
        kind=str(b.kind),
        persons=b.persons,
        observed=o.start,
        id=o.id,
        reporter=o.reporter,
        claim_of=tuple(dict.fromkeys(s.claim_of for s in o.sources if s.claim_of)),
        origin=b.origin,
    )


def population_series(observations: Iterable[Observation], at: datetime) -> list[PopulationFigure]:
    """Every population count that started before ``at`` (the current versions), oldest
    first: the series behind the situation's latest figures, each as reported (never
    interpolated: a day without a count has none)."""
    resolved = resolve(observations, partial=True)
    obs = [o for o in resolved.facts if isinstance(o.body, PopulationCount) and before(o, at)]
    obs.sort(key=lambda o: (o.start, o.id))
    return [population_figure(o) for o in obs]


def _population(obs: Sequence[Observation]) -> list[PopulationFigure]:
    """Per place, kind and reporter, the counts of the latest instant reported (``obs`` in
    (start, id) order): one organisation's figure never hides another's, and counts one
    reports for the same instant (from different sources) stand side by side."""
    latest: dict[tuple[str, str, str], list[Observation]] = {}
    for o in obs:
        if isinstance(o.body, PopulationCount):
            key = (o.body.place, str(o.body.kind), o.reporter)
            run = latest.get(key)
            if run is None or run[0].start < o.start:
                latest[key] = [o]
            else:
                run.append(o)
    return [population_figure(o) for _k, run in sorted(latest.items()) for o in run]
