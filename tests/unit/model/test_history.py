"""Corrections, retractions and attestations: the one rule (check_entry), chains and the current
state (History, resolve), attestation summaries. SYNTHETIC data (tests/historykit.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from corridor.errors import ConflictError, RecordError
from corridor.model import parse_observation
from corridor.model.history import Entry, History, resolve
from historykit import Model, attestation, build, claim, crossing, retraction, steps


def history(*obs: object) -> History:
    h = History()
    for o in obs:
        h.add(Entry.of(o))  # type: ignore[arg-type]
    return h


class TestModel:
    def test_correction_names_what_it_supersedes(self) -> None:
        """A correction carries supersedes {id, reason}; its id differs from the original's."""
        o = crossing(3)
        c = crossing(4, supersedes=o.id)
        assert c.supersedes is not None and c.supersedes.id == o.id
        assert c.content()["supersedes"] == {"id": o.id, "reason": "corrected count"}
        assert c.id != o.id

    def test_original_content_unchanged(self) -> None:
        """An observation without supersedes has the content (and id) it always had."""
        assert "supersedes" not in crossing(3).content()

    def test_supersedes_needs_a_hex_id_and_a_reason(self) -> None:
        """The id must be a 64-digit lower-case hex id; the reason must not be empty."""
        with pytest.raises(RecordError) as exc:
            crossing(3, supersedes="not-an-id")
        assert exc.value.field == "supersedes.id"
        with pytest.raises(RecordError) as exc:
            crossing(3, supersedes="a" * 64, reason="")
        assert exc.value.field == "supersedes.reason"

    def test_retraction_supersedes_nothing(self) -> None:
        """A retraction names what it retracts in its body; it cannot also supersede."""
        r = retraction("a" * 64).content()
        r["supersedes"] = {"id": "b" * 64, "reason": "x"}
        with pytest.raises(RecordError, match="final"):
            parse_observation(r)

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"stance": "reviewed"}, "needs its status"),
            ({"stance": "disputes"}, "figure or a reason"),
            ({"stance": "corroborates", "figure": 3}, "no figure"),
            ({"stance": "disputes", "figure": 3, "review": "accepted"}, "only for the stance"),
            ({"stance": "reviewed", "review": "accepted", "figure": 1}, "no figure"),
        ],
    )
    def test_attestation_fields_agree_with_stance(
        self, body: dict[str, object], message: str
    ) -> None:
        """Each stance takes its own fields: a review its status, a dispute a figure or reason."""
        with pytest.raises(RecordError, match=message):
            attestation("a" * 64, **{"stance": "corroborates", **body})  # type: ignore[arg-type]


class TestRule:
    def test_only_the_reporter_corrects(self) -> None:
        """A correction by another organisation is refused, naming the reporter and saying
        what the other may do instead."""
        o = crossing(3)
        with pytest.raises(RecordError) as exc:
            history(o, crossing(4, reporter="ngo-y", supersedes=o.id))
        assert exc.value.field == "reporter"
        assert "only its reporter 'ngo-x'" in str(exc.value) and "dispute" in str(exc.value)

    def test_only_the_reporter_retracts(self) -> None:
        o = crossing(3)
        with pytest.raises(RecordError, match="only its reporter"):
            history(o, retraction(o.id, reporter="ngo-y"))

    def test_correction_keeps_the_type(self) -> None:
        o = crossing(3)
        with pytest.raises(RecordError, match="keeps the type") as exc:
            history(o, claim(1, supersedes=o.id))
        assert exc.value.field == "type"

    def test_correction_names_the_current_version(self) -> None:
        """Correcting a superseded version is a conflict naming the current one."""
        o = crossing(3)
        c1 = crossing(4, supersedes=o.id)
        with pytest.raises(ConflictError, match=f"already corrected by {c1.id}"):
            history(o, c1, crossing(5, supersedes=o.id))

    def test_retraction_is_final(self) -> None:
        o = crossing(3)
        r = retraction(o.id)
        with pytest.raises(ConflictError, match="retracted"):
            history(o, r, crossing(4, supersedes=o.id))
        with pytest.raises(RecordError, match="final"):
            history(o, r, retraction(r.id, n=1))

    def test_unknown_target(self) -> None:
        with pytest.raises(RecordError, match="not on the record") as exc:
            history(crossing(4, supersedes="c" * 64))
        assert exc.value.field == "supersedes.id"

    def test_no_corroborating_oneself(self) -> None:
        o = crossing(3)
        with pytest.raises(RecordError, match="corrects or retracts its own"):
            history(o, attestation(o.id, reporter="ngo-x"))

    def test_reporter_may_state_a_review(self) -> None:
        """Review statuses may come from anyone, the reporter included."""
        o = crossing(3)
        history(o, attestation(o.id, reporter="ngo-x", stance="reviewed", review="submitted"))

    def test_one_stance_per_organisation(self) -> None:
        """A second corroboration or dispute by the same organisation is refused; correcting
        its attestation changes its stance."""
        o = crossing(3)
        a = attestation(o.id)
        with pytest.raises(ConflictError, match="already attested"):
            history(o, a, attestation(o.id, stance="disputes", figure=5, n=1))
        changed = parse_observation(
            {**attestation(o.id, stance="disputes", figure=5, n=1).content(),
             "supersedes": {"id": a.id, "reason": "recounted"}}
        )  # fmt: skip
        h = history(o, a, changed)
        assert h.stance("ngo-y", o.id) == changed.id

    def test_attest_the_current_version(self) -> None:
        o = crossing(3)
        c = crossing(4, supersedes=o.id)
        with pytest.raises(ConflictError, match="attest that one"):
            history(o, c, attestation(o.id))
        history(o, c, attestation(c.id))

    def test_field_is_a_field_of_the_type(self) -> None:
        o = crossing(3)
        with pytest.raises(RecordError, match="no field 'tonnage'") as exc:
            history(o, attestation(o.id, stance="disputes", field="tonnage", figure=4))
        assert exc.value.field == "body.field"
        history(o, attestation(o.id, stance="disputes", field="count", figure=4))

    def test_corrected_attestation_keeps_its_subject(self) -> None:
        o, p = crossing(3), crossing(7, day=9)
        a = attestation(o.id)
        moved = parse_observation(
            {**attestation(p.id, n=1).content(), "supersedes": {"id": a.id, "reason": "x"}}
        )
        with pytest.raises(RecordError, match="keeps what it is about"):
            history(o, p, a, moved)

    def test_refused_entry_leaves_history_unchanged(self) -> None:
        o = crossing(3)
        h = history(o)
        with pytest.raises(RecordError):
            h.add(Entry.of(crossing(4, reporter="ngo-y", supersedes=o.id)))
        assert h.successor(o.id) is None and h.is_current(o.id)


class TestChains:
    def test_chain_of_corrections(self) -> None:
        """A correction of a correction: the current state is the last version."""
        o = crossing(3)
        c1 = crossing(4, supersedes=o.id)
        c2 = crossing(5, supersedes=c1.id)
        h = history(o, c1, c2)
        assert h.current(o.id) == h.current(c1.id) == c2.id
        assert [x.id for x in resolve([o, c1, c2]).facts] == [c2.id]

    def test_retracting_a_correction_retracts_the_observation(self) -> None:
        """A retraction of a correction withdraws the whole chain: the version before does not
        come back."""
        o = crossing(3)
        c1 = crossing(4, supersedes=o.id)
        r = retraction(c1.id)
        h = history(o, c1, r)
        assert h.current(o.id) is None
        assert resolve([o, c1, r]).facts == []

    def test_attestations_follow_their_version(self) -> None:
        """Attestations of a superseded version are not the current version's."""
        o = crossing(3)
        a = attestation(o.id)
        c = crossing(4, supersedes=o.id)
        got = resolve([o, a, c])
        assert [x.id for x in got.facts] == [c.id]
        assert got.about([c.id]) == {}
        assert got.attestations[o.id].corroborators == ("ngo-y",)

    def test_summary(self) -> None:
        o = crossing(3)
        d = attestation(o.id, stance="disputes", field="count", figure=5, reason="we saw 5")
        rv = attestation(o.id, reporter="ngo-x", stance="reviewed", review="under_review", n=1)
        a = resolve([o, d, rv]).attestations[o.id]
        assert a.corroborated_by == ()
        assert [(s.by, s.field, s.figure) for s in a.disputed_by] == [("ngo-y", "count", 5)]
        assert a.review is not None and (a.review.review, a.review.by) == ("under_review", "ngo-x")
        assert a.to_json()["disputed_by"][0] == {
            "by": "ngo-y", "id": d.id, "field": "count", "figure": 5, "reason": "we saw 5"
        }

    def test_partial_trusts_what_it_does_not_hold(self) -> None:
        """A part of a record (current-state reads) may hold a correction without what it
        corrects: it is the current version."""
        o = crossing(3)
        c = crossing(4, supersedes=o.id)
        assert [x.id for x in resolve([c], partial=True).facts] == [c.id]
        assert resolve([c]).refused and resolve([c]).facts == []


class TestProperties:
    @settings(max_examples=300, deadline=None)
    @given(steps)
    def test_current_state_is_the_last_valid_version(
        self, s: list[tuple[str, int, str, bool]]
    ) -> None:
        """After any sequence of reports, corrections, retractions and attestations (valid or
        not), every chain's current state is its last valid version, the entries refused are
        exactly those the rules refuse, and each current fact's corroborators are those whose
        current attestation says so."""
        m: Model = build(s)
        got = resolve(m.entries)
        refused = {i for i, _why in got.refused}
        assert refused == {o.id for o, ok in zip(m.entries, m.valid, strict=True) if not ok}
        assert {o.id for o in got.facts} == m.current_facts()
        h = History()
        for o, ok in zip(m.entries, m.valid, strict=True):
            if ok:
                h.add(Entry.of(o))
        assert {r: h.current(r) for r in m.chains()} == m.chains()
        corroborators = m.corroborators()
        for o in got.facts:
            a = got.attestations.get(o.id)
            have = set(a.corroborators) if a is not None else set()
            assert have == corroborators.get(o.id, set())

    @settings(max_examples=100, deadline=None)
    @given(steps)
    def test_order_of_a_valid_record_does_not_matter_when_partial(
        self, s: list[tuple[str, int, str, bool]]
    ) -> None:
        """A valid record read in another order (as the store's parts come) resolves the same
        when partial."""
        m = build(s)
        valid = [o for o, ok in zip(m.entries, m.valid, strict=True) if ok]
        forward = resolve(valid, partial=True)
        backward = resolve(list(reversed(valid)), partial=True)
        assert {o.id for o in backward.facts} == {o.id for o in forward.facts}


class TestFlatForm:
    def test_corrections_and_statements_round_trip(self) -> None:
        """A correction (its supersedes), a retraction and an attestation flattened and read
        back keep their ids (an export imported elsewhere names the same versions)."""
        from corridor.model.flat import from_row, to_row

        o = crossing(3)
        for x in (
            crossing(4, supersedes=o.id),
            retraction(o.id),
            attestation(o.id, stance="disputes", field="count", figure=5, reason="we saw 5"),
            attestation(o.id, stance="reviewed", review="accepted", n=1),
        ):
            row = to_row(x.content())
            assert parse_observation(from_row(row)).id == x.id
            text = {k: (None if v is None else str(v)) for k, v in row.items()}
            assert parse_observation(from_row(text)).id == x.id
