"""RFC 9162 §2.1: tree hashing, inclusion and consistency proofs, checked against a reference.

The reference below is written straight from the RFC's recursive definitions (MTH, PATH, PROOF
and SUBPROOF) over leaf ranges, memoised so that trees of a thousand leaves stay fast.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import InputError, VerificationError
from corridor.ledger import merkle
from corridor.ledger.hashing import EMPTY_ROOT, hash_level, leaf_hash, node_hash
from corridor.ledger.tiles import MemoryTileStore, TiledTree

# RFC 6962 / certificate-transparency reference inputs and the roots of their first n
CT_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
)]  # fmt: skip
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def sha256(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


class Reference:
    """RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, literally, over D[lo:hi] of one list of inputs."""

    def __init__(self, inputs: list[bytes]) -> None:
        self.d = inputs
        self.mth: Callable[[int, int], bytes] = functools.cache(self._mth)

    @staticmethod
    def k(n: int) -> int:
        """The largest power of two smaller than n."""
        k = 1
        while k * 2 < n:
            k *= 2
        return k

    def _mth(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 0:
            return sha256(b"")
        if n == 1:
            return sha256(b"\x00" + self.d[lo])
        k = self.k(n)
        return sha256(b"\x01" + self.mth(lo, lo + k) + self.mth(lo + k, hi))

    def path(self, m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = self.k(n)
        if m < k:
            return [*self.path(m, lo, lo + k), self.mth(lo + k, hi)]
        return [*self.path(m - k, lo + k, hi), self.mth(lo, lo + k)]

    def proof(self, m: int, n: int) -> list[bytes]:
        return self.subproof(m, 0, n, True)

    def subproof(self, m: int, lo: int, hi: int, b: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if b else [self.mth(lo, hi)]
        k = self.k(n)
        if m <= k:
            return [*self.subproof(m, lo, lo + k, b), self.mth(lo + k, hi)]
        return [*self.subproof(m - k, lo + k, hi, False), self.mth(lo, lo + k)]


def inputs(n: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(n)]


SIZES = [*range(1, 9), 13, 256, 257, 1000]


@functools.cache
def fixture(n: int) -> tuple[Reference, list[bytes], merkle.LeafHashReader]:
    d = CT_LEAVES if n <= 8 else inputs(n)
    d = d[:n]
    hashes = [leaf_hash(x) for x in d]
    return Reference(d), hashes, merkle.LeafHashReader(hashes)


def flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


class TestHashing:
    def test_empty_root(self) -> None:
        """The empty tree's root is SHA-256 of the empty string."""
        assert (
            EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
        assert merkle.root_from_leaves([]) == EMPTY_ROOT

    def test_leaf_and_node_prefixes(self) -> None:
        """A leaf hashes 0x00 ‖ entry and a node hashes 0x01 ‖ left ‖ right."""
        assert leaf_hash(b"abc") == sha256(b"\x00abc")
        a, b = sha256(b"a"), sha256(b"b")
        assert node_hash(a, b) == sha256(b"\x01" + a + b)

    def test_hash_level_pairs_neighbours(self) -> None:
        """hash_level hashes each pair of neighbours and drops an odd last hash."""
        hs = [sha256(bytes([i])) for i in range(5)]
        assert hash_level(b"".join(hs)) == node_hash(hs[0], hs[1]) + node_hash(hs[2], hs[3])


class TestRoots:
    @pytest.mark.parametrize("n", range(1, 9))
    def test_ct_reference_roots(self, n: int) -> None:
        """The roots of the first n RFC 6962 reference inputs are the published ones."""
        hashes = [leaf_hash(x) for x in CT_LEAVES[:n]]
        assert merkle.root_from_leaves(hashes).hex() == CT_ROOTS[n - 1]
        assert merkle.LeafHashReader(hashes).root().hex() == CT_ROOTS[n - 1]
        tree = TiledTree(MemoryTileStore())
        tree.append(hashes)
        assert tree.root().hex() == CT_ROOTS[n - 1]

    @pytest.mark.parametrize("n", SIZES)
    def test_root_matches_reference(self, n: int) -> None:
        """root_from_leaves equals the RFC's recursive MTH."""
        ref, hashes, _ = fixture(n)
        assert merkle.root_from_leaves(hashes) == ref.mth(0, n)

    def test_bad_leaf_hash_length(self) -> None:
        """A leaf hash that is not 32 bytes is refused."""
        with pytest.raises(InputError):
            merkle.root_from_leaves([b"short"])


class TestRangeNodes:
    def test_prefix_decomposition(self) -> None:
        """[0, 13) splits into the complete subtrees of 8, 4 and 1 leaves."""
        assert merkle.range_nodes(0, 13) == [(3, 0), (2, 2), (0, 12)]

    def test_aligned_range(self) -> None:
        """[8, 13) splits into subtrees of 4 and 1 leaves."""
        assert merkle.range_nodes(8, 13) == [(2, 2), (0, 12)]

    def test_reader_rejects_incomplete_subtree(self) -> None:
        """A subtree that extends past the tree size cannot be read."""
        _, _, reader = fixture(13)
        with pytest.raises(InputError):
            reader.read_hashes([(3, 1)])


class TestInclusion:
    @pytest.mark.parametrize("n", SIZES)
    def test_every_index_matches_reference_and_verifies(self, n: int) -> None:
        """Every inclusion proof equals the RFC's PATH and verifies against the root."""
        ref, hashes, reader = fixture(n)
        root = ref.mth(0, n)
        for m in range(n):
            proof = merkle.inclusion_proof(m, n, reader)
            assert proof == ref.path(m, 0, n)
            assert len(proof) == merkle.inclusion_proof_length(m, n)
            merkle.verify_inclusion(m, n, hashes[m], proof, root)

    @pytest.mark.parametrize("n", [5, 8, 13, 257])
    def test_tampered_proof_hash_rejected(self, n: int) -> None:
        """Flipping a bit in any proof hash makes verification fail."""
        ref, hashes, reader = fixture(n)
        root = ref.mth(0, n)
        for m in range(0, n, max(1, n // 7)):
            proof = merkle.inclusion_proof(m, n, reader)
            for i in range(len(proof)):
                bad = [*proof[:i], flip(proof[i]), *proof[i + 1 :]]
                with pytest.raises(VerificationError, match="does not lead to the root"):
                    merkle.verify_inclusion(m, n, hashes[m], bad, root)

    def test_wrong_index_rejected(self) -> None:
        """A valid proof presented for another index fails."""
        ref, hashes, reader = fixture(13)
        proof = merkle.inclusion_proof(4, 13, reader)
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(5, 13, hashes[4], proof, ref.mth(0, 13))

    def test_wrong_leaf_rejected(self) -> None:
        """A valid proof presented for another leaf hash fails."""
        ref, hashes, reader = fixture(13)
        proof = merkle.inclusion_proof(4, 13, reader)
        with pytest.raises(VerificationError, match="does not lead to the root"):
            merkle.verify_inclusion(4, 13, hashes[5], proof, ref.mth(0, 13))

    def test_wrong_root_rejected(self) -> None:
        """A valid proof against another root fails."""
        ref, hashes, reader = fixture(13)
        proof = merkle.inclusion_proof(4, 13, reader)
        with pytest.raises(VerificationError, match="does not lead to the root"):
            merkle.verify_inclusion(4, 13, hashes[4], proof, ref.mth(0, 12))

    def test_wrong_length_rejected(self) -> None:
        """A truncated or extended proof is rejected with the expected length."""
        ref, hashes, reader = fixture(13)
        proof = merkle.inclusion_proof(4, 13, reader)
        with pytest.raises(VerificationError, match="expected 4"):
            merkle.verify_inclusion(4, 13, hashes[4], proof[:-1], ref.mth(0, 13))
        with pytest.raises(VerificationError, match="expected 4"):
            merkle.verify_inclusion(4, 13, hashes[4], [*proof, proof[0]], ref.mth(0, 13))

    def test_index_beyond_size_rejected(self) -> None:
        """An index at or past the tree size is rejected, in generation and verification."""
        ref, hashes, reader = fixture(8)
        with pytest.raises(VerificationError, match="index is not below"):
            merkle.verify_inclusion(8, 8, hashes[0], [], ref.mth(0, 8))
        with pytest.raises(InputError):
            merkle.inclusion_proof(8, 8, reader)

    def test_malformed_hash_rejected(self) -> None:
        """A proof hash that is not 32 bytes is rejected by name."""
        ref, hashes, reader = fixture(8)
        proof = merkle.inclusion_proof(0, 8, reader)
        with pytest.raises(VerificationError, match="proof hash 1 is 31 bytes"):
            merkle.verify_inclusion(
                0, 8, hashes[0], [proof[0], proof[1][:31], proof[2]], ref.mth(0, 8)
            )

    def test_single_leaf_tree(self) -> None:
        """In a tree of one leaf the proof is empty and the root is the leaf hash."""
        _ref, hashes, reader = fixture(1)
        assert merkle.inclusion_proof(0, 1, reader) == []
        merkle.verify_inclusion(0, 1, hashes[0], [], hashes[0])


class TestConsistency:
    @pytest.mark.parametrize("n", SIZES)
    def test_every_old_size_matches_reference_and_verifies(self, n: int) -> None:
        """Every consistency proof equals the RFC's PROOF and verifies between the two roots."""
        ref, _, reader = fixture(n)
        new_root = ref.mth(0, n)
        for m in range(n + 1):
            proof = merkle.consistency_proof(m, n, reader)
            assert proof == (ref.proof(m, n) if 0 < m < n else [])
            assert len(proof) == merkle.consistency_proof_length(m, n)
            merkle.verify_consistency(m, n, ref.mth(0, m), new_root, proof)

    @pytest.mark.parametrize("n", [3, 8, 13, 257])
    def test_tampered_proof_hash_rejected(self, n: int) -> None:
        """Flipping a bit in any proof hash makes verification fail."""
        ref, _, reader = fixture(n)
        for m in range(1, n):
            proof = merkle.consistency_proof(m, n, reader)
            for i in range(len(proof)):
                bad = [*proof[:i], flip(proof[i]), *proof[i + 1 :]]
                with pytest.raises(VerificationError, match="does not lead to the"):
                    merkle.verify_consistency(m, n, ref.mth(0, m), ref.mth(0, n), bad)

    def test_wrong_roots_rejected(self) -> None:
        """A valid proof with the wrong old or new root fails, naming which."""
        ref, _, reader = fixture(13)
        proof = merkle.consistency_proof(5, 13, reader)
        with pytest.raises(VerificationError, match="old root"):
            merkle.verify_consistency(5, 13, ref.mth(0, 6), ref.mth(0, 13), proof)
        with pytest.raises(VerificationError, match="new root"):
            merkle.verify_consistency(5, 13, ref.mth(0, 5), ref.mth(0, 12), proof)

    def test_old_size_power_of_two(self) -> None:
        """From a power-of-two size the old root is implied, and a wrong one is caught."""
        ref, _, reader = fixture(13)
        proof = merkle.consistency_proof(8, 13, reader)
        merkle.verify_consistency(8, 13, ref.mth(0, 8), ref.mth(0, 13), proof)
        with pytest.raises(VerificationError):
            merkle.verify_consistency(8, 13, ref.mth(0, 7), ref.mth(0, 13), proof)

    def test_wrong_sizes_rejected(self) -> None:
        """A valid proof presented for other sizes fails."""
        ref, _, reader = fixture(13)
        proof = merkle.consistency_proof(5, 13, reader)
        with pytest.raises(VerificationError):
            merkle.verify_consistency(6, 13, ref.mth(0, 6), ref.mth(0, 13), proof)
        with pytest.raises(VerificationError):
            merkle.verify_consistency(5, 12, ref.mth(0, 5), ref.mth(0, 12), proof)

    def test_same_size(self) -> None:
        """Equal sizes need an empty proof and equal roots: a different root is a split view."""
        ref, _, _ = fixture(8)
        merkle.verify_consistency(8, 8, ref.mth(0, 8), ref.mth(0, 8), [])
        with pytest.raises(VerificationError, match="same size, different root"):
            merkle.verify_consistency(8, 8, ref.mth(0, 8), ref.mth(0, 7), [])
        with pytest.raises(VerificationError, match="empty proof"):
            merkle.verify_consistency(8, 8, ref.mth(0, 8), ref.mth(0, 8), [ref.mth(0, 1)])

    def test_from_empty_tree(self) -> None:
        """From size 0 the proof is empty and the old root must be the empty root."""
        ref, _, _ = fixture(8)
        merkle.verify_consistency(0, 8, EMPTY_ROOT, ref.mth(0, 8), [])
        with pytest.raises(VerificationError, match="empty tree"):
            merkle.verify_consistency(0, 8, ref.mth(0, 1), ref.mth(0, 8), [])

    def test_shrinking_rejected(self) -> None:
        """An old size larger than the new one is rejected, in generation and verification."""
        ref, _, reader = fixture(8)
        with pytest.raises(VerificationError, match="larger than the new size"):
            merkle.verify_consistency(8, 7, ref.mth(0, 8), ref.mth(0, 7), [])
        with pytest.raises(InputError):
            merkle.consistency_proof(8, 7, reader)

    def test_empty_proof_for_growth_rejected(self) -> None:
        """Growth from a non-empty tree with an empty proof fails (RFC step 1)."""
        ref, _, _ = fixture(8)
        with pytest.raises(VerificationError, match="0 hashes"):
            merkle.verify_consistency(4, 8, ref.mth(0, 4), ref.mth(0, 8), [])


class TestLargeTree:
    def test_65537_leaves(self) -> None:
        """Past two tile levels, tiled proofs still equal the RFC's PATH and PROOF."""
        n = 65537
        d = inputs(n)
        ref = Reference(d)
        hashes = [leaf_hash(x) for x in d]
        tree = TiledTree(MemoryTileStore())
        tree.append(hashes)
        root = ref.mth(0, n)
        assert tree.root() == root
        for m in (0, 1, 255, 256, 4097, 65535, 65536):
            proof = tree.inclusion_proof(m)
            assert proof == ref.path(m, 0, n)
            merkle.verify_inclusion(m, n, hashes[m], proof, root)
        for old in (1, 256, 257, 65535, 65536):
            proof = tree.consistency_proof(old)
            assert proof == ref.proof(old, n)
            merkle.verify_consistency(old, n, ref.mth(0, old), root, proof)


class TestProperties:
    @settings(max_examples=150, deadline=None)
    @given(n=st.integers(1, 600), data=st.data())
    def test_inclusion_round_trip(self, n: int, data: st.DataObject) -> None:
        """For any tree and index, the generated proof verifies, and equals the reference."""
        m = data.draw(st.integers(0, n - 1))
        d = inputs(n)
        ref = Reference(d)
        hashes = [leaf_hash(x) for x in d]
        proof = merkle.inclusion_proof(m, n, merkle.LeafHashReader(hashes))
        assert proof == ref.path(m, 0, n)
        merkle.verify_inclusion(m, n, hashes[m], proof, ref.mth(0, n))

    @settings(max_examples=150, deadline=None)
    @given(n=st.integers(1, 600), data=st.data())
    def test_consistency_round_trip(self, n: int, data: st.DataObject) -> None:
        """For any two sizes, the generated proof verifies between their roots."""
        m = data.draw(st.integers(0, n))
        d = inputs(n)
        ref = Reference(d)
        hashes = [leaf_hash(x) for x in d]
        proof = merkle.consistency_proof(m, n, merkle.LeafHashReader(hashes))
        merkle.verify_consistency(m, n, ref.mth(0, m), ref.mth(0, n), proof)
