"""From the record to daily series: deliveries per ration commodity, and the population.

Pure functions over :class:`corridor.model.Observation`; no store, no files. The rules:

Day. An observation counts on the local calendar day (in the scenario's time zone) of the start
of its observed period.

Deliveries.
1. A convoy event in state ``delivered`` with cargo lines delivers those lines on its day.
   Several ``delivered`` reports of one convoy (sources disagree on tonnage) are one delivery:
   on the earliest reported day, and per ration commodity the reports that mention it are
   combined by the scenario's ``record.conflicting_reports`` (``min`` by default: what every
   source supports).
2. A crossing with category ``cargo``, direction ``inbound``, outcome ``passed`` and tonnes
   delivers them on its day. If it names a convoy that has a ``delivered`` event, it is skipped
   (the delivered event counts). Crossings naming the same convoy and vehicle are reports of one
   passage and are combined as in 1; other crossings are separate passages and add up.
3. Each recorded commodity name is mapped by the commodity table (corridor.supply.rations) to a
   ration commodity times a factor, to non-food, or (unspecified "food") to the ration's
   commodities in proportion to their mass. Names not in the table, and cargo with no
   commodity ("unspecified"), are not counted as food; their tonnes are reported as unmapped.
4. Deliveries before the scenario's first day are ignored (they are in the initial stocks), and
   so are those on or after its last day.

Population.
1. Resident counts (``population`` observations of kind ``resident``; for the scenario's places
   when it names any) set the population from their day on; the latest count wins.
2. Departures: the cumulative arrivals elsewhere (kind ``cumulative_arrivals``, from the places
   when named) are taken as a running maximum by day, since sources report them out of order;
   persons crossing outbound minus inbound (category ``persons``, outcome ``passed``) are summed.
   Cumulative departures by the end of a day are the larger of the two (they measure one flow,
   each partially), so nobody is counted twice.
3. People who leave on a day are gone from the next day on. The population on day t is the latest
   count minus departures since that count (or, before any count, the scenario's initial
   population minus departures since the first day), never below zero.
4. ``displaced`` counts are people moved within the area; they do not change its population.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Literal

from corridor.model import (
    CargoLine,
    Category,
    ConvoyEvent,
    ConvoyState,
    Crossing,
    Direction,
    Observation,
    Outcome,
    PopulationCount,
    PopulationKind,
)
from corridor.supply.rations import RATION_MIX, CommodityMap

__all__ = [
    "RecordDeliveries",
    "RecordPopulation",
    "record_deliveries",
    "record_population",
]

Policy = Literal["min", "max", "mean"]
_Report = tuple[date, list[tuple[str | None, float]]]
GRAMS_PER_TONNE = 1_000_000


@dataclass(frozen=True)
class RecordDeliveries:
    """Daily food deliveries in whole grams per ration commodity, and what was not counted."""

    grams: dict[str, list[int]]
    non_food_tonnes: float = 0.0
    unmapped_tonnes: dict[str, float] = field(default_factory=dict)
    deliveries: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordPopulation:
    """Per day: the population the record fixes (None before its first count) and departures."""

    counted: list[int | None]
    departed: list[int]
    counts: int = 0

    def series(self, base: int) -> list[int]:
        """The population per day given the initial population used before the first count."""
        return [
            c if c is not None else max(0, base - d)
            for c, d in zip(self.counted, self.departed, strict=True)
        ]


def _day(obs: Observation, tz: tzinfo) -> date:
    return obs.start.astimezone(tz).date()


def _combine(values: Sequence[int], policy: Policy) -> int:
    if policy == "min":
        return min(values)
    if policy == "max":
        return max(values)
    return round(sum(values) / len(values))


def record_deliveries(
    observations: Iterable[Observation],
    *,
    start: date,
    days: int,
    tz: tzinfo,
    commodities: Sequence[str],
    commodity_map: CommodityMap,
    conflicting: Policy = "min",
    ration_mix: Mapping[str, float] | None = None,
) -> RecordDeliveries:
    """Daily deliveries per ration commodity (grams), by the rules in the module docstring."""
    obs = list(observations)
    delivered: dict[str, list[Observation]] = defaultdict(list)
    for o in obs:
        b = o.body
        if isinstance(b, ConvoyEvent) and b.state == ConvoyState.delivered and b.cargo:
            delivered[b.convoy].append(o)
    groups: dict[tuple[str, ...], list[_Report]] = {}
    skipped = 0
    for convoy, convoy_reports in delivered.items():
        groups[("convoy", convoy)] = [
            (_day(o, tz), [(line.commodity, line.tonnes) for line in _cargo(o)])
            for o in convoy_reports
        ]
    for o in obs:
        b = o.body
        if not (
            isinstance(b, Crossing)
            and b.category == Category.cargo
            and b.direction == Direction.inbound
            and b.outcome == Outcome.passed
            and b.tonnes is not None
        ):
            continue
        if b.convoy is not None and b.convoy in delivered:
            skipped += 1
            continue
        key: tuple[str, ...] = (
            ("crossing", b.convoy, b.vehicle or "") if b.convoy else ("observation", o.id)
        )
        groups.setdefault(key, []).append((_day(o, tz), [(b.commodity, b.tonnes)]))

    index = {c: i for i, c in enumerate(commodities)}
    grams = {c: [0] * days for c in commodities}
    unmapped: dict[str, float] = defaultdict(float)
    non_food = 0.0
    counted = 0
    notes: list[str] = []
    for key, reports in groups.items():
        day = min(d for d, _ in reports)
        t = (day - start).days
        if not 0 <= t < days:
            continue
        per_report: list[dict[str, int]] = []
        report_non_food: list[float] = []
        report_unmapped: list[dict[str, float]] = []
        for _, lines in reports:
            food: dict[str, int] = defaultdict(int)
            nf = 0.0
            um: dict[str, float] = defaultdict(float)
            for name, tonnes in lines:
                entry = commodity_map.resolve(name)
                if entry is not None and entry.target == RATION_MIX and ration_mix:
                    for c, share in ration_mix.items():
                        food[c] += round(tonnes * entry.factor * share * GRAMS_PER_TONNE)
                elif entry is None or (entry.is_food and entry.target not in index):
                    um[name or "unspecified"] += tonnes
                elif not entry.is_food:
                    nf += tonnes
                else:
                    food[entry.target] += round(tonnes * entry.factor * GRAMS_PER_TONNE)
            per_report.append(food)
            report_non_food.append(nf)
            report_unmapped.append(um)
        mentioned = sorted({c for r in per_report for c in r}, key=index.__getitem__)
        for c in mentioned:
            values = [r[c] for r in per_report if c in r]
            grams[c][t] += _combine(values, conflicting)
        non_food += min(report_non_food) if conflicting == "min" else max(report_non_food)
        worst = report_unmapped[0] if len(reports) == 1 else _pick(report_unmapped, conflicting)
        for name, tonnes in worst.items():
            unmapped[name] += tonnes
        if len(reports) > 1:
            notes.append(
                f"{key[1]} on {day}: {len(reports)} reports combined by {conflicting}"
            )
        counted += 1
    if skipped:
        notes.append(f"{skipped} cargo crossing(s) of delivered convoys counted once, as delivered")
    return RecordDeliveries(grams, non_food, dict(unmapped), counted, tuple(notes))


def _pick(reports: list[dict[str, float]], policy: Policy) -> dict[str, float]:
    totals = [sum(r.values()) for r in reports]
    i = totals.index(min(totals) if policy == "min" else max(totals))
    return reports[i]


def _cargo(o: Observation) -> Sequence[CargoLine]:
    b = o.body
    assert isinstance(b, ConvoyEvent)
    return b.cargo


def record_population(
    observations: Iterable[Observation],
    *,
    start: date,
    days: int,
    tz: tzinfo,
    places: Sequence[str] = (),
) -> RecordPopulation:
    """The population the record fixes per day, and departures since the first day."""
    wanted = set(places)
    counts: list[tuple[date, int, int]] = []  # (day, order, persons)
    arrivals: dict[date, int] = {}
    crossings: dict[date, int] = defaultdict(int)
    for n, o in enumerate(observations):
        b = o.body
        if isinstance(b, PopulationCount):
            if b.kind == PopulationKind.resident and (not wanted or b.place in wanted):
                counts.append((_day(o, tz), n, b.persons))
            elif b.kind == PopulationKind.cumulative_arrivals and (
                not wanted or b.origin in wanted
            ):
                d = _day(o, tz)
                arrivals[d] = max(arrivals.get(d, 0), b.persons)
        elif (
            isinstance(b, Crossing)
            and b.category == Category.persons
            and b.outcome == Outcome.passed
            and b.count is not None
        ):
            sign = 1 if b.direction == Direction.outbound else -1
            crossings[_day(o, tz)] += sign * b.count
    event_days = sorted({*arrivals, *crossings, *(d for d, _, _ in counts)})
    first = min([start, *event_days]) - timedelta(days=1)

    # cumulative departures by the end of each day from `first` to the last day needed
    last = start + timedelta(days=days)
    departed_by: dict[date, int] = {}
    run_arrivals = 0
    run_crossings = 0
    d = first
    while d <= last:
        run_arrivals = max(run_arrivals, arrivals.get(d, 0))
        run_crossings += crossings.get(d, 0)
        departed_by[d] = max(run_arrivals, run_crossings, 0)
        d += timedelta(days=1)

    def gone_before(day: date) -> int:
        """Departures by the end of the day before ``day`` (effective on ``day``)."""
        return departed_by.get(day - timedelta(days=1), 0)

    counts.sort()
    counted: list[int | None] = []
    departed: list[int] = []
    ref = gone_before(start)
    ci = -1
    for t in range(days):
        day = start + timedelta(days=t)
        while ci + 1 < len(counts) and counts[ci + 1][0] <= day:
            ci += 1
        now = gone_before(day)
        departed.append(now - ref)
        if ci < 0:
            counted.append(None)
        else:
            cday, _, persons = counts[ci]
            counted.append(max(0, persons - (now - gone_before(cday))))
    return RecordPopulation(counted, departed, len(counts))
