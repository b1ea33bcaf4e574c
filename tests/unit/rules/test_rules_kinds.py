"""Concurrent, sequence, absence and state rules."""

from __future__ import annotations

from rulekit import day, judge, obs, rules_text, verdicts

from corridor.model import Registry

BOTH_OPEN = """\
    kind: concurrent
    from: 2023-09-01
    to: 2023-10-01
    of:
      - {type: route_status, route: lachin-road, status: open}
      - {type: route_status, route: aghdam-road, status: open}
    within: 1d
"""


def status(route: str, s: str, t: str | tuple[str, str]) -> object:
    return obs("route_status", t, route=route, status=s)


class TestConcurrent:
    def test_within(self, registry: Registry) -> None:
        """First occurrences 12 h apart are concurrent within 1 d."""
        records = [status("aghdam-road", "open", "2023-09-18T08:00:00+04:00"),
                   status("lachin-road", "open", "2023-09-18T20:00:00+04:00")]
        (r,) = judge(rules_text(BOTH_OPEN), records, "2023-10-02T00:00:00+04:00", registry)
        assert r.verdict.value == "satisfied" and r.instances[0].value == 12 * 3600

    def test_too_far_apart(self, registry: Registry) -> None:
        """First occurrences three days apart violate it."""
        records = [status("aghdam-road", "open", "2023-09-12T08:00:00+04:00"),
                   status("lachin-road", "open", "2023-09-15T08:00:00+04:00")]
        (r,) = judge(rules_text(BOTH_OPEN), records, "2023-10-02T00:00:00+04:00", registry)
        assert r.verdict.value == "violated"

    def test_one_missing(self, registry: Registry) -> None:
        """One occurred, the other not: pending until the deadline; then undetermined, or
        violated when a later report on the missing one shows it did not happen."""
        first = status("aghdam-road", "open", "2023-09-12T08:00:00+04:00")
        (r,) = judge(rules_text(BOTH_OPEN), [first], "2023-09-12T20:00:00+04:00", registry)
        assert r.verdict.value == "pending"
        (r,) = judge(rules_text(BOTH_OPEN), [first], "2023-09-20T00:00:00+04:00", registry)
        assert r.verdict.value == "undetermined"
        later = status("lachin-road", "closed", "2023-09-14T08:00:00+04:00")
        (r,) = judge(rules_text(BOTH_OPEN), [first, later], "2023-09-20T00:00:00+04:00", registry)
        assert r.verdict.value == "violated"

    def test_none_occurred(self, registry: Registry) -> None:
        """Nothing occurred: pending while the period runs, undetermined after it."""
        (r,) = judge(rules_text(BOTH_OPEN), [], "2023-09-20T00:00:00+04:00", registry)
        assert r.verdict.value == "pending"
        (r,) = judge(rules_text(BOTH_OPEN), [], "2023-10-02T00:00:00+04:00", registry)
        assert r.verdict.value == "undetermined"


STEPS = """\
    kind: sequence
    from: 2023-09-01
    to: 2023-10-01
    steps:
      - {type: route_status, route: aghdam-road, status: open}
      - {type: route_status, route: lachin-road, status: open, within: 24h}
"""


class TestSequence:
    def test_in_order_in_time(self, registry: Registry) -> None:
        """Steps in order, each within its time of the one before: satisfied."""
        records = [status("lachin-road", "open", "2023-09-02T08:00:00+04:00"),
                   status("aghdam-road", "open", "2023-09-05T08:00:00+04:00"),
                   status("lachin-road", "open", "2023-09-06T07:00:00+04:00")]
        (r,) = judge(rules_text(STEPS), records, "2023-10-02T00:00:00+04:00", registry)
        assert r.verdict.value == "satisfied"
        assert len(r.instances[0].evidence) == 2

    def test_late_step(self, registry: Registry) -> None:
        """A step later than its ``within``: violated, with both steps as evidence."""
        records = [status("aghdam-road", "open", "2023-09-05T08:00:00+04:00"),
                   status("lachin-road", "open", "2023-09-07T08:00:00+04:00")]
        (r,) = judge(rules_text(STEPS), records, "2023-10-02T00:00:00+04:00", registry)
        assert r.verdict.value == "violated" and len(r.instances[0].evidence) == 2

    def test_missing_step(self, registry: Registry) -> None:
        """A missing step is pending before its deadline, undetermined after it without a later
        report on it."""
        records = [status("aghdam-road", "open", "2023-09-05T08:00:00+04:00")]
        (r,) = judge(rules_text(STEPS), records, "2023-09-05T20:00:00+04:00", registry)
        assert r.verdict.value == "pending"
        (r,) = judge(rules_text(STEPS), records, "2023-09-07T00:00:00+04:00", registry)
        assert r.verdict.value == "undetermined"


ABSENCE = """\
    kind: absence
    from: 2023-06-01
    to: 2023-06-04
    every: 1d
    of: {type: incident, route: lachin-road, category: [insecurity, ceasefire_small_arms]}
"""


class TestAbsence:
    def test_per_day(self, registry: Registry) -> None:
        """A matching incident violates its day; a day with other reports on the route is
        satisfied; a day without reports is undetermined; today is pending."""
        records = [
            obs("incident", "2023-06-01T10:00:00+04:00", route="lachin-road",
                category="ceasefire_small_arms"),
            obs("incident", "2023-06-02T10:00:00+04:00", route="lachin-road",
                category="restriction_of_movement"),
        ]
        (r,) = judge(rules_text(ABSENCE), records, "2023-06-04T00:00:00+04:00", registry)
        assert verdicts(r) == {"2023-06-01": "violated", "2023-06-02": "satisfied",
                               "2023-06-03": "undetermined"}
        (r,) = judge(rules_text(ABSENCE), records, "2023-06-03T12:00:00+04:00", registry)
        assert verdicts(r)["2023-06-03"] == "pending"

    def test_whole_period(self, registry: Registry) -> None:
        """Without ``every`` one instance covers the period; without ``to`` it stays pending
        unless violated."""
        text = rules_text("""\
    kind: absence
    from: 2023-06-01
    of: {type: incident, route: lachin-road, category: insecurity}
""")
        (r,) = judge(text, [], "2023-06-10T00:00:00+04:00", registry)
        assert verdicts(r) == {"period": "pending"}


ICJ = """\
    kind: state
    from: 2023-06-01
    to: 2023-06-05
    of: {type: route_status, route: lachin-road, status: open}
    every: 1d
    at_least: 0.5
"""


class TestState:
    def test_carried_until_next_report(self, registry: Registry) -> None:
        """A status holds until the next report: a report before the period carries in."""
        records = [status("lachin-road", "restricted", "2023-05-20T10:00:00+04:00"),
                   status("lachin-road", "open", "2023-06-02T06:00:00+04:00"),
                   status("lachin-road", "closed", "2023-06-04T18:00:00+04:00")]
        (r,) = judge(rules_text(ICJ), records, "2023-06-05T00:00:00+04:00", registry)
        assert verdicts(r) == {"2023-06-01": "violated", "2023-06-02": "satisfied",
                               "2023-06-03": "satisfied", "2023-06-04": "satisfied"}
        assert r.instances[1].value == 0.75

    def test_unreported_time_is_undetermined(self, registry: Registry) -> None:
        """Before the first report the state is unknown: undetermined, not satisfied."""
        records = [status("lachin-road", "open", "2023-06-03T12:00:00+04:00")]
        (r,) = judge(rules_text(ICJ), records, "2023-06-05T00:00:00+04:00", registry)
        assert verdicts(r) == {"2023-06-01": "undetermined", "2023-06-02": "undetermined",
                               "2023-06-03": "satisfied", "2023-06-04": "satisfied"}

    def test_disagreeing_reports_are_unknown(self, registry: Registry) -> None:
        """Two reports of one instant that disagree leave the state unknown."""
        records = [obs("route_status", "2023-06-01T00:00:00+04:00", "icrc", route="lachin-road",
                       status="open"),
                   obs("route_status", "2023-06-01T00:00:00+04:00", "az-gov", route="lachin-road",
                       status="closed")]
        (r,) = judge(rules_text(ICJ), records, "2023-06-02T00:00:00+04:00", registry)
        assert verdicts(r)["2023-06-01"] == "undetermined"

    def test_stale_after(self, registry: Registry) -> None:
        """With ``stale_after`` a report stops speaking for the state after that long."""
        text = rules_text(ICJ + "    stale_after: 1d\n")
        records = [status("lachin-road", "open", "2023-06-01T00:00:00+04:00")]
        (r,) = judge(text, records, "2023-06-05T00:00:00+04:00", registry)
        assert verdicts(r) == {"2023-06-01": "satisfied", "2023-06-02": "undetermined",
                               "2023-06-03": "undetermined", "2023-06-04": "undetermined"}

    def test_period_report_carries(self, registry: Registry) -> None:
        """A report for a day-long period (date known, hour not) starts the state that day."""
        records = [status("lachin-road", "closed", day("2023-06-02"))]
        (r,) = judge(rules_text(ICJ), records, "2023-06-05T00:00:00+04:00", registry)
        assert verdicts(r) == {"2023-06-01": "undetermined", "2023-06-02": "violated",
                               "2023-06-03": "violated", "2023-06-04": "violated"}

    def test_open_window_decided_early(self, registry: Registry) -> None:
        """A window already held for the needed share is satisfied before it ends."""
        records = [status("lachin-road", "open", "2023-06-01T00:00:00+04:00")]
        (r,) = judge(rules_text(ICJ), records, "2023-06-01T13:00:00+04:00", registry)
        assert verdicts(r) == {"2023-06-01": "satisfied"}
        (r,) = judge(rules_text(ICJ), records, "2023-06-01T11:00:00+04:00", registry)
        assert verdicts(r) == {"2023-06-01": "pending"}

    def test_reporter_selects_reports(self, registry: Registry) -> None:
        """A ``reporter`` in a state rule picks whose reports speak for the state; other
        reporters' reports neither hold nor break it."""
        text = rules_text(ICJ.replace("status: open}", "status: open, reporter: icrc}"))
        records = [obs("route_status", "2023-06-01T00:00:00+04:00", "icrc", route="lachin-road",
                       status="open"),
                   obs("route_status", "2023-06-01T12:00:00+04:00", "az-gov", route="lachin-road",
                       status="closed")]
        (r,) = judge(text, records, "2023-06-02T00:00:00+04:00", registry)
        assert verdicts(r) == {"2023-06-01": "satisfied", "2023-06-02": "pending"}
