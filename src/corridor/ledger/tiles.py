"""C2SP tlog-tiles: the Merkle tree stored as tiles of 256 hashes, and a tree that grows in them.

A tile at level L, index N holds up to 256 consecutive hashes of level L: at level 0 the leaf
hashes, at level L the hashes of the complete subtrees of 256**L leaves (height 8·L). Hash i of
tile (L, N) is ``MTH(D[(N·256 + i)·256**L : (N·256 + i + 1)·256**L])``. A tile is *full* with 256
hashes and *partial* with 1..255; the partial tile at level L of a tree of size s has
``(s // 256**L) % 256`` hashes. A full tile never changes; a partial one only grows, and the
partial tile of an older tree size is a prefix of the current one.

:class:`TiledTree` appends leaf hashes by rewriting only the rightmost tile of each level it
touches, and serves any complete subtree hash (so proofs and roots) from at most one tile each,
through a small LRU cache of tiles expanded into all their inner levels.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from corridor.errors import InputError, StoreError
from corridor.ledger import merkle
from corridor.ledger.hashing import EMPTY_ROOT, HASH_SIZE, hash_level, node_hash

__all__ = [
    "TILE_BYTES",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "MemoryTileStore",
    "TileKey",
    "TileRef",
    "TileStore",
    "TiledTree",
    "entries_path",
    "parse_tile_path",
    "tile_hash_count",
    "tile_path",
    "tile_width",
    "tiles_for_size",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes in a full tile
TILE_BYTES = TILE_WIDTH * HASH_SIZE  # 8,192 bytes

TileKey = tuple[int, int]
"""``(level, index)`` of a tile."""


@dataclass(frozen=True, slots=True)
class TileRef:
    """One tile of a tree of a given size: level, index and width (256 when full).

    Level -1 stands for the entry bundle of the same index (see :func:`parse_tile_path`).
    """

    level: int
    index: int
    width: int

    @property
    def path(self) -> str:
        """The tile's path under the log prefix, e.g. ``tile/0/x001/x234/067.p/12``."""
        if self.level == -1:
            return entries_path(self.index, self.width)
        return tile_path(self.level, self.index, self.width)


# ---------------------------------------------------------------------------------------------
# paths


def _encode_index(index: int) -> str:
    if index < 0:
        raise InputError(f"tile index {index} is negative")
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def _suffix(width: int | None) -> str:
    if width is None or width == TILE_WIDTH:
        return ""
    if not 1 <= width < TILE_WIDTH:
        raise InputError(f"tile width {width} is not between 1 and 256")
    return f".p/{width}"


def tile_path(level: int, index: int, width: int | None = None) -> str:
    """Return ``tile/<L>/<N>[.p/<W>]``: e.g. level 0, index 1234067 → ``tile/0/x001/x234/067``.

    ``width`` None or 256 names the full tile; 1..255 the partial tile of that width.
    """
    if not 0 <= level <= 63:
        raise InputError(f"tile level {level} is not between 0 and 63")
    return f"tile/{level}/{_encode_index(index)}{_suffix(width)}"


def entries_path(index: int, width: int | None = None) -> str:
    """Return ``tile/entries/<N>[.p/<W>]``, the path of an entry bundle."""
    return f"tile/entries/{_encode_index(index)}{_suffix(width)}"


_PATH = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]?)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


def parse_tile_path(path: str) -> TileRef | None:
    """Parse a tile or entry-bundle path; level is -1 for entry bundles. None if not a tile path.

    Rejects what the spec forbids: levels above 63 or with leading zeros, index groups that are
    not three digits, a redundant ``x000`` leading group, widths outside 1..255.
    """
    m = _PATH.fullmatch(path)
    if m is None:
        return None
    groups = m["index"].replace("x", "").split("/")
    if len(groups) > 1 and groups[0] == "000":
        return None
    width = int(m["width"]) if m["width"] else TILE_WIDTH
    if m["width"] and width >= TILE_WIDTH:
        return None
    level = -1 if m["level"] == "entries" else int(m["level"])
    if level > 63:
        return None
    return TileRef(level, int("".join(groups)), width)


# ---------------------------------------------------------------------------------------------
# tile math


def tile_hash_count(level: int, size: int) -> int:
    """How many hashes level ``level`` has in a tree of ``size`` leaves: ``size // 256**level``."""
    return size >> (TILE_HEIGHT * level)


def tile_width(level: int, index: int, size: int) -> int:
    """The width of tile (level, index) in a tree of ``size`` (256 if full, 0 if absent)."""
    return max(0, min(TILE_WIDTH, tile_hash_count(level, size) - index * TILE_WIDTH))


def tiles_for_size(size: int) -> list[TileRef]:
    """Every tile of a tree of ``size`` leaves, level by level, full tiles then the partial one.

    A tree of 70,000 leaves has 273 full level-0 tiles and one of width 112, one full level-1 tile
    and one of width 17, and one level-2 tile of width 1; a tree of 256 leaves has one full
    level-0 tile and a level-1 tile of width 1.
    """
    out: list[TileRef] = []
    level = 0
    while (count := tile_hash_count(level, size)) > 0:
        full, partial = divmod(count, TILE_WIDTH)
        out.extend(TileRef(level, n, TILE_WIDTH) for n in range(full))
        if partial:
            out.append(TileRef(level, full, partial))
        level += 1
    return out


# ---------------------------------------------------------------------------------------------
# storage


class TileStore(Protocol):
    """Where tiles live. Keys are (level, index); a value is the tile's concatenated hashes.

    The store keeps one value per key, the widest written so far. ``write_tiles`` must be atomic
    with whatever records the tree size (the caller's transaction): the tree never reads past the
    size it is given, so tiles written by a rolled-back append are harmless and get overwritten.
    """

    def read_tiles(self, keys: Sequence[TileKey], /) -> dict[TileKey, bytes]:
        """Return the stored tiles among ``keys`` (absent keys are left out)."""
        ...

    def write_tiles(self, tiles: Mapping[TileKey, bytes], /) -> None:
        """Store these tiles, replacing any previous value of the same key."""
        ...


class MemoryTileStore:
    """A :class:`TileStore` in a dict; counts tile reads so tests can check the cache."""

    def __init__(self) -> None:
        self.tiles: dict[TileKey, bytes] = {}
        self.reads = 0
        self.writes = 0

    def read_tiles(self, keys: Sequence[TileKey], /) -> dict[TileKey, bytes]:
        """Return the stored tiles among ``keys``."""
        out = {k: self.tiles[k] for k in keys if k in self.tiles}
        self.reads += len(out)
        return out

    def write_tiles(self, tiles: Mapping[TileKey, bytes], /) -> None:
        """Store these tiles."""
        self.writes += 1
        self.tiles.update(tiles)


# ---------------------------------------------------------------------------------------------
# the tree


class _Tile:
    """A cached tile: its hashes, and lazily every inner level (``levels[r]``: height-r nodes)."""

    __slots__ = ("levels", "raw")

    def __init__(self, raw: bytes, levels: list[bytes] | None = None) -> None:
        self.raw = raw
        self.levels = levels

    def expanded(self) -> list[bytes]:
        if self.levels is None:
            levels = [self.raw]
            while len(levels[-1]) >= 2 * HASH_SIZE:
                levels.append(hash_level(levels[-1]))
            self.levels = levels
        return self.levels


class TiledTree:
    """A Merkle tree of ``size`` leaves kept as tiles in a :class:`TileStore`.

    The caller owns the size: pass the committed size in, take the new size from :meth:`append`.
    Full tiles are immutable, so the cache never goes stale for them; a cached partial tile is
    re-read when a size needs more of it than the cache holds (another writer appended).
    ``cache_tiles`` bounds the cache: a full tile takes about 16 KiB once expanded.
    """

    def __init__(self, store: TileStore, size: int = 0, *, cache_tiles: int = 4096) -> None:
        if size < 0:
            raise InputError(f"tree size {size} is negative")
        self.store = store
        self.size = size
        self._cap = max(1, cache_tiles)
        self._cache: OrderedDict[TileKey, _Tile] = OrderedDict()

    # -- cache ---------------------------------------------------------------------------------

    def _put(self, key: TileKey, tile: _Tile) -> None:
        cache = self._cache
        cache[key] = tile
        cache.move_to_end(key)
        while len(cache) > self._cap:
            cache.popitem(last=False)

    def _fetch(self, needs: Mapping[TileKey, int]) -> dict[TileKey, _Tile]:
        """Read the tiles in ``needs`` (key → hashes needed) from the store into the cache."""
        got = self.store.read_tiles(list(needs))
        out: dict[TileKey, _Tile] = {}
        for key, width in needs.items():
            raw = got.get(key)
            have = 0 if raw is None else len(raw) // HASH_SIZE
            if raw is None or have < width or len(raw) % HASH_SIZE:
                raise StoreError(
                    f"tile {tile_path(*key)} has {have} hashes; a tree of size {self.size} needs "
                    f"{width}"
                )
            out[key] = tile = _Tile(raw[:TILE_BYTES])
            self._put(key, tile)
        return out

    def cache_clear(self) -> None:
        """Forget every cached tile."""
        self._cache.clear()

    # -- reading -------------------------------------------------------------------------------

    def read_hashes(self, nodes: Sequence[merkle.Node], /) -> list[bytes]:
        """Return the hashes of complete subtrees ``(height, index)``: the :class:`HashReader`."""
        size = self.size
        cache = self._cache
        out: list[bytes] = []
        last_key: TileKey | None = None
        tile: _Tile | None = None
        for height, index in nodes:
            if height < 0 or index < 0 or (index + 1) << height > size:
                raise InputError(
                    f"subtree {height}/{index} is not complete in a tree of size {size}"
                )
            r = height & (TILE_HEIGHT - 1)
            first = index << r  # the first hash of the tile's level under this node
            key = (height >> 3, first >> TILE_HEIGHT)
            if key != last_key:
                tile = cache.get(key)
                if tile is None:
                    return self._read_fetching(nodes)
                cache.move_to_end(key)
                last_key = key
            assert tile is not None
            raw = tile.raw
            # the node needs the tile's hashes up to the end of its span
            if len(raw) < ((first & (TILE_WIDTH - 1)) + (1 << r)) * HASH_SIZE:
                return self._read_fetching(nodes)
            if r:
                levels = tile.levels or tile.expanded()
                raw = levels[r]
            pos = (index & ((TILE_WIDTH >> r) - 1)) * HASH_SIZE
            out.append(raw[pos : pos + HASH_SIZE])
        return out

    def _read_fetching(self, nodes: Sequence[merkle.Node]) -> list[bytes]:
        """:meth:`read_hashes` when some tile is missing or too short: fetch them all at once."""
        needs: dict[TileKey, int] = {}
        for height, index in nodes:
            r = height & (TILE_HEIGHT - 1)
            first = index << r
            key = (height >> 3, first >> TILE_HEIGHT)
            needs[key] = max((first & (TILE_WIDTH - 1)) + (1 << r), needs.get(key, 0))
        if len(needs) > self._cap:  # more tiles than the cache holds: one node at a time
            return [h for node in nodes for h in self.read_hashes([node])]
        missing: dict[TileKey, int] = {}
        for key, need in needs.items():
            tile = self._cache.get(key)
            if tile is None or len(tile.raw) < need * HASH_SIZE:
                missing[key] = need
            else:
                self._cache.move_to_end(key)  # keep it while the missing ones come in
        self._fetch(missing)
        return self.read_hashes(nodes)

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise InputError(f"tree size {size} is not between 0 and the current size {self.size}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """Return the root hash of the tree at ``size`` (default: the current size)."""
        size = self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        hashes = self.read_hashes(merkle.range_nodes(0, size))
        h = hashes[-1]
        for x in reversed(hashes[:-1]):
            h = node_hash(x, h)
        return h

    def leaf_hash(self, index: int) -> bytes:
        """Return the hash of leaf ``index``."""
        if not 0 <= index < self.size:
            raise InputError(f"index {index} is not in a tree of size {self.size}")
        return self.read_hashes([(0, index)])[0]

    def subtree_hash(self, height: int, index: int) -> bytes:
        """Return the hash of the complete subtree over [index·2**height, (index+1)·2**height)."""
        return self.read_hashes([(height, index)])[0]

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Return the RFC 9162 inclusion proof of leaf ``index`` in the tree at ``size``."""
        return merkle.inclusion_proof(index, self._check_size(size), self)

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """Return the RFC 9162 consistency proof from tree size ``old`` to ``new``."""
        return merkle.consistency_proof(old, self._check_size(new), self)

    def tile(self, level: int, index: int, width: int) -> bytes:
        """Return the first ``width`` hashes of tile (level, index), read through the cache."""
        if width < 1 or tile_width(level, index, self.size) < width:
            raise InputError(
                f"tile {tile_path(level, index, width)} is not in a tree of size {self.size}"
            )
        tile = self._cache.get((level, index))
        if tile is None or len(tile.raw) < width * HASH_SIZE:
            tile = self._fetch({(level, index): width})[(level, index)]
        return tile.raw[: width * HASH_SIZE]

    # -- writing -------------------------------------------------------------------------------

    def append(self, leaf_hashes: Sequence[bytes]) -> int:
        """Append leaves by their hashes; write the changed tiles in one call; return the new size.

        Each level rewrites only its rightmost tiles; a tile that fills up is hashed once (255
        node hashes per 256 hashes below), so appending costs about one SHA-256 per leaf.
        """
        if not leaf_hashes:
            return self.size
        incoming = b"".join(leaf_hashes)
        if len(incoming) != HASH_SIZE * len(leaf_hashes):
            raise InputError("every leaf hash must be 32 bytes")
        writes: dict[TileKey, bytes] = {}
        fresh: dict[TileKey, _Tile] = {}
        count = self.size  # hashes at this level before the append
        level = 0
        while incoming:
            first = count >> TILE_HEIGHT
            width = count & (TILE_WIDTH - 1)
            if width:
                key = (level, first)
                tile = self._cache.get(key)
                if tile is None or len(tile.raw) < width * HASH_SIZE:
                    tile = self._fetch({key: width})[key]
                buf = tile.raw[: width * HASH_SIZE] + incoming
            else:
                buf = incoming
            completed: list[bytes] = []
            for offset in range(0, len(buf), TILE_BYTES):
                chunk = buf[offset : offset + TILE_BYTES]
                key = (level, first + offset // TILE_BYTES)
                writes[key] = chunk
                tile = _Tile(chunk)
                if len(chunk) == TILE_BYTES:
                    completed.append(tile.expanded()[TILE_HEIGHT])
                fresh[key] = tile
            incoming = b"".join(completed)
            count >>= TILE_HEIGHT
            level += 1
        self.store.write_tiles(writes)
        for key, tile in fresh.items():
            self._put(key, tile)
        self.size += len(leaf_hashes)
        return self.size
