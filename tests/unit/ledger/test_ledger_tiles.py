"""C2SP tlog-tiles: paths, tile math, and the tiled tree that grows and proves from them."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import InputError, StoreError
from corridor.ledger import merkle
from corridor.ledger.hashing import EMPTY_ROOT, hash_level, leaf_hash
from corridor.ledger.tiles import (
    MemoryTileStore,
    TileCache,
    TiledTree,
    TileKey,
    TileRef,
    entries_path,
    parse_tile_path,
    tile_path,
    tile_width,
    tiles_for_size,
)


def leaves(n: int, start: int = 0) -> list[bytes]:
    return [leaf_hash(i.to_bytes(8, "big")) for i in range(start, start + n)]


def tile_root(tile: bytes) -> bytes:
    for _ in range(8):
        tile = hash_level(tile)
    return tile


class TestPaths:
    def test_index_groups(self) -> None:
        """Index 1234067 is written x001/x234/067, as in the spec."""
        assert tile_path(0, 1234067) == "tile/0/x001/x234/067"

    def test_small_and_boundary_indexes(self) -> None:
        """Indexes below 1000 are three digits; 1000 starts a second group."""
        assert tile_path(0, 0) == "tile/0/000"
        assert tile_path(2, 7) == "tile/2/007"
        assert tile_path(1, 999) == "tile/1/999"
        assert tile_path(1, 1000) == "tile/1/x001/000"

    def test_partial_suffix(self) -> None:
        """A partial tile has .p/<W>; width 256 or None is the full tile."""
        assert tile_path(0, 5, 12) == "tile/0/005.p/12"
        assert tile_path(0, 5, 256) == tile_path(0, 5) == "tile/0/005"

    def test_entries_path(self) -> None:
        """Entry bundles live under tile/entries with the same index and width encoding."""
        assert entries_path(1234067) == "tile/entries/x001/x234/067"
        assert entries_path(0, 3) == "tile/entries/000.p/3"

    @pytest.mark.parametrize(
        ("level", "index", "width"), [(64, 0, None), (0, -1, None), (0, 0, 0), (0, 0, 257)]
    )
    def test_out_of_range(self, level: int, index: int, width: int | None) -> None:
        """Levels above 63, negative indexes and widths outside 1..256 are refused."""
        with pytest.raises(InputError):
            tile_path(level, index, width)

    def test_parse_round_trip(self) -> None:
        """Parsing a path gives back level, index and width; entry bundles are level -1."""
        for ref in [TileRef(0, 1234067, 256), TileRef(3, 0, 17), TileRef(-1, 1000, 5)]:
            assert parse_tile_path(ref.path) == ref

    @pytest.mark.parametrize(
        "path",
        [
            "tile/0/x000/001",
            "tile/01/000",
            "tile/64/000",
            "tile/0/0001",
            "tile/0/01",
            "tile/0/000.p/256",
            "tile/0/000.p/0",
            "tile/0/000.p/012",
            "tile/0/001/002",
            "checkpoint",
        ],
    )
    def test_parse_rejects(self, path: str) -> None:
        """Paths the spec does not allow are not tile paths."""
        assert parse_tile_path(path) is None


class TestTileMath:
    def test_spec_example_70000(self) -> None:
        """A tree of 70,000 leaves has the tiles the spec lists."""
        tiles = tiles_for_size(70000)
        level0 = [t for t in tiles if t.level == 0]
        assert len(level0) == 274 and level0[-1] == TileRef(0, 273, 112)
        assert [t for t in tiles if t.level == 1] == [TileRef(1, 0, 256), TileRef(1, 1, 17)]
        assert [t for t in tiles if t.level == 2] == [TileRef(2, 0, 1)]

    def test_256_and_257(self) -> None:
        """256 leaves: one full level-0 tile and a level-1 tile of width 1; 257 adds one leaf."""
        assert tiles_for_size(256) == [TileRef(0, 0, 256), TileRef(1, 0, 1)]
        assert tiles_for_size(257) == [TileRef(0, 0, 256), TileRef(0, 1, 1), TileRef(1, 0, 1)]
        assert tiles_for_size(0) == []

    def test_tile_width(self) -> None:
        """A tile's width is 256 when full, the remainder when partial, 0 when absent."""
        assert tile_width(0, 0, 300) == 256
        assert tile_width(0, 1, 300) == 44
        assert tile_width(0, 2, 300) == 0
        assert tile_width(1, 0, 300) == 1


class CountingStore(MemoryTileStore):
    """Records every write call's keys."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[TileKey]] = []
        self.read_keys: list[TileKey] = []

    def write_tiles(self, tiles: Mapping[TileKey, bytes], /) -> None:
        self.calls.append(sorted(tiles))
        super().write_tiles(tiles)

    def read_tiles(self, keys: Sequence[TileKey], /) -> dict[TileKey, bytes]:
        self.read_keys.extend(keys)
        return super().read_tiles(keys)


class TestTiledTree:
    def test_exactly_256(self) -> None:
        """256 leaves make a full level-0 tile and a level-1 tile holding its hash, the root."""
        store = MemoryTileStore()
        tree = TiledTree(store)
        hs = leaves(256)
        assert tree.append(hs) == 256
        assert set(store.tiles) == {(0, 0), (1, 0)}
        assert store.tiles[(0, 0)] == b"".join(hs)
        assert store.tiles[(1, 0)] == tile_root(b"".join(hs)) == tree.root()
        assert tree.root() == merkle.root_from_leaves(hs)

    def test_257(self) -> None:
        """The 257th leaf opens level-0 tile 1 and leaves level 1 unchanged."""
        store = CountingStore()
        tree = TiledTree(store)
        tree.append(leaves(256))
        tree.append(leaves(1, 256))
        assert store.calls[-1] == [(0, 1)]
        assert len(store.tiles[(0, 1)]) == 32
        assert tree.root() == merkle.root_from_leaves(leaves(257))

    def test_one_write_call_with_only_changed_tiles(self) -> None:
        """An append writes, in one call, the rightmost tiles it changed at each level."""
        store = CountingStore()
        tree = TiledTree(store)
        tree.append(leaves(300))
        assert store.calls == [[(0, 0), (0, 1), (1, 0)]]
        tree.append(leaves(10, 300))
        assert store.calls[-1] == [(0, 1)]
        tree.append(leaves(256 * 256 - 310, 310))
        assert store.calls[-1][-2:] == [(1, 0), (2, 0)]
        assert (0, 0) not in store.calls[-1]

    def test_persisted_tree_reads_each_tile_once(self) -> None:
        """A tree reopened over a store fetches each tile once for many proofs."""
        store = CountingStore()
        TiledTree(store).append(leaves(3000))
        tree = TiledTree(store, 3000)
        for i in range(3000):
            tree.inclusion_proof(i)
        tree.root()
        assert len(store.read_keys) == len(set(store.read_keys))
        assert set(store.read_keys) == {(t.level, t.index) for t in tiles_for_size(3000)}

    def test_small_cache_still_correct(self) -> None:
        """With a one-tile cache, proofs that span several tiles are still right."""
        store = MemoryTileStore()
        hs = leaves(700)
        TiledTree(store).append(hs)
        tree = TiledTree(store, 700, cache_tiles=1)
        reader = merkle.LeafHashReader(hs)
        for i in (0, 255, 256, 511, 699):
            assert tree.inclusion_proof(i) == merkle.inclusion_proof(i, 700, reader)
        assert tree.root() == reader.root()

    def test_older_sizes(self) -> None:
        """Roots, proofs and consistency at older sizes come from the same tiles."""
        hs = leaves(1000)
        tree = TiledTree(MemoryTileStore())
        tree.append(hs)
        reader = merkle.LeafHashReader(hs)
        for size in (1, 255, 256, 257, 512, 999):
            assert tree.root(size) == merkle.root_from_leaves(hs[:size])
            assert tree.inclusion_proof(size - 1, size) == merkle.inclusion_proof(
                size - 1, size, reader
            )
            assert tree.consistency_proof(size) == merkle.consistency_proof(size, 1000, reader)

    def test_leaf_and_subtree_hashes(self) -> None:
        """leaf_hash and subtree_hash return the stored and inner hashes."""
        hs = leaves(600)
        tree = TiledTree(MemoryTileStore())
        tree.append(hs)
        assert tree.leaf_hash(599) == hs[599]
        assert tree.subtree_hash(9, 0) == merkle.root_from_leaves(hs[:512])
        assert tree.subtree_hash(3, 70) == merkle.root_from_leaves(hs[560:568])
        with pytest.raises(InputError):
            tree.subtree_hash(7, 4)  # [512, 640) is not complete in 600

    def test_stale_tiles_past_the_size_are_ignored(self) -> None:
        """Tiles written by a rolled-back append are ignored, then overwritten."""
        store = MemoryTileStore()
        TiledTree(store).append(leaves(300))
        # the caller's transaction committed only 200 leaves: the rest is stale
        tree = TiledTree(store, 200)
        other = [leaf_hash(b"other %d" % i) for i in range(150)]
        tree.append(other)
        assert tree.root() == merkle.root_from_leaves(leaves(200) + other)
        assert TiledTree(store, 350).root() == tree.root()

    def test_missing_tile_is_a_store_error(self) -> None:
        """A tile the size needs but the store lacks raises StoreError naming the tile."""
        with pytest.raises(StoreError, match="tile/0/000"):
            TiledTree(MemoryTileStore(), 5).root()

    def test_bounds(self) -> None:
        """Indexes and sizes beyond the tree are refused."""
        tree = TiledTree(MemoryTileStore())
        assert tree.root() == EMPTY_ROOT
        tree.append(leaves(4))
        with pytest.raises(InputError):
            tree.leaf_hash(4)
        with pytest.raises(InputError):
            tree.root(5)
        with pytest.raises(InputError):
            tree.append([b"x" * 31])

    def test_tile_bytes(self) -> None:
        """tile() returns a tile at a given width, a prefix of the stored tile."""
        hs = leaves(300)
        tree = TiledTree(MemoryTileStore())
        tree.append(hs)
        assert tree.tile(0, 1, 44) == b"".join(hs[256:300])
        assert tree.tile(0, 1, 10) == b"".join(hs[256:266])
        with pytest.raises(InputError):
            tree.tile(0, 1, 45)


class TestTiledTreeProofs:
    @pytest.mark.parametrize("n", [*range(1, 70), 255, 256, 257, 511, 512, 513, 700, 1000])
    def test_every_index_matches_reference(self, n: int) -> None:
        """The tiled proof of every index equals the reference-checked proof from the leaves."""
        hs = leaves(n)
        store = MemoryTileStore()
        TiledTree(store).append(hs)
        tree = TiledTree(store, n)
        reader = merkle.LeafHashReader(hs)
        for i in range(n):
            assert tree.inclusion_proof(i) == merkle.inclusion_proof(i, n, reader), i

    @pytest.mark.parametrize("n", [65535, 65536, 65537, 65792, 65793, 131071])
    def test_indexes_near_tile_edges_of_large_trees(self, n: int) -> None:
        """In trees that span level-1 and level-2 tiles, proofs at tile edges match the leaves."""
        hs = leaves(n)
        store = MemoryTileStore()
        TiledTree(store).append(hs)
        tree = TiledTree(store, n)
        reader = merkle.LeafHashReader(hs)
        edges = {0, 1, 255, 256, 65279, 65280, 65535, n - 257, n - 256, n - 2, n - 1}
        for i in sorted(e for e in edges if 0 <= e < n):
            assert tree.inclusion_proof(i) == merkle.inclusion_proof(i, n, reader), i
            for m in (i + 1, (i + n + 1) // 2):
                assert tree.inclusion_proof(i, m) == merkle.inclusion_proof(i, m, reader), (i, m)

    def test_one_store_read_per_cold_proof(self) -> None:
        """A proof whose tiles are not cached reads all of them in one store call."""
        store = CountingStore()
        TiledTree(store).append(leaves(70000))
        reads: list[int] = []
        orig = store.read_tiles

        def counting(keys: Sequence[TileKey], /) -> dict[TileKey, bytes]:
            reads.append(len(keys))
            return orig(keys)

        store.read_tiles = counting  # type: ignore[method-assign]
        tree = TiledTree(store, 70000)
        tree.inclusion_proof(12345)
        assert len(reads) == 1 and reads[0] >= 3  # leaf tile, level-1 tile, right border
        tree.inclusion_proof(12346)
        assert len(reads) == 1  # same tiles: served from the cache

    def test_shared_cache_stays_exact_as_the_log_grows(self) -> None:
        """Trees sharing a cache across sizes give exact proofs and roots at every size."""
        store = MemoryTileStore()
        writer = TiledTree(store)
        cache = TileCache()
        hs = leaves(1300)
        for end in (1, 44, 300, 301, 556, 1300):
            writer.append(hs[writer.size : end])
            tree = TiledTree(store, end, cache=cache)
            reader = merkle.LeafHashReader(hs[:end])
            assert tree.root() == reader.root()
            for i in {0, end // 2, end - 1}:
                assert tree.inclusion_proof(i) == merkle.inclusion_proof(i, end, reader)
        assert len(cache) > 0

    def test_appending_tree_keeps_shared_cache_untouched(self) -> None:
        """Tiles an append writes (its transaction may roll back) never enter a shared cache."""
        cache = TileCache()
        store = MemoryTileStore()
        tree = TiledTree(store, cache=cache)
        tree.append(leaves(300))
        tree.append(leaves(10, 300))
        assert len(cache) == 0
        assert tree.root() == merkle.root_from_leaves(leaves(310))

    def test_cache_is_bounded(self) -> None:
        """The cache evicts the least recently used tiles beyond its bound."""
        cache = TileCache(max_tiles=2)
        store = MemoryTileStore()
        TiledTree(store).append(leaves(2000))
        tree = TiledTree(store, 2000, cache=cache)
        for i in range(0, 2000, 256):
            tree.inclusion_proof(i)
        assert len(cache) == 2


class TestTiledTreeProperties:
    @settings(max_examples=60, deadline=None)
    @given(n=st.integers(0, 2000), cuts=st.lists(st.integers(0, 2000), max_size=12))
    def test_batches_make_the_same_tiles_and_root(self, n: int, cuts: list[int]) -> None:
        """Any split of the leaves into batches gives the same tiles and the reference root."""
        hs = leaves(n)
        whole = MemoryTileStore()
        TiledTree(whole).append(hs)
        split = MemoryTileStore()
        tree = TiledTree(split)
        bounds = sorted({0, n, *(c for c in cuts if c <= n)})
        for lo, hi in itertools.pairwise(bounds):
            assert tree.append(hs[lo:hi]) == hi
        assert split.tiles == whole.tiles
        assert set(whole.tiles) == {(t.level, t.index) for t in tiles_for_size(n)}
        assert tree.root() == merkle.root_from_leaves(hs)

    @settings(max_examples=60, deadline=None)
    @given(n=st.integers(1, 3000), data=st.data())
    def test_proofs_match_and_verify(self, n: int, data: st.DataObject) -> None:
        """Proofs from tiles equal proofs from leaves and verify."""
        hs = leaves(n)
        store = MemoryTileStore()
        TiledTree(store).append(hs)
        tree = TiledTree(store, n)
        reader = merkle.LeafHashReader(hs)
        root = reader.root()
        i = data.draw(st.integers(0, n - 1))
        m = data.draw(st.integers(0, n))
        proof = tree.inclusion_proof(i)
        assert proof == merkle.inclusion_proof(i, n, reader)
        merkle.verify_inclusion(i, n, hs[i], proof, root)
        cproof = tree.consistency_proof(m)
        assert cproof == merkle.consistency_proof(m, n, reader)
        merkle.verify_consistency(m, n, tree.root(m), root, cproof)
