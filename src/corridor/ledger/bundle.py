"""C2SP tlog-tiles entry bundles: entries back to back, each after its big-endian uint16 length.

The bundle ``tile/entries/<N>`` holds entries N·256 … N·256 + 255 (fewer in the partial bundle
``.p/<W>``). Entry i of a bundle hashes to hash i of level-0 tile N.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from typing import Protocol

from corridor.errors import InputError, VerificationError

__all__ = ["MAX_ENTRY", "decode_bundle", "encode_bundle", "iter_bundle", "read_bundle_stream"]

MAX_ENTRY = 0xFFFF
_U16 = struct.Struct(">H")


class _Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


def encode_bundle(entries: Iterable[bytes]) -> bytes:
    """Return the bundle bytes. Raises InputError for an entry of 65,536 bytes or more."""
    parts: list[bytes] = []
    for i, e in enumerate(entries):
        if len(e) > MAX_ENTRY:
            raise InputError(f"entry {i} of the bundle is {len(e):,} bytes, over 65,535")
        parts.append(_U16.pack(len(e)))
        parts.append(e)
    return b"".join(parts)


def iter_bundle(data: bytes) -> Iterator[bytes]:
    """Yield the entries of a bundle in order. Raises VerificationError if it is truncated."""
    pos, end = 0, len(data)
    unpack = _U16.unpack_from
    n = 0
    while pos < end:
        if end - pos < 2:
            raise VerificationError(f"entry bundle: truncated length of entry {n}")
        (length,) = unpack(data, pos)
        pos += 2
        if end - pos < length:
            raise VerificationError(f"entry bundle: entry {n} is truncated")
        yield data[pos : pos + length]
        pos += length
        n += 1


def decode_bundle(data: bytes) -> list[bytes]:
    """Return the entries of a bundle. Raises VerificationError if it is truncated."""
    return list(iter_bundle(data))


def read_bundle_stream(stream: _Readable) -> Iterator[bytes]:
    """Yield entries from a binary stream of one or more bundles, without reading it all."""
    n = 0
    while True:
        head = stream.read(2)
        if not head:
            return
        if len(head) < 2:
            raise VerificationError(f"entry bundle: truncated length of entry {n}")
        (length,) = _U16.unpack(head)
        entry = stream.read(length)
        if len(entry) < length:
            raise VerificationError(f"entry bundle: entry {n} is truncated")
        yield entry
        n += 1
