"""RFC 9162 §2.1.1 Merkle tree hashing with SHA-256: the only hash functions of the log.

A leaf hash is SHA-256(0x00 ‖ entry); an interior node is SHA-256(0x01 ‖ left ‖ right); the
root of the empty tree is SHA-256 of the empty string. The one-byte prefixes keep a leaf from
ever being mistaken for an interior node (second-preimage resistance of the tree).
"""

from __future__ import annotations

import hashlib

__all__ = ["EMPTY_ROOT", "HASH_SIZE", "hash_level", "leaf_hash", "node_hash"]

HASH_SIZE = 32
"""Every hash in the log is a 32-byte SHA-256 digest."""

EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256(""), the root hash of a tree of size 0."""

_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    """Return MTH({d}) = SHA-256(0x00 ‖ entry), the hash of one log entry."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 ‖ left ‖ right), the hash of an interior node."""
    return _sha256(b"\x01" + left + right).digest()


def hash_level(hashes: bytes) -> bytes:
    """Hash pairs of a concatenation of 32-byte hashes into the level above.

    ``hashes`` holds 2·k hashes back to back (an odd last hash is ignored: it has no sibling
    yet); the result holds the k parent hashes back to back. This is the inner loop of tile
    hashing, kept here so its one formula sits next to :func:`node_hash`.
    """
    sha = _sha256
    end = len(hashes) - len(hashes) % 64
    return b"".join([sha(b"\x01" + hashes[i : i + 64]).digest() for i in range(0, end, 64)])
