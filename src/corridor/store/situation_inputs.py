"""The situation at an instant, from the store: fetch only what the pure core needs.

Each part of :func:`corridor.situation.situation` depends on a bounded set of observations, and
the store reads exactly that set on an index, with the core's boundary rule (started before
``at``):

- routes: per registered route, the route_status reports that decide its status and since when
  (:meth:`~corridor.store.observations.ObservationStore.route_status_inputs`);
- crossings: those overlapping [at - window, at); incidents: those overlapping
  [at - incident_window, at) (:meth:`~corridor.store.observations.ObservationStore.overlapping`);
- convoys: the events of convoys waiting at ``at``, since their last final state
  (:meth:`~corridor.store.observations.ObservationStore.convoy_inputs`);
- population: per place and kind, the counts at the latest instant
  (:meth:`~corridor.store.observations.ObservationStore.latest_population`);
- and the current attestations about those reports
  (:meth:`~corridor.store.history.HistoryStore.attestations_about`).

Every read is of the current state (no superseded or retracted version) as of ``as_of`` (the
first N entries of the log; None: all of them). The core computes the same situation from these
as from the whole record as of that size.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from corridor.model import Observation, Registry
from corridor.situation import (
    DEFAULT_INCIDENT_WINDOW,
    DEFAULT_WINDOW,
    FINAL_STATES,
    WAITING_STATES,
    Situation,
    situation,
)
from corridor.store.sql import SqlStore

__all__ = ["situation_at", "situation_observations"]


def situation_observations(
    store: SqlStore,
    at: datetime,
    *,
    window: timedelta = DEFAULT_WINDOW,
    incident_window: timedelta = DEFAULT_INCIDENT_WINDOW,
    as_of: int | None = None,
    registry: Registry | None = None,
) -> list[Observation]:
    """The observations the situation at ``at`` depends on (each once, in log order), and the
    attestations about them (``registry``: the store's, when the caller has read it)."""
    registry = registry or store.registry()
    parts = [
        store.route_status_inputs(registry.routes, at, as_of=as_of),
        store.overlapping(at - window, at, ["crossing"], as_of=as_of),
        store.overlapping(at - incident_window, at, ["incident"], as_of=as_of),
        store.convoy_inputs(
            at,
            waiting={str(s) for s in WAITING_STATES},
            final={str(s) for s in FINAL_STATES},
            as_of=as_of,
        ),
        store.latest_population(at, as_of=as_of),
    ]
    seen: dict[int, Observation] = {}
    for part in parts:
        for s in part:
            seen.setdefault(s.log_index, s.observation)
    for s in store.attestations_about([o.id for o in seen.values()], as_of=as_of):
        seen.setdefault(s.log_index, s.observation)
    return [seen[i] for i in sorted(seen)]


def situation_at(
    store: SqlStore,
    at: datetime,
    *,
    window: timedelta = DEFAULT_WINDOW,
    incident_window: timedelta = DEFAULT_INCIDENT_WINDOW,
    as_of: int | None = None,
) -> Situation:
    """The situation at ``at`` from the record in ``store`` (as of a tree size), reading only
    what it needs."""
    obs = situation_observations(
        store, at, window=window, incident_window=incident_window, as_of=as_of
    )
    return situation(
        obs, store.registry(), at, window=window, incident_window=incident_window
    )
