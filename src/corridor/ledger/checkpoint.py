"""C2SP tlog-checkpoint: the signed statement of the log's size and root hash.

The body is three or more newline-terminated lines: the origin (the log's identity), the tree
size in decimal without leading zeros, the base64 root hash, then optional non-empty extension
lines. It travels as a signed note whose log signature is by a key named after the origin::

    corridor.example/log/lachin
    1832
    kq4H2xJ3nC6l3ZgPZ1cRZ8w0x1Z6l1uYb0d9k3iQe1Y=

    — corridor.example/log/lachin AbCdE…

corridor's origins default to ``corridor.example/log/<name>`` (:func:`default_origin`); a
deployment sets its own.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from corridor.errors import InputError, SigningKeyError, VerificationError
from corridor.ledger.hashing import HASH_SIZE
from corridor.ledger.note import Signer, Verifier, is_valid_name, open_note, sign_note

__all__ = [
    "DEFAULT_ORIGIN_PREFIX",
    "Checkpoint",
    "default_origin",
    "sign_checkpoint",
    "verify_checkpoint",
]

DEFAULT_ORIGIN_PREFIX = "corridor.example/log/"
MAX_SIZE = 2**63 - 1  # tree sizes are int64 in every implementation that matters

_SIZE = re.compile(r"0|[1-9][0-9]*")
_CONTROL = re.compile(r"[\x00-\x1f]")


def default_origin(name: str) -> str:
    """The origin of a log called ``name`` when the deployment sets none."""
    origin = DEFAULT_ORIGIN_PREFIX + name
    if not is_valid_name(origin):
        raise InputError(f"log name {name!r} makes the invalid origin {origin!r}")
    return origin


def _problem(origin: str, size: int, root: bytes, extensions: tuple[str, ...]) -> str | None:
    if not origin:
        return "the origin is empty"
    if _CONTROL.search(origin):
        return "the origin contains a newline or control character"
    if not 0 <= size <= MAX_SIZE:
        return f"tree size {size} is out of range"
    if len(root) != HASH_SIZE:
        return f"the root hash is {len(root)} bytes, not 32"
    for ext in extensions:
        if not ext:
            return "an extension line is empty"
        if _CONTROL.search(ext):
            return "an extension line contains a newline or control character"
    return None


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: origin, size, root hash, and opaque extension lines (not recommended)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (problem := _problem(self.origin, self.size, self.root, self.extensions)) is not None:
            raise InputError(f"checkpoint: {problem}")

    def format(self) -> str:
        """The checkpoint body, every line newline-terminated."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode(),
            *self.extensions,
        ]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body strictly. Raises VerificationError naming the bad line."""
        if not text.endswith("\n"):
            raise VerificationError("checkpoint: the body does not end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise VerificationError(f"checkpoint: {len(lines)} lines, expected at least 3")
        origin, size_line, root_line, *extensions = lines
        if not _SIZE.fullmatch(size_line):
            raise VerificationError(f"checkpoint: tree size {size_line!r} is not a decimal number")
        try:
            root = base64.b64decode(root_line.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise VerificationError(f"checkpoint: root hash {root_line!r} is not base64") from None
        if len(root) == HASH_SIZE and base64.b64encode(root).decode() != root_line:
            raise VerificationError(f"checkpoint: root hash {root_line!r} is not canonical base64")
        size = int(size_line)
        if (problem := _problem(origin, size, root, tuple(extensions))) is not None:
            raise VerificationError(f"checkpoint: {problem}")
        return cls(origin, size, root, tuple(extensions))


def sign_checkpoint(cp: Checkpoint, log_signer: Signer) -> bytes:
    """Return the checkpoint as a note signed by the log key, whose name must be the origin."""
    if log_signer.name != cp.origin:
        raise SigningKeyError(
            f"the log key is named {log_signer.name!r} but the checkpoint origin is "
            f"{cp.origin!r}; a log signs with a key named after its origin"
        )
    return sign_note(cp.format(), [log_signer])


def verify_checkpoint(note: bytes, origin: str, log_verifier: Verifier) -> Checkpoint:
    """Check a signed checkpoint: the log key's signature, the body's syntax, the origin.

    Other signatures (witness cosignatures, other keys) are ignored here; see
    :func:`corridor.ledger.cosignature.verify_cosignatures`. Raises VerificationError.
    """
    try:
        text, _ = open_note(note, [log_verifier])
    except VerificationError as exc:
        reason = exc.message.removeprefix("note: ")
        if reason.startswith("no signature by a known key"):
            reason = f"not signed by the log key {log_verifier.vkey}"
        raise VerificationError(f"checkpoint: {reason}") from None
    cp = Checkpoint.parse(text)
    if cp.origin != origin:
        raise VerificationError(f"checkpoint: origin {cp.origin!r}, expected {origin!r}")
    return cp
