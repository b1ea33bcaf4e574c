"""Response rules: every trigger answered within the deadline, per key of ``same`` fields."""

from __future__ import annotations

from rulekit import judge, obs, rules_text, verdicts

from corridor.model import Registry

INSPECT = """\
    kind: response
    when: {type: convoy, state: dispatched}
    then: {type: convoy, state: inspected}
    within: 24h
    same: [convoy]
"""


def convoy(c: str, state: str, t: str) -> object:
    return obs("convoy", t, "euma", convoy=c, state=state, route="lachin-road")


class TestPerConvoy:
    def test_one_verdict_per_convoy(self, registry: Registry) -> None:
        """Departures and inspections give one verdict per convoy: answered in time, answered
        late, unanswered with a later report, unanswered with nothing after, not yet due."""
        records = [
            convoy("a", "dispatched", "2023-07-26T08:00:00+04:00"),
            convoy("a", "inspected", "2023-07-26T20:00:00+04:00"),
            convoy("b", "dispatched", "2023-07-26T08:00:00+04:00"),
            convoy("b", "inspected", "2023-07-28T08:00:00+04:00"),
            convoy("c", "dispatched", "2023-07-26T09:00:00+04:00"),
            convoy("c", "waiting", "2023-07-29T09:00:00+04:00"),
            convoy("d", "dispatched", "2023-07-27T09:00:00+04:00"),
            convoy("e", "dispatched", "2023-07-29T12:00:00+04:00"),
            convoy("a", "waiting", "2023-07-29T12:00:00+04:00"),
        ]
        (r,) = judge(rules_text(INSPECT), records, "2023-07-29T12:00:00+04:00", registry)
        assert verdicts(r) == {"a": "satisfied", "b": "violated", "c": "violated",
                               "d": "undetermined", "e": "pending"}
        a = next(i for i in r.instances if i.key == "a")
        assert a.value == 12 * 3600 and len(a.evidence) == 2
        c = next(i for i in r.instances if i.key == "c")
        assert len(c.evidence) == 2  # the trigger and the later report showing no inspection
        assert r.verdict.value == "violated"

    def test_bounds_inclusive(self, registry: Registry) -> None:
        """A response exactly at the deadline, or at the trigger's instant, answers it."""
        records = [
            convoy("a", "dispatched", "2023-07-26T08:00:00+04:00"),
            convoy("a", "inspected", "2023-07-27T08:00:00+04:00"),
            convoy("b", "inspected", "2023-07-26T08:00:00+04:00"),
            convoy("b", "dispatched", "2023-07-26T08:00:00+04:00"),
        ]
        (r,) = judge(rules_text(INSPECT), records, "2023-07-30T00:00:00+04:00", registry)
        assert verdicts(r) == {"a": "satisfied", "b": "satisfied"}

    def test_response_before_trigger_does_not_count(self, registry: Registry) -> None:
        """An inspection before the departure does not answer it."""
        records = [
            convoy("a", "inspected", "2023-07-26T07:00:00+04:00"),
            convoy("a", "dispatched", "2023-07-26T08:00:00+04:00"),
            convoy("a", "waiting", "2023-07-28T08:00:00+04:00"),
        ]
        (r,) = judge(rules_text(INSPECT), records, "2023-07-30T00:00:00+04:00", registry)
        assert verdicts(r) == {"a": "violated"}

    def test_other_convoy_does_not_answer(self, registry: Registry) -> None:
        """An inspection of another convoy does not answer a trigger."""
        records = [
            convoy("a", "dispatched", "2023-07-26T08:00:00+04:00"),
            convoy("b", "inspected", "2023-07-26T09:00:00+04:00"),
        ]
        (r,) = judge(rules_text(INSPECT), records, "2023-07-30T00:00:00+04:00", registry)
        assert verdicts(r) == {"a": "undetermined"}

    def test_continuous_missing_is_violated(self, registry: Registry) -> None:
        """With continuous monitoring a missing answer after the deadline is violated."""
        text = rules_text(INSPECT + "    continuous: true\n")
        records = [convoy("a", "dispatched", "2023-07-26T08:00:00+04:00")]
        (r,) = judge(text, records, "2023-07-30T00:00:00+04:00", registry)
        assert verdicts(r) == {"a": "violated"}

    def test_no_trigger_is_undetermined(self, registry: Registry) -> None:
        """A response rule with no trigger in the record is undetermined, not satisfied."""
        (r,) = judge(rules_text(INSPECT), [], "2023-07-30T00:00:00+04:00", registry)
        assert r.instances == () and r.verdict.value == "undetermined"
        assert "nothing in the period triggers it" in r.why

    def test_period_bounds_triggers(self, registry: Registry) -> None:
        """Only triggers inside [from, to) count; their answers may come after ``to``."""
        text = rules_text(INSPECT + "    from: 2023-07-26\n    to: 2023-07-27\n")
        records = [
            convoy("a", "dispatched", "2023-07-25T08:00:00+04:00"),
            convoy("b", "dispatched", "2023-07-26T22:00:00+04:00"),
            convoy("b", "inspected", "2023-07-27T10:00:00+04:00"),
        ]
        (r,) = judge(text, records, "2023-07-30T00:00:00+04:00", registry)
        assert verdicts(r) == {"b": "satisfied"}


class TestUnkeyed:
    def test_route_opening(self, registry: Registry) -> None:
        """Without ``same`` any answer counts; a later report on the answering route decides a
        missing answer."""
        text = rules_text("""\
    kind: response
    when: {type: route_status, route: aghdam-road, status: open}
    then: {type: route_status, route: lachin-road, status: open}
    within: 24h
""")
        records = [
            obs("route_status", "2023-09-01T08:00:00+04:00", route="aghdam-road", status="open"),
            obs("route_status", "2023-09-01T20:00:00+04:00", route="lachin-road", status="open"),
            obs("route_status", "2023-09-05T08:00:00+04:00", route="aghdam-road", status="open"),
            obs("route_status", "2023-09-07T08:00:00+04:00", route="lachin-road", status="closed"),
        ]
        (r,) = judge(text, records, "2023-09-10T00:00:00+04:00", registry)
        assert [i.verdict.value for i in r.instances] == ["satisfied", "violated"]
        assert [i.key for i in r.instances] == ["*", "*"]
