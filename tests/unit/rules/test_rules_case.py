"""The six commitments of the built-in Lachin case, judged against its record."""

from __future__ import annotations

import pytest

from corridor.cases import load_case
from corridor.model import parse_instant
from corridor.rules import (
    CommitmentResult,
    OnlineEvaluator,
    evaluate,
    events_from,
    parse_rules,
    results_to_json,
)

AT = parse_instant("2023-10-02T00:00:00+04:00")


@pytest.fixture(scope="module")
def results() -> dict[str, CommitmentResult]:
    case = load_case("lachin-2023")
    (path,) = case.rules
    rules = parse_rules(path.read_text(encoding="utf-8"), name=path.name, registry=case.registry)
    events = events_from(case.observations)
    batch = evaluate(rules, events, AT)
    online = OnlineEvaluator(rules)
    online.feed_many(e for e in events if e.start <= AT.timestamp())
    assert results_to_json(online.results(AT)) == results_to_json(batch)
    return {r.id: r for r in batch}


class TestLachinCommitments:
    def test_six(self, results: dict[str, CommitmentResult]) -> None:
        """The case encodes the six commitments of FACTS.md, each with a source and a party."""
        assert len(results) == 6
        assert all(r.party and r.source.get("instrument") for r in results.values())

    def test_icj_order(self, results: dict[str, CommitmentResult]) -> None:
        """The ICJ order is violated on every day of the period: the road is never reported
        open, and each day rests on the route status reports in force."""
        r = results["icj-2023-02-22"]
        assert r.verdict.value == "violated"
        assert r.counts["violated"] == len(r.instances) == 221
        assert all(i.evidence for i in r.instances)

    def test_art4_undetermined(self, results: dict[str, CommitmentResult]) -> None:
        """Art. 4 (deployment concurrent with withdrawal) is undetermined: the record holds
        neither."""
        assert results["trilateral-2020-art4"].verdict.value == "undetermined"

    def test_art6_violated_by_the_shooting(self, results: dict[str, CommitmentResult]) -> None:
        """Art. 6 (safety on the corridor) is violated, on the evidence of the shooting of
        15 June 2023 at the Hakari bridge."""
        r = results["trilateral-2020-art6"]
        assert r.verdict.value == "violated"
        assert "2023-06-15" in r.instances[0].why

    def test_offers_and_calls_undetermined(self, results: dict[str, CommitmentResult]) -> None:
        """The offer, the EU proposal and the US call are undetermined: neither road is ever
        reported open, so the record cannot judge them (and none is called satisfied)."""
        for cid in ("az-offer-2023-08-31", "eu-proposal-2023-09-01", "us-call-2023-09"):
            assert results[cid].verdict.value == "undetermined", cid
        assert "nothing in the period triggers it" in results["az-offer-2023-08-31"].why

    def test_nothing_satisfied_for_lack_of_data(self, results: dict[str, CommitmentResult]) -> None:
        """No instance of any commitment is satisfied without evidence."""
        for r in results.values():
            for i in r.instances:
                assert i.verdict.value != "satisfied" or i.evidence
