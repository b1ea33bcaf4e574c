"""The situation at an instant: routes, crossings in the window, convoys waiting, incidents.

Only what the situation needs is read (windowed and latest-per-key queries), so the time it
takes does not grow with the record.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from threading import Lock
from typing import TYPE_CHECKING, Any

from corridor.errors import InputError
from corridor.model import Registry
from corridor.situation import Situation

if TYPE_CHECKING:
    from corridor.situation.daily import DailyCrossings

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

#: The longest series of days one request may ask for (about five years).
MAX_DAYS = 1830

#: Crossings per day already computed in this process, by (database, tree size, as_of, days,
#: zone, checkpoints): the log is append-only, so the answer for a given tree size never
#: changes. Small (the dashboard asks the same few windows of many visitors); oldest dropped.
_DAILY_CACHE: OrderedDict[tuple[object, ...], DailyCrossings] = OrderedDict()
_DAILY_CACHE_SIZE = 64
_DAILY_LOCK = Lock()

#: The situation's JSON already made in this process (:meth:`SituationCases.at_json`), by
#: (database, tree size, as_of, instant), each with the registry it was computed with: a
#: situation depends on the log's entries (append-only: a tree size names them) and on the
#: registry (routes, checkpoints, places; edited in place, so compared on every use).
_JSON_CACHE: OrderedDict[tuple[object, ...], tuple[Registry, bytes]] = OrderedDict()
_JSON_CACHE_SIZE = 64
_JSON_LOCK = Lock()

__all__ = ["SituationCases"]


class SituationCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def at(self, at: datetime, *, as_of: int | None = None) -> tuple[Situation, Registry]:
        """The situation as the record shows it at ``at`` (observations that started strictly
        before it; their current versions, with who corroborated and who disputed them), with
        the registry to name things. With ``as_of``, as the record stood at that tree size,
        which must be the size of a signed checkpoint."""
        if as_of is not None:
            self.app.log.basis(as_of)
        registry = self.app.store.registry()
        return self._computed(at, as_of, registry), registry

    def _computed(self, at: datetime, as_of: int | None, registry: Registry) -> Situation:
        from corridor.situation import situation
        from corridor.store.situation_inputs import situation_observations

        observations = situation_observations(self.app.store, at, as_of=as_of, registry=registry)
        return situation(observations, registry, at)

    def at_json(self, at: datetime, *, as_of: int | None = None) -> bytes:
        """:meth:`at` as the JSON of ``GET /v1/situation`` (:func:`corridor.app.shapes.situation`,
        compact, UTF-8), reused while the record has not changed: the same database, tree size
        (read afresh: another process may have appended since), ``as_of`` and instant (with its
        offset, which the answer shows), and a registry equal to the one it was computed with."""
        import json

        from corridor.app import shapes

        if as_of is not None:
            self.app.log.basis(as_of)
        store = self.app.store
        # the size before the registry and the entries: an entry appended in between is in the
        # answer kept for the smaller size, which only requests made before the append can ask
        size = store.size() if as_of is None else as_of
        registry = store.registry()
        key = (self.app.settings.db, size, as_of, at.isoformat())
        with _JSON_LOCK:
            hit = _JSON_CACHE.get(key)
            if hit is not None and hit[0] == registry:
                _JSON_CACHE.move_to_end(key)
                return hit[1]
        doc = shapes.situation(self._computed(at, as_of, registry))
        body = json.dumps(
            doc, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("utf-8")  # as starlette's JSONResponse renders it
        with _JSON_LOCK:
            _JSON_CACHE[key] = (registry, body)
            _JSON_CACHE.move_to_end(key)
            while len(_JSON_CACHE) > _JSON_CACHE_SIZE:
                _JSON_CACHE.popitem(last=False)
        return body

    def daily(
        self,
        start: date,
        end: date,
        tz: tzinfo,
        *,
        checkpoints: Sequence[str] | None = None,
        as_of: int | None = None,
    ) -> DailyCrossings:
        """Crossings per day over the days [start, end) in ``tz``, by checkpoint, direction
        and category (:func:`corridor.situation.daily.daily_crossings`): what the dashboard's
        and the reports' charts draw. With ``as_of``, as the record stood at that tree size
        (the size of a signed checkpoint). Answers are kept per tree size (the log only grows)."""
        if end <= start:
            raise InputError(f"the days run from {start} to {end}: the end must be after the start")
        if (end - start).days > MAX_DAYS:
            raise InputError(f"at most {MAX_DAYS} days at once (asked {(end - start).days})")
        if as_of is not None:
            self.app.log.basis(as_of)
        size = self.app.store.size() if as_of is None else as_of
        key = (self.app.settings.db, size, start, end, str(tz),
               None if checkpoints is None else tuple(checkpoints))
        with _DAILY_LOCK:
            hit = _DAILY_CACHE.get(key)
            if hit is not None:
                _DAILY_CACHE.move_to_end(key)
                return hit
        result = self._daily(start, end, tz, checkpoints, as_of)
        with _DAILY_LOCK:
            _DAILY_CACHE[key] = result
            while len(_DAILY_CACHE) > _DAILY_CACHE_SIZE:
                _DAILY_CACHE.popitem(last=False)
        return result

    def _daily(
        self, start: date, end: date, tz: tzinfo, checkpoints: Sequence[str] | None,
        as_of: int | None,
    ) -> DailyCrossings:
        from corridor.situation.daily import daily_crossings

        lo = datetime.combine(start, time(), tz)
        hi = datetime.combine(end, time(), tz)
        stored = self.app.store.overlapping(lo - timedelta(microseconds=1), hi, ["crossing"],
                                            as_of=as_of)
        stored.sort(key=lambda s: s.log_index)  # log order, as the history rule reads it
        return daily_crossings(
            [s.observation for s in stored], start, end, tz, checkpoints=checkpoints
        )

    def population(
        self, at: datetime, *, days: int = 365, as_of: int | None = None
    ) -> dict[str, Any]:
        """The population counts of the ``days`` before ``at`` (``GET /v1/population``): the
        series behind the situation's latest figures, each as reported, oldest first. With
        ``as_of``, as the record stood at that tree size (the size of a signed checkpoint)."""
        from corridor.app import shapes
        from corridor.situation import population_series

        if not 1 <= days <= MAX_DAYS:
            raise InputError(f"days: 1 to {MAX_DAYS}, not {days}", where="days")
        if as_of is not None:
            self.app.log.basis(as_of)
        start = at - timedelta(days=days)
        stored = self.app.store.overlapping(start, at, ["population"], as_of=as_of)
        stored.sort(key=lambda s: s.log_index)  # log order, as the history rule reads it
        figures = population_series([s.observation for s in stored], at)
        # those that started in the window (a period begun before it overlaps it, and is out)
        figures = [f for f in figures if f.observed >= start]
        return shapes.population_series(at, start, figures)
