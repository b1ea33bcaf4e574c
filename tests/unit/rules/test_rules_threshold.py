"""Threshold rules: one verdict per calendar window (and per for_each value)."""

from __future__ import annotations

from rulekit import day, judge, obs, rules_text, verdicts

from corridor.model import Registry

DAILY = """\
    kind: threshold
    from: 2023-07-01
    to: 2023-07-06
    every: 1d
    measure: sum(count)
    of: {type: crossing, checkpoint: hakari-bridge, category: vehicles}
    for_each: direction
    at_least: 1
"""


def count(d: str, direction: str, n: int, reporter: str = "ngo-x") -> object:
    return obs("crossing", day(d), reporter, checkpoint="hakari-bridge", direction=direction,
               category="vehicles", count=n)


class TestDailyCounts:
    def test_one_verdict_per_day(self, registry: Registry) -> None:
        """Daily counts give one verdict per day and direction: an explicit zero is violated,
        a day without a report undetermined, a positive count satisfied."""
        records = [
            count("2023-07-01", "inbound", 42), count("2023-07-01", "outbound", 40),
            count("2023-07-02", "inbound", 0), count("2023-07-02", "outbound", 0),
            count("2023-07-03", "inbound", 12),  # outbound not reported
            count("2023-07-05", "inbound", 3), count("2023-07-05", "outbound", 2),
        ]
        (r,) = judge(rules_text(DAILY), records, "2023-07-10T00:00:00+04:00", registry)
        assert verdicts(r) == {
            "inbound@2023-07-01": "satisfied", "outbound@2023-07-01": "satisfied",
            "inbound@2023-07-02": "violated", "outbound@2023-07-02": "violated",
            "inbound@2023-07-03": "satisfied", "outbound@2023-07-03": "undetermined",
            "inbound@2023-07-04": "undetermined", "outbound@2023-07-04": "undetermined",
            "inbound@2023-07-05": "satisfied", "outbound@2023-07-05": "satisfied",
        }
        assert r.verdict.value == "violated"
        zero = next(i for i in r.instances if i.key == "inbound@2023-07-02")
        assert zero.value == 0 and len(zero.evidence) == 1
        assert "explicit zero" in zero.why
        missing = next(i for i in r.instances if i.key == "outbound@2023-07-03")
        assert missing.value is None and missing.evidence == ()

    def test_windows_follow_the_rule_tz(self, registry: Registry) -> None:
        """A daily aggregate counts toward the calendar day of the rule's tz it lies within; one
        whose day is in another zone straddles two windows and counts toward neither."""
        utc_day = obs("crossing", ("2023-07-01T00:00:00Z", "2023-07-02T00:00:00Z"), "ngo-x",
                      checkpoint="hakari-bridge", direction="inbound", category="vehicles",
                      count=5)
        (r,) = judge(rules_text(DAILY), [utc_day, count("2023-07-02", "inbound", 5)],
                     "2023-07-03T00:00:00+04:00", registry)
        v = verdicts(r)
        assert v["inbound@2023-07-01"] == "undetermined"
        assert v["inbound@2023-07-02"] == "satisfied"

    def test_pending_until_window_closes(self, registry: Registry) -> None:
        """A window not yet over is pending, unless at_least is already met."""
        records = [count("2023-07-01", "inbound", 0), count("2023-07-01", "outbound", 4)]
        (r,) = judge(rules_text(DAILY), records, "2023-07-01T12:00:00+04:00", registry)
        assert verdicts(r) == {"inbound@2023-07-01": "pending", "outbound@2023-07-01": "satisfied"}

    def test_at_most_exceeded_early(self, registry: Registry) -> None:
        """Exceeding at_most decides a window before it closes."""
        text = rules_text(DAILY.replace("at_least: 1", "at_most: 10"))
        records = [count("2023-07-01", "inbound", 11), count("2023-07-01", "outbound", 3)]
        (r,) = judge(text, records, "2023-07-01T12:00:00+04:00", registry)
        assert verdicts(r) == {"inbound@2023-07-01": "violated", "outbound@2023-07-01": "pending"}

    def test_count_of_observations_per_listed_value(self, registry: Registry) -> None:
        """``count`` counts observations; listed for_each values are the keys."""
        text = rules_text("""\
    kind: threshold
    from: 2023-07-01
    to: 2023-07-02
    every: 1d
    of: {type: crossing, checkpoint: hakari-bridge, category: vehicles, direction: [inbound]}
    for_each: direction
    at_least: 2
""")
        one = obs("crossing", "2023-07-01T10:00:00+04:00", checkpoint="hakari-bridge",
                  direction="inbound", category="vehicles", count=1)
        (r,) = judge(text, [one], "2023-07-03T00:00:00+04:00", registry)
        assert verdicts(r) == {"inbound@2023-07-01": "violated"}

    def test_no_from_anchors_on_first_report(self, registry: Registry) -> None:
        """Without ``from`` the windows start at the local day of the first report."""
        text = rules_text(DAILY.replace("    from: 2023-07-01\n", ""))
        (r,) = judge(text, [count("2023-07-03", "inbound", 1)], "2023-07-04T06:00:00+04:00",
                     registry)
        assert [i.key for i in r.instances] == [
            "inbound@2023-07-03", "outbound@2023-07-03",
            "inbound@2023-07-04", "outbound@2023-07-04",
        ]

    def test_nothing_at_all_is_undetermined(self, registry: Registry) -> None:
        """With no report at all every window is undetermined, never satisfied."""
        (r,) = judge(rules_text(DAILY), [], "2023-07-10T00:00:00+04:00", registry)
        assert set(verdicts(r).values()) == {"undetermined"}
        assert r.verdict.value == "undetermined"

    def test_continuous_monitoring(self, registry: Registry) -> None:
        """With ``continuous: true`` a window without reports is a zero: violated."""
        text = rules_text(DAILY + "    continuous: true\n")
        (r,) = judge(text, [], "2023-07-01T23:00:00+04:00", registry)
        assert verdicts(r) == {"inbound@2023-07-01": "pending", "outbound@2023-07-01": "pending"}
        (r,) = judge(text, [], "2023-07-02T00:00:00+04:00", registry)
        assert verdicts(r) == {"inbound@2023-07-01": "violated", "outbound@2023-07-01": "violated",
                               "inbound@2023-07-02": "pending", "outbound@2023-07-02": "pending"}


class TestStanding:
    def test_same_fact_counts_once(self, registry: Registry) -> None:
        """The same fact reported by two reporters counts once; both reports are evidence."""
        records = [count("2023-07-01", "inbound", 3, "ngo-x"),
                   count("2023-07-01", "inbound", 3, "icrc")]
        (r,) = judge(rules_text(DAILY.replace("at_least: 1", "at_most: 4")), records,
                     "2023-07-02T00:00:00+04:00", registry)
        inst = next(i for i in r.instances if i.key == "inbound@2023-07-01")
        assert inst.value == 3 and len(inst.evidence) == 2

    def test_corroborated_only(self, registry: Registry) -> None:
        """``evidence: corroborated`` counts only facts reported by two distinct reporters."""
        text = rules_text(DAILY + "    evidence: corroborated\n")
        records = [count("2023-07-01", "inbound", 3, "ngo-x"),
                   count("2023-07-01", "inbound", 3, "icrc"),
                   count("2023-07-01", "outbound", 3, "ngo-x")]
        (r,) = judge(text, records, "2023-07-02T00:00:00+04:00", registry)
        v = verdicts(r)
        assert v["inbound@2023-07-01"] == "satisfied"
        assert v["outbound@2023-07-01"] == "undetermined"

    def test_signed_only(self, registry: Registry) -> None:
        """``evidence: signed`` ignores observations not signed by their reporter (plain
        observations, and entries signed with a demo key)."""
        from corridor.rules import evaluate, events_from, parse_rules
        from corridor.store.api import StoredObservation

        text = rules_text(DAILY + "    evidence: signed\n")
        a = count("2023-07-01", "inbound", 3)
        b = count("2023-07-01", "outbound", 3)
        c = count("2023-07-02", "inbound", 3)
        stored = [StoredObservation(a, 0, ("ngo-x",)), StoredObservation(b, 1, ("ngo-x",), True),
                  StoredObservation(c, 2, ("icrc",))]
        (r,) = evaluate(parse_rules(text), events_from(stored), 1688500000.0)
        v = verdicts(r)
        assert v["inbound@2023-07-01"] == "satisfied"
        assert v["outbound@2023-07-01"] == "undetermined"
        assert v["inbound@2023-07-02"] == "undetermined"
