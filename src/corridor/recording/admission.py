"""Admission: the one gate an entry passes before it is stored in the log.

:func:`admit_entry` checks a signed entry and derives what the store indexes; an entry that
names another (a correction, a retraction, an attestation) is then checked against the record by
:func:`check_references`, in the transaction that appends it. Large submissions
are admitted in worker processes ahead of the writer, by an :class:`AdmissionPool` that its
owner (the application, or one bulk command) starts once and shuts down when it closes; each task
carries the keys and registry it is checked against, so a pool that lives long never checks
against stale keys.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from corridor.errors import ConflictError, RecordError, VerificationError
from corridor.ledger import entry as ledger_entry
from corridor.ledger.canonical import canonical
from corridor.ledger.note import Verifier
from corridor.model import Observation, Registry, record_error_from
from corridor.model.gcpause import gc_paused
from corridor.model.history import Entry, History, names_another
from corridor.recording.fastpath import FastAdmitted, fast_admit_entry
from corridor.store.columns import entry_of_columns
from corridor.store.sql import index_columns

__all__ = [
    "AdmissionContext",
    "AdmissionPool",
    "Admitted",
    "ViewLoader",
    "admit_entries",
    "admit_entry",
    "check_references",
]

Admitted = tuple[str, tuple[Any, ...], tuple[str, ...], bool, Entry | None]
"""What admission yields for an entry: (observation id, index columns, signers, demo-signed,
what it says of another entry if it names one)."""

ViewLoader = Callable[[Collection[str], Collection[tuple[str, str]]], History]
"""Loads what the record holds about some entries (ids) and (organisation, observation) pairs:
:meth:`corridor.store.sql.SqlStore.record_view`."""


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
    id it names exists in the registry. Raises VerificationError or RecordError. What the entry
    says of another entry is returned for :func:`check_references`.
    """
    # The common case (a fact observation in normal form, no personal fields, framed and
    # signed in canonical form), decided several times faster with the same verdict
    # (fastpath.py); anything else, and every failure, takes the full path, which gives the
    # error.
    fast = fast_admit_entry(entry, registry)
    if fast is not None and ledger_entry.signatures_verify(fast[3], fast[4], fast[2], keys):
        return _fast_admitted(fast, demo_keys)
    return _admit_full(entry, keys, demo_keys, registry)


BLOCK = 256
"""Entries :func:`admit_entries` takes through each of its steps at a time."""


def admit_entries(
    entries: Sequence[bytes],
    keys: Mapping[tuple[str, bytes], Verifier],
    demo_keys: frozenset[tuple[str, bytes]],
    registry: Registry,
) -> tuple[list[Admitted], tuple[int, RecordError | VerificationError] | None]:
    """:func:`admit_entry` of each entry, in order: what was admitted, up to the first entry
    that was not, and that entry's position and error (None when all were admitted).

    The same verdicts, reached in steps over blocks of BLOCK entries: the fast path's checks of
    every entry of a block, then the signatures of those it took, one after the other, then
    the full path for the others. Verifying one signature after another keeps the
    verification's code and tables in the processor's caches, about 1 µs an entry (2 %) less
    than interleaving it with the rest of admission."""
    out: list[Admitted] = []
    admit = out.append
    verify = ledger_entry.signatures_verify
    for a in range(0, len(entries), BLOCK):
        block = entries[a : a + BLOCK]
        fasts = [fast_admit_entry(e, registry) for e in block]
        verified = [f is not None and verify(f[3], f[4], f[2], keys) for f in fasts]
        for i, (e, f, ok) in enumerate(zip(block, fasts, verified, strict=True)):
            if ok and f is not None:
                admit(_fast_admitted(f, demo_keys))
                continue
            try:
                admit(_admit_full(e, keys, demo_keys, registry))
            except (RecordError, VerificationError) as exc:
                return out, (a + i, exc)
    return out, None


def _fast_admitted(fast: FastAdmitted, demo_keys: frozenset[tuple[str, bytes]]) -> Admitted:
    """What admission yields for an entry the fast path took and whose signatures verify."""
    oid, cols, _reporter, _m, sigs = fast
    if len(sigs) == 1:  # the common case, without building generators
        s = sigs[0]
        return oid, cols, (s.signer,), (s.signer, s.keyid) in demo_keys, None
    demo = any((s.signer, s.keyid) in demo_keys for s in sigs)
    return oid, cols, tuple(s.signer for s in sigs), demo, None


def _admit_full(
    entry: bytes,
    keys: Mapping[tuple[str, bytes], Verifier],
    demo_keys: frozenset[tuple[str, bytes]],
    registry: Registry,
) -> Admitted:
    """Admission by the model: every entry the fast path does not take, and every failure."""
    m, content, signed = ledger_entry.open_entry(entry, keys, strict=False)
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
    demo = any((s.signer, s.key_id) in demo_keys for s in signed)
    e = Entry.of(obs) if names_another(obs) else None
    return obs.id, index_columns(obs), tuple(s.signer for s in signed), demo, e


def check_references(
    items: Sequence[tuple[str, tuple[Any, ...], Entry | None]],
    load: ViewLoader,
    *,
    where: Callable[[int], str | None] = lambda i: None,
) -> None:
    """Check the entries of a batch that name another entry against the record and the
    batch's earlier entries (docs/record.md): only its reporter corrects or retracts an
    observation, a correction keeps its type, names the current version, and so on
    (:func:`corridor.model.history.check_entry`).

    ``items`` are (id, index columns, what it names) in log order; ``load`` reads what the
    record holds about the ids and pairs named; ``where(i)`` names item i in an error. Raises
    RecordError, or ConflictError when another version came first.
    """
    named = [e for _i, _c, e in items if e is not None]
    if not named:
        return
    batch = {oid for oid, _c, _e in items}
    ids = {x for e in named for x in (e.supersedes, e.attests) if x is not None} - batch
    pairs = {(e.reporter, e.attests) for e in named if e.attests is not None}
    history = load(ids, pairs)
    for i, (oid, cols, e) in enumerate(items):
        try:
            history.add(e if e is not None else entry_of_columns(oid, cols))
        except RecordError as exc:
            raise RecordError(exc.reason, field=exc.field, where=where(i)) from None
        except ConflictError as exc:
            at = where(i)
            raise ConflictError(f"{at}: {exc.message}" if at else exc.message) from None


@dataclass(frozen=True)
class AdmissionContext:
    """What entries are admitted against: the registered keys (vkeys), which are demo keys,
    and the registry. ``token`` changes whenever any of them does."""

    vkeys: tuple[str, ...]
    demo_keys: frozenset[tuple[str, bytes]]
    registry: Registry

    @property
    def token(self) -> int:
        return hash((self.vkeys, self.demo_keys, id(self.registry)))


# worker-process state: the context last seen, by token
_worker: dict[str, Any] = {}


def _init_worker() -> None:
    # A worker dies with its parent: SIGINT is the parent's to handle, and on Linux the kernel
    # sends SIGTERM to the worker when the parent exits, even by SIGKILL.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() == 1:  # pragma: no cover - the parent died before prctl took effect
        os._exit(1)


def _admit_chunk(
    token: int, context: AdmissionContext, entries: Sequence[bytes]
) -> list[Admitted] | tuple[int, str, str]:
    """Admit a chunk in a worker; on the first failure return (position, kind, message)."""
    if _worker.get("token") != token:
        _worker["token"] = token
        _worker["keys"] = ledger_entry.keyring(Verifier.from_vkey(k) for k in context.vkeys)
        _worker["demo"] = context.demo_keys
        _worker["registry"] = context.registry
    with gc_paused():
        out, failed = admit_entries(entries, _worker["keys"], _worker["demo"], _worker["registry"])
    if failed is not None:
        i, exc = failed
        return i, "record" if isinstance(exc, RecordError) else "verification", exc.message
    return out


class AdmissionPool:
    """Worker processes that admit batches of entries ahead of the writer.

    Started on first use and kept until :meth:`close`; its owner decides its size (0 admits in
    the calling process). Each task names the context it is admitted against; a worker reloads
    the keys and registry only when the context changed.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(0, workers)
        self._executor: ProcessPoolExecutor | None = None

    def submit(
        self, context: AdmissionContext, entries: Sequence[bytes]
    ) -> Future[list[Admitted] | tuple[int, str, str]]:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_init_worker,
            )
        # The context goes with every task (it is small beside 2,000 signatures); a worker
        # parses the keys again only when the token changed.
        return self._executor.submit(_admit_chunk, context.token, context, entries)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> AdmissionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
