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
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
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
    "TileCache",
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


WidthKey = tuple[int, int, int]
"""``(level, index, width)``: a tile at one width, whose hashes never change."""


class TileCache:
    """A bounded LRU cache of parsed tiles keyed by ``(level, index, width)``, safe to share.

    The first W hashes of a tile never change once the tree holds them (full tiles are
    immutable, a partial tile only grows), so a key that names the width can never go stale,
    whatever another process appends. Trees that read committed tiles may share one cache
    (across calls, sizes and threads); a tree whose appends may still be rolled back puts what
    it wrote only in its own private cache. A full tile takes about 16 KiB once expanded.
    """

    def __init__(self, max_tiles: int = 4096) -> None:
        self.max_tiles = max(1, max_tiles)
        self._tiles: OrderedDict[WidthKey, _Tile] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._tiles)

    def get(self, key: WidthKey) -> _Tile | None:
        """Return the cached tile, marking it recently used; None if absent."""
        with self._lock:
            tile = self._tiles.get(key)
            if tile is not None:
                self._tiles.move_to_end(key)
            return tile

    def put(self, key: WidthKey, tile: _Tile) -> None:
        """Cache a tile of exactly ``key``'s width, evicting the least recently used."""
        with self._lock:
            tiles = self._tiles
            tiles[key] = tile
            tiles.move_to_end(key)
            while len(tiles) > self.max_tiles:
                tiles.popitem(last=False)

    def clear(self) -> None:
        """Forget every cached tile."""
        with self._lock:
            self._tiles.clear()


class TiledTree:
    """A Merkle tree of ``size`` leaves kept as tiles in a :class:`TileStore`.

    The caller owns the size: pass the committed size in, take the new size from :meth:`append`.
    Tiles are cached by ``(level, index, width)`` with the width they have at the tree's size,
    so the cache never goes stale. ``cache`` shares a :class:`TileCache` between trees over
    committed tiles (e.g. one per process); without it the tree keeps a private cache of
    ``cache_tiles`` tiles. Every read that misses the cache fetches all the tiles it needs in
    one :meth:`TileStore.read_tiles` call.
    """

    def __init__(
        self,
        store: TileStore,
        size: int = 0,
        *,
        cache_tiles: int = 4096,
        cache: TileCache | None = None,
    ) -> None:
        if size < 0:
            raise InputError(f"tree size {size} is negative")
        self.store = store
        self.size = size
        self._shared = cache is not None
        self._cache = cache if cache is not None else TileCache(cache_tiles)
        # folds of the incomplete right subtree of proofs: (start, size) -> hash
        self._folds: dict[tuple[int, int], bytes] = {}

    # -- cache ---------------------------------------------------------------------------------

    def _tiles(self, keys: Iterable[TileKey]) -> dict[TileKey, _Tile]:
        """The tiles ``keys`` at their width in this tree: cached, else read in one call."""
        size = self.size
        cache = self._cache
        out: dict[TileKey, _Tile] = {}
        missing: dict[TileKey, int] = {}
        for key in keys:
            if key in out or key in missing:
                continue
            level, index = key
            width = min(TILE_WIDTH, (size >> (TILE_HEIGHT * level)) - (index << TILE_HEIGHT))
            tile = cache.get((level, index, width))
            if tile is None:
                missing[key] = width
            else:
                out[key] = tile
        if missing:
            out.update(self._fetch(missing))
        return out

    def _fetch(
        self, needs: Mapping[TileKey, int], *, remember: bool = True
    ) -> dict[TileKey, _Tile]:
        """Read the tiles in ``needs`` (key → width) from the store, in one call, into the cache."""
        got = self.store.read_tiles(list(needs))
        out: dict[TileKey, _Tile] = {}
        for key, width in needs.items():
            raw = got.get(key)
            have = 0 if raw is None else len(raw) // HASH_SIZE
            if raw is None or have < width or len(raw) % HASH_SIZE or width < 1:
                raise StoreError(
                    f"tile {tile_path(*key)} has {have} hashes; a tree of size {self.size} needs "
                    f"{width}"
                )
            out[key] = tile = _Tile(raw[: width * HASH_SIZE])
            if remember:
                self._cache.put((key[0], key[1], width), tile)
        return out

    def cache_clear(self) -> None:
        """Forget every cached tile (of the shared cache too, if the tree has one)."""
        self._cache.clear()
        self._folds.clear()

    # -- reading -------------------------------------------------------------------------------

    def read_hashes(self, nodes: Sequence[merkle.Node], /) -> list[bytes]:
        """Return the hashes of complete subtrees ``(height, index)``: the :class:`HashReader`."""
        size = self.size
        for height, index in nodes:
            if height < 0 or index < 0 or (index + 1) << height > size:
                raise InputError(
                    f"subtree {height}/{index} is not complete in a tree of size {size}"
                )
        return self._read(nodes)

    def _read(self, nodes: Sequence[merkle.Node]) -> list[bytes]:
        """:meth:`read_hashes` for nodes known to be complete in this tree."""
        keys = [(h >> 3, (k << (h & 7)) >> TILE_HEIGHT) for h, k in nodes]
        tiles = self._tiles(keys)
        out: list[bytes] = []
        for (height, index), key in zip(nodes, keys, strict=True):
            tile = tiles[key]
            r = height & 7
            level = (tile.levels or tile.expanded())[r] if r else tile.raw
            pos = (index & ((TILE_WIDTH >> r) - 1)) * HASH_SIZE
            out.append(level[pos : pos + HASH_SIZE])
        return out

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
        hashes = self._read(merkle.range_nodes(0, size))
        h = hashes[-1]
        for x in reversed(hashes[:-1]):
            h = node_hash(x, h)
        return h

    def leaf_hash(self, index: int) -> bytes:
        """Return the hash of leaf ``index``."""
        if not 0 <= index < self.size:
            raise InputError(f"index {index} is not in a tree of size {self.size}")
        return self._read([(0, index)])[0]

    def subtree_hash(self, height: int, index: int) -> bytes:
        """Return the hash of the complete subtree over [index·2**height, (index+1)·2**height)."""
        return self.read_hashes([(height, index)])[0]

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Return the RFC 9162 inclusion proof of leaf ``index`` in the tree at ``size``.

        The proof is the sibling of each node on the path from the leaf up to where the paths
        to ``index`` and to the last leaf part (height ``inner``), then the left siblings above
        it. Every such complete sibling at tile level L lies in the tile holding ``index``; the
        one sibling that can be incomplete (the subtree right of the parting, cut by the end of
        the tree) is the fold of the tree's right border, which lies in the rightmost tiles.
        So a proof reads at most two tiles per level, all in one store call when not cached.
        """
        size = self._check_size(size)
        if not 0 <= index < size:
            raise InputError(f"index {index} is not in a tree of size {size}")
        inner = (index ^ (size - 1)).bit_length()
        fold_start = 0
        if inner and (((index >> (inner - 1)) | 1) + 1) << (inner - 1) > size:
            fold_start = ((index >> (inner - 1)) | 1) << (inner - 1)
            inner -= 1  # siblings below the cut one are complete
        upper = [h for h in range(inner + (fold_start > 0), index.bit_length()) if index >> h & 1]
        # the tile levels the siblings use (a level between them may have no such tile)
        used = {*range(((inner - 1) >> 3) + 1), *(h >> 3 for h in upper)}
        keys = {lv: (lv, index >> (TILE_HEIGHT * lv + TILE_HEIGHT)) for lv in used}
        want = list(keys.values())
        fold = self._folds.get((fold_start, size)) if fold_start else None
        border: list[merkle.Node] = []
        if fold_start and fold is None:
            border = merkle.range_nodes(fold_start, size)
            want += [(h >> 3, (k << (h & 7)) >> TILE_HEIGHT) for h, k in border]
        tiles = self._tiles(want)
        out: list[bytes] = []
        append = out.append
        for h in range(inner):
            tile = tiles[keys[h >> 3]]
            r = h & 7
            level = (tile.levels or tile.expanded())[r] if r else tile.raw
            pos = (((index >> h) ^ 1) & ((TILE_WIDTH >> r) - 1)) * HASH_SIZE
            append(level[pos : pos + HASH_SIZE])
        if fold_start:
            if fold is None:
                hashes = self._read(border)
                fold = hashes[-1]
                for x in reversed(hashes[:-1]):
                    fold = node_hash(x, fold)
                if len(self._folds) >= 1024:
                    self._folds.clear()
                self._folds[(fold_start, size)] = fold
            append(fold)
        for h in upper:
            tile = tiles[keys[h >> 3]]
            r = h & 7
            level = (tile.levels or tile.expanded())[r] if r else tile.raw
            pos = (((index >> h) ^ 1) & ((TILE_WIDTH >> r) - 1)) * HASH_SIZE
            append(level[pos : pos + HASH_SIZE])
        return out

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """Return the RFC 9162 consistency proof from tree size ``old`` to ``new``."""
        return merkle.consistency_proof(old, self._check_size(new), self)

    def tile(self, level: int, index: int, width: int) -> bytes:
        """Return the first ``width`` hashes of tile (level, index), read through the cache."""
        if width < 1 or tile_width(level, index, self.size) < width:
            raise InputError(
                f"tile {tile_path(level, index, width)} is not in a tree of size {self.size}"
            )
        return self._tiles([(level, index)])[(level, index)].raw[: width * HASH_SIZE]

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
                tile = self._cache.get((level, first, width))
                if tile is None:
                    tile = self._fetch({key: width}, remember=not self._shared)[key]
                buf = tile.raw + incoming
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
        if not self._shared:  # the caller's transaction may yet roll back: keep them private
            for (lv, index), tile in fresh.items():
                self._cache.put((lv, index, len(tile.raw) // HASH_SIZE), tile)
        self._folds.clear()
        self.size += len(leaf_hashes)
        return self.size
