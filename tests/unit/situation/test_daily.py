"""Crossings per day: zeros kept, gaps absent, competing figures as ranges, spans kept whole."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.model import Observation, parse_observation
from corridor.situation.daily import MAX_EVIDENCE, daily_crossings

D0 = date(2024, 3, 1)
LOCAL = timezone(timedelta(hours=4))


def local(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL)


def crossing(
    start: datetime, end: datetime | None, count: int | None = None, *, claim_of: str = "x",
    direction: str = "inbound", category: str = "vehicles", checkpoint: str = "gate",
    tonnes: float | None = None, supersedes: str | None = None,
) -> Observation:  # fmt: skip
    observed: Any = start.isoformat() if end is None else {"start": start.isoformat(),
                                                           "end": end.isoformat()}
    body: dict[str, Any] = {"checkpoint": checkpoint, "direction": direction,
                            "category": category}
    if count is not None:
        body["count"] = count
    if tonnes is not None:
        body["tonnes"] = tonnes
    content: dict[str, Any] = {
        "type": "crossing",
        "observed": observed,
        "reporter": "ngo-x",
        "sources": [{"title": "synthetic test data", "claim_of": claim_of}],
        "body": body,
    }
    if supersedes is not None:
        content["supersedes"] = {"id": supersedes, "reason": "recounted"}
    return parse_observation(content)


def day_count(day: date, count: int, **kw: Any) -> Observation:
    return crossing(local(day), local(day + timedelta(days=1)), count, **kw)


class TestDays:
    def test_explicit_zero_is_a_zero_and_a_missing_day_is_absent(self) -> None:
        """A day reported as 0 is listed with 0; a day without a report is not listed."""
        obs = [day_count(D0, 0), day_count(D0 + timedelta(days=2), 5)]
        d = daily_crossings(obs, D0, D0 + timedelta(days=3), LOCAL)
        (s,) = d.series
        assert [(c.day, c.low, c.high) for c in s.days] == [
            (D0, 0, 0), (D0 + timedelta(days=2), 5, 5)
        ]  # fmt: skip
        assert d.days == 3

    def test_competing_figures_are_a_range_with_their_claimants(self) -> None:
        """Two figures for one day are kept as low and high, with who claims each."""
        obs = [day_count(D0, 19, claim_of="a"), day_count(D0, 21, claim_of="b")]
        (s,) = daily_crossings(obs, D0, D0 + timedelta(days=1), LOCAL).series
        (c,) = s.days
        assert (c.low, c.high, c.disputed, c.reports) == (19, 21, 1, 2)
        assert sorted((f.count, f.claim_of) for f in c.figures) == [(19, ("a",)), (21, ("b",))]

    def test_vehicles_on_one_day_are_added(self) -> None:
        """Per-vehicle records count on their local day, each its own vehicle."""
        obs = [crossing(local(D0, h), None, 1) for h in (1, 5, 23)]
        (s,) = daily_crossings(obs, D0, D0 + timedelta(days=2), LOCAL).series
        assert [(c.day, c.low) for c in s.days] == [(D0, 3)]

    def test_days_follow_the_zone(self) -> None:
        """A local daily count falls on one local day, but spans two UTC days."""
        obs = [day_count(D0, 7)]
        assert daily_crossings(obs, D0, D0 + timedelta(days=1), LOCAL).series[0].days
        utc = daily_crossings(obs, D0 - timedelta(days=1), D0 + timedelta(days=1), UTC)
        assert not utc.series[0].days and len(utc.series[0].spans) == 1

    def test_a_week_long_report_is_a_span_not_cut_into_days(self) -> None:
        """A report over several days is drawn across its period, never split."""
        obs = [crossing(local(D0), local(D0 + timedelta(days=7)), 24)]
        (s,) = daily_crossings(obs, D0, D0 + timedelta(days=10), LOCAL).series
        assert not s.days
        (span,) = s.spans
        assert (span.low, span.high, span.end - span.start) == (24, 24, timedelta(days=7))

    def test_a_span_across_the_edge_of_the_days_is_kept_whole(self) -> None:
        """A multi-day report that began before the days and ends within them is a span, whole."""
        obs = [crossing(local(D0 - timedelta(days=5)), local(D0 + timedelta(days=2)), 70)]
        (s,) = daily_crossings(obs, D0, D0 + timedelta(days=10), LOCAL).series
        (span,) = s.spans
        assert (span.low, span.start, span.end) == (70, local(D0 - timedelta(days=5)),
                                                    local(D0 + timedelta(days=2)))  # fmt: skip
        assert daily_crossings(obs, D0 + timedelta(days=2), D0 + timedelta(days=3),
                               LOCAL).series == []  # fmt: skip

    def test_reports_outside_the_days_are_left_out(self) -> None:
        """Only reports lying within [start, end) are drawn."""
        obs = [day_count(D0 - timedelta(days=1), 3), day_count(D0 + timedelta(days=1), 4)]
        assert daily_crossings(obs, D0, D0 + timedelta(days=1), LOCAL).series == []

    def test_a_correction_counts_by_its_last_version(self) -> None:
        """A corrected daily count is drawn with the corrected figure only."""
        first = day_count(D0, 10)
        fixed = day_count(D0, 12, supersedes=first.id)
        (s,) = daily_crossings([first, fixed], D0, D0 + timedelta(days=1), LOCAL).series
        assert [(c.low, c.reports) for c in s.days] == [(12, 1)]

    def test_evidence_is_cut_beyond_the_limit(self) -> None:
        """A cell lists at most MAX_EVIDENCE report ids and says when it is cut."""
        obs = [crossing(local(D0, 1) + timedelta(seconds=i), None, 1)
               for i in range(MAX_EVIDENCE + 1)]  # fmt: skip
        (c,) = daily_crossings(obs, D0, D0 + timedelta(days=1), LOCAL).series[0].days
        assert c.reports == MAX_EVIDENCE + 1 and len(c.evidence) == MAX_EVIDENCE
        assert not c.evidence_complete

    def test_tonnes_only_reports_have_no_count(self) -> None:
        """A day reported in tonnes only has no count (None), not a zero count."""
        obs = [crossing(local(D0), local(D0 + timedelta(days=1)), None, category="cargo",
                        tonnes=360.0)]  # fmt: skip
        (c,) = daily_crossings(obs, D0, D0 + timedelta(days=1), LOCAL).series[0].days
        assert (c.low, c.high, c.tonnes_low, c.tonnes_high) == (None, None, 360.0, 360.0)


class TestProperties:
    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 50)), max_size=25))
    def test_daily_counts_sum_by_day(self, days: list[tuple[int, int]]) -> None:
        """With one report per day, each listed day's figure is that report's, and every
        reported day is listed once."""
        by_day: dict[int, int] = {}
        obs = []
        for offset, count in days:
            if offset in by_day:
                continue
            by_day[offset] = count
            obs.append(day_count(D0 + timedelta(days=offset), count))
        d = daily_crossings(obs, D0, D0 + timedelta(days=10), LOCAL)
        got = {(c.day - D0).days: c.low for s in d.series for c in s.days}
        assert got == by_day
        assert d.reports == len(by_day)
