"""``evidence: corroborated`` with attestations: a corroboration by another organisation counts
like an independent report; verdicts name who corroborated and who disputed their evidence;
rules cannot filter on statements. SYNTHETIC data."""

from __future__ import annotations

import pytest
from rulekit import day, obs, rules_text, verdicts

from corridor.errors import RuleError
from corridor.model import Observation, Registry, parse_observation
from corridor.model.history import resolve
from corridor.rules import (
    OnlineEvaluator,
    evaluate,
    events_from,
    parse_rules,
    results_to_json,
    with_attestations,
)

DAILY = """\
    kind: threshold
    from: 2023-07-01
    to: 2023-07-04
    every: 1d
    measure: sum(count)
    of: {type: crossing, checkpoint: hakari-bridge, category: vehicles}
    for_each: direction
    at_least: 1
    evidence: corroborated
"""
AT = "2023-07-05T00:00:00+04:00"


def count(d: str, direction: str, n: int, reporter: str = "ngo-x") -> Observation:
    return obs("crossing", day(d), reporter, checkpoint="hakari-bridge", direction=direction,
               category="vehicles", count=n)  # fmt: skip


def attest(
    about: Observation, by: str, stance: str = "corroborates", **body: object
) -> Observation:
    return parse_observation({
        "type": "attestation", "observed": "2023-07-04T00:00:00+04:00", "reporter": by,
        "sources": [{"title": f"statement by {by} (synthetic)"}],
        "body": {"about": about.id, "stance": stance, **body},
    })  # fmt: skip


def judge(observations: list[Observation], registry: Registry, at: str = AT) -> dict[str, str]:
    from corridor.model import parse_instant

    current = resolve(observations)
    rules = parse_rules(rules_text(DAILY), registry=registry)
    events = events_from(current.facts, current.attestations)
    t = parse_instant(at)
    batch = evaluate(rules, events, t)
    online = OnlineEvaluator(rules)
    online.feed_many(events)
    assert results_to_json(online.results(t)) == results_to_json(batch)
    (r,) = batch
    return verdicts(r)


class TestCorroborated:
    def test_a_corroboration_counts_as_a_second_organisation(self, registry: Registry) -> None:
        """One report corroborated by another organisation qualifies; one report alone, or
        disputed only, does not."""
        a = count("2023-07-01", "inbound", 3)
        b = count("2023-07-01", "outbound", 2)
        c = count("2023-07-02", "inbound", 4)
        v = judge([a, b, c, attest(a, "icrc"), attest(c, "icrc", "disputes", figure=5)], registry)
        assert v["inbound@2023-07-01"] == "satisfied"
        assert v["outbound@2023-07-01"] == "undetermined"
        assert v["inbound@2023-07-02"] == "undetermined"

    def test_independent_report_still_counts(self, registry: Registry) -> None:
        a = count("2023-07-01", "inbound", 3)
        v = judge([a, count("2023-07-01", "inbound", 3, "icrc")], registry)
        assert v["inbound@2023-07-01"] == "satisfied"

    def test_corroboration_of_a_superseded_version_does_not_count(
        self, registry: Registry
    ) -> None:
        """A corroboration of the version a correction replaced stays with that version."""
        a = count("2023-07-01", "inbound", 3)
        fixed = parse_observation(
            {**count("2023-07-01", "inbound", 4).content(),
             "supersedes": {"id": a.id, "reason": "recounted"}}
        )  # fmt: skip
        v = judge([a, attest(a, "icrc"), fixed], registry)
        assert v["inbound@2023-07-01"] == "undetermined"

    def test_the_reporter_and_a_third_report_count_once_each(self, registry: Registry) -> None:
        """The corroborator reporting the same fact too is still one organisation."""
        a = count("2023-07-01", "inbound", 3)
        same = count("2023-07-01", "inbound", 3, "icrc")
        v = judge([a, attest(a, "icrc"), same], registry)
        assert v["inbound@2023-07-01"] == "satisfied"

    def test_verdicts_name_who_corroborated_and_disputed(self, registry: Registry) -> None:
        a = count("2023-07-01", "inbound", 3)
        b = count("2023-07-01", "inbound", 3, "icrc")
        d = attest(b, "euma", "disputes", field="count", figure=5, reason="we saw 5")
        current = resolve([a, b, attest(a, "icrc"), d])
        rules = parse_rules(rules_text(DAILY), registry=registry)
        (r,) = with_attestations(
            evaluate(rules, events_from(current.facts, current.attestations), 1688500000.0),
            current.attestations,
        )
        doc = r.to_json()["attestations"]
        assert [s["by"] for s in doc[a.id]["corroborated_by"]] == ["icrc"]
        assert doc[b.id]["disputed_by"] == [
            {"by": "euma", "id": d.id, "field": "count", "figure": 5, "reason": "we saw 5"}
        ]


class TestFilters:
    @pytest.mark.parametrize("typ", ["attestation", "retraction"])
    def test_statements_are_not_filterable(self, typ: str, registry: Registry) -> None:
        """A rule cannot count statements about observations: it is told to use a standing."""
        text = rules_text(DAILY.replace("type: crossing, checkpoint: hakari-bridge, category: "
                                        "vehicles", f"type: {typ}"))  # fmt: skip
        with pytest.raises(RuleError, match="statement about an observation"):
            parse_rules(text, registry=registry)
