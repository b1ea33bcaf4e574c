"""C2SP tlog-cosignature: the byte layout, and a witness that catches split views."""

from __future__ import annotations

import base64
import hashlib

import nacl.signing
import pytest

from corridor.errors import InputError, SigningKeyError, VerificationError
from corridor.ledger import merkle
from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint
from corridor.ledger.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    Witness,
    WitnessState,
    cosignature_timestamp,
    cosigned_message,
    verify_cosignatures,
)
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.note import Signer, add_signatures, parse_note, sign_note

ORIGIN = "corridor.example/log/test"
LOG = Signer.from_seed(ORIGIN, bytes(32))
SEED = bytes(range(100, 132))
W1 = CosignatureSigner.from_seed("witness.example/w1", SEED)
W2 = CosignatureSigner.from_seed("witness.example/w2", bytes(range(32)))
BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def tree(entries: list[bytes]) -> merkle.LeafHashReader:
    return merkle.LeafHashReader([leaf_hash(e) for e in entries])


def signed(entries: list[bytes]) -> bytes:
    return sign_checkpoint(Checkpoint(ORIGIN, len(entries), tree(entries).root()), LOG)


ENTRIES = [b"entry %d" % i for i in range(20)]


class TestByteLayout:
    def test_key_id(self) -> None:
        """The key ID is SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]."""
        pub = bytes(nacl.signing.SigningKey(SEED).verify_key)
        assert W1.key_id == hashlib.sha256(b"witness.example/w1\n\x04" + pub).digest()[:4]

    def test_signed_message(self) -> None:
        """The message is the header line, the time line, then the checkpoint body."""
        expected = b"cosignature/v1\ntime 1679315147\n" + BODY.encode()
        assert cosigned_message(BODY.encode(), 1679315147) == expected

    def test_signature_line(self) -> None:
        """The line is — name base64(key ID ‖ uint64 BE time ‖ Ed25519 over the message)."""
        line = W1.cosign(BODY, 1679315147).line()
        prefix = "— witness.example/w1 ".encode()
        assert line.startswith(prefix) and line.endswith(b"\n")
        raw = base64.b64decode(line[len(prefix) : -1])
        assert len(raw) == 4 + 8 + 64
        assert raw[:4] == W1.key_id
        assert raw[4:12] == bytes.fromhex("00000000641850cb")
        msg = b"cosignature/v1\ntime 1679315147\n" + BODY.encode()
        nacl.signing.VerifyKey(W1.public_key).verify(msg, raw[12:])
        assert raw[12:] == nacl.signing.SigningKey(SEED).sign(msg).signature

    def test_spec_example_layout(self) -> None:
        """The spec's example cosignature is 76 bytes with its time at bytes 4 to 12."""
        raw = base64.b64decode(
            "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0x"
            "Ue+mbIUBkBIfZ+qnA=="
        )
        assert len(raw) == 76
        assert int.from_bytes(raw[4:12], "big") == 1679315147

    def test_verifier_and_timestamp(self) -> None:
        """The cosignature verifies by its vkey and carries its time."""
        sig = W1.cosign(BODY, 1700000000)
        v = CosignatureVerifier.from_vkey(W1.vkey)
        assert v.verify(BODY.encode(), sig.signature)
        assert not v.verify(BODY.replace("3\n", "4\n").encode(), sig.signature)
        assert cosignature_timestamp(sig) == 1700000000

    def test_vkey_type(self) -> None:
        """A witness vkey carries type 0x04 and is not an Ed25519 note key."""
        assert base64.b64decode(W1.vkey.split("+", 2)[2])[0] == 4
        with pytest.raises(SigningKeyError):
            CosignatureVerifier.from_vkey(LOG.vkey)

    def test_timestamp_bounds(self) -> None:
        """Timestamps above 2**63 - 1 are refused."""
        with pytest.raises(InputError):
            cosigned_message(b"x\n", 2**63)
        with pytest.raises(InputError):
            W1.cosign(BODY, -1)

    def test_not_a_note_signer(self) -> None:
        """A cosignature key cannot make plain note signatures."""
        with pytest.raises(SigningKeyError):
            sign_note(BODY, [W1])


class TestWitness:
    def witness(self) -> Witness:
        return Witness(W1, {ORIGIN: LOG.verifier})

    def test_first_checkpoint_then_growth(self) -> None:
        """A witness cosigns a first checkpoint, then a larger one with a consistency proof."""
        w = self.witness()
        note = signed(ENTRIES[:5])
        line = w.cosign(note, [], now=1000)
        assert verify_cosignatures(note + line, [W1.verifier], 1) == 1
        assert w.size_of(ORIGIN) == 5
        proof = merkle.consistency_proof(5, 12, tree(ENTRIES[:12]))
        note2 = signed(ENTRIES[:12])
        line2 = w.cosign(note2, proof, now=1001)
        cosigned = add_signatures(note2, parse_note(note2 + line2).signatures)
        assert verify_cosignatures(cosigned, [W1.verifier], 1) == 1
        assert w.size_of(ORIGIN) == 12

    def test_same_size_other_root_is_a_split_view(self) -> None:
        """Two checkpoints of the same size with different roots: the second is refused."""
        w = self.witness()
        w.cosign(signed(ENTRIES[:8]), [], now=1)
        forked = [*ENTRIES[:7], b"forged"]
        with pytest.raises(VerificationError, match=r"split view of corridor\.example/log/test"):
            w.cosign(signed(forked), [], now=2)
        assert w.size_of(ORIGIN) == 8

    def test_inconsistent_growth_is_a_split_view(self) -> None:
        """A larger tree that rewrites history has no valid proof and is refused."""
        w = self.witness()
        w.cosign(signed(ENTRIES[:8]), [], now=1)
        forked = [b"rewritten", *ENTRIES[1:12]]
        proof = merkle.consistency_proof(8, 12, tree(forked))
        with pytest.raises(
            VerificationError, match=r"split view.*not consistent with the cosigned size 8"
        ):
            w.cosign(signed(forked), proof, now=2)

    def test_older_checkpoint_refused(self) -> None:
        """A checkpoint smaller than the one already cosigned is refused."""
        w = self.witness()
        w.cosign(signed(ENTRIES[:8]), [], now=1)
        with pytest.raises(VerificationError, match="older than the size 8"):
            w.cosign(signed(ENTRIES[:5]), [], now=2)

    def test_same_checkpoint_again(self) -> None:
        """The same checkpoint can be cosigned again (a later time)."""
        w = self.witness()
        note = signed(ENTRIES[:8])
        w.cosign(note, [], now=1)
        line = w.cosign(note, [], now=2)
        assert cosignature_timestamp(parse_note(note + line).signatures[-1]) == 2

    def test_unknown_log_and_bad_signature(self) -> None:
        """Checkpoints of a log the witness does not follow, or not signed by it, are refused."""
        w = self.witness()
        other = Signer.from_seed("other.example/log", bytes(32))
        note = sign_checkpoint(Checkpoint("other.example/log", 1, tree(ENTRIES[:1]).root()), other)
        with pytest.raises(VerificationError, match="does not follow the log"):
            w.cosign(note, [], now=1)
        impostor = Signer.from_seed(ORIGIN, bytes(range(32)))
        fake = sign_checkpoint(Checkpoint(ORIGIN, 1, tree(ENTRIES[:1]).root()), impostor)
        with pytest.raises(VerificationError, match="not signed by the log key"):
            w.cosign(fake, [], now=1)

    def test_state_round_trip(self) -> None:
        """The witness state is plain JSON that restores the same witness."""
        w = self.witness()
        w.cosign(signed(ENTRIES[:8]), [], now=1)
        state = WitnessState.from_json(w.state.to_json())
        assert state == w.state
        again = Witness(W1, {ORIGIN: LOG.verifier}, state)
        with pytest.raises(VerificationError, match="split view"):
            again.cosign(signed([*ENTRIES[:7], b"x"]), [], now=2)

    @pytest.mark.parametrize("text", ["{", '{"logs": {"o": {"size": -1, "root": ""}}}', "[]"])
    def test_bad_state(self, text: str) -> None:
        """Malformed witness state is an input error."""
        with pytest.raises(InputError):
            WitnessState.from_json(text)

    def test_deeply_nested_state(self) -> None:
        """Witness state nested beyond the recursion limit is an input error, not a crash."""
        with pytest.raises(InputError, match="nested too deeply"):
            WitnessState.from_json("[" * 100_000 + "]" * 100_000)


class TestQuorum:
    def test_counts_valid_witnesses(self) -> None:
        """Cosignatures are counted per witness; unknown ones are ignored."""
        note = signed(ENTRIES[:3])
        text = parse_note(note).text
        stranger = CosignatureSigner.from_seed("stranger", bytes(32))
        out = add_signatures(
            note, [W1.cosign(text, 5), W2.cosign(text, 6), stranger.cosign(text, 7)]
        )
        assert verify_cosignatures(out, [W1.verifier, W2.verifier], 2) == 2

    def test_below_quorum(self) -> None:
        """Fewer valid cosignatures than the quorum is a verification error."""
        note = signed(ENTRIES[:3])
        out = add_signatures(note, [W1.cosign(parse_note(note).text, 5)])
        with pytest.raises(VerificationError, match="1 valid witness cosignature, the quorum is 2"):
            verify_cosignatures(out, [W1.verifier, W2.verifier], 2)

    def test_bad_cosignature_rejected(self) -> None:
        """A known witness's cosignature over another body rejects the checkpoint."""
        note = signed(ENTRIES[:3])
        out = add_signatures(note, [W1.cosign(BODY, 5)])
        with pytest.raises(VerificationError, match=r"cosignature by witness\.example/w1"):
            verify_cosignatures(out, [W1.verifier], 1)
