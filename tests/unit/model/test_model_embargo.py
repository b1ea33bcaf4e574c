"""Embargo in the core: the salted commitment, sealed entries and reveals, and the rule a reveal
is admitted by (docs/embargo.md). SYNTHETIC data (tests/historykit.py)."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import ConflictError, RecordError
from corridor.ledger.canonical import canonical
from corridor.model import FACT_TYPES, parse_observation
from corridor.model.embargo import (
    SEAL_DOMAIN,
    coarse_period,
    commitment,
    reveal_content,
    sealed_content,
)
from corridor.model.history import Entry, History, resolve
from historykit import crossing, retraction

SALT = bytes(range(32))


def seal_of(hidden: object, salt: bytes = SALT, **kw: object) -> object:
    return parse_observation(sealed_content(hidden, salt, **kw))  # type: ignore[arg-type]


def reveal_of(hidden_content: dict, sealed_id: str, salt: bytes = SALT) -> object:
    return parse_observation(reveal_content(hidden_content, sealed_id, salt))


def admit(*obs: object) -> History:
    h = History()
    for o in obs:
        h.add(Entry.of(o))  # type: ignore[arg-type]
    return h


class TestCommitment:
    def test_is_sha256_of_domain_salt_and_canonical_content(self) -> None:
        """The commitment is SHA-256 over the domain tag, the 32-byte salt and the RFC 8785
        content, recomputable by anyone from the spec."""
        o = crossing(7)
        want = hashlib.sha256(SEAL_DOMAIN + SALT + canonical(o.content())).hexdigest()
        assert commitment(SALT, o.content()) == want

    def test_salt_must_be_32_bytes(self) -> None:
        """A short salt is refused: the commitment must not be open to guessing."""
        with pytest.raises(ValueError, match="32 bytes"):
            commitment(b"short", crossing(7).content())

    def test_same_body_different_salt_different_commitment(self) -> None:
        """Two seals of one small, guessable body do not look alike."""
        o = crossing(0)
        assert commitment(SALT, o.content()) != commitment(bytes(32), o.content())


class TestSealed:
    def test_discloses_reporter_type_and_the_day_only(self) -> None:
        """The sealed entry holds the commitment, the type and the day that holds the time;
        no body field of the hidden observation."""
        o = crossing(7)
        s = seal_of(o)
        c = s.content()  # type: ignore[attr-defined]
        assert c["type"] == "sealed" and c["reporter"] == "ngo-x"
        assert set(c["body"]) == {"type", "commitment", "hides"}
        assert c["body"]["hides"] == "crossing"
        assert c["observed"] == {"start": "2024-01-05T00:00:00Z", "end": "2024-01-06T00:00:00Z"}
        assert "north-gate" not in str(c)

    def test_type_can_be_withheld(self) -> None:
        """With disclose_type False, the sealed entry does not name the type."""
        assert "hides" not in seal_of(crossing(7), disclose_type=False).content()["body"]  # type: ignore[attr-defined]

    def test_coarse_periods(self) -> None:
        """Day, month and year in the observation's own offset; December rolls the year."""
        t = datetime.fromisoformat("2023-12-31T23:30:00+04:00")
        assert coarse_period(t, "day") == {"start": "2023-12-31T00:00:00+04:00",
                                           "end": "2024-01-01T00:00:00+04:00"}  # fmt: skip
        assert coarse_period(t, "month")["end"] == "2024-01-01T00:00:00+04:00"
        assert coarse_period(t, "year") == {"start": "2023-01-01T00:00:00+04:00",
                                            "end": "2024-01-01T00:00:00+04:00"}  # fmt: skip
        with pytest.raises(ValueError):
            coarse_period(t, "week")

    def test_is_not_a_fact(self) -> None:
        """No view counts a sealed entry: it is not among the fact types, and resolve leaves
        it out of the current facts."""
        s = seal_of(crossing(7))
        assert "sealed" not in FACT_TYPES
        assert resolve([s]).facts == []  # type: ignore[list-item]

    def test_hides_must_be_an_observation_type(self) -> None:
        """A sealed entry's hides names a fact type."""
        c = sealed_content(crossing(7), SALT)
        c["body"]["hides"] = "retraction"
        with pytest.raises(RecordError, match="not an observation type"):
            parse_observation(c)


class TestReveal:
    def test_matching_reveal_is_admitted_and_replaces_the_seal(self) -> None:
        """The reveal is a crossing naming the seal; the current facts hold it, not the seal;
        the chain is seal then reveal."""
        o = crossing(7)
        s = seal_of(o)
        r = reveal_of(o.content(), s.id)  # type: ignore[attr-defined]
        h = admit(s, r)
        assert h.current(s.id) == r.id  # type: ignore[attr-defined]
        assert [f.id for f in resolve([s, r]).facts] == [r.id]  # type: ignore[list-item, attr-defined]
        assert r.start == o.start  # type: ignore[attr-defined]

    def test_by_another_organisation_is_refused(self) -> None:
        """Only the organisation that sealed it may reveal it."""
        o = crossing(7)
        s = seal_of(o)
        other = crossing(7, reporter="ngo-y")
        r = reveal_of(other.content(), s.id)
        with pytest.raises(RecordError, match="only 'ngo-x', which sealed"):
            admit(s, r)

    def test_twice_is_refused(self) -> None:
        """A second, different reveal of one seal is a conflict."""
        o = crossing(7)
        s = seal_of(o)
        r = reveal_of(o.content(), s.id)  # type: ignore[attr-defined]
        h = admit(s, r)
        again = reveal_of({**o.content(), "note": "again"}, s.id)  # type: ignore[attr-defined]
        with pytest.raises(ConflictError, match="already revealed"):
            h.add(Entry.of(again))  # type: ignore[arg-type]

    def test_of_a_withdrawn_seal_is_refused(self) -> None:
        """A seal its reporter retracted cannot be revealed."""
        o = crossing(7)
        s = seal_of(o)
        h = admit(s, retraction(s.id))  # type: ignore[attr-defined]
        with pytest.raises(ConflictError, match="withdrawn"):
            h.add(Entry.of(reveal_of(o.content(), s.id)))  # type: ignore[arg-type, attr-defined]

    def test_of_what_is_not_a_seal_is_refused(self) -> None:
        """A reveal names a sealed entry, not an observation."""
        o = crossing(7)
        r = reveal_of(crossing(8).content(), o.id)
        with pytest.raises(RecordError, match="not a sealed entry"):
            admit(o, r)

    def test_of_an_unknown_seal_is_refused(self) -> None:
        """A reveal of an id not on the record is refused."""
        with pytest.raises(RecordError, match="not on the record"):
            admit(reveal_of(crossing(8).content(), "ab" * 32))

    def test_outside_the_disclosed_time_is_refused(self) -> None:
        """A seal's coarse time binds its reveal: the same commitment under a false day is
        refused."""
        o = crossing(7)
        c = sealed_content(o, SALT)
        c["observed"] = {"start": "2024-02-01T00:00:00+00:00", "end": "2024-02-02T00:00:00+00:00"}
        s = parse_observation(c)
        with pytest.raises(RecordError, match="outside the time"):
            admit(s, reveal_of(o.content(), s.id))

    def test_a_reveal_cannot_be_a_correction(self) -> None:
        """A reveal supersedes nothing: correct it after it is revealed."""
        o = crossing(7)
        c = reveal_content({**o.content(), "supersedes": {"id": "ab" * 32, "reason": "x"}},
                           "cd" * 32, SALT)  # fmt: skip
        with pytest.raises(RecordError, match="supersedes nothing"):
            parse_observation(c)

    def test_revealed_observation_can_be_corrected(self) -> None:
        """After its reveal, the observation is corrected as any other."""
        o = crossing(7)
        s = seal_of(o)
        r = reveal_of(o.content(), s.id)  # type: ignore[attr-defined]
        fix = crossing(9, supersedes=r.id)  # type: ignore[attr-defined]
        h = admit(s, r, fix)
        assert h.current(s.id) == fix.id  # type: ignore[attr-defined]


_FIELDS = st.sampled_from(["count", "direction", "category", "checkpoint", "note", "start"])


def _mutate(content: dict, field: str) -> dict:
    c = {**content, "body": dict(content["body"])}
    if field == "count":
        c["body"]["count"] += 1
    elif field == "direction":
        c["body"]["direction"] = "outbound" if c["body"]["direction"] == "inbound" else "inbound"
    elif field == "category":
        c["body"]["category"] = "persons" if c["body"]["category"] == "vehicles" else "vehicles"
    elif field == "checkpoint":
        c["body"]["checkpoint"] = "south-gate"
    elif field == "note":
        c["note"] = "changed"
    else:
        c["observed"] = {**c["observed"], "start": "2024-01-05T00:00:01+00:00"}
    return c


class TestProperty:
    @settings(max_examples=150, deadline=None)
    @given(
        count=st.integers(0, 999),
        salt=st.binary(min_size=32, max_size=32),
        change_body=st.one_of(st.none(), _FIELDS),
        flip=st.one_of(st.none(), st.integers(0, 255)),
    )
    def test_reveal_admitted_iff_it_matches_exactly(
        self, count: int, salt: bytes, change_body: str | None, flip: int | None
    ) -> None:
        """A reveal is admitted if and only if its observation and salt are exactly what was
        sealed: any change to a body field, the envelope or one bit of the salt is refused."""
        o = crossing(count)
        s = seal_of(o, salt)
        content = o.content() if change_body is None else _mutate(o.content(), change_body)
        used = salt
        if flip is not None:
            b = bytearray(salt)
            b[flip % 32] ^= 1 << (flip % 8)
            used = bytes(b)
        r = reveal_of(content, s.id, used)  # type: ignore[attr-defined]
        exact = change_body is None and flip is None
        h = admit(s)
        if exact:
            h.add(Entry.of(r))  # type: ignore[arg-type]
            assert h.current(s.id) == r.id  # type: ignore[attr-defined]
        else:
            with pytest.raises(RecordError, match="does not match the commitment"):
                h.add(Entry.of(r))  # type: ignore[arg-type]


class TestFlat:
    def test_sealed_and_reveal_round_trip_through_the_flat_form(self) -> None:
        """An export row of a sealed entry and of its reveal reads back to the same ids."""
        from corridor.model.flat import from_row, to_row

        o = crossing(7)
        s = seal_of(o)
        r = reveal_of(o.content(), s.id)  # type: ignore[attr-defined]
        for x in (s, r):
            back = parse_observation(from_row(to_row(x.content())))  # type: ignore[attr-defined]
            assert back.id == x.id  # type: ignore[attr-defined]
