"""Events: observations (plain or stored) in the compact form rules are evaluated over."""

from __future__ import annotations

import pytest
from rulekit import day, obs

from corridor.rules import Event, OnlineEvaluator, events_from, fact_key, parse_rules
from corridor.store.api import StoredObservation


class TestEventsFrom:
    def test_fields_and_times(self) -> None:
        """Enums become their values, lists tuples; an instant has end == start; a period keeps
        its end; personal fields are left out."""
        o = obs("route_status", "2023-09-18T08:00:00+04:00", route="lachin-road",
                status="restricted", who_may_pass=["icrc"])
        c = obs("crossing", day("2023-09-16"), checkpoint="hakari-bridge", direction="outbound",
                category="persons", count=79, driver_name="X")
        e, f = events_from([o, c])
        assert f.id == o.id and e.id == c.id  # in time order
        assert f.fields == {"route": "lachin-road", "status": "restricted",
                            "who_may_pass": ("icrc",)}
        assert f.end == f.start and f.is_instant
        assert e.end - e.start == 86400 and "driver_name" not in e.fields

    def test_signed_standing(self) -> None:
        """Signed means signed by the reporter with a non-demo key."""
        o = obs("incident", "2023-06-15T10:00:00+04:00", "icrc", category="insecurity")
        signed, demo, other = events_from([
            StoredObservation(o, 0, ("icrc",)),
        ]) + events_from([StoredObservation(o, 1, ("icrc",), True)]) + events_from(
            [StoredObservation(o, 2, ("az-gov",))])
        assert signed.signed and not demo.signed and not other.signed
        assert signed.log_index == 0

    def test_same_fact_key(self) -> None:
        """Two reporters of the same fact share a fact key; another figure is another fact."""
        a = obs("crossing", day("2023-09-16"), "icrc", checkpoint="hakari-bridge",
                direction="outbound", category="persons", count=79)
        b = obs("crossing", day("2023-09-16"), "az-gov", checkpoint="hakari-bridge",
                direction="outbound", category="persons", count=79)
        c = obs("crossing", day("2023-09-16"), "az-gov", checkpoint="hakari-bridge",
                direction="outbound", category="persons", count=80)
        assert a.id != b.id
        assert fact_key(a) == fact_key(b) != fact_key(c)


class TestOnlineOrder:
    def test_out_of_order_refused(self) -> None:
        """The online evaluator refuses an event older than the last one fed."""
        rules = parse_rules("""
commitments:
  - {id: a, title: t, party: p, source: {instrument: i, date: "2023"}, kind: absence,
     of: {type: incident}}
""")
        ev = OnlineEvaluator(rules)
        ev.feed(Event("x", "incident", 10.0, 10.0, {}, "r"))
        with pytest.raises(ValueError, match="time order"):
            ev.feed(Event("y", "incident", 5.0, 5.0, {}, "r"))
        with pytest.raises(ValueError, match="at or after"):
            ev.results(5.0)
