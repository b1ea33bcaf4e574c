"""C2SP tlog-cosignature (Ed25519, type 0x04) and a witness that refuses split views.

A cosignature is a note signature line on a checkpoint, by a *witness* key of type 0x04::

    key ID    = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte Ed25519 public key)[:4]
    message   = "cosignature/v1\\n" ‖ "time <t>\\n" ‖ checkpoint body (with its final newline)
    signature = key ID ‖ uint64 big-endian t ‖ Ed25519(message)          (4 + 8 + 64 bytes)

where t is the POSIX time of cosigning in decimal with no leading zeros, at most 2**63 - 1. A v1
cosignature says: as of time t, this is the largest tree the witness has seen for the origin,
consistent with everything it saw before. The witness here keeps, per origin, the size and root
it last cosigned, and cosigns a new checkpoint only with a consistency proof from there.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from corridor.errors import InputError, SigningKeyError, VerificationError
from corridor.ledger.checkpoint import Checkpoint, verify_checkpoint
from corridor.ledger.hashing import EMPTY_ROOT, HASH_SIZE
from corridor.ledger.merkle import verify_consistency
from corridor.ledger.note import (
    NoteSignature,
    Signer,
    Verifier,
    ed25519_verify,
    parse_note,
    verify_signatures,
)

__all__ = [
    "COSIGNATURE_V1",
    "CosignatureSigner",
    "CosignatureVerifier",
    "Witness",
    "WitnessState",
    "cosignature_timestamp",
    "cosigned_message",
    "verify_cosignatures",
]

COSIGNATURE_V1 = 0x04
"""Signature type of timestamped Ed25519 witness cosignatures."""

MAX_TIMESTAMP = 2**63 - 1


def cosigned_message(checkpoint_text: bytes, timestamp: int) -> bytes:
    """The bytes a cosigner signs: header line, time line, then the checkpoint body."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise InputError(f"cosignature timestamp {timestamp} is out of range")
    return b"cosignature/v1\ntime %d\n" % timestamp + checkpoint_text


def cosignature_timestamp(sig: NoteSignature) -> int:
    """The POSIX time in a cosignature (its first 8 signature bytes, big-endian)."""
    if len(sig.signature) != 72:
        raise VerificationError(f"cosignature by {sig.name} is {len(sig.signature)} bytes, not 72")
    return int.from_bytes(sig.signature[:8], "big")


class CosignatureVerifier(Verifier):
    """A witness's public key: checks timestamped Ed25519 cosignatures (type 0x04)."""

    sig_type = COSIGNATURE_V1

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True when ``signature`` is timestamp ‖ Ed25519 over the cosigned message of ``text``."""
        if len(signature) != 72:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            return False
        return ed25519_verify(self.public_key, cosigned_message(text, timestamp), signature[8:])


class CosignatureSigner(Signer):
    """A witness's private key (type 0x04). Use :meth:`cosign`, never :func:`sign_note`."""

    sig_type = COSIGNATURE_V1
    verifier_class = CosignatureVerifier

    @property
    def verifier(self) -> CosignatureVerifier:
        """The matching cosignature verifier."""
        return CosignatureVerifier(self.name, self.public_key)

    def cosign(self, checkpoint_text: str | bytes, timestamp: int) -> NoteSignature:
        """Return the cosignature of a checkpoint body at POSIX time ``timestamp``."""
        text = checkpoint_text.encode() if isinstance(checkpoint_text, str) else checkpoint_text
        sig = self.sign(cosigned_message(text, timestamp))
        return NoteSignature(self.name, self.key_id, timestamp.to_bytes(8, "big") + sig)


@dataclass
class WitnessState:
    """What a witness has cosigned: origin → (tree size, root hash). Plain data, JSON-able."""

    logs: dict[str, tuple[int, bytes]] = field(default_factory=dict)

    def to_json(self) -> str:
        """``{"logs": {origin: {"root": base64, "size": n}}}`` as JSON."""
        logs = {
            o: {"root": base64.b64encode(r).decode(), "size": n} for o, (n, r) in self.logs.items()
        }
        return json.dumps({"logs": logs}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> WitnessState:
        """Parse :meth:`to_json`'s output. Raises InputError if malformed."""
        try:
            data: Any = json.loads(text)
            logs = {}
            for origin, v in data["logs"].items():
                root = base64.b64decode(v["root"], validate=True)
                size = v["size"]
                if type(size) is not int or size < 0 or len(root) != HASH_SIZE:
                    raise ValueError(origin)
                logs[str(origin)] = (size, root)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise InputError(f"witness state is malformed ({exc})") from None
        except RecursionError:
            raise InputError("witness state is malformed (nested too deeply)") from None
        return cls(logs)


def _b64(root: bytes) -> str:
    return base64.b64encode(root).decode()


class Witness:
    """Cosigns checkpoints of known logs, each only if consistent with what it cosigned before.

    ``logs`` maps each origin the witness follows to the log's verifier key. The state is the
    last (size, root) cosigned per origin; persist ``witness.state.to_json()`` after each cosign.
    """

    def __init__(
        self,
        signer: CosignatureSigner,
        logs: Mapping[str, Verifier],
        state: WitnessState | None = None,
    ) -> None:
        if signer.sig_type != COSIGNATURE_V1:
            raise SigningKeyError("a witness signs with a cosignature (type 0x04) key")
        self.signer = signer
        self.logs = dict(logs)
        self.state = state if state is not None else WitnessState()

    @property
    def name(self) -> str:
        return self.signer.name

    def size_of(self, origin: str) -> int:
        """The tree size last cosigned for ``origin`` (0 if none): prove consistency from it."""
        return self.state.logs.get(origin, (0, EMPTY_ROOT))[0]

    def cosign(
        self, signed_checkpoint: bytes, consistency_proof: Sequence[bytes], now: int
    ) -> bytes:
        """Verify a signed checkpoint and its consistency with the last one; return the line.

        ``consistency_proof`` goes from :meth:`size_of` the origin to the checkpoint's size.
        Raises VerificationError for an unknown origin, a bad log signature, a checkpoint older
        than the last cosigned, and a split view (same size and another root, or no valid proof).
        The returned cosignature line(s) go at the end of the note (:func:`add_signatures` or
        plain concatenation).
        """
        who = f"witness {self.name}"
        try:
            text = parse_note(signed_checkpoint).text
            origin = Checkpoint.parse(text).origin
        except VerificationError as exc:
            raise VerificationError(f"{who}: {exc.message}") from None
        log = self.logs.get(origin)
        if log is None:
            raise VerificationError(f"{who}: does not follow the log {origin!r}")
        try:
            cp = verify_checkpoint(signed_checkpoint, origin, log)
        except VerificationError as exc:
            raise VerificationError(f"{who}: {exc.message}") from None
        old_size, old_root = self.state.logs.get(origin, (0, EMPTY_ROOT))
        if cp.size < old_size:
            raise VerificationError(
                f"{who}: {origin} checkpoint of size {cp.size} is older than the size {old_size} "
                "already cosigned"
            )
        try:
            verify_consistency(old_size, cp.size, old_root, cp.root, consistency_proof)
        except VerificationError as exc:
            raise VerificationError(
                f"{who}: split view of {origin}: size {cp.size} root {_b64(cp.root)} is not "
                f"consistent with the cosigned size {old_size} root {_b64(old_root)} "
                f"({exc.message})"
            ) from None
        line = self.signer.cosign(text, now).line()  # the very text the log signed
        self.state.logs[origin] = (cp.size, cp.root)
        return line


def verify_cosignatures(note: bytes, witnesses: Iterable[CosignatureVerifier], quorum: int) -> int:
    """Count the witnesses with a valid cosignature on this checkpoint; raise if under quorum.

    Only the cosignatures are checked here (verify the log's own signature with
    :func:`corridor.ledger.checkpoint.verify_checkpoint`). A known witness whose cosignature does
    not verify rejects the note.
    """
    parsed = parse_note(note)
    Checkpoint.parse(parsed.text)
    witnesses = list(witnesses)
    for w in witnesses:
        if w.sig_type != COSIGNATURE_V1:
            raise SigningKeyError(f"witness key {w.name} is not a cosignature (type 0x04) key")
    try:
        verified = verify_signatures(parsed, witnesses)
    except VerificationError as exc:
        raise VerificationError(
            "checkpoint: " + exc.message.replace("note: signature", "cosignature")
        ) from None
    if len(verified) < quorum:
        raise VerificationError(
            f"checkpoint: {len(verified)} valid witness cosignature"
            f"{'' if len(verified) == 1 else 's'}, the quorum is {quorum}"
        )
    return len(verified)
