"""Crossings per day, by checkpoint, direction and category (pure: observations in, series out).

The charts of the dashboard and of reports draw these series. The honesty rules of the situation
hold per day (:mod:`corridor.situation.core`):

- a day with no crossing report for a series is absent (a gap), an explicit zero is ``0``;
- figures that disagree for the same period stay side by side: the day's ``low`` and ``high``
  and the figures with who claims them, never averaged;
- a report whose period spans more than one day is not cut into days: it is a *span* of its own,
  drawn across its period, kept whole when it overlaps the days at all (a window's chart shows
  the reports running across its edges).

Days are calendar days in a fixed UTC offset or IANA zone (``tz``), usually the case's local
time, so that daily counts written in local time fall on one day. A per-vehicle record (an
instant) counts on the day it falls on. Only current versions count (corrections by their last
version, retractions not at all: :func:`corridor.model.history.resolve`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from corridor.model import Crossing, Observation
from corridor.model.history import resolve

__all__ = [
    "MAX_EVIDENCE",
    "DailyCrossings",
    "DayCell",
    "Figure",
    "Series",
    "Span",
    "daily_crossings",
]

MAX_EVIDENCE = 50
"""At most this many report ids are listed per cell; beyond, ``evidence`` is cut and
``evidence_complete`` is false (the reports are found by a query on the same window)."""


@dataclass(frozen=True)
class Figure:
    """One report's figure in a cell where figures disagree (a competing claim)."""

    id: str
    count: int | None
    tonnes: float | None
    claim_of: tuple[str, ...]
    reporter: str


@dataclass(frozen=True)
class DayCell:
    """One series on one day: the sum over the day's periods, each period's competing figures
    giving a low and a high."""

    day: date
    low: int | None  # None: the day's reports give tonnes only
    high: int | None
    tonnes_low: float | None
    tonnes_high: float | None
    reports: int
    disputed: int  # periods with more than one figure
    evidence: tuple[str, ...]
    evidence_complete: bool
    figures: tuple[Figure, ...] = ()  # the figures of disputed periods


@dataclass(frozen=True)
class Span:
    """Reports covering one period longer than a day (competing figures for it side by side)."""

    start: datetime
    end: datetime
    low: int | None
    high: int | None
    tonnes_low: float | None
    tonnes_high: float | None
    figures: tuple[Figure, ...]


@dataclass
class Series:
    checkpoint: str
    direction: str
    category: str
    days: list[DayCell] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


@dataclass
class DailyCrossings:
    start: date  # first day
    end: date  # day after the last
    tz: tzinfo
    series: list[Series] = field(default_factory=list)
    reports: int = 0  # reports drawn, in days and spans

    @property
    def days(self) -> int:
        return (self.end - self.start).days


_Key = tuple[str, str, str]


def _figure(o: Observation, b: Crossing) -> Figure:
    return Figure(
        o.id,
        b.count,
        b.tonnes,
        tuple(dict.fromkeys(s.claim_of for s in o.sources if s.claim_of)),
        o.reporter,
    )


def _range(values: Sequence[float | int | None]) -> tuple[float | int | None, float | int | None]:
    present = [v for v in values if v is not None]
    return (min(present), max(present)) if present else (None, None)


def daily_crossings(
    observations: Iterable[Observation],
    start: date,
    end: date,
    tz: tzinfo,
    *,
    checkpoints: Sequence[str] | None = None,
) -> DailyCrossings:
    """The crossing series over the days [start, end) in ``tz`` (optionally of some checkpoints
    only). ``observations`` are read by current-state queries, in log order; reports that do not
    lie within [start, end) are left out."""
    lo = datetime.combine(start, time(), tz)
    hi = datetime.combine(end, time(), tz)
    wanted = None if checkpoints is None else set(checkpoints)
    # per series and day: period -> the reports for it (competing claims for one period)
    cells: dict[_Key, dict[date, dict[object, list[tuple[Observation, Crossing]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    spans: dict[_Key, dict[tuple[datetime, datetime], list[tuple[Observation, Crossing]]]] = (
        defaultdict(lambda: defaultdict(list))
    )
    for o in resolve(observations, partial=True).facts:
        b = o.body
        if not isinstance(b, Crossing) or (wanted is not None and b.checkpoint not in wanted):
            continue
        key = (b.checkpoint, str(b.direction), str(b.category))
        first = o.start.astimezone(tz)
        if o.end is None:
            if not lo <= o.start < hi:
                continue
            cells[key][first.date()][("vehicle", o.id)].append((o, b))
            continue
        last = (o.end - timedelta(microseconds=1)).astimezone(tz)
        if first.date() == last.date():
            if lo <= o.start and o.end <= hi:
                cells[key][first.date()][(o.start, o.end)].append((o, b))
        elif o.start < hi and o.end > lo:  # a span overlapping the days is kept whole
            spans[key][(o.start, o.end)].append((o, b))
    out = DailyCrossings(start, end, tz)
    for key in sorted(set(cells) | set(spans)):
        s = Series(*key)
        for day, periods in sorted(cells[key].items()):
            s.days.append(_cell(day, periods))
            out.reports += s.days[-1].reports
        for (p_start, p_end), reports in sorted(spans[key].items()):
            c_lo, c_hi = _range([b.count for _o, b in reports])
            t_lo, t_hi = _range([b.tonnes for _o, b in reports])
            s.spans.append(
                Span(
                    p_start,
                    p_end,
                    None if c_lo is None else int(c_lo),
                    None if c_hi is None else int(c_hi),
                    None if t_lo is None else float(t_lo),
                    None if t_hi is None else float(t_hi),
                    tuple(_figure(o, b) for o, b in reports),
                )
            )
            out.reports += len(reports)
        out.series.append(s)
    return out


def _cell(day: date, periods: dict[object, list[tuple[Observation, Crossing]]]) -> DayCell:
    low = high = 0
    have_count = False
    t_low: float | None = None
    t_high: float | None = None
    disputed = 0
    ids: list[str] = []
    figures: list[Figure] = []
    for reports in periods.values():
        counts = [b.count for _o, b in reports if b.count is not None]
        tonnes = [b.tonnes for _o, b in reports if b.tonnes is not None]
        if counts:
            have_count = True
            low += min(counts)
            high += max(counts)
        if tonnes:
            t_low = (t_low or 0.0) + min(tonnes)
            t_high = (t_high or 0.0) + max(tonnes)
        if len(set(counts)) > 1 or len(set(tonnes)) > 1:
            disputed += 1
            figures += [_figure(o, b) for o, b in reports]
        ids += [o.id for o, _b in reports]
    return DayCell(
        day,
        low if have_count else None,
        high if have_count else None,
        t_low,
        t_high,
        len(ids),
        disputed,
        tuple(ids[:MAX_EVIDENCE]),
        len(ids) <= MAX_EVIDENCE,
        tuple(figures[:MAX_EVIDENCE]),
    )
