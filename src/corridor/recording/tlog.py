"""The transparency log over the SQL store: its identity, appends, proofs and checkpoints.

This is the one write path for observations. :class:`TransparencyLog` joins the SQL store and
the pure ledger core: it admits each entry (:mod:`corridor.recording.admission`), stores it and
extends the Merkle tree's tiles in the same transaction, and signs a checkpoint only when asked
(:meth:`TransparencyLog.sign_checkpoint`), after proving it consistent with the previous one.
Reading (proofs, the latest checkpoint) never writes.

A TransparencyLog is cheap and meant to live for one use case: it caches the registered keys
for its lifetime only, so it never checks against keys another process has since changed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from corridor.errors import (
    ConflictError,
    NotFoundError,
    RecordError,
    SigningKeyError,
    StoreError,
    TamperError,
    VerificationError,
)
from corridor.ledger import merkle
from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.note import Signer, Verifier
from corridor.ledger.tiles import TileCache, TiledTree, TileKey
from corridor.model.gcpause import gc_paused
from corridor.recording.admission import (
    AdmissionContext,
    AdmissionPool,
    Admitted,
    admit_entries,
    check_references,
)
from corridor.recording.keyring import Keyring, demo_signer
from corridor.recording.state import LogState, SignedHead
from corridor.store.api import AppendResult
from corridor.store.sql import IndexedBatch, SqlStore

__all__ = ["BATCH", "BATCH_MAX", "PARALLEL_MIN", "LogInfo", "TransparencyLog", "init_log"]

BATCH = 20_000
"""Entries per append transaction into a log of up to 400,000 entries (at most: see
:func:`batch_starts`). A commit writes every page the batch touched (the random pages of the id
index above all), so larger batches write less per entry: 10,000 cost about 6 µs an entry less
than 2,000 at 100,000 entries, and 20,000 about 1.5 µs less than 10,000 (python -m
corridor.bench ledger, one process)."""
BATCH_MAX = 50_000
"""Entries per append transaction into a large log. Its id index outgrows what a batch of
BATCH entries amortises: the batch lands on nearly every page of it, and its commit rewrites
them all, so a batch's limit grows with the log (a twentieth of its size) up to this."""
ADMIT = 2000  # entries per admission task handed to a worker process
AHEAD = 6  # admission tasks being verified ahead of the one being written
PARALLEL_MIN = 4 * ADMIT  # below this, worker processes cost more than they save



def batch_limit(log_size: int) -> int:
    """The largest append batch into a log of ``log_size`` entries: BATCH, or a twentieth of
    the log, up to BATCH_MAX."""
    return max(BATCH, min(BATCH_MAX, log_size // 20))


def batch_starts(n: int, limit: int | None = None) -> list[int]:
    """Where each append batch of a submission of ``n`` entries starts: two of ADMIT entries
    first (a submission is acknowledged, and its progress shown, soon; an interrupted one keeps
    its first entries), then each twice as large as the one before, up to ``limit`` (BATCH
    unless given: :func:`batch_limit`)."""
    limit = BATCH if limit is None else limit
    starts: list[int] = []
    at, size, first = 0, min(ADMIT, limit), True
    while at < n:
        starts.append(at)
        at += size
        if first:
            first = False
        else:
            size = min(2 * size, limit)
    return starts


NO_LOG = "this database has no log yet: initialise it (its origin and checkpoint key) first"


@dataclass(frozen=True)
class LogInfo:
    origin: str
    vkey: str
    key_path: Path | None
    demo: bool


class _Tiles:
    """The SQL store as a TileStore: reads on their own connection, or inside a transaction."""

    def __init__(self, store: SqlStore, conn: Connection | None = None) -> None:
        self.store = store
        self.conn = conn

    def read_tiles(self, keys: Sequence[TileKey], /) -> dict[TileKey, bytes]:
        return self.store.read_tiles(keys, self.conn)

    def write_tiles(self, tiles: Mapping[TileKey, bytes], /) -> None:
        if self.conn is None:
            raise StoreError("tiles are written only inside an append transaction")
        self.store.write_tiles(self.conn, tiles)


def _at_entry(
    error: type[RecordError] | type[VerificationError], index: int, message: str
) -> RecordError | VerificationError:
    """An admission error naming the entry's position in the submission (also its subject)."""
    exc = error(f"entry {index} of the submission: {message}")
    exc.subject = str(index)
    return exc


def init_log(
    store: SqlStore, keyring: Keyring, *, origin: str | None = None, demo: bool = False
) -> LogInfo:
    """Give the database a log identity (origin and checkpoint key), once.

    With ``demo`` the log key is a deterministic DEMO key and is not written to disk. The log
    signs its first checkpoint at once.
    """
    have = store.get_meta("log_origin")
    if have is not None:
        if origin is not None and origin != have:
            raise StoreError(f"this log's origin is {have!r}; it cannot become {origin!r}")
        vkey = store.get_meta("log_vkey") or ""
        is_demo = store.get_meta("log_demo") == "1"
        return LogInfo(have, vkey, None if is_demo else keyring.path("log"), is_demo)
    if origin is None:
        db = store.engine.url.database or "corridor"
        origin = f"corridor.local/{Path(db).stem}" + ("-demo" if demo else "")
    path: Path | None
    if demo:
        signer = demo_signer(origin)
        path = None
    elif keyring.has("log"):
        signer = keyring.load_log()
        if signer.name != origin:
            raise SigningKeyError(
                f"{keyring.path('log')} is the key of log {signer.name!r}, not {origin!r}"
            )
        path = keyring.path("log")
    else:
        signer = Signer.generate(origin)
        path = keyring.save(signer, filename="log")
    head = None if demo else LogState(keyring.folder).get(origin)
    if head is not None and head.vkey == signer.vkey and head.size > store.size():
        raise TamperError(
            f"{LogState(keyring.folder).path}: the log {origin!r} has signed a checkpoint of "
            f"size {head.size}, and this database holds {store.size()} entries: it is not that "
            "log, or it was rolled back (a new log needs its own origin or key folder)",
            index=store.size(),
        )
    store.set_meta(
        {"log_origin": origin, "log_vkey": signer.vkey, "log_demo": "1" if demo else "0"}
    )
    # The first signed checkpoint, over whatever the tree holds (usually nothing): from here on
    # there is always a signed tree head to prove against and to stay consistent with.
    TransparencyLog(store, keyring).sign_checkpoint()
    return LogInfo(origin, signer.vkey, path, demo)


class TransparencyLog:
    """The log over a SQL store: append, prove, checkpoint (see :mod:`corridor.recording.audit`
    for verification)."""

    def __init__(
        self,
        store: SqlStore,
        keyring: Keyring | None = None,
        *,
        tile_cache: TileCache | None = None,
    ) -> None:
        self.store = store
        self.keyring = keyring
        # parsed tiles, keyed by (level, index, width): never stale across writers, so it may
        # be shared by every log object of a long-lived application
        self.tile_cache = tile_cache if tile_cache is not None else TileCache()
        self._keys: dict[tuple[str, bytes], tuple[Verifier, bool]] | None = None
        self._ident: dict[str, str] = {}

    # -- identity --------------------------------------------------------------------------
    def _identity(self, key: str) -> str | None:
        """A part of the log's identity (origin, key, demo flag), read once set: it never
        changes after (init_log refuses to), so one use case reads it from the database once
        instead of at every step of every append."""
        value = self._ident.get(key)
        if value is None:
            value = self.store.get_meta(key)
            if value is not None:
                self._ident[key] = value
        return value

    @property
    def origin(self) -> str:
        o = self._identity("log_origin")
        if o is None:
            raise StoreError(NO_LOG, code="no-log")
        return o

    @property
    def verifier(self) -> Verifier:
        v = self._identity("log_vkey")
        if v is None:
            raise StoreError(NO_LOG, code="no-log")
        return Verifier.from_vkey(v)

    @property
    def demo(self) -> bool:
        return self._identity("log_demo") == "1"

    def _log_signer(self) -> Signer | None:
        """The log's checkpoint signer, refused unless it is the log's registered key."""
        if self.demo:
            signer = demo_signer(self.origin)
            where = "the DEMO log key"
        elif self.keyring is not None and self.keyring.has("log"):
            signer = self.keyring.load_log()
            where = str(self.keyring.path("log"))
        else:
            return None
        expected = self.verifier
        if signer.vkey != expected.vkey:
            raise SigningKeyError(
                f"{where} holds key {signer.name}+{signer.key_id.hex()}, not this log's "
                f"registered key {expected.name}+{expected.key_id.hex()}: refusing to sign "
                "its checkpoints with another key"
            )
        return signer

    # -- the log's own witness state (outside the database) -------------------------------
    @property
    def state(self) -> LogState | None:
        """The state file beside the log's key (None without a key folder, and for a DEMO log,
        whose key is public: anyone can sign its checkpoints, so it has no state to keep)."""
        if self.keyring is None or self.demo:
            return None
        return LogState(self.keyring.folder)

    def check_state(self, tree: TiledTree | None = None) -> SignedHead | None:
        """Check that the tree extends the latest checkpoint the log signed (its state file).

        Raises TamperError when the database holds fewer entries than that checkpoint or
        entries that no longer hash to its root (a rollback or a rewritten history).
        """
        state = self.state
        if state is None:
            return None
        head = state.get(self.origin)
        if head is None:
            return None
        tree = tree or self.tree()
        if head.vkey != self.verifier.vkey:
            raise TamperError(
                f"{state.path}: the log {self.origin!r} signed its checkpoints with "
                f"{head.vkey}, not with this database's log key {self.verifier.vkey}"
            )
        if tree.size < head.size:
            raise TamperError(
                f"entry {tree.size}: missing: the log signed checkpoint {head.size} "
                f"({state.path}) and the database holds {tree.size} entries (entries were "
                "removed or the database was rolled back)",
                index=tree.size,
            )
        if tree.root(head.size) != head.root:
            raise TamperError(
                f"the entries before {head.size} no longer hash to the root of checkpoint "
                f"{head.size} that the log signed ({state.path}): its history was rewritten",
                index=0,
            )
        return head

    # -- keys ------------------------------------------------------------------------------
    def org_verifiers(self) -> dict[tuple[str, bytes], tuple[Verifier, bool]]:
        """(org id, key ID) -> (verifier, is demo key) for every registered key."""
        if self._keys is None:
            self._keys = {}
            for org, vkey, keyid, _pub, demo in self.store.org_keys():
                self._keys[(org, bytes(keyid))] = (Verifier.from_vkey(vkey), demo)
        return self._keys

    def verifiers(self) -> dict[tuple[str, bytes], Verifier]:
        return {k: v for k, (v, _d) in self.org_verifiers().items()}

    def demo_keys(self) -> frozenset[tuple[str, bytes]]:
        return frozenset(k for k, (_v, demo) in self.org_verifiers().items() if demo)

    def register(self, org_id: str, signer_or_verifier: Signer | Verifier, *, demo: bool) -> bool:
        v = (
            signer_or_verifier.verifier
            if isinstance(signer_or_verifier, Signer)
            else signer_or_verifier
        )
        if v.name != org_id:
            raise SigningKeyError(f"key is named {v.name!r}, not {org_id!r}")
        added = self.store.register_key(org_id, v.vkey, v.key_id, v.public_key, demo=demo)
        self._keys = None
        return added

    # -- appending -------------------------------------------------------------------------
    def _context(self) -> AdmissionContext:
        return AdmissionContext(
            tuple(v.vkey for v in self.verifiers().values()),
            self.demo_keys(),
            self.store.registry(),
        )

    def append_entries(
        self,
        entries: Sequence[bytes],
        personal: Mapping[bytes, Sequence[tuple[str, bytes, Any]]] | None = None,
        *,
        pool: AdmissionPool | None = None,
        progress: Callable[[int], None] | None = None,
        sign: bool = True,
    ) -> AppendResult:
        """Admit and append signed entries in batches; each batch is one transaction.

        Returns what was accepted and what was already on the record. A batch is written only if
        every entry in it passes (signature, normal form, validation, references); batches
        before a failing one stay written (they were acknowledged), so re-running an interrupted
        submission completes it. With a ``pool`` (owned by the caller) large submissions are
        admitted in worker processes, a few batches ahead of the one being written. With
        ``sign``, a checkpoint over the new size is signed afterwards (when a log key is at hand).
        """
        if sign and entries:
            if self._log_signer() is None:
                where = self.keyring.path("log") if self.keyring else "no key folder"
                raise SigningKeyError(f"no log key to sign a checkpoint with ({where})")
            self.check_state()  # never extend a rolled-back or rewritten log
        total = AppendResult(tree_size=self.store.size())
        starts = batch_starts(len(entries), batch_limit(total.tree_size))
        chunks = [entries[a:b] for a, b in zip(starts, [*starts[1:], len(entries)], strict=False)]
        context = self._context()
        parallel = pool is not None and pool.workers > 0 and len(entries) >= PARALLEL_MIN
        ahead: deque[Future[list[Admitted] | tuple[int, str, str]]] = deque()
        # with a pool, each batch is admitted in tasks of ADMIT entries, a few tasks ahead
        step = min(ADMIT, BATCH)
        parts = [(k, j) for k, c in enumerate(chunks) for j in range(0, len(c), step)]
        submitted = done = 0
        keys = dict(self.verifiers())
        demo_keys, registry = context.demo_keys, context.registry
        # Everything built here is acyclic (freed by reference counting): pausing the cyclic
        # collector saves it from rescanning the growing batch, about half of validation time
        try:
            with gc_paused():
                for k, chunk in enumerate(chunks):
                    if not parallel:
                        admitted, failed = admit_entries(chunk, keys, demo_keys, registry)
                        if failed is not None:
                            i, exc = failed
                            error = RecordError if isinstance(exc, RecordError) else (
                                VerificationError
                            )
                            raise _at_entry(error, starts[k] + i, exc.message) from None
                    else:
                        assert pool is not None
                        admitted = []
                        for j in range(0, len(chunk), step):
                            while submitted < len(parts) and submitted <= done + AHEAD:
                                kk, jj = parts[submitted]
                                ahead.append(pool.submit(context, chunks[kk][jj : jj + step]))
                                submitted += 1
                            got = ahead.popleft().result()
                            done += 1
                            if isinstance(got, tuple):
                                i, kind, message = got
                                error = RecordError if kind == "record" else VerificationError
                                raise _at_entry(error, starts[k] + j + i, message)
                            admitted += got
                    ids, cols, signers, demo, names = (
                        zip(*admitted, strict=True) if admitted else ((),) * 5
                    )  # a tuple per field of Admitted, with no object made per entry
                    batch = IndexedBatch(
                        chunk,
                        ids,
                        cols,
                        signers,
                        demo,
                        [tuple(personal.get(e, ())) for e in chunk] if personal else [],
                        names,
                    )
                    # only a batch with an entry that names another needs the record's view
                    check = (
                        self._reference_check(starts[k], len(entries) > 1)
                        if names.count(None) != len(names)
                        else None
                    )
                    res = self.store.append_indexed(
                        batch,
                        extend_tree=self._extend,
                        leaf_hash=leaf_hash,
                        check=check,
                        # until a batch meets entries on the record (a re-run), none is looked
                        # up before it is inserted (the unique index on ids is the lookup)
                        expect_new=not total.duplicates,
                    )
                    total.accepted += res.accepted
                    total.duplicates += res.duplicates
                    total.tree_size = res.tree_size
                    if progress is not None:
                        progress(len(chunk))
        finally:
            for f in ahead:
                f.cancel()
        if sign and total.accepted:
            self.sign_checkpoint()
        return total

    def _reference_check(
        self, offset: int, many: bool
    ) -> Callable[[Connection, IndexedBatch, Sequence[int]], None]:
        """Admission's last step, run in the append transaction: the entries of a batch that
        name another entry, checked against the record (``offset``: the batch's position in
        the submission, for messages)."""

        def check(conn: Connection, new: IndexedBatch, at: Sequence[int]) -> None:
            check_references(
                list(zip(new.ids, new.columns, new.names, strict=True)),
                lambda ids, pairs: self.store.record_view(ids, pairs, conn=conn),
                where=lambda i: f"entry {offset + at[i]} of the submission" if many else None,
            )

        return check

    def _extend(self, conn: Connection, old_size: int, leaves: list[bytes]) -> None:
        TiledTree(_Tiles(self.store, conn), old_size).append(leaves)

    # -- reading the tree ------------------------------------------------------------------
    def tree(self, *, fresh: bool = False) -> TiledTree:
        """The tree at the stored size, its tiles cached across calls unless ``fresh``."""
        cache = None if fresh else self.tile_cache
        return TiledTree(_Tiles(self.store), self.store.size(), cache=cache)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return self.tree().inclusion_proof(index, size)

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        return self.tree().consistency_proof(old, new)

    # -- checkpoints -----------------------------------------------------------------------
    def latest_checkpoint(self) -> bytes:
        """The latest signed checkpoint with its witness cosignatures (a read: signs nothing).

        Raises NotFoundError when none has been signed yet.
        """
        latest = self.store.latest_checkpoint()
        if latest is None:
            raise NotFoundError("the log has no signed checkpoint yet")
        return self._with_cosignatures(latest[0], latest[2])

    def checkpoint_size(self) -> int:
        """The tree size of the latest signed checkpoint (0 when there is none)."""
        latest = self.store.latest_checkpoint()
        return 0 if latest is None else latest[0]

    def sign_checkpoint(self) -> bytes:
        """Sign a checkpoint over the current tree if it has grown (a write); return the latest.

        A new checkpoint is signed only by the log's registered key, and only after proving it
        consistent with the previous one in the database and with the latest one the log
        signed (its state file, which then advances).
        """
        state = self.state
        if state is None:
            return self._sign_checkpoint()
        with state.locked():
            return self._sign_checkpoint()

    def _sign_checkpoint(self) -> bytes:
        tree = self.tree()
        latest = self.store.latest_checkpoint()
        if latest is not None and latest[0] == tree.size:
            if self.state is not None:
                # a checkpoint the log signed but its state missed (a crash between the two
                # writes, or a log older than its state file): checked, then recorded
                cp = verify_checkpoint(latest[2].encode(), self.origin, self.verifier)
                if (cp.size, cp.root) == (latest[0], latest[1]):
                    self._advance_state(tree, cp.size, cp.root)
            return self._with_cosignatures(latest[0], latest[2])
        signer = self._log_signer()
        if signer is None:
            where = self.keyring.path("log") if self.keyring else "no key folder"
            raise SigningKeyError(f"no log key to sign a checkpoint with ({where})")
        self.check_state(tree)
        root = tree.root()
        if latest is not None:
            old_size, old_root, _ = latest
            if old_size > tree.size:
                raise TamperError(
                    f"the log has {tree.size} entries but checkpoint {old_size} was signed",
                    index=tree.size,
                )
            proof = tree.consistency_proof(old_size)
            merkle.verify_consistency(old_size, tree.size, old_root, root, proof)
        note = sign_checkpoint(Checkpoint(self.origin, tree.size, root), signer)
        # the database first, then the state: a crash in between leaves the state behind the
        # database (still consistent), never ahead of it
        try:
            self.store.add_checkpoint(tree.size, root, note.decode())
        except ConflictError:
            # another writer signed a larger tree meanwhile: it covers this one's entries
            newer = self.store.latest_checkpoint()
            if newer is None or newer[0] <= tree.size:
                raise
            return self._with_cosignatures(newer[0], newer[2])
        self._advance_state(tree, tree.size, root)
        return note

    def _advance_state(self, tree: TiledTree, size: int, root: bytes) -> None:
        """Record a checkpoint of the database in the state, once checked against it."""
        state = self.state
        if state is None:
            return
        head = state.get(self.origin)
        if head is not None and head.size >= size and head.vkey == self.verifier.vkey:
            return
        if self.keyring is None or not self.keyring.has("log"):
            return  # only the log's signer keeps its state
        self.check_state(tree)
        state.advance(self.origin, SignedHead(size, root, self.verifier.vkey))

    def verified_checkpoint(self) -> Checkpoint:
        """The latest signed checkpoint, its signature checked against the log's key."""
        return verify_checkpoint(self.latest_checkpoint(), self.origin, self.verifier)

    def with_cosignatures(self, size: int, note: str) -> bytes:
        """The stored checkpoint note of ``size`` with the witness cosignatures held for it."""
        return self._with_cosignatures(size, note)

    def _with_cosignatures(self, size: int, note: str) -> bytes:
        lines = self.store.cosignature_lines(size)
        return (
            note + "".join(line if line.endswith("\n") else line + "\n" for line in lines)
        ).encode()

    # -- tamper evidence -------------------------------------------------------------------
    def verify(self, *, progress: Callable[[int], None] | None = None) -> tuple[int, bytes]:
        """Check every stored entry against the log: see corridor.recording.audit.verify_log."""
        from corridor.recording.audit import verify_log

        return verify_log(self, progress=progress)
