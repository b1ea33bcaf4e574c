"""C2SP signed-note: text signed by one or more named Ed25519 keys, as Go's sumdb/note writes it.

A signed note is the text (ending in a newline), a blank line, then one line per signature::

    — <key name> base64(key ID ‖ signature)

The key ID is the first four bytes of SHA-256(key name ‖ 0x0A ‖ type ‖ public key), with type
0x01 for Ed25519 note signatures (0x04 is the witness cosignature type, see
:mod:`corridor.ledger.cosignature`). A verifier key ("vkey") is the text
``<name>+<8 hex digits of the key ID>+base64(type ‖ public key)``; a signer key ("skey") is
``PRIVATE+KEY+<name>+<key ID hex>+base64(type ‖ 32-byte seed)``, both as Go's
golang.org/x/mod/sumdb/note reads them.

Opening a note follows the spec: unknown keys are ignored; a known key whose signature does not
verify rejects the whole note; a note with no verified signature is rejected.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, Self

import nacl.exceptions
import nacl.signing

from corridor.errors import InputError, SigningKeyError, VerificationError

__all__ = [
    "ED25519",
    "MAX_SIGNATURES",
    "Note",
    "NoteSignature",
    "NoteVerifier",
    "Signer",
    "Verifier",
    "add_signatures",
    "ed25519_verify",
    "is_valid_name",
    "key_id",
    "open_note",
    "parse_note",
    "sign_note",
    "text_problem",
    "verify_signatures",
]

ED25519 = 0x01
"""Signature type of plain Ed25519 note signatures."""

MAX_SIGNATURES = 100
"""Notes with more signature lines are rejected (Go's limit; the spec requires at least 16)."""

_DASH = "— "  # U+2014 EM DASH, U+0020 SPACE
# Go's unicode.IsSpace: Latin-1 spaces, then the Unicode White_Space property
_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


def is_valid_name(name: str) -> bool:
    """A key name is non-empty with no Unicode space and no plus sign."""
    return bool(name) and "+" not in name and not any(c in _SPACES for c in name)


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """Return SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], the 4-byte key ID."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4, padded): raises binascii.Error or ValueError."""
    return base64.b64decode(text.encode("ascii"), validate=True)


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 (RFC 8032) signature of ``message``."""
    try:
        nacl.signing.VerifyKey(public_key).verify(message, signature)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
        return False
    return True


def _parse_key(text: str, *, private: bool) -> tuple[str, bytes, int, bytes]:
    """Split a vkey or skey into (name, key ID, type, key material); checks syntax only."""
    what = "signer key" if private else "verifier key"
    # base64 may itself contain "+": split off the name and key ID only (as Go's note does)
    parts = text.strip().split("+", 4 if private else 2)
    if private:
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise SigningKeyError(f"{what} must look like PRIVATE+KEY+<name>+<id>+<key>")
        parts = parts[2:]
    if len(parts) != 3:
        raise SigningKeyError(f"{what} must look like <name>+<8 hex digits>+<base64 key>")
    name, hex_id, key64 = parts
    if not is_valid_name(name):
        raise SigningKeyError(f"{what}: {name!r} is not a valid key name")
    if not re.fullmatch(r"[0-9a-fA-F]{8}", hex_id):
        raise SigningKeyError(f"{what} for {name}: key ID {hex_id!r} is not 8 hex digits")
    try:
        raw = _unb64(key64)
    except (binascii.Error, ValueError):
        raise SigningKeyError(f"{what} for {name}: the key is not valid base64") from None
    if len(raw) < 2:
        raise SigningKeyError(f"{what} for {name}: the key is empty")
    return name, bytes.fromhex(hex_id), raw[0], raw[1:]


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key ID, and the signature bytes after the key ID."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> bytes:
        """The signature line, ``— <name> base64(key ID ‖ signature)`` and a newline."""
        return f"{_DASH}{self.name} {_b64(self.key_id + self.signature)}\n".encode()


class NoteVerifier(Protocol):
    """A known key: its name and key ID, and a check of its signature over a note's text."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True when ``signature`` (the bytes after the key ID) signs ``text``."""
        ...


class Verifier:
    """An Ed25519 note verifier (signature type 0x01)."""

    sig_type = ED25519

    def __init__(self, name: str, public_key: bytes) -> None:
        if not is_valid_name(name):
            raise SigningKeyError(f"{name!r} is not a valid key name")
        if len(public_key) != 32:
            raise SigningKeyError(f"key {name}: an Ed25519 public key is 32 bytes")
        self._name = name
        self.public_key = bytes(public_key)
        self._key_id = key_id(name, self.sig_type, self.public_key)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> bytes:
        return self._key_id

    @classmethod
    def from_vkey(cls, vkey: str) -> Self:
        """Parse ``<name>+<key ID hex>+base64(0x01 ‖ public key)``, checking the key ID."""
        name, kid, sig_type, key = _parse_key(vkey, private=False)
        if sig_type != cls.sig_type:
            raise SigningKeyError(
                f"verifier key for {name}: type 0x{sig_type:02x}, expected 0x{cls.sig_type:02x}"
            )
        v = cls(name, key)
        if v.key_id != kid:
            raise SigningKeyError(f"verifier key for {name}: the key ID does not match the key")
        return v

    @property
    def vkey(self) -> str:
        """The verifier key text, ``<name>+<key ID hex>+base64(type ‖ public key)``."""
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([self.sig_type]) + self.public_key)}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True when ``signature`` is this key's Ed25519 signature of ``text``."""
        return ed25519_verify(self.public_key, text, signature)

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, Verifier)
            and (other.name, other.public_key) == (self.name, self.public_key)
        )

    def __hash__(self) -> int:
        return hash((self.name, self.public_key))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vkey!r})"


class Signer:
    """An Ed25519 note signer (type 0x01): a key name and a private key."""

    sig_type = ED25519
    verifier_class: type[Verifier] = Verifier

    def __init__(self, name: str, key: nacl.signing.SigningKey) -> None:
        if not is_valid_name(name):
            raise SigningKeyError(f"{name!r} is not a valid key name")
        self._name = name
        self._key = key
        self.public_key = bytes(key.verify_key)
        self._key_id = key_id(name, self.sig_type, self.public_key)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> bytes:
        return self._key_id

    @classmethod
    def generate(cls, name: str) -> Self:
        """A new random key (from the operating system's CSPRNG)."""
        return cls(name, nacl.signing.SigningKey.generate())

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Self:
        """The key derived from a 32-byte seed (RFC 8032), deterministic."""
        if len(seed) != 32:
            raise SigningKeyError(f"key {name}: an Ed25519 seed is 32 bytes, got {len(seed)}")
        return cls(name, nacl.signing.SigningKey(bytes(seed)))

    @classmethod
    def from_skey(cls, skey: str) -> Self:
        """Parse ``PRIVATE+KEY+<name>+<key ID hex>+base64(type ‖ seed)``, checking the key ID."""
        name, kid, sig_type, seed = _parse_key(skey, private=True)
        if sig_type != cls.sig_type:
            raise SigningKeyError(
                f"signer key for {name}: type 0x{sig_type:02x}, expected 0x{cls.sig_type:02x}"
            )
        signer = cls.from_seed(name, seed)
        if signer.key_id != kid:
            raise SigningKeyError(f"signer key for {name}: the key ID does not match the key")
        return signer

    @property
    def seed(self) -> bytes:
        """The 32-byte private seed. Keep it secret."""
        return bytes(self._key)

    @property
    def skey(self) -> str:
        """The signer key text (secret): ``PRIVATE+KEY+<name>+<key ID hex>+base64(type ‖ seed)``."""
        material = _b64(bytes([self.sig_type]) + self.seed)
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{material}"

    @property
    def verifier(self) -> Verifier:
        """The matching verifier."""
        return self.verifier_class(self.name, self.public_key)

    @property
    def vkey(self) -> str:
        """The matching verifier key text."""
        return self.verifier.vkey

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self._key.sign(message).signature

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, key ID {self.key_id.hex()})"


@dataclass(frozen=True)
class Note:
    """A parsed note: its text (with the final newline) and its signature lines, in order."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def to_bytes(self) -> bytes:
        """The signed note: text, blank line, signature lines."""
        return self.text.encode() + b"\n" + b"".join(s.line() for s in self.signatures)


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a note's text (no final newline, a control character), or None."""
    if not text.endswith("\n"):
        return "the text does not end with a newline"
    if (m := _CONTROL.search(text)) is not None:
        return f"control character U+{ord(m.group()):04X} in the text"
    return None


def parse_note(note: bytes) -> Note:
    """Parse a signed note's syntax (no signature is checked). Raises VerificationError."""
    what = "malformed note"
    try:
        msg = note.decode("utf-8")
    except UnicodeDecodeError:
        raise VerificationError(f"{what}: not valid UTF-8") from None
    if (m := _CONTROL.search(msg)) is not None:
        raise VerificationError(f"{what}: control character U+{ord(m.group()):04X}")
    split = msg.rfind("\n\n")
    if split < 0:
        raise VerificationError(f"{what}: no blank line before the signatures")
    text, block = msg[: split + 1], msg[split + 2 :]
    if not block or not block.endswith("\n"):
        raise VerificationError(f"{what}: no signature lines after the blank line")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise VerificationError(f"{what}: more than {MAX_SIGNATURES} signatures")
    sigs: list[NoteSignature] = []
    for n, line in enumerate(lines, 1):
        if not line.startswith(_DASH):
            raise VerificationError(f"{what}: signature line {n} does not start with '— '")
        name, _, b64 = line[len(_DASH) :].partition(" ")
        if not is_valid_name(name):
            raise VerificationError(f"{what}: signature line {n} has an invalid key name")
        try:
            raw = _unb64(b64) if b64 else b""
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) < 5:
            raise VerificationError(
                f"{what}: signature line {n} is not base64 of key ID + signature"
            )
        sigs.append(NoteSignature(name, raw[:4], raw[4:]))
    return Note(text, tuple(sigs))


def _index(verifiers: Iterable[NoteVerifier]) -> dict[tuple[str, bytes], NoteVerifier]:
    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for v in verifiers:
        k = (v.name, v.key_id)
        if k in known and known[k] != v:
            raise SigningKeyError(f"two different verifier keys share {v.name}+{v.key_id.hex()}")
        known[k] = v
    return known


def verify_signatures(note: Note, verifiers: Iterable[NoteVerifier]) -> list[NoteSignature]:
    """Check every signature by a known key; return them (once per key), in note order.

    Signatures by unknown keys are skipped. Raises VerificationError if a known key's signature
    does not verify. May return an empty list: :func:`open_note` is the function that insists.
    """
    known = _index(verifiers)
    text = note.text.encode()
    verified: dict[tuple[str, bytes], NoteSignature] = {}
    for sig in note.signatures:
        v = known.get((sig.name, sig.key_id))
        if v is None:
            continue
        if not v.verify(text, sig.signature):
            raise VerificationError(
                f"note: signature by {sig.name}+{sig.key_id.hex()} does not verify"
            )
        verified.setdefault((sig.name, sig.key_id), sig)
    return list(verified.values())


def open_note(note: bytes, verifiers: Iterable[NoteVerifier]) -> tuple[str, list[NoteSignature]]:
    """Parse and verify a signed note; return its text and the verified signatures.

    Raises VerificationError when the note is malformed, when a known key's signature fails, or
    when no known key signed it.
    """
    parsed = parse_note(note)
    verified = verify_signatures(parsed, verifiers)
    if not verified:
        names = ", ".join(sorted({s.name for s in parsed.signatures}))
        raise VerificationError(f"note: no signature by a known key (signed by {names})")
    return parsed.text, verified


def sign_note(text: str | bytes, signers: Sequence[Signer]) -> bytes:
    """Return the signed note of ``text`` with one signature line per signer, in order."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("cannot sign a note: the text is not valid UTF-8") from None
    if (problem := text_problem(text)) is not None:
        raise InputError(f"cannot sign a note: {problem}")
    if not signers:
        raise SigningKeyError("cannot sign a note without a signer")
    for s in signers:
        if s.sig_type != ED25519:
            raise SigningKeyError(f"key {s.name} is not a note signing (type 0x01) key")
    msg = text.encode()
    sigs = tuple(NoteSignature(s.name, s.key_id, s.sign(msg)) for s in signers)
    return Note(text, sigs).to_bytes()


def add_signatures(note: bytes, signatures: Sequence[NoteSignature]) -> bytes:
    """Return ``note`` with these signature lines appended (e.g. witness cosignatures).

    A new line replaces an existing one by the same key (name and key ID), as Go's note.Sign does.
    """
    parsed = parse_note(note)
    new = {(s.name, s.key_id) for s in signatures}
    kept = tuple(s for s in parsed.signatures if (s.name, s.key_id) not in new)
    out = Note(parsed.text, kept + tuple(signatures))
    if len(out.signatures) > MAX_SIGNATURES:
        raise InputError(f"a note carries at most {MAX_SIGNATURES} signatures")
    return out.to_bytes()
