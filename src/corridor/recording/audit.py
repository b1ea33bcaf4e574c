"""Tamper evidence: check everything stored against the entry bytes and the log's signatures.

:func:`audit_log` reads the database as an auditor would. It trusts no stored column, only the
entry bytes, the registered keys, the log's signature on its checkpoints and, when the log's key
folder is at hand, the log's own state file (the latest checkpoint it signed, kept outside the
database: :mod:`corridor.recording.state`). It checks:

0. the database file itself (SQLite's ``quick_check``: a damaged page is named, not read);
1. every row of the observations table, in log-index order, with no gap and no stray index: its
   leaf hash, its admission (framing, every signature, validation, normal form, references to
   the registry and, for a correction, retraction or attestation, to the entries before it) and
   every column derived from the entry (id, index columns with ``supersedes`` and ``attests``,
   signers, demo-signed);
2. every stored tile against the tiles rebuilt from the entries, and no tile beyond them;
3. every stored checkpoint: its signature by the log's key, its size and root columns against
   its note, and its root against the entries' tree at its size (so each one is consistent with
   the next); at least one must exist;
4. the state file: the database still holds the checkpoint the log last signed, over entries
   that hash to its root, and the log's key file is the key the database names.

The first failure is a TamperError naming the entry (or tile, or checkpoint) concerned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.errors import (
    ConflictError,
    InputError,
    RecordError,
    SigningKeyError,
    TamperError,
    VerificationError,
)
from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.offline import TileBuilder
from corridor.ledger.tiles import TILE_HEIGHT, TILE_WIDTH, tile_path, tiles_for_size
from corridor.recording.admission import admit_entry, check_references
from corridor.recording.tlog import TransparencyLog
from corridor.store.sql import INDEX_COLUMNS

__all__ = ["Audit", "audit_log", "verify_log"]

_HASH = 32
_CHUNK = 2048  # leaves fed to the tile builder at once


@dataclass(frozen=True)
class Audit:
    """What a verification established."""

    size: int  # entries checked
    root: bytes  # the root of their tree
    checkpoint_size: int  # the latest signed checkpoint's size
    checkpoints: int  # signed checkpoints checked
    state: Path | None  # the log's state file checked against, if any
    state_size: int | None  # the size of the checkpoint it records

    @property
    def beyond_checkpoint(self) -> int:
        return self.size - self.checkpoint_size


def _tile_label(level: int, index: int, width: int) -> str:
    return tile_path(level, index, width).removeprefix("tile/")


def _first_entry(level: int, index: int, i: int) -> int:
    """The first entry under hash ``i`` of tile (level, index)."""
    return (index * TILE_WIDTH + i) << (TILE_HEIGHT * level)


class _Tiles:
    """Compares the tiles rebuilt from the entries with the stored ones, a few at a time."""

    def __init__(self, log: TransparencyLog) -> None:
        self.log = log
        self.pending: list[tuple[int, int, bytes]] = []
        # a stored tile that only has more (or fewer) hashes than the tree: entries removed at
        # the end, which the signed checkpoints name better; reported after them
        self.width_problem: TamperError | None = None

    def add(self, tiles: list[tuple[int, int, bytes]], *, flush: bool = False) -> None:
        self.pending.extend(tiles)
        if len(self.pending) >= 64 or (flush and self.pending):
            stored = self.log.store.read_tiles([(lv, n) for lv, n, _ in self.pending])
            for level, index, want in self.pending:
                self._compare(level, index, want, stored.get((level, index)))
            self.pending = []

    def _compare(self, level: int, index: int, want: bytes, have: bytes | None) -> None:
        width = len(want) // _HASH
        label = _tile_label(level, index, width)
        if have is None:
            first = _first_entry(level, index, 0)
            raise TamperError(
                f"entry {first}: tile {label} is missing from the database (its hashes cover "
                f"entries from {first})",
                index=first,
            )
        if have == want:
            return
        for i in range(width):
            if have[i * _HASH : (i + 1) * _HASH] != want[i * _HASH : (i + 1) * _HASH]:
                first = _first_entry(level, index, i)
                raise TamperError(
                    f"entry {first}: tile {label}: hash {i} differs from the tree rebuilt "
                    "from the entries",
                    index=first,
                )
        if self.width_problem is None:
            self.width_problem = TamperError(
                f"tile {label}: {len(have) // _HASH} hashes stored, {width} in the tree",
                index=_first_entry(level, index, min(width, len(have) // _HASH)),
            )


def _demo_flag(stored: Any) -> bool | None:
    """A stored boolean as a bool (None if it is not one)."""
    if isinstance(stored, bool):
        return stored
    if isinstance(stored, int) and stored in (0, 1):
        return bool(stored)
    return None


def audit_log(
    log: TransparencyLog, *, progress: Callable[[int], None] | None = None
) -> Audit:
    """Check everything stored against the entries and the log's signatures (see the module);
    raise TamperError naming the first entry, tile or checkpoint that differs."""
    damaged = log.store.integrity_problems()
    if damaged:
        raise TamperError(f"the database file is damaged: {'; '.join(damaged)}")
    origin, verifier = log.origin, log.verifier
    keys, demo, registry = log.verifiers(), log.demo_keys(), log.store.registry()

    # the checkpoints: each signed by the log's key, its columns as its note says
    checkpoints = log.store.checkpoint_rows()
    if not checkpoints:
        raise TamperError(
            "the database holds no signed checkpoint (the log signs one when it is created): "
            "its checkpoints were deleted",
            index=0,
        )
    for size, root, note in checkpoints:
        try:
            cp = verify_checkpoint(note.encode(), origin, verifier)
        except (VerificationError, InputError, SigningKeyError) as exc:
            raise TamperError(f"checkpoint {size}: {exc}") from None
        if (cp.size, cp.root) != (size, root):
            raise TamperError(
                f"checkpoint {size}: its stored size or root differs from its signed note "
                f"(size {cp.size})"
            )
    roots_wanted = {size: root for size, root, _ in checkpoints}

    state = log.state
    head = None
    if state is not None:
        try:
            head = state.get(origin)
        except InputError as exc:
            raise TamperError(str(exc)) from None
        if log.keyring is not None and log.keyring.has("log"):
            key = log.keyring.load_log()
            if key.vkey != verifier.vkey:
                raise TamperError(
                    f"{log.keyring.path('log')} holds key {key.name}+{key.key_id.hex()}, but "
                    f"the database names the log key {verifier.name}+{verifier.key_id.hex()}"
                )
        if head is not None:
            if head.vkey != verifier.vkey:
                raise TamperError(
                    f"{state.path}: the log {origin!r} signs with {head.vkey}, but the "
                    f"database names the log key {verifier.vkey}"
                )
            if roots_wanted.get(head.size) != head.root:
                raise TamperError(
                    f"checkpoint {head.size}, the latest the log signed ({state.path}), is not "
                    "in the database: its checkpoints were deleted or it was rolled back",
                    index=head.size,
                )

    # the entries, in log order; their tiles and the roots at every checkpoint size
    stops = sorted(roots_wanted)
    builder, tiles = TileBuilder(), _Tiles(log)
    buffer: list[bytes] = []
    good_upto = 0  # the largest checkpoint size whose root matched so far
    # A checkpoint whose root no longer matches is reported last: a bad entry or tile found
    # on the way names the entry more precisely (two swapped rows: the first misplaced one).
    deferred: list[TamperError] = []

    def feed() -> None:
        nonlocal good_upto
        if buffer:
            tiles.add(builder.add(b"".join(buffer)))
            buffer.clear()
        if builder.size in roots_wanted and not deferred:
            if builder.root() != roots_wanted[builder.size]:
                deferred.append(
                    TamperError(
                        f"entry {good_upto}: the entries from {good_upto} to "
                        f"{builder.size - 1} no longer hash to the root of signed checkpoint "
                        f"{builder.size}",
                        index=good_upto,
                    )
                )
            else:
                good_upto = builder.size

    feed()  # a checkpoint of size 0
    expected = 0
    for index, entry, stored_leaf, oid, cols, signers, demo_signed in log.store.observation_rows():
        if index != expected:
            if index < expected:
                raise TamperError(
                    f"entry {index}: a row at a log index the log never had", index=index
                )
            raise TamperError(f"entry {expected}: missing from the database", index=expected)
        lh = leaf_hash(entry)
        if lh != stored_leaf:
            raise TamperError(
                f"entry {index}: its bytes do not match the leaf hash in the log", index=index
            )
        try:
            derived_id, derived_cols, derived_signers, derived_demo, names = admit_entry(
                entry, keys, demo, registry
            )
            if names is not None:  # checked against the entries before it, as when admitted
                check_references(
                    [(derived_id, derived_cols, names)],
                    lambda ids, pairs: log.store.record_view(ids, pairs, before=index),  # noqa: B023
                )
        except (VerificationError, RecordError, ConflictError) as exc:
            raise TamperError(f"entry {index}: {exc}", index=index) from None
        for k, stored, derived in zip(
            ("id", *INDEX_COLUMNS, "signers"),
            (oid, *cols, signers),
            (derived_id, *derived_cols, ",".join(derived_signers)),
            strict=True,
        ):
            if stored != derived:
                raise TamperError(
                    f"entry {index}: stored column {k}={stored!r} differs from the signed "
                    f"entry ({derived!r})",
                    index=index,
                )
        if _demo_flag(demo_signed) != derived_demo:
            raise TamperError(
                f"entry {index}: stored column demo_signed={demo_signed!r} differs from the "
                f"signed entry ({derived_demo!r})",
                index=index,
            )
        buffer.append(lh)
        expected += 1
        if len(buffer) >= _CHUNK or (expected in roots_wanted):
            feed()
        if progress is not None:
            progress(1)
    feed()
    size = expected
    tiles.add(builder.partial_tiles(), flush=True)
    if deferred:
        raise deferred[0]
    beyond = [s for s in stops if s > size]
    if beyond:
        raise TamperError(
            f"entries {good_upto} to {beyond[0] - 1}: checkpoint {beyond[0]} was signed over "
            f"{beyond[0]} entries and the database holds {size}: entries were removed (those "
            f"before {good_upto} match checkpoint {good_upto})",
            index=good_upto,
        )
    want_tiles = {(t.level, t.index) for t in tiles_for_size(size)}
    extra = sorted(set(log.store.tile_keys()) - want_tiles)
    if extra:
        level, index = extra[0]
        raise TamperError(
            f"tile {_tile_label(level, index, TILE_WIDTH)}: stored but not part of the tree of "
            f"{size} entries",
            index=size,
        )
    if tiles.width_problem is not None:
        raise tiles.width_problem
    # (a state head above the size is caught here too: it is among the stored checkpoints)
    return Audit(
        size=size,
        root=builder.root(),
        checkpoint_size=stops[-1],
        checkpoints=len(checkpoints),
        state=state.path if head is not None and state is not None else None,
        state_size=head.size if head is not None else None,
    )


def verify_log(
    log: TransparencyLog, *, progress: Callable[[int], None] | None = None
) -> tuple[int, bytes]:
    """:func:`audit_log`, returning (entries checked, their root)."""
    audit = audit_log(log, progress=progress)
    return audit.size, audit.root
