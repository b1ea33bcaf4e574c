"""Putting observations on the record: sign, append to the log, sign a checkpoint.

This is the one write path for observations. :class:`Ledger` joins the SQL store and the pure
ledger core: it verifies each entry's reporter signature against the registered keys, indexes
the entry, extends the Merkle tree's tiles in the same transaction, and signs a checkpoint that
it has first checked to be consistent with the previous one. :class:`Recorder` turns validated
:class:`~corridor.model.Observation` objects into signed entries with the reporters' keys.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection

from corridor.cases.loader import Case
from corridor.errors import (
    RecordError,
    SigningKeyError,
    StoreError,
    TamperError,
    VerificationError,
)
from corridor.gcpause import gc_paused
from corridor.keyring import Keyring, demo_signer
from corridor.ledger import entry as ledger_entry
from corridor.ledger import merkle
from corridor.ledger.canonical import canonical
from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.note import Signer, Verifier
from corridor.ledger.tiles import TileCache, TiledTree, TileKey
from corridor.model import Observation, Registry, record_error_from
from corridor.store.api import AppendResult
from corridor.store.sql import INDEX_COLUMNS, IndexedEntry, SqlStore, index_columns

__all__ = ["Ledger", "LogInfo", "Recorder", "init_log", "load_case_into"]

BATCH = 2000
AHEAD = 2  # batches being verified ahead of the one being written
PARALLEL_MIN = 4 * BATCH  # below this, starting worker processes costs more than it saves

Admitted = tuple[str, tuple[Any, ...], tuple[str, ...], bool]
"""What admission yields for an entry: (observation id, index columns, signers, demo-signed)."""


def admit_entry(
    entry: bytes,
    keys: Mapping[tuple[str, bytes], Verifier],
    demo_keys: frozenset[tuple[str, bytes]],
    registry: Registry,
) -> Admitted:
    """The one gate into the log: check an entry and derive what the store indexes.

    Verifies the framing and every signature (the first by the reporter), validates the
    observation, requires the signed bytes to be its normal form (the RFC 8785 canonical JSON of
    the validated observation, so one fact has one id however it arrived) and checks that every
    id it names exists. Raises VerificationError or RecordError.
    """
    m, content, sigs = ledger_entry.open_entry(entry, keys, strict=False)
    personal = content.pop("personal", None)
    try:
        # from the signed bytes when they hold only the observation (the faster path)
        obs = (
            Observation.model_validate_json(m)
            if personal is None
            else Observation.model_validate(content)
        )
    except ValidationError as exc:
        raise record_error_from(exc, "entry") from None
    normal = obs.canonical
    if personal is not None:
        normal = canonical({**obs.content(), "personal": personal})
    if normal != m:
        raise VerificationError(
            "entry: the signed observation is not in normal form (the RFC 8785 canonical "
            "JSON of the validated observation, without empty or null fields)"
        )
    registry.check(obs)
    demo = any((s.signer, s.key_id) in demo_keys for s in sigs)
    return obs.id, index_columns(obs), tuple(s.signer for s in sigs), demo


# worker-process state: what admission needs, set once per worker
_worker: dict[str, Any] = {}


def _init_worker(
    vkeys: Sequence[str], demo_keys: frozenset[tuple[str, bytes]], registry: Registry
) -> None:
    _worker["keys"] = ledger_entry.keyring(Verifier.from_vkey(k) for k in vkeys)
    _worker["demo"] = demo_keys
    _worker["registry"] = registry


def _admit_chunk(entries: Sequence[bytes]) -> list[Admitted] | tuple[int, str, str]:
    """Admit a chunk in a worker; on the first failure return (position, kind, message)."""
    out: list[Admitted] = []
    with gc_paused():
        for i, e in enumerate(entries):
            try:
                out.append(admit_entry(e, _worker["keys"], _worker["demo"], _worker["registry"]))
            except RecordError as exc:
                return i, "record", exc.message
            except VerificationError as exc:
                return i, "verification", exc.message
    return out




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
        # one primary-key lookup per tile on one connection: SQLite plans the store's
        # multi-key `(level, idx) IN (...)` as a scan of the whole tile table
        out: dict[TileKey, bytes] = {}
        with self.store.read(self.conn) as conn:
            for key in keys:
                out.update(self.store.read_tiles([key], conn))
        return out

    def write_tiles(self, tiles: Mapping[TileKey, bytes], /) -> None:
        if self.conn is None:
            raise StoreError("tiles are written only inside an append transaction")
        self.store.write_tiles(self.conn, tiles)


def init_log(
    store: SqlStore, keyring: Keyring, *, origin: str | None = None, demo: bool = False
) -> LogInfo:
    """Give the database a log identity (origin and checkpoint key), once.

    With ``demo`` the log key is a deterministic DEMO key and is not written to disk.
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
    store.set_meta(
        {"log_origin": origin, "log_vkey": signer.vkey, "log_demo": "1" if demo else "0"}
    )
    return LogInfo(origin, signer.vkey, path, demo)


class Ledger:
    """The log over a SQL store: append, prove, checkpoint, verify."""

    def __init__(
        self, store: SqlStore, keyring: Keyring | None = None, *, workers: int | None = None
    ) -> None:
        self.store = store
        self.keyring = keyring
        env = os.environ.get("CORRIDOR_VERIFY_WORKERS")
        default = os.cpu_count() or 1  # workers admit; this process writes
        self.workers = workers if workers is not None else (int(env) if env else default)
        self._keys: dict[tuple[str, bytes], tuple[Verifier, bool]] | None = None
        self._plain: dict[tuple[str, bytes], Verifier] | None = None
        self._tile_cache = TileCache()  # keyed by tile width: never stale across writers

    # -- identity --------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        o = self.store.get_meta("log_origin")
        if o is None:
            raise StoreError("this database has no log yet; run `corridor init`")
        return o

    @property
    def verifier(self) -> Verifier:
        v = self.store.get_meta("log_vkey")
        if v is None:
            raise StoreError("this database has no log yet; run `corridor init`")
        return Verifier.from_vkey(v)

    def _log_signer(self) -> Signer | None:
        if self.store.get_meta("log_demo") == "1":
            return demo_signer(self.origin)
        if self.keyring is not None and self.keyring.has("log"):
            return self.keyring.load_log()
        return None

    # -- keys ------------------------------------------------------------------------------
    def org_verifiers(self) -> dict[tuple[str, bytes], tuple[Verifier, bool]]:
        """(org id, key ID) -> (verifier, is demo key) for every registered key."""
        if self._keys is None:
            self._keys = {}
            for org, vkey, keyid, _pub, demo in self.store.org_keys():
                self._keys[(org, bytes(keyid))] = (Verifier.from_vkey(vkey), demo)
        return self._keys

    def _verifiers(self) -> dict[tuple[str, bytes], Verifier]:
        if self._plain is None:
            self._plain = {k: v for k, (v, _d) in self.org_verifiers().items()}
        return self._plain

    def register(self, org_id: str, signer_or_verifier: Signer | Verifier, *, demo: bool) -> bool:
        v = (
            signer_or_verifier.verifier
            if isinstance(signer_or_verifier, Signer)
            else signer_or_verifier
        )
        if v.name != org_id:
            raise SigningKeyError(f"key is named {v.name!r}, not {org_id!r}")
        added = self.store.register_key(org_id, v.vkey, v.key_id, v.public_key, demo=demo)
        self._keys = self._plain = None
        return added

    # -- appending -------------------------------------------------------------------------
    def _admit(self, entries: Sequence[bytes]) -> list[Admitted]:
        """Admit entries in this process (see :func:`admit_entry`)."""
        keys, demo, registry = self._verifiers(), self._demo_keys(), self.store.registry()
        return [admit_entry(e, keys, demo, registry) for e in entries]

    def _demo_keys(self) -> frozenset[tuple[str, bytes]]:
        return frozenset(k for k, (_v, demo) in self.org_verifiers().items() if demo)

    def _pool(self, n: int) -> ProcessPoolExecutor | None:
        """Worker processes that admit (verify, validate, index) batches ahead of the writer."""
        if self.workers < 1 or n < PARALLEL_MIN:
            return None
        vkeys = [v.vkey for v in self._verifiers().values()]
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_worker,
            initargs=(vkeys, self._demo_keys(), self.store.registry()),
        )

    def append_entries(
        self,
        entries: Sequence[bytes],
        personal: Mapping[bytes, Sequence[tuple[str, bytes, Any]]] | None = None,
        *,
        progress: Callable[[int], None] | None = None,
        sign_checkpoint: bool = True,
    ) -> AppendResult:
        """Verify and append signed entries in batches; each batch is one transaction.

        Returns what was accepted and what was already on the record. A batch is written only if
        every entry in it passes (signature, normal form, validation, references); batches
        before a failing one stay written (they were acknowledged), so re-running an interrupted
        submission completes it. Large submissions verify signatures in worker processes, a
        few batches ahead of the one being validated and written.
        """
        total = AppendResult(tree_size=self.store.size())
        chunks = [entries[i : i + BATCH] for i in range(0, len(entries), BATCH)]
        pool = self._pool(len(entries))
        ahead: deque[Future[list[Admitted] | tuple[int, str, str]]] = deque()
        submitted = 0
        # Everything built here is acyclic (freed by reference counting): pausing the cyclic
        # collector saves it from rescanning the growing batch, about half of validation time
        try:
            with gc_paused():
                for k, chunk in enumerate(chunks):
                    if pool is None:
                        admitted = self._admit(chunk)
                    else:
                        while submitted < len(chunks) and submitted <= k + AHEAD:
                            ahead.append(pool.submit(_admit_chunk, chunks[submitted]))
                            submitted += 1
                        got = ahead.popleft().result()
                        if isinstance(got, tuple):
                            i, kind, message = got
                            error = RecordError if kind == "record" else VerificationError
                            raise error(f"entry {k * BATCH + i} of the submission: {message}")
                        admitted = got
                    extra = personal or {}
                    items = [
                        IndexedEntry(e, oid, cols, signers, demo, tuple(extra.get(e, ())))
                        for e, (oid, cols, signers, demo) in zip(chunk, admitted, strict=True)
                    ]
                    res = self.store.append_indexed(
                        items, extend_tree=self._extend, leaf_hash=leaf_hash
                    )
                    total.accepted += res.accepted
                    total.duplicates += res.duplicates
                    total.tree_size = res.tree_size
                    if progress is not None:
                        progress(len(chunk))
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        if sign_checkpoint and total.accepted:
            self.checkpoint()
        return total

    def _extend(self, conn: Connection, old_size: int, leaves: list[bytes]) -> None:
        TiledTree(_Tiles(self.store, conn), old_size).append(leaves)

    # -- reading the tree ------------------------------------------------------------------
    def tree(self, *, fresh: bool = False) -> TiledTree:
        """The tree at the stored size, its tiles cached across calls unless ``fresh``."""
        cache = None if fresh else self._tile_cache
        return TiledTree(_Tiles(self.store), self.store.size(), cache=cache)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return self.tree().inclusion_proof(index, size)

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        return self.tree().consistency_proof(old, new)

    # -- checkpoints -----------------------------------------------------------------------
    def checkpoint(self) -> bytes:
        """The latest signed checkpoint, signing a new one if the tree has grown.

        A new checkpoint is signed only after proving it consistent with the previous one.
        """
        tree = self.tree()
        latest = self.store.latest_checkpoint()
        if latest is not None and latest[0] == tree.size:
            return self._with_cosignatures(latest[0], latest[2])
        signer = self._log_signer()
        if signer is None:
            if latest is None:
                raise SigningKeyError(
                    "no checkpoint yet and no log key to sign one "
                    f"({self.keyring.path('log') if self.keyring else 'no key folder'})"
                )
            return self._with_cosignatures(latest[0], latest[2])
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
        self.store.add_checkpoint(tree.size, root, note.decode())
        return note

    def _with_cosignatures(self, size: int, note: str) -> bytes:
        lines = self.store.cosignature_lines(size)
        return (
            note + "".join(line if line.endswith("\n") else line + "\n" for line in lines)
        ).encode()

    # -- tamper evidence -------------------------------------------------------------------
    def verify(self, *, progress: Callable[[int], None] | None = None) -> tuple[int, bytes]:
        """Check every stored entry against the log; raise TamperError naming the first bad one.

        Recomputes each leaf hash from the stored entry bytes, re-derives the index columns,
        re-verifies the reporter's signature, rebuilds the tree and compares its root with the
        latest signed checkpoint (whose signature is checked) and the stored tiles.
        """
        keys, demo, registry = self._verifiers(), self._demo_keys(), self.store.registry()
        size = self.store.size()
        leaves: list[bytes] = []
        expected_index = 0
        for index, entry, stored_leaf, oid, cols in self.store.entries():
            if index != expected_index:
                raise TamperError(
                    f"entry {expected_index}: missing from the database", index=expected_index
                )
            expected_index += 1
            lh = leaf_hash(entry)
            if lh != stored_leaf:
                raise TamperError(
                    f"entry {index}: its bytes do not match the leaf hash in the log", index=index
                )
            try:
                derived_id, derived_cols, _signers, _demo = admit_entry(entry, keys, demo, registry)
            except (VerificationError, RecordError) as exc:
                raise TamperError(f"entry {index}: {exc}", index=index) from None
            for k, stored, derived in zip(
                ("id", *INDEX_COLUMNS), (oid, *cols), (derived_id, *derived_cols), strict=True
            ):
                if stored != derived:
                    raise TamperError(
                        f"entry {index}: stored column {k}={stored!r} differs from the signed "
                        f"entry ({derived!r})",
                        index=index,
                    )
            leaves.append(lh)
            if progress is not None:
                progress(1)
        if expected_index != size:
            raise TamperError(
                f"entry {expected_index}: missing from the database", index=expected_index
            )
        root = merkle.root_from_leaves(leaves)
        tree = self.tree(fresh=True)  # the stored tiles as they are now, not as cached
        try:
            tiles_root = tree.root()
        except StoreError as exc:
            raise TamperError(f"tiles: {exc}") from None
        if tiles_root != root:
            # name the first leaf whose tile hash differs
            for i, lh in enumerate(leaves):
                if tree.leaf_hash(i) != lh:
                    raise TamperError(f"entry {i}: the tree's stored leaf hash differs", index=i)
            raise TamperError("the stored tiles' inner hashes differ from the entries' tree")
        latest = self.store.latest_checkpoint()
        if latest is not None:
            cp = verify_checkpoint(latest[2].encode(), self.origin, self.verifier)
            if cp.size > size:
                raise TamperError(
                    f"checkpoint {cp.size} was signed but only {size} entries remain", index=size
                )
            if merkle.root_from_leaves(leaves[: cp.size]) != cp.root:
                raise TamperError(f"the entries no longer match signed checkpoint {cp.size}")
        return size, root


class Recorder:
    """Sign observations with their reporters' keys and append them through the :class:`Ledger`."""

    def __init__(
        self, store: SqlStore, keyring: Keyring, *, demo_orgs: frozenset[str] = frozenset()
    ) -> None:
        self.store = store
        self.keyring = keyring
        self.ledger = Ledger(store, keyring)
        self.demo_orgs = demo_orgs
        self._signers: dict[str, Signer] = {}

    def signer(self, org: str) -> Signer:
        s = self._signers.get(org)
        if s is None:
            if org in self.demo_orgs:
                s = demo_signer(org)
            else:
                s = self.keyring.load(org)
                if not any(k.vkey == s.vkey for k in self.store.registry().organisations[org].keys):
                    self.ledger.register(org, s, demo=False)
            self._signers[org] = s
        return s

    def prepare(self, obs: Observation) -> tuple[bytes, list[tuple[str, bytes, Any]]]:
        """The signed entry for an observation, and its personal values with their salts."""
        content = obs.content()
        personal_rows: list[tuple[str, bytes, Any]] = []
        values = obs.personal()
        if values:
            commitments = {}
            for field, value in sorted(values.items()):
                salt = ledger_entry.new_salt()
                commitments[field] = ledger_entry.commit_personal(value, salt)
                personal_rows.append((field, salt, value))
            content["personal"] = commitments
        sig = ledger_entry.sign_observation(content, self.signer(obs.reporter))
        return ledger_entry.make_entry(content, [sig]), personal_rows

    def submit(
        self, observations: Sequence[Observation], *, progress: Callable[[int], None] | None = None
    ) -> AppendResult:
        """Sign and append; duplicates (same id already on the record) are reported, not added."""
        registry = self.store.registry()
        for o in observations:
            registry.check(o)
        present = self.store.existing_ids(o.id for o in observations)
        entries: list[bytes] = []
        personal: dict[bytes, list[tuple[str, bytes, Any]]] = {}
        result = AppendResult()
        seen: set[str] = set()
        for o in observations:
            if o.id in present or o.id in seen:
                result.duplicates.append(o.id)
                continue
            seen.add(o.id)
            e, rows = self.prepare(o)
            entries.append(e)
            if rows:
                personal[e] = rows
        appended = self.ledger.append_entries(entries, personal, progress=progress)
        result.accepted = appended.accepted
        result.duplicates += appended.duplicates
        result.tree_size = appended.tree_size or self.store.size()
        return result


def load_case_into(store: SqlStore, keyring: Keyring, case: Case) -> AppendResult:
    """Put a case's entities in the store and its observations through the log.

    Built-in cases (and case files marked ``synthetic``/demo) sign with DEMO keys, registered
    as such; the log then gets a DEMO checkpoint key too if it has none.
    """
    from corridor.cases import BUILTIN

    demo = case.name in BUILTIN and case.path.parent == BUILTIN[case.name]
    store.put_entities(case.organisations, case.places, case.routes, case.checkpoints)
    if store.get_meta("log_origin") is None:
        init_log(store, keyring, demo=demo)
    recorder = Recorder(
        store,
        keyring,
        demo_orgs=frozenset(o.id for o in case.organisations) if demo else frozenset(),
    )
    if demo:
        for org in {o.reporter for o in case.observations}:
            recorder.ledger.register(org, demo_signer(org), demo=True)
    return recorder.submit(case.observations)
