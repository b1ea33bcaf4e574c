"""C2SP signed notes: keys, signing, opening, and the syntax rules, byte-compatible with Go."""

from __future__ import annotations

import base64
import hashlib

import pytest

from corridor.errors import InputError, SigningKeyError, VerificationError
from corridor.ledger.note import (
    MAX_SIGNATURES,
    Note,
    NoteSignature,
    Signer,
    Verifier,
    add_signatures,
    is_valid_name,
    key_id,
    open_note,
    parse_note,
    sign_note,
)

# The worked example of golang.org/x/mod/sumdb/note's package documentation.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqf"
    "qdngotpRZb6KE6RyyBwJnAM=\n"
).encode()

ALICE = Signer.from_seed("alice.example/log", bytes(range(32)))
BOB = Signer.from_seed("bob.example", bytes(range(1, 33)))


class TestKeys:
    def test_go_signer_key(self) -> None:
        """Go's example signer key parses and yields Go's example verifier key."""
        signer = Signer.from_skey(GO_SKEY)
        assert signer.name == "PeterNeumann"
        assert signer.key_id.hex() == "c74f20a3"
        assert signer.vkey == GO_VKEY
        assert signer.skey == GO_SKEY

    def test_go_verifier_key(self) -> None:
        """Go's example verifier key parses and formats back identically."""
        v = Verifier.from_vkey(GO_VKEY)
        assert (v.name, v.key_id.hex(), v.vkey) == ("PeterNeumann", "c74f20a3", GO_VKEY)

    def test_key_id_formula(self) -> None:
        """The key ID is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""
        expected = hashlib.sha256(b"alice.example/log\n\x01" + ALICE.public_key).digest()[:4]
        assert ALICE.key_id == expected == key_id("alice.example/log", 1, ALICE.public_key)

    def test_vkey_layout(self) -> None:
        """A vkey is name, 8 hex digits of key ID and base64 of 0x01 ‖ public key, joined by +."""
        name, hex_id, b64 = ALICE.vkey.split("+", 2)
        assert name == ALICE.name and hex_id == ALICE.key_id.hex()
        assert base64.b64decode(b64) == b"\x01" + ALICE.public_key

    def test_from_seed_is_deterministic(self) -> None:
        """The same seed and name give the same key; generated keys differ."""
        assert Signer.from_seed("x", bytes(32)).vkey == Signer.from_seed("x", bytes(32)).vkey
        assert Signer.generate("x").vkey != Signer.generate("x").vkey

    def test_skey_round_trip(self) -> None:
        """A signer key text gives back the same signer."""
        again = Signer.from_skey(ALICE.skey)
        assert (again.name, again.seed, again.key_id) == (ALICE.name, ALICE.seed, ALICE.key_id)

    @pytest.mark.parametrize(
        "vkey",
        [
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong key ID
            "PeterNeumann+c74f20a3+AhpUc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # bad base64
            "PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # short ID
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space
            "PeterNeumann+c74f20a3",
            "PeterNeumann+c74f20a3+AQ==",  # empty key
        ],
    )
    def test_bad_vkeys(self, vkey: str) -> None:
        """Malformed verifier keys, or ones whose key ID does not match, are refused."""
        with pytest.raises(SigningKeyError):
            Verifier.from_vkey(vkey)

    def test_wrong_type_refused(self) -> None:
        """A vkey of another signature type is not an Ed25519 note verifier."""
        raw = b"\x04" + ALICE.public_key
        kid = key_id(ALICE.name, 4, ALICE.public_key).hex()
        vkey = f"{ALICE.name}+{kid}+{base64.b64encode(raw).decode()}"
        with pytest.raises(SigningKeyError, match="type 0x04"):
            Verifier.from_vkey(vkey)

    @pytest.mark.parametrize(
        ("name", "valid"),
        [
            ("example.com/log", True),
            ("café", True),
            ("", False),
            ("a b", False),
            ("a+b", False),
            ("a\u00a0b", False),
            ("a\u2003b", False),
            ("a\tb", False),
        ],
    )
    def test_key_names(self, name: str, valid: bool) -> None:
        """Key names are non-empty, without Unicode spaces or plus signs."""
        assert is_valid_name(name) is valid


class TestSignOpen:
    def test_go_note_byte_for_byte(self) -> None:
        """Signing Go's example text with Go's example key gives Go's example note exactly."""
        assert sign_note(GO_TEXT, [Signer.from_skey(GO_SKEY)]) == GO_NOTE
        text, sigs = open_note(GO_NOTE, [Verifier.from_vkey(GO_VKEY)])
        assert text == GO_TEXT
        assert [(s.name, s.key_id.hex()) for s in sigs] == [("PeterNeumann", "c74f20a3")]

    def test_round_trip_two_signers(self) -> None:
        """A note signed by two keys opens with either verifier."""
        note = sign_note("hello\nworld\n", [ALICE, BOB])
        assert note.count("— ".encode()) == 2
        for v in (ALICE.verifier, BOB.verifier):
            text, sigs = open_note(note, [v])
            assert text == "hello\nworld\n"
            assert [s.name for s in sigs] == [v.name]

    def test_unknown_keys_ignored(self) -> None:
        """Signatures by unknown keys are ignored, even sharing a name with a known key."""
        impostor = Signer.from_seed(ALICE.name, bytes(32))
        note = sign_note("text\n", [impostor, ALICE, BOB])
        _text, sigs = open_note(note, [ALICE.verifier])
        assert [s.key_id for s in sigs] == [ALICE.key_id]

    def test_known_key_bad_signature_rejected(self) -> None:
        """A known key's signature that does not verify rejects the whole note."""
        note = sign_note("text\n", [ALICE, BOB])
        forged = note.replace(b"text\n", b"teXt\n", 1)
        with pytest.raises(VerificationError, match=r"signature by alice.example/log\+"):
            open_note(forged, [BOB.verifier, ALICE.verifier])

    def test_no_known_signature_rejected(self) -> None:
        """A note with no signature by a known key is rejected."""
        note = sign_note("text\n", [BOB])
        with pytest.raises(VerificationError, match="no signature by a known key"):
            open_note(note, [ALICE.verifier])

    def test_text_may_contain_blank_lines(self) -> None:
        """The text ends at the last blank line, so it may contain blank lines itself."""
        note = sign_note("a\n\nb\n", [ALICE])
        assert open_note(note, [ALICE.verifier])[0] == "a\n\nb\n"

    @pytest.mark.parametrize("text", ["no newline", "tab\there\n", "bell\x07\n"])
    def test_sign_refuses_bad_text(self, text: str) -> None:
        """A text without a final newline or with control characters cannot be signed."""
        with pytest.raises(InputError):
            sign_note(text, [ALICE])

    def test_add_signatures_replaces_same_key(self) -> None:
        """Adding a signature line replaces a previous line by the same key and appends others."""
        note = sign_note("text\n", [ALICE])
        again = NoteSignature(ALICE.name, ALICE.key_id, ALICE.sign(b"text\n"))
        extra = NoteSignature(BOB.name, BOB.key_id, BOB.sign(b"text\n"))
        out = add_signatures(note, [again, extra])
        parsed = parse_note(out)
        assert [s.name for s in parsed.signatures] == [ALICE.name, BOB.name]
        assert open_note(out, [ALICE.verifier, BOB.verifier])[1][1].name == BOB.name

    def test_parse_and_format_round_trip(self) -> None:
        """A parsed note formats back to the same bytes."""
        note = sign_note("x\ny\n", [ALICE, BOB])
        assert parse_note(note).to_bytes() == note
        assert isinstance(parse_note(note), Note)


class TestMalformed:
    @pytest.mark.parametrize(
        ("note", "reason"),
        [
            (b"text\n- alice AAAAAAA=\n", "no blank line"),
            (b"text\n\n", "no signature lines"),
            (b"text\n\n\xe2\x80\x94 alice AAAAAAA=", "no signature lines"),
            (b"text\n\n- alice AAAAAAA=\n", "does not start with"),
            (b"text\n\n\xe2\x80\x94 alice AAAA\n", "not base64 of key ID"),
            (b"text\n\n\xe2\x80\x94 alice !!!!\n", "not base64 of key ID"),
            (b"text\n\n\xe2\x80\x94 al+ce AAAAAAA=\n", "invalid key name"),
            (b"text\n\n\xe2\x80\x94 alice\n", "not base64"),
            (b"te\rxt\n\n\xe2\x80\x94 alice AAAAAAA=\n", r"control character U\+000D"),
            (b"te\xffxt\n\n\xe2\x80\x94 alice AAAAAAA=\n", "not valid UTF-8"),
        ],
    )
    def test_rejected(self, note: bytes, reason: str) -> None:
        """Each breach of the note syntax is rejected with its reason."""
        with pytest.raises(VerificationError, match=reason):
            parse_note(note)

    def test_too_many_signatures(self) -> None:
        """More than 100 signature lines are rejected; 100 are accepted."""
        line = NoteSignature("w", b"\0\0\0\0", b"s").line()
        ok = b"text\n\n" + line * MAX_SIGNATURES
        assert len(parse_note(ok).signatures) == MAX_SIGNATURES
        with pytest.raises(VerificationError, match="more than 100"):
            parse_note(ok + line)
