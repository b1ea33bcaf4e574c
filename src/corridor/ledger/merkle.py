"""RFC 9162 §2.1 Merkle trees: root hashes, inclusion and consistency proofs, and their checks.

Proof generation reads hashes of *complete subtrees* through a :class:`HashReader`: the node
``(height, index)`` is the root of the perfect subtree over leaves
``[index·2**height, (index+1)·2**height)``. Such hashes never change once the tree has grown past
them, so a reader can serve them from tiles (:class:`corridor.ledger.tiles.TiledTree`) and a proof
on a tree of a million entries reads about twenty of them instead of recomputing the tree.

The hash of an *incomplete* range ``D[lo:hi]`` that appears in a proof is the fold, right to left,
of the complete subtrees of its binary decomposition: every range RFC 9162's recursive
definitions take starts at a multiple of a power of two at least as large as the range, so its
MTH splits exactly along those subtrees.

The verification functions follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step. They return None
or raise :class:`corridor.errors.VerificationError` saying exactly what failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from corridor.errors import InputError, VerificationError
from corridor.ledger.hashing import EMPTY_ROOT, HASH_SIZE, hash_level, node_hash

__all__ = [
    "HashReader",
    "LeafHashReader",
    "Node",
    "consistency_proof",
    "consistency_proof_length",
    "inclusion_proof",
    "inclusion_proof_length",
    "range_nodes",
    "root_from_leaves",
    "verify_consistency",
    "verify_inclusion",
]

Node = tuple[int, int]
"""``(height, index)``: the perfect subtree over leaves [index·2**height, (index+1)·2**height)."""


class HashReader(Protocol):
    """Anything that returns the hashes of complete subtrees of one tree, in the order asked."""

    def read_hashes(self, nodes: Sequence[Node], /) -> Sequence[bytes]:
        """Return the hash of each ``(height, index)`` node, in order."""
        ...


def root_from_leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH(D[n]) for the leaves with these hashes (RFC 9162 §2.1.1).

    Pairing neighbours level by level and carrying an odd last node up unchanged builds exactly
    the tree of the RFC's "largest power of two smaller than n" split.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = b"".join(leaf_hashes)
    if len(level) != HASH_SIZE * len(leaf_hashes):
        raise InputError("every leaf hash must be 32 bytes")
    while len(level) > HASH_SIZE:
        carry = level[-HASH_SIZE:] if (len(level) // HASH_SIZE) % 2 else b""
        level = hash_level(level) + carry
    return level


class LeafHashReader:
    """A :class:`HashReader` over leaf hashes held in memory: every level computed once."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        level = b"".join(leaf_hashes)
        if len(level) != HASH_SIZE * len(leaf_hashes):
            raise InputError("every leaf hash must be 32 bytes")
        self.size = len(leaf_hashes)
        self._levels = [level]
        while len(level) >= 2 * HASH_SIZE:
            level = hash_level(level)
            self._levels.append(level)

    def read_hashes(self, nodes: Sequence[Node], /) -> list[bytes]:
        """Return the hash of each complete ``(height, index)`` subtree."""
        out = []
        for height, index in nodes:
            if height >= len(self._levels) or (index + 1) << height > self.size or index < 0:
                raise InputError(
                    f"subtree {height}/{index} is not complete in a tree of size {self.size}"
                )
            level = self._levels[height]
            out.append(level[index * HASH_SIZE : (index + 1) * HASH_SIZE])
        return out

    def root(self) -> bytes:
        """Return the root hash of the whole tree."""
        return _fold(self.read_hashes(range_nodes(0, self.size))) if self.size else EMPTY_ROOT


def range_nodes(lo: int, hi: int) -> list[Node]:
    """Split the leaf range [lo, hi) into maximal aligned complete subtrees, left to right.

    For the ranges RFC 9162 hashes (``lo`` a multiple of a power of two ≥ hi - lo, which includes
    every prefix [0, n)), MTH(D[lo:hi]) is the right-to-left fold of these subtrees' hashes.
    """
    out: list[Node] = []
    while lo < hi:
        # the largest aligned block starting at lo: limited by lo's alignment and the range left
        height = (hi - lo).bit_length() - 1
        if lo:
            height = min(height, (lo & -lo).bit_length() - 1)
        out.append((height, lo >> height))
        lo += 1 << height
    return out


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Fold subtree hashes right to left: h0 ⊕ (h1 ⊕ (h2 ⊕ …))."""
    h = hashes[-1]
    for x in reversed(hashes[:-1]):
        h = node_hash(x, h)
    return h


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs form PATH(index, D[size]), leaf end first (RFC 9162 §2.1.3.1)."""
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = 1 << ((hi - lo - 1).bit_length() - 1)  # largest power of two smaller than hi - lo
        if index - lo < k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def _consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs form PROOF(old, D[new]) (RFC 9162 §2.1.4.1), in order."""
    ranges: list[tuple[int, int]] = []
    if old == 0 or old == new:
        return ranges
    m, lo, hi, whole = old, 0, new, True  # SUBPROOF(m, D[lo:hi], whole)
    while m != hi - lo:
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            m -= k
            lo += k
            whole = False
    if not whole:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def _read_ranges(ranges: Sequence[tuple[int, int]], reader: HashReader) -> list[bytes]:
    """Read the MTH of each range: one node for a power-of-two range, else a fold of nodes."""
    flat: list[Node] = []
    counts: list[int] = []
    for lo, hi in ranges:
        n = hi - lo
        if not n & (n - 1):
            # a power-of-two range in a proof is aligned to its size: one complete subtree
            h = n.bit_length() - 1
            flat.append((h, lo >> h))
            counts.append(1)
        else:
            nodes = range_nodes(lo, hi)
            flat.extend(nodes)
            counts.append(len(nodes))
    hashes = reader.read_hashes(flat)
    if len(counts) == len(flat):
        return list(hashes)
    out: list[bytes] = []
    pos = 0
    for n in counts:
        out.append(hashes[pos] if n == 1 else _fold(hashes[pos : pos + n]))
        pos += n
    return out


def inclusion_proof_length(index: int, size: int) -> int:
    """The number of hashes in the inclusion proof of leaf ``index`` in a tree of ``size``."""
    return len(_inclusion_ranges(index, size))


def consistency_proof_length(old: int, new: int) -> int:
    """The number of hashes in the consistency proof from tree size ``old`` to ``new``."""
    return len(_consistency_ranges(old, new))


def inclusion_proof(index: int, size: int, reader: HashReader) -> list[bytes]:
    """Return PATH(index, D[size]) (RFC 9162 §2.1.3.1), hashes read through ``reader``."""
    if not 0 <= index < size:
        raise InputError(f"index {index} is not in a tree of size {size}")
    return _read_ranges(_inclusion_ranges(index, size), reader)


def consistency_proof(old: int, new: int, reader: HashReader) -> list[bytes]:
    """Return PROOF(old, D[new]) (RFC 9162 §2.1.4.1); empty when old is 0 or equals new."""
    if not 0 <= old <= new:
        raise InputError(f"cannot prove consistency from size {old} to the smaller size {new}")
    return _read_ranges(_consistency_ranges(old, new), reader)


def _check_hashes(what: str, proof: Sequence[bytes], **named: bytes) -> None:
    for name, value in named.items():
        if len(value) != HASH_SIZE:
            raise VerificationError(f"{what}: {name} is {len(value)} bytes, not 32")
    for i, p in enumerate(proof):
        if len(p) != HASH_SIZE:
            raise VerificationError(f"{what}: proof hash {i} is {len(p)} bytes, not 32")


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` with ``root``.

    RFC 9162 §2.1.3.2. Raises VerificationError naming what failed.
    """
    what = f"inclusion proof for index {index} in tree size {size}"
    if not 0 <= index < size:
        raise VerificationError(f"{what}: index is not below the tree size")
    _check_hashes(what, proof, **{"leaf hash": leaf_hash, "root": root})
    expected = inclusion_proof_length(index, size)
    if len(proof) != expected:
        raise VerificationError(f"{what}: {len(proof)} hashes, expected {expected}")
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise VerificationError(f"{what}: proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(f"{what}: proof is shorter than the path to the root")
    if r != root:
        raise VerificationError(f"{what}: the proof does not lead to the root hash")


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of size ``new`` and ``new_root`` extends the one of ``old``/``old_root``.

    RFC 9162 §2.1.4.2, with the two cases the RFC leaves implicit: equal sizes need an empty proof
    and equal roots; from size 0 the proof is empty and the old root must be the empty root.
    Raises VerificationError naming what failed.
    """
    what = f"consistency proof from size {old} to {new}"
    if not 0 <= old <= new:
        raise VerificationError(f"{what}: the old size is larger than the new size")
    _check_hashes(what, proof, **{"old root": old_root, "new root": new_root})
    if old == new or old == 0:
        if proof:
            raise VerificationError(f"{what}: expected an empty proof, got {len(proof)} hashes")
        if old == 0 and old_root != EMPTY_ROOT:
            raise VerificationError(f"{what}: the old root is not the root of the empty tree")
        if old == new and old_root != new_root:
            raise VerificationError(f"{what}: same size, different root hashes")
        return
    expected = consistency_proof_length(old, new)
    if len(proof) != expected:
        raise VerificationError(f"{what}: {len(proof)} hashes, expected {expected}")
    path = list(proof)
    # 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    # 3.-4.
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:
            raise VerificationError(f"{what}: proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    if sn != 0:
        raise VerificationError(f"{what}: proof is shorter than the path to the root")
    if fr != old_root:
        raise VerificationError(f"{what}: the proof does not lead to the old root hash")
    if sr != new_root:
        raise VerificationError(f"{what}: the proof does not lead to the new root hash")
