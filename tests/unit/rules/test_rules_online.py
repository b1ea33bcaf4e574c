"""Online evaluation equals batch evaluation at every prefix of any trace, for every rule kind."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rulekit import make_registry, rules_text

from corridor.rules import Event, OnlineEvaluator, evaluate, parse_rules, results_to_json

T0 = 1688155200.0  # 2023-07-01T00:00:00+04:00
H = 3600.0

KINDS = [
    # thresholds: per direction with from/to; no from with 12 h windows; seen keys, covered_by
    """\
    kind: threshold
    from: 2023-07-01
    to: 2023-07-05
    every: 1d
    measure: sum(count)
    of: {type: crossing, checkpoint: hakari-bridge, category: vehicles}
    for_each: direction
    at_least: 2
""",
    """\
    kind: threshold
    every: 12h
    evidence: corroborated
    of: {type: crossing, category: [vehicles, persons]}
    at_most: 1
""",
    """\
    kind: threshold
    from: 2023-07-01T06:00:00+04:00
    every: 1d
    evidence: signed
    of: {type: crossing, direction: inbound}
    for_each: checkpoint
    covered_by:
      any:
        - {type: incident}
        - {type: crossing, direction: outbound}
    at_least: 1
    at_most: 5
""",
    # responses: per convoy; unkeyed, continuous, corroborated
    """\
    kind: response
    when: {type: convoy, state: dispatched}
    then: {type: convoy, state: inspected}
    within: 24h
    same: [convoy]
""",
    """\
    kind: response
    from: 2023-07-02
    when: {type: route_status, route: aghdam-road, status: open}
    then: {type: route_status, route: lachin-road, status: [open, restricted]}
    within: 12h
    continuous: true
    evidence: corroborated
""",
    """\
    kind: response
    when: {type: convoy, state: [dispatched, waiting]}
    then: {type: crossing, direction: inbound}
    within: 1d
    same: [convoy]
    covered_by: {type: convoy}
""",
    # concurrent and sequence
    """\
    kind: concurrent
    from: 2023-07-01
    to: 2023-07-04
    of:
      - {type: route_status, route: lachin-road, status: open}
      - {type: route_status, route: aghdam-road, status: open}
    within: 1d
""",
    """\
    kind: concurrent
    of:
      - {type: deployment, force: ru-peacekeepers, status: deployed}
      - {type: deployment, force: am-armed-forces, status: withdrawn}
      - {type: incident, category: insecurity}
    within: 2d
    continuous: true
""",
    """\
    kind: sequence
    to: 2023-07-05
    steps:
      - {type: convoy, state: dispatched}
      - {type: convoy, state: inspected, within: 6h}
      - {type: route_status, status: open}
""",
    # absences
    """\
    kind: absence
    from: 2023-07-01
    to: 2023-07-06
    every: 1d
    of: {type: incident, route: lachin-road, category: insecurity}
""",
    """\
    kind: absence
    evidence: signed
    of: {type: incident, category: insecurity}
    covered_by: {type: route_status}
""",
    # states
    """\
    kind: state
    from: 2023-07-01T12:00:00+04:00
    to: 2023-07-06
    every: 1d
    of: {type: route_status, route: lachin-road, status: open}
    at_least: 0.5
""",
    """\
    kind: state
    to: 2023-07-04
    of: {type: route_status, route: aghdam-road, status: [open, restricted]}
    at_least: 0.25
""",
    """\
    kind: state
    every: 12h
    stale_after: 1d
    evidence: corroborated
    of: {type: convoy, convoy: a, state: waiting}
    at_least: 0.75
""",
]
RULES = parse_rules(rules_text(*KINDS), registry=make_registry())

FIELDS: dict[str, dict[str, list[Any]]] = {
    "crossing": {"checkpoint": ["hakari-bridge", "aghdam-post"],
                 "direction": ["inbound", "outbound"],
                 "category": ["vehicles", "persons"], "count": [0, 1, 3],
                 "convoy": ["a", "b", None]},
    "convoy": {"convoy": ["a", "b", "c"], "state": ["dispatched", "inspected", "waiting"]},
    "route_status": {"route": ["lachin-road", "aghdam-road"],
                     "status": ["open", "restricted", "closed"]},
    "incident": {"route": ["lachin-road", None], "category": ["insecurity", "other"]},
    "deployment": {"force": ["ru-peacekeepers", "am-armed-forces"],
                   "status": ["deployed", "withdrawn"]},
}


@st.composite
def traces(draw: st.DrawFn) -> list[Event]:
    n = draw(st.integers(0, 28))
    events = []
    for i in range(n):
        t = draw(st.sampled_from(sorted(FIELDS)))
        fields = {k: draw(st.sampled_from(v)) for k, v in FIELDS[t].items()}
        fields = {k: v for k, v in fields.items() if v is not None}
        # coarse times (6 h steps) so that ties -- same instant, answer exactly at a
        # deadline, reports at a window boundary -- are common
        start = T0 + draw(st.integers(-2, 4 * 6)) * 6 * H
        end = start + draw(st.sampled_from([0, 0, 0, 6, 24, 36])) * H
        reporter = draw(st.sampled_from(["icrc", "ngo-x", "az-gov"]))
        fact = repr((t, start, end, sorted(fields.items())))
        events.append(Event(f"e{i}", t, start, end, fields, reporter,
                            signed=draw(st.booleans()), fact=fact))
    events.sort(key=lambda e: e.start)
    return events


class TestOnlineEqualsBatch:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(traces(), st.sampled_from([0.0, 1.0, 5 * H, 30 * H]))
    def test_every_prefix(self, events: list[Event], later: float) -> None:
        """After each event, and some time later, online verdicts equal batch verdicts over the
        same prefix, for every kind of rule."""
        online = OnlineEvaluator(RULES)
        for k in range(len(events) + 1):
            if k:
                online.feed(events[k - 1])
            last = events[k - 1].start if k else T0
            for at in (last, last + later):
                batch = evaluate(RULES, events[:k], at)
                assert results_to_json(online.results(at)) == results_to_json(batch), (k, at)

    def test_every_kind_is_covered(self) -> None:
        """The property runs over rules of all six kinds."""
        kinds = {c.kind for c in RULES.commitments}
        assert kinds == {"threshold", "response", "concurrent", "sequence", "absence", "state"}
