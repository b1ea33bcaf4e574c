"""C2SP tlog-checkpoint bodies, and checkpoints signed as notes by the log key."""

from __future__ import annotations

import base64

import pytest

from corridor.errors import InputError, SigningKeyError, VerificationError
from corridor.ledger.checkpoint import (
    Checkpoint,
    default_origin,
    sign_checkpoint,
    verify_checkpoint,
)
from corridor.ledger.hashing import EMPTY_ROOT
from corridor.ledger.note import Signer, add_signatures, parse_note, sign_note

ORIGIN = "corridor.example/log/test"
LOG = Signer.from_seed(ORIGIN, bytes(32))
ROOT = bytes(range(32))
ROOT64 = base64.b64encode(ROOT).decode()


class TestBody:
    def test_format(self) -> None:
        """The body is origin, decimal size and base64 root, each on its own line."""
        cp = Checkpoint(ORIGIN, 1832, ROOT)
        assert cp.format() == f"{ORIGIN}\n1832\n{ROOT64}\n"

    def test_round_trip_with_extensions(self) -> None:
        """Extension lines follow the root and survive a round trip."""
        cp = Checkpoint(ORIGIN, 0, EMPTY_ROOT, ("ext one", "ext two"))
        assert cp.format().endswith("ext one\next two\n")
        assert Checkpoint.parse(cp.format()) == cp

    def test_spec_example(self) -> None:
        """The spec's example body parses."""
        cp = Checkpoint.parse(
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        )
        assert (cp.origin, cp.size) == ("example.com/behind-the-sofa", 20852163)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            (f"{ORIGIN}\n5\n{ROOT64}", "does not end with a newline"),
            (f"{ORIGIN}\n5\n", "expected at least 3"),
            (f"{ORIGIN}\n05\n{ROOT64}\n", "not a decimal number"),
            (f"{ORIGIN}\n+5\n{ROOT64}\n", "not a decimal number"),
            (f"{ORIGIN}\n٥\n{ROOT64}\n", "not a decimal number"),
            (f"{ORIGIN}\n\n{ROOT64}\n", "not a decimal number"),
            (f"{ORIGIN}\n5\nnot base64!\n", "not base64"),
            (f"{ORIGIN}\n5\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes"),
            (f"{ORIGIN}\n5\n{ROOT64[:-2]}9=\n", "not canonical base64"),
            (f"{ORIGIN}\n5\n{ROOT64}\n\n", "extension line is empty"),
            (f"\n5\n{ROOT64}\n", "origin is empty"),
            (f"{ORIGIN}\n{2**63}\n{ROOT64}\n", "out of range"),
        ],
    )
    def test_parse_rejects(self, text: str, reason: str) -> None:
        """Malformed bodies are rejected naming what is wrong."""
        with pytest.raises(VerificationError, match=reason):
            Checkpoint.parse(text)

    def test_construct_rejects(self) -> None:
        """A checkpoint cannot be built with a bad root or a newline in the origin."""
        with pytest.raises(InputError):
            Checkpoint(ORIGIN, 1, b"short")
        with pytest.raises(InputError):
            Checkpoint("a\nb", 1, ROOT)

    def test_default_origin(self) -> None:
        """The default origin is corridor.example/log/<name>."""
        assert default_origin("lachin") == "corridor.example/log/lachin"
        with pytest.raises(InputError):
            default_origin("has space")


class TestSigned:
    def test_sign_and_verify(self) -> None:
        """A signed checkpoint verifies with the log key and returns the checkpoint."""
        cp = Checkpoint(ORIGIN, 7, ROOT)
        note = sign_checkpoint(cp, LOG)
        assert note.startswith(cp.format().encode() + "\n— ".encode() + ORIGIN.encode())
        assert verify_checkpoint(note, ORIGIN, LOG.verifier) == cp

    def test_log_key_named_after_origin(self) -> None:
        """The log key's name must be the origin."""
        with pytest.raises(SigningKeyError, match="named after its origin"):
            sign_checkpoint(Checkpoint("other.example/log", 1, ROOT), LOG)

    def test_wrong_origin_rejected(self) -> None:
        """A checkpoint of another origin is rejected even if the key verifies."""
        other = Signer.from_seed("other.example/log", bytes(32))
        note = sign_checkpoint(Checkpoint("other.example/log", 1, ROOT), other)
        with pytest.raises(VerificationError, match=r"origin 'other\.example/log', expected"):
            verify_checkpoint(note, ORIGIN, other.verifier)

    def test_not_signed_by_log_rejected(self) -> None:
        """A checkpoint signed only by another key is rejected."""
        impostor = Signer.from_seed(ORIGIN, bytes(range(32)))
        note = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), impostor)
        with pytest.raises(VerificationError, match="not signed by the log key"):
            verify_checkpoint(note, ORIGIN, LOG.verifier)

    def test_tampered_size_rejected(self) -> None:
        """Changing the size in a signed checkpoint breaks the log signature."""
        note = sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT), LOG)
        with pytest.raises(VerificationError, match="checkpoint: signature by"):
            verify_checkpoint(note.replace(b"\n7\n", b"\n8\n"), ORIGIN, LOG.verifier)

    def test_other_signatures_ignored(self) -> None:
        """Extra signatures (cosignatures, other keys) do not disturb verification."""
        cp = Checkpoint(ORIGIN, 7, ROOT)
        extra = parse_note(sign_note(cp.format(), [Signer.from_seed("w", bytes(32))]))
        note = add_signatures(sign_checkpoint(cp, LOG), extra.signatures)
        assert verify_checkpoint(note, ORIGIN, LOG.verifier) == cp

    def test_malformed_body_in_valid_note(self) -> None:
        """A validly signed note whose body is not a checkpoint is rejected."""
        note = sign_note(f"{ORIGIN}\nseven\n{ROOT64}\n", [LOG])
        with pytest.raises(VerificationError, match="tree size 'seven'"):
            verify_checkpoint(note, ORIGIN, LOG.verifier)
