"""The pure situation core: the boundary rule, routes, crossings, convoys, incidents, population."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.model import (
    Checkpoint,
    Observation,
    Organisation,
    Place,
    Registry,
    Route,
    parse_observation,
)
from corridor.situation import before, population_series, situation

T0 = datetime(2024, 3, 1, tzinfo=UTC)
REGISTRY = Registry.of(
    [Organisation(id="ngo-x", name="NGO X (synthetic)", kind="monitor")],
    [Place(id="gate", names=["Gate"]), Place(id="town", names=["Town"])],
    [Route(id="road", name="Road", places=("gate", "town"))],
    [Checkpoint(id="gate", name="Gate", place="gate", route="road")],
)


def iso(d: datetime) -> str:
    return d.isoformat()


def make(type_: str, start: datetime, end: datetime | None = None, **body: Any) -> Observation:
    observed: Any = iso(start) if end is None else {"start": iso(start), "end": iso(end)}
    return parse_observation(
        {
            "type": type_,
            "observed": observed,
            "reporter": "ngo-x",
            "sources": [{"title": "synthetic test data"}],
            "body": body,
        }
    )


def status(start: datetime, state: str) -> Observation:
    return make("route_status", start, route="road", status=state)


def convoy(start: datetime, state: str, name: str = "c1", **body: Any) -> Observation:
    return make("convoy", start, convoy=name, state=state, **body)


def vehicles(start: datetime, end: datetime | None, count: int) -> Observation:
    return make(
        "crossing", start, end, checkpoint="gate", direction="inbound", category="vehicles",
        count=count,
    )  # fmt: skip


class TestBoundary:
    def test_observation_at_the_instant_is_excluded(self) -> None:
        """An observation starting exactly at the instant is not part of the situation then."""
        o = status(T0, "closed")
        assert not before(o, T0)
        sit = situation([o], REGISTRY, T0)
        assert sit.routes[0].status is None

    def test_observation_just_before_counts(self) -> None:
        """An observation starting a microsecond before the instant is part of it."""
        o = status(T0 - timedelta(microseconds=1), "closed")
        assert situation([o], REGISTRY, T0).routes[0].status == "closed"

    @settings(max_examples=40, deadline=None)
    @given(st.integers(min_value=-5, max_value=5))
    def test_rule_is_start_before_at(self, hours: int) -> None:
        """For any instant, a report counts exactly when it started strictly before it."""
        at = T0 + timedelta(hours=hours)
        sit = situation([status(T0, "open")], REGISTRY, at)
        assert (sit.routes[0].status == "open") == (at > T0)


class TestRoutes:
    def test_since_is_the_start_of_the_current_run(self) -> None:
        """'since' is the first report of the latest unbroken run of the same status."""
        obs = [status(T0 + timedelta(days=d), s) for d, s in
               [(0, "open"), (1, "closed"), (2, "closed"), (3, "closed")]]  # fmt: skip
        r = situation(obs, REGISTRY, T0 + timedelta(days=10)).routes[0]
        assert (r.status, r.since, r.last_report) == (
            "closed", T0 + timedelta(days=1), T0 + timedelta(days=3)
        )

    def test_conflicting_reports_at_the_latest_instant_are_shown(self) -> None:
        """Two statuses reported for the same latest instant are both visible."""
        t = T0 + timedelta(days=1)
        obs = [status(t, "open"), status(t, "closed")]
        r = situation(obs, REGISTRY, t + timedelta(days=1)).routes[0]
        assert {r.status, *r.conflicting} == {"open", "closed"} and len(r.evidence) == 2


class TestCrossings:
    def test_window_counts_and_spanning_reports(self) -> None:
        """Crossings inside the 7-day window are counted; one spanning its start is listed."""
        at = T0 + timedelta(days=10)
        inside = vehicles(at - timedelta(days=2), at - timedelta(days=1), 4)
        spanning = vehicles(at - timedelta(days=8), at - timedelta(days=6), 9)
        outside = vehicles(at - timedelta(days=9), None, 5)
        sit = situation([inside, spanning, outside], REGISTRY, at)
        assert [(c.low, c.high) for c in sit.crossings] == [(4, 4)]
        assert sit.crossings_overlapping == [spanning.id]

    def test_no_report_is_no_data(self) -> None:
        """A checkpoint without any report in the window is listed as without reports."""
        assert situation([], REGISTRY, T0).checkpoints_without_reports == ["gate"]


class TestConvoys:
    def test_waiting_run_after_a_final_state(self) -> None:
        """A convoy waiting again after a delivery counts its days from the new run."""
        obs = [
            convoy(T0, "waiting", vehicles=10),
            convoy(T0 + timedelta(days=1), "delivered"),
            convoy(T0 + timedelta(days=5), "dispatched", vehicles=12),
            convoy(T0 + timedelta(days=6), "waiting", vehicles=13),
        ]
        (w,) = situation(obs, REGISTRY, T0 + timedelta(days=10)).convoys_waiting
        assert w.since == T0 + timedelta(days=5) and w.vehicles == (12, 13)
        assert round(w.days_waiting) == 5 and len(w.evidence) == 2

    def test_delivered_convoy_is_not_waiting(self) -> None:
        """A convoy whose latest state is final is not listed."""
        obs = [convoy(T0, "waiting"), convoy(T0 + timedelta(days=1), "delivered")]
        assert situation(obs, REGISTRY, T0 + timedelta(days=2)).convoys_waiting == []

    def test_convoys_waiting_since_the_same_instant_keep_one_order(self) -> None:
        """Convoys waiting since the same instant are listed by name, whatever else the input
        holds (bug fixed: their order followed which convoy the input named first, so the
        store's windowed reads and the whole record listed them differently)."""
        at = T0 + timedelta(days=3)
        day = T0 + timedelta(days=1)
        b_first = [convoy(T0, "delivered", name="b"), convoy(day, "waiting", name="a"),
                   convoy(day, "waiting", name="b")]  # fmt: skip
        for obs in (b_first, b_first[1:]):
            got = situation(obs, REGISTRY, at).convoys_waiting
            assert [w.convoy for w in got] == ["a", "b"]


class TestPopulationSeries:
    def test_every_count_before_the_instant_oldest_first(self) -> None:
        """The series holds each count that started before ``at`` (the boundary rule), in
        time order, as reported; a corrected count by its last version."""
        first = make("population", T0, place="town", persons=10, kind="cumulative_arrivals")
        second = make("population", T0 + timedelta(hours=6), place="town", persons=4000,
                      kind="cumulative_arrivals")  # fmt: skip
        fixed = parse_observation({
            **second.content(), "supersedes": {"id": second.id, "reason": "a typo"},
            "body": {**second.content()["body"], "persons": 400},
        })  # fmt: skip
        at = make("population", T0 + timedelta(days=1), place="town", persons=900,
                  kind="cumulative_arrivals")  # fmt: skip
        got = population_series([at, second, first, fixed], T0 + timedelta(days=1))
        assert [(p.persons, p.observed) for p in got] == [
            (10, T0), (400, T0 + timedelta(hours=6))
        ]  # fmt: skip


class TestIncidents:
    def test_period_ending_at_the_window_start_is_outside(self) -> None:
        """An incident period that ends exactly when the 30-day window starts is not in it."""
        at = T0 + timedelta(days=40)
        since = at - timedelta(days=30)
        ended = make("incident", since - timedelta(days=1), since, category="insecurity")
        still = make("incident", since - timedelta(days=1), since + timedelta(1), category="other")
        instant = make("incident", since, category="insecurity")
        got = situation([ended, still, instant], REGISTRY, at).incidents
        assert {o.id for o in got} == {still.id, instant.id}


class TestPopulation:
    def test_latest_count_per_place_and_kind(self) -> None:
        """The latest count per place and kind is shown, older ones are not."""
        obs = [
            make("population", T0, place="town", persons=100, kind="resident"),
            make("population", T0 + timedelta(days=1), place="town", persons=90, kind="resident"),
            make("population", T0, place="town", persons=7, kind="displaced"),
        ]
        got = situation(obs, REGISTRY, T0 + timedelta(days=2)).population
        assert [(p.place, p.kind, p.persons) for p in got] == [
            ("town", "displaced", 7), ("town", "resident", 90)
        ]  # fmt: skip

    def test_one_reporters_figure_never_hides_anothers(self) -> None:
        """Figures of the same place and kind by two organisations stand side by side, each
        the latest of its reporter; two figures one reporter gives for the same instant
        (another party's claim beside a source of its own) are both shown, with whose claim
        each is, once (bug fixed: only the latest figure of any reporter was shown)."""
        ours = make("population", T0, place="town", persons=100, kind="resident")
        body = ours.content()["body"]
        theirs = parse_observation(
            {**ours.content(), "reporter": "ngo-y", "body": {**body, "persons": 140}}
        )
        later = make("population", T0 + timedelta(days=1), **{**body, "persons": 95})
        claimed = parse_observation({
            **later.content(),
            "sources": [{"title": "a party's figure (synthetic)", "claim_of": "party-a"},
                        {"title": "the same figure elsewhere (synthetic)", "claim_of": "party-a"}],
            "body": {**later.content()["body"], "persons": 80},
        })  # fmt: skip
        registry = Registry.of(
            [*REGISTRY.organisations.values(),
             Organisation(id="ngo-y", name="NGO Y (synthetic)", kind="monitor")],
            REGISTRY.places.values(), REGISTRY.routes.values(), REGISTRY.checkpoints.values(),
        )  # fmt: skip
        got = situation([ours, theirs, later, claimed], registry, T0 + timedelta(days=2)).population
        assert sorted((p.reporter, p.persons, p.claim_of) for p in got) == [
            ("ngo-x", 80, ("party-a",)), ("ngo-x", 95, ()), ("ngo-y", 140, ())
        ]  # fmt: skip
