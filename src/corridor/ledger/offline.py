"""Offline verification of an exported log, and the streaming writer of such an export.

An export is a C2SP tlog-tiles tree of static files (see docs/log.md)::

    checkpoint                      the signed checkpoint (log signature, witness cosignatures)
    keys                            organisations' verifier keys, one vkey per line
    tile/<L>/<N>[.p/<W>]            hash tiles of the checkpoint's tree size
    tile/entries/<N>[.p/<W>]        entry bundles

:func:`verify_export` reads it through a ``read(path) -> bytes`` callable (the core does no file
I/O) and streams it bundle by bundle in bounded memory: it checks the checkpoint's log signature
(and witness cosignatures up to a quorum), every entry's framing and organisation signatures, every
stored tile against the tree recomputed from the entries, and the recomputed root against the
checkpoint. A failure raises :class:`corridor.errors.VerificationError` (a
:class:`corridor.errors.TamperError` with ``index`` when an entry can be named), e.g.
"entry 1832: signature by org icrc does not verify".

:func:`export_files` is the other side: from the entries and the signed checkpoint it yields
``(path, bytes)`` for every file, recomputing the tiles as it goes, so an adapter only writes them.
"""

from __future__ import annotations

import collections
import concurrent.futures
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.errors import InputError, SigningKeyError, TamperError, VerificationError
from corridor.ledger.bundle import MAX_ENTRY, encode_bundle, iter_bundle
from corridor.ledger.checkpoint import Checkpoint, verify_checkpoint
from corridor.ledger.cosignature import CosignatureVerifier, verify_cosignatures
from corridor.ledger.entry import KeyRing, keyring, verify_entry
from corridor.ledger.hashing import EMPTY_ROOT, HASH_SIZE, hash_level, leaf_hash, node_hash
from corridor.ledger.merkle import range_nodes
from corridor.ledger.note import Verifier, parse_note
from corridor.ledger.tiles import (
    TILE_BYTES,
    TILE_HEIGHT,
    TILE_WIDTH,
    entries_path,
    parse_tile_path,
    tile_path,
    tile_width,
)

__all__ = [
    "CHECKPOINT_PATH",
    "KEYS_PATH",
    "TileBuilder",
    "VerifiedLog",
    "export_files",
    "format_keys",
    "max_file_size",
    "parse_keys",
    "verify_export",
]

CHECKPOINT_PATH = "checkpoint"
KEYS_PATH = "keys"
MAX_CHECKPOINT_BYTES = 1 << 20
"""A checkpoint note is at most 1 MiB (a body and at most 100 signature lines)."""
MAX_KEYS_BYTES = 16 << 20
"""A keys file is at most 16 MiB (some 150,000 organisation keys)."""

Reader = Callable[[str], bytes]
"""``read(path)`` returns the bytes of the export's file at ``path`` (relative, ``/``-separated).

It should read no more than :func:`max_file_size` of the path (plus one byte, to tell a larger
file) and may raise VerificationError naming the path, OSError or LookupError when it cannot."""


def max_file_size(path: str) -> int:
    """The most bytes the export file at ``path`` may hold: readers read no more than this.

    A hash tile of width W is 32·W bytes, an entry bundle of width W at most W·(2 + 65,535).
    Raises VerificationError for a path that is not a file of an export (e.g. one with ``..``).
    """
    if path == CHECKPOINT_PATH:
        return MAX_CHECKPOINT_BYTES
    if path == KEYS_PATH:
        return MAX_KEYS_BYTES
    ref = parse_tile_path(path)
    if ref is None:
        raise VerificationError(f"{path!r} is not the path of a file of an export")
    if ref.level == -1:
        return ref.width * (2 + MAX_ENTRY)
    return ref.width * HASH_SIZE


# ---------------------------------------------------------------------------------------------
# the keys file


def format_keys(verifiers: Iterable[Verifier]) -> bytes:
    """The ``keys`` file: one verifier key per line, sorted, UTF-8, newline-terminated."""
    return "".join(sorted(v.vkey + "\n" for v in verifiers)).encode()


def parse_keys(data: bytes) -> list[Verifier]:
    """Parse a ``keys`` file; blank lines and lines starting with ``#`` are ignored."""
    out: list[Verifier] = []
    for n, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            out.append(Verifier.from_vkey(line))
        except SigningKeyError as exc:
            raise VerificationError(f"keys line {n}: {exc.message}") from None
    return out


# ---------------------------------------------------------------------------------------------
# recomputing tiles from a stream of leaf hashes


class TileBuilder:
    """Rebuilds the tiles of a tree from its leaf hashes as they stream in: O(levels) memory.

    :meth:`add` returns the tiles it completed, as ``(level, index, 8192 bytes)``;
    :meth:`partial_tiles` the rightmost partial tile of every level; :meth:`root` the root.
    """

    def __init__(self) -> None:
        self.size = 0
        self._pending: list[bytes] = []  # per level: the hashes of its rightmost, partial tile
        self._index: list[int] = []  # per level: the index of that tile

    def add(self, leaf_hashes: bytes) -> list[tuple[int, int, bytes]]:
        """Add concatenated leaf hashes; return the tiles this completed, lowest level first."""
        if len(leaf_hashes) % HASH_SIZE:
            raise InputError("leaf hashes must be 32 bytes each")
        done: list[tuple[int, int, bytes]] = []
        self.size += len(leaf_hashes) // HASH_SIZE
        incoming, level = leaf_hashes, 0
        while incoming:
            if level == len(self._pending):
                self._pending.append(b"")
                self._index.append(0)
            buf = self._pending[level] + incoming
            roots: list[bytes] = []
            full = len(buf) - len(buf) % TILE_BYTES
            for off in range(0, full, TILE_BYTES):
                tile = buf[off : off + TILE_BYTES]
                done.append((level, self._index[level], tile))
                self._index[level] += 1
                for _ in range(TILE_HEIGHT):
                    tile = hash_level(tile)
                roots.append(tile)
            self._pending[level] = buf[full:]
            incoming = b"".join(roots)
            level += 1
        return done

    def partial_tiles(self) -> list[tuple[int, int, bytes]]:
        """The partial tiles of the current size, ``(level, index, hashes)``."""
        return [(lv, self._index[lv], p) for lv, p in enumerate(self._pending) if p]

    def root(self) -> bytes:
        """The root hash of the tree so far."""
        if self.size == 0:
            return EMPTY_ROOT
        hashes: list[bytes] = []
        for height, index in range_nodes(0, self.size):
            level, r = divmod(height, TILE_HEIGHT)
            start = (index << r) - self._index[level] * TILE_WIDTH  # offset in the partial tile
            h = self._pending[level][start * HASH_SIZE : (start + (1 << r)) * HASH_SIZE]
            for _ in range(r):
                h = hash_level(h)
            hashes.append(h)
        root = hashes[-1]
        for x in reversed(hashes[:-1]):
            root = node_hash(x, root)
        return root


def _label(level: int, index: int, width: int) -> str:
    """``0/x001/002`` or ``1/000.p/17``: a tile as error messages name it."""
    return tile_path(level, index, width).removeprefix("tile/")


# ---------------------------------------------------------------------------------------------
# verification


@dataclass(frozen=True)
class VerifiedLog:
    """What an export proved: the checkpoint (origin, size, root) and the cosignatures counted."""

    checkpoint: Checkpoint
    cosignatures: int

    @property
    def size(self) -> int:
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        return self.checkpoint.root


def _read(read: Reader, path: str, what: str, index: int | None = None) -> bytes:
    limit = max_file_size(path)
    try:
        data = read(path)
    except VerificationError as exc:
        raise TamperError(f"{what}: {exc.message}", index=index) from None
    except (OSError, LookupError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise TamperError(f"{what}: {path} cannot be read ({reason})", index=index) from None
    if len(data) > limit:
        raise TamperError(
            f"{what}: {path} is over {limit:,} bytes, the most it can hold", index=index
        )
    return data


def _verify_bundle(start: int, data: bytes, keys: KeyRing, strict: bool, width: int) -> bytes:
    """Verify a bundle's entries; return their leaf hashes. Raises TamperError naming the entry."""
    hashes: list[bytes] = []
    i = start
    try:
        for entry in iter_bundle(data):
            if i - start == width:
                raise TamperError(f"entry {i}: beyond the checkpoint's tree size", index=i)
            verify_entry(entry, keys, strict=strict)
            hashes.append(leaf_hash(entry))
            i += 1
    except TamperError:
        raise
    except VerificationError as exc:
        raise TamperError(f"entry {i}: {exc.message}", index=i) from None
    if i - start < width:
        raise TamperError(f"entry {i}: missing from its entry bundle", index=i)
    return b"".join(hashes)


def _compare_tile(read: Reader, level: int, index: int, computed: bytes) -> None:
    width = len(computed) // HASH_SIZE
    label = _label(level, index, width)
    first_leaf = index * TILE_WIDTH << (TILE_HEIGHT * level)
    stored = _read(read, tile_path(level, index, width), f"tile {label}", first_leaf)
    if stored == computed:
        return
    if len(stored) != len(computed):
        raise TamperError(
            f"tile {label}: {len(stored)} bytes, expected {len(computed)}", index=first_leaf
        )
    k = next(
        i
        for i in range(width)
        if stored[i * HASH_SIZE : (i + 1) * HASH_SIZE]
        != computed[i * HASH_SIZE : (i + 1) * HASH_SIZE]
    )
    span = 1 << (TILE_HEIGHT * level)
    lo = first_leaf + k * span
    which = f"entry {lo}" if level == 0 else f"entries {lo}–{lo + span - 1}"
    raise TamperError(
        f"tile {label}: hash {k} differs from the recomputed tree ({which})", index=lo
    )


# worker-process state for jobs > 1
_worker_keys: dict[tuple[str, bytes], Verifier] = {}


def _init_worker(vkeys: Sequence[str]) -> None:
    _worker_keys.clear()
    _worker_keys.update(keyring(Verifier.from_vkey(k) for k in vkeys))


def _worker(start: int, data: bytes, strict: bool, width: int) -> tuple[bytes, Any]:
    try:
        return _verify_bundle(start, data, _worker_keys, strict, width), None
    except TamperError as exc:  # exceptions with keyword data do not pickle: send the fields
        return b"", (exc.message, exc.index)


def verify_export(
    read: Reader,
    origin: str,
    log_verifier: Verifier,
    *,
    org_keys: Iterable[Verifier] | None = None,
    witnesses: Iterable[CosignatureVerifier] = (),
    quorum: int = 0,
    strict: bool = False,
    jobs: int = 1,
) -> VerifiedLog:
    """Verify an exported log end to end; return its checkpoint. Raises VerificationError.

    ``log_verifier`` (and ``witnesses``) must come from a trusted source, not from the export.
    ``org_keys`` default to the export's ``keys`` file; pass keys obtained from the organisations
    themselves to rule out a log that substitutes an organisation's key. ``strict`` re-checks that
    every observation is in canonical form (see :mod:`corridor.ledger.entry`). ``jobs`` > 1
    verifies entry signatures in that many processes.
    """
    note = _read(read, CHECKPOINT_PATH, "checkpoint")
    cp = verify_checkpoint(note, origin, log_verifier)
    witnesses = list(witnesses)
    cosigned = verify_cosignatures(note, witnesses, quorum) if witnesses or quorum else 0
    verifiers = (
        list(org_keys) if org_keys is not None else parse_keys(_read(read, KEYS_PATH, "keys"))
    )
    keys = keyring(verifiers)
    builder = TileBuilder()

    def bundles() -> Iterator[tuple[int, int, bytes]]:
        for n in range(-(-cp.size // TILE_WIDTH)):
            width = tile_width(0, n, cp.size)
            start = n * TILE_WIDTH
            data = _read(
                read, entries_path(n, width), f"entries {start}–{start + width - 1}", start
            )
            yield start, width, data

    def absorb(hashes: bytes) -> None:
        for level, index, tile in builder.add(hashes):
            _compare_tile(read, level, index, tile)

    if jobs <= 1:
        for start, width, data in bundles():
            absorb(_verify_bundle(start, data, keys, strict, width))
    else:
        vkeys = [v.vkey for v in verifiers]
        with concurrent.futures.ProcessPoolExecutor(
            jobs, initializer=_init_worker, initargs=(vkeys,)
        ) as pool:
            pending: collections.deque[concurrent.futures.Future[tuple[bytes, Any]]]
            pending = collections.deque()
            source = bundles()
            for start, width, data in source:
                pending.append(pool.submit(_worker, start, data, strict, width))
                if len(pending) >= 4 * jobs:  # bounded: a few bundles per process in flight
                    _absorb_result(pending.popleft(), absorb)
            while pending:
                _absorb_result(pending.popleft(), absorb)

    for level, index, tile in builder.partial_tiles():
        _compare_tile(read, level, index, tile)
    if builder.root() != cp.root:
        raise VerificationError("checkpoint: root does not match the entries")
    return VerifiedLog(cp, cosigned)


def _absorb_result(
    future: concurrent.futures.Future[tuple[bytes, Any]], absorb: Callable[[bytes], None]
) -> None:
    hashes, error = future.result()
    if error is not None:
        raise TamperError(error[0], index=error[1])
    absorb(hashes)


# ---------------------------------------------------------------------------------------------
# writing


def export_files(
    entries: Iterable[bytes], checkpoint: bytes, keys: Iterable[Verifier]
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(path, bytes)`` for every file of the export of ``checkpoint``'s tree.

    ``entries`` are the log's entries in order, at least as many as the checkpoint's size (the
    rest are ignored). Tiles are recomputed from the entries; the recomputed root must be the
    checkpoint's, else VerificationError at the end — write into a temporary directory and move
    it into place when the generator finishes. The checkpoint file comes last.
    """
    cp = Checkpoint.parse(parse_note(checkpoint).text)
    builder = TileBuilder()
    bundle: list[bytes] = []
    count = 0
    if cp.size:
        for entry in entries:
            bundle.append(entry)
            count += 1
            if len(bundle) == TILE_WIDTH or count == cp.size:
                n = (count - 1) // TILE_WIDTH
                yield entries_path(n, len(bundle)), encode_bundle(bundle)
                for level, index, tile in builder.add(b"".join(map(leaf_hash, bundle))):
                    yield tile_path(level, index), tile
                bundle = []
                if count == cp.size:
                    break
    if count < cp.size:
        raise InputError(f"export: {count} entries, the checkpoint is for {cp.size}")
    for level, index, tile in builder.partial_tiles():
        yield tile_path(level, index, len(tile) // HASH_SIZE), tile
    if builder.root() != cp.root:
        raise VerificationError("export: the entries' root does not match the checkpoint")
    yield KEYS_PATH, format_keys(keys)
    yield CHECKPOINT_PATH, checkpoint
