"""C2SP tlog-witness add-checkpoint: the request's syntax, and each answer the spec gives, in its
order (404 unknown origin, 403 bad signature, 400 old above the size, 409 old not the cosigned
size or same size with another root, 422 a proof that does not verify, 200 a cosignature)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.errors import VerificationError
from corridor.ledger import merkle
from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint
from corridor.ledger.cosignature import CosignatureSigner, CosignatureVerifier, Witness
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.note import Signer, parse_note
from corridor.ledger.witnessing import (
    MAX_PROOF_LINES,
    AddCheckpoint,
    WitnessRefusal,
    add_checkpoint,
    format_size,
    parse_size,
    verified_cosignatures,
)

ORIGIN = "corridor.example/log/witnessing"
LOG = Signer.from_seed(ORIGIN, bytes(32))
OTHER = Signer.from_seed(ORIGIN, b"o" * 32)  # the same origin, another key
W = CosignatureSigner.from_seed("witness.example/w", b"w" * 32)
NOW = 1_700_000_000


def tree(entries: list[bytes]) -> merkle.LeafHashReader:
    return merkle.LeafHashReader([leaf_hash(e) for e in entries])


def signed(entries: list[bytes], signer: Signer = LOG) -> bytes:
    return sign_checkpoint(Checkpoint(ORIGIN, len(entries), tree(entries).root()), signer)


ENTRIES = [b"entry %d" % i for i in range(30)]


def witness() -> Witness:
    return Witness(W, {ORIGIN: LOG.verifier})


def request(old: int, entries: list[bytes], signer: Signer = LOG) -> AddCheckpoint:
    proof = merkle.consistency_proof(old, len(entries), tree(entries)) if old else []
    return AddCheckpoint(old, tuple(proof), signed(entries, signer))


def refusal(w: Witness, req: AddCheckpoint | bytes) -> WitnessRefusal:
    with pytest.raises(WitnessRefusal) as info:
        parsed = req if isinstance(req, AddCheckpoint) else AddCheckpoint.parse(req)
        add_checkpoint(w, parsed, NOW)
    return info.value


class TestRequestSyntax:
    def test_the_spec_example_parses(self) -> None:
        body = (
            b"old 20852014\n"
            b"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
            b"jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
            b"\n"
        ) + "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n".encode()  # noqa: E501
        req = AddCheckpoint.parse(body)
        assert req.old == 20852014
        assert [base64.b64encode(h) for h in req.proof] == [
            b"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=",
            b"jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=",
        ]
        assert req.checkpoint.startswith(b"example.com/behind-the-sofa\n")
        assert req.encode() == body

    @given(
        old=st.integers(0, 2**63 - 1),
        proof=st.lists(st.binary(min_size=32, max_size=32), max_size=MAX_PROOF_LINES),
        note=st.binary(min_size=1, max_size=200),
    )
    def test_encode_parse_round_trip(self, old: int, proof: list[bytes], note: bytes) -> None:
        req = AddCheckpoint(old, tuple(proof), note)
        assert AddCheckpoint.parse(req.encode()) == req

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            (b"", "line 1"),
            (b"old 01\n\ncp", "line 1"),
            (b"old -1\n\ncp", "line 1"),
            (b"old  1\n\ncp", "line 1"),
            (b"Old 1\n\ncp", "line 1"),
            (b"old 1", "line 1"),
            (b"old 99999999999999999999\n\ncp", "line 1"),
            (b"old 1\nAAAA\n\ncp", "line 2 is not the base64 of a 32-byte hash"),
            (b"old 1\n" + base64.b64encode(bytes(32)).rstrip(b"=") + b"\n\ncp", "line 2"),
            (b"old 1\n" + base64.b64encode(bytes(32)), "no empty line"),
            (b"old 1\n\n", "no checkpoint"),
            (
                b"old 1\n" + (base64.b64encode(bytes(32)) + b"\n") * 64 + b"\ncp",
                "more than 63",
            ),
        ],
    )
    def test_malformed_is_400(self, body: bytes, reason: str) -> None:
        with pytest.raises(WitnessRefusal, match=reason) as info:
            AddCheckpoint.parse(body)
        assert info.value.status == 400

    @given(st.binary(max_size=300))
    def test_any_bytes_parse_or_are_refused_with_400(self, body: bytes) -> None:
        try:
            AddCheckpoint.parse(body)
        except WitnessRefusal as exc:
            assert exc.status == 400

    def test_size_bodies(self) -> None:
        assert format_size(0) == b"0\n"
        assert parse_size(format_size(20852014)) == 20852014
        for bad in (b"", b"12", b"012\n", b"-1\n", b"1 \n", b"x\n"):
            with pytest.raises(VerificationError):
                parse_size(bad)


class TestAnswers:
    def test_first_checkpoint_then_a_larger_one(self) -> None:
        w = witness()
        line = add_checkpoint(w, request(0, ENTRIES[:10]), NOW)
        assert verified_cosignatures(signed(ENTRIES[:10]), line, W.verifier) == [line]
        assert w.size_of(ORIGIN) == 10
        add_checkpoint(w, request(10, ENTRIES[:25]), NOW + 1)
        assert w.size_of(ORIGIN) == 25

    def test_the_same_checkpoint_again_is_cosigned(self) -> None:
        w = witness()
        add_checkpoint(w, request(0, ENTRIES[:10]), NOW)
        add_checkpoint(w, AddCheckpoint(10, (), signed(ENTRIES[:10])), NOW + 1)
        assert w.size_of(ORIGIN) == 10

    def test_malformed_checkpoint_is_400(self) -> None:
        assert refusal(witness(), AddCheckpoint(0, (), b"not a note\n")).status == 400

    def test_unknown_origin_is_404(self) -> None:
        other = Signer.from_seed("corridor.example/log/unknown", bytes(32))
        cp = sign_checkpoint(Checkpoint(other.name, 1, tree(ENTRIES[:1]).root()), other)
        r = refusal(witness(), AddCheckpoint(0, (), cp))
        assert r.status == 404
        assert "does not follow the log 'corridor.example/log/unknown'" in r.message

    def test_signed_by_another_key_is_403(self) -> None:
        r = refusal(witness(), request(0, ENTRIES[:5], OTHER))
        assert r.status == 403
        assert "not signed by the log key" in r.message

    def test_old_above_the_size_is_400(self) -> None:
        r = refusal(witness(), AddCheckpoint(6, (), signed(ENTRIES[:5])))
        assert r.status == 400

    def test_old_that_is_not_the_cosigned_size_is_409_with_that_size(self) -> None:
        w = witness()
        r = refusal(w, request(3, ENTRIES[:10]))
        assert (r.status, r.size) == (409, 0)
        add_checkpoint(w, request(0, ENTRIES[:10]), NOW)
        r = refusal(w, request(0, ENTRIES[:20]))
        assert (r.status, r.size) == (409, 10)
        assert w.size_of(ORIGIN) == 10

    def test_same_size_another_root_is_409(self) -> None:
        """A split view at the size already cosigned."""
        w = witness()
        add_checkpoint(w, request(0, ENTRIES[:10]), NOW)
        forked = [*ENTRIES[:9], b"another entry 9"]
        r = refusal(w, AddCheckpoint(10, (), signed(forked)))
        assert (r.status, r.size) == (409, 10)
        assert "split view" in r.message
        assert w.size_of(ORIGIN) == 10

    def test_a_proof_that_does_not_verify_is_422(self) -> None:
        """A split view at a larger size: the fork's proof cannot verify against what the
        witness cosigned."""
        w = witness()
        add_checkpoint(w, request(0, ENTRIES[:10]), NOW)
        forked = [*ENTRIES[:9], b"another entry 9", *ENTRIES[10:20]]
        r = refusal(w, request(10, forked))
        assert r.status == 422
        assert "split view" in r.message
        assert w.size_of(ORIGIN) == 10

    def test_a_proof_from_zero_must_be_empty(self) -> None:
        good = request(5, ENTRIES[:10])
        r = refusal(witness(), AddCheckpoint(0, good.proof, good.checkpoint))
        assert r.status == 422

    def test_checks_in_the_spec_order(self) -> None:
        """An unknown origin wins over everything else; a bad signature over a bad old size."""
        other = Signer.from_seed("corridor.example/log/unknown", bytes(32))
        cp = sign_checkpoint(Checkpoint(other.name, 1, tree(ENTRIES[:1]).root()), other)
        assert refusal(witness(), AddCheckpoint(99, (), cp)).status == 404
        assert refusal(witness(), AddCheckpoint(99, (), signed(ENTRIES[:5], OTHER))).status == 403


class TestVerifiedCosignatures:
    def test_lines_by_other_keys_are_ignored(self) -> None:
        note = signed(ENTRIES[:4])
        ours = W.cosign(parse_note(note).text, NOW).line()
        theirs = CosignatureSigner.from_seed("witness.example/x", b"x" * 32).cosign(
            parse_note(note).text, NOW
        ).line()
        assert verified_cosignatures(note, theirs + ours, W.verifier) == [ours]
        assert verified_cosignatures(note, theirs, W.verifier) == []

    def test_a_bad_line_by_our_key_is_refused(self) -> None:
        note = signed(ENTRIES[:4])
        wrong = W.cosign(parse_note(signed(ENTRIES[:5])).text, NOW).line()
        with pytest.raises(VerificationError, match="does not verify"):
            verified_cosignatures(note, wrong, W.verifier)

    @pytest.mark.parametrize("answer", [b"", b"hello\n", b"\xe2\x80\x94 w", "— w x\n".encode()])
    def test_not_signature_lines(self, answer: bytes) -> None:
        with pytest.raises(VerificationError):
            verified_cosignatures(signed(ENTRIES[:4]), answer, CosignatureVerifier("w", bytes(32)))
