"""C2SP tlog-witness: the ``add-checkpoint`` request, the witness's checks in the order the spec
gives them, and the answers a log reads back.

A request body is an old size line, zero to 63 consistency proof lines (one base64 hash each), an
empty line, then the signed checkpoint::

    old 20852014
    PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
    ...

    example.com/behind-the-sofa
    20852163
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

    — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5...

The witness answers 200 with its cosignature line(s); 400 for a malformed request or an old size
above the checkpoint's; 404 for an origin it does not follow; 403 when no trusted key signed the
checkpoint; 409 when ``old`` is not the size it last cosigned (body: that size and a newline, type
``text/x.tlog.size``) or when the sizes match and the roots do not; 422 when the consistency proof
does not verify. :func:`add_checkpoint` raises :class:`WitnessRefusal` carrying that status.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from corridor.errors import VerificationError
from corridor.ledger.checkpoint import Checkpoint, verify_checkpoint
from corridor.ledger.cosignature import CosignatureVerifier, Witness
from corridor.ledger.hashing import EMPTY_ROOT, HASH_SIZE
from corridor.ledger.note import Note, parse_note, verify_signatures

__all__ = [
    "MAX_PROOF_LINES",
    "MAX_REQUEST_BYTES",
    "SIZE_CONTENT_TYPE",
    "AddCheckpoint",
    "WitnessRefusal",
    "add_checkpoint",
    "format_size",
    "parse_size",
    "verified_cosignatures",
]

MAX_PROOF_LINES = 63
"""A client MUST NOT send more consistency proof lines than this."""
MAX_REQUEST_BYTES = 1 << 20
"""The largest request body a witness reads: 63 proof lines and a checkpoint of at most 1 MiB."""
SIZE_CONTENT_TYPE = "text/x.tlog.size"
"""The content type of a 409 answer: the witness's latest cosigned size, then a newline."""

_OLD = re.compile(rb"old (0|[1-9][0-9]{0,18})")
_SIZE = re.compile(rb"(0|[1-9][0-9]{0,18})\n")
MAX_SIZE = 2**63 - 1


class WitnessRefusal(VerificationError):
    """What a witness answers instead of a cosignature: ``status`` is the spec's HTTP status;
    ``size`` (for 409) the tree size it last cosigned for the origin."""

    def __init__(self, status: int, message: str, *, size: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.size = size


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass(frozen=True)
class AddCheckpoint:
    """One ``add-checkpoint`` request: the size the proof starts from, the proof, the note."""

    old: int
    proof: tuple[bytes, ...]
    checkpoint: bytes

    def encode(self) -> bytes:
        """The request body."""
        lines = [b"old %d\n" % self.old, *(_b64(h).encode() + b"\n" for h in self.proof), b"\n"]
        return b"".join(lines) + self.checkpoint

    @classmethod
    def parse(cls, body: bytes) -> AddCheckpoint:
        """Parse a request body strictly; WitnessRefusal(400) naming the line that is wrong."""
        if len(body) > MAX_REQUEST_BYTES:
            raise WitnessRefusal(400, f"the request is over {MAX_REQUEST_BYTES:,} bytes")
        end = body.find(b"\n")
        if end < 0 or _OLD.fullmatch(body[:end]) is None:
            raise WitnessRefusal(
                400, "line 1 is not an old size line ('old', a space, a decimal size)"
            )
        old = int(body[4:end])
        if old > MAX_SIZE:
            raise WitnessRefusal(400, f"line 1: old size {old} is out of range")
        proof: list[bytes] = []
        pos = end + 1
        while True:
            end = body.find(b"\n", pos)
            if end < 0:
                raise WitnessRefusal(400, "no empty line before the checkpoint")
            line = body[pos:end]
            pos = end + 1
            if not line:
                break
            if len(proof) == MAX_PROOF_LINES:
                raise WitnessRefusal(
                    400, f"more than {MAX_PROOF_LINES} consistency proof lines"
                )
            try:
                h = base64.b64decode(line, validate=True)
            except (binascii.Error, ValueError):
                h = b""
            if len(h) != HASH_SIZE or base64.b64encode(h) != line:
                raise WitnessRefusal(
                    400, f"line {len(proof) + 2} is not the base64 of a 32-byte hash"
                )
            proof.append(h)
        if pos == len(body):
            raise WitnessRefusal(400, "no checkpoint after the empty line")
        return cls(old, tuple(proof), body[pos:])


def _parse_checkpoint(note: bytes) -> tuple[Note, Checkpoint]:
    try:
        parsed = parse_note(note)
        return parsed, Checkpoint.parse(parsed.text)
    except VerificationError as exc:
        raise WitnessRefusal(400, f"the checkpoint is malformed: {exc.message}") from None


def add_checkpoint(witness: Witness, request: AddCheckpoint, now: int) -> bytes:
    """Check ``request`` as C2SP tlog-witness says, in its order; cosign; return the line(s).

    On success the witness's state holds the new checkpoint (persist it before answering).
    Raises :class:`WitnessRefusal` with the status to answer.
    """
    who = f"witness {witness.name}"
    _note, unverified = _parse_checkpoint(request.checkpoint)
    origin = unverified.origin
    log = witness.logs.get(origin)
    if log is None:
        raise WitnessRefusal(404, f"{who} does not follow the log {origin!r}")
    try:
        cp = verify_checkpoint(request.checkpoint, origin, log)
    except VerificationError as exc:
        raise WitnessRefusal(403, f"{who}: {exc.message}") from None
    if request.old > cp.size:
        raise WitnessRefusal(
            400, f"old size {request.old} is larger than the checkpoint's size {cp.size}"
        )
    have_size, have_root = witness.state.logs.get(origin, (0, EMPTY_ROOT))
    if request.old != have_size:
        raise WitnessRefusal(
            409,
            f"{who} last cosigned {origin} at size {have_size}, not {request.old}",
            size=have_size,
        )
    if cp.size == have_size and cp.root != have_root:
        raise WitnessRefusal(
            409,
            f"{who}: split view of {origin}: size {cp.size} with root {_b64(cp.root)}, but it "
            f"cosigned size {have_size} with root {_b64(have_root)}",
            size=have_size,
        )
    try:
        return witness.cosign(request.checkpoint, request.proof, now)
    except VerificationError as exc:
        raise WitnessRefusal(422, exc.message) from None


def format_size(size: int) -> bytes:
    """A ``text/x.tlog.size`` body."""
    return b"%d\n" % size


def parse_size(body: bytes) -> int:
    """Read a ``text/x.tlog.size`` body; VerificationError when it is not one."""
    if _SIZE.fullmatch(body) is None:
        raise VerificationError(f"{body[:40]!r} is not a tree size line")
    return int(body)


def verified_cosignatures(
    checkpoint: bytes, answer: bytes, witness: CosignatureVerifier
) -> list[bytes]:
    """The lines of a 200 answer that are valid cosignatures of ``checkpoint`` by ``witness``
    (lines by other keys are ignored, as the spec says). VerificationError when the answer is
    not signature lines, or a line by that key does not verify."""
    if not answer.endswith(b"\n") or not answer.startswith("— ".encode()):
        raise VerificationError("the answer is not note signature lines")
    try:
        sent = len(parse_note(checkpoint).signatures)
        note = parse_note(checkpoint + answer)
        lines = Note(note.text, note.signatures[sent:])
        ours = verify_signatures(lines, [witness])
    except VerificationError as exc:
        raise VerificationError(f"the witness's answer: {exc.message}") from None
    return [s.line() for s in ours]
