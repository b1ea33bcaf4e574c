"""The recorder: sign observations with their reporters' keys and append them to the log.

It knows nothing of cases or files: it takes validated observations, signs each with its
reporter's private key (from the key folder, or a DEMO key for a built-in case's reporters),
keeps personal values aside (the entry holds only their salted commitments) and appends through
:class:`~corridor.recording.tlog.TransparencyLog`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from corridor.ledger import entry as ledger_entry
from corridor.ledger.note import Signer
from corridor.model import Observation
from corridor.recording.admission import AdmissionPool
from corridor.recording.keyring import Keyring, check_registered, demo_signer
from corridor.recording.tlog import TransparencyLog
from corridor.store.api import AppendResult
from corridor.store.sql import SqlStore

__all__ = ["Recorder"]


class Recorder:
    """Sign observations with their reporters' keys and append them through the log."""

    def __init__(
        self,
        store: SqlStore,
        keyring: Keyring,
        *,
        demo_orgs: frozenset[str] = frozenset(),
        pool: AdmissionPool | None = None,
    ) -> None:
        self.store = store
        self.keyring = keyring
        self.log = TransparencyLog(store, keyring)
        self.demo_orgs = demo_orgs
        self.pool = pool
        self._signers: dict[str, Signer] = {}

    def signer(self, org: str) -> Signer:
        """The reporter's signer: a DEMO key for a built-in case's organisations, else the key
        file ``<org>.key``, which must hold a key registered for ``org`` (registration is on
        purpose, never a side effect of signing: SigningKeyError otherwise)."""
        s = self._signers.get(org)
        if s is None:
            if org in self.demo_orgs:
                s = demo_signer(org)
            else:
                s = self.keyring.load(org)
                registered = [v for o, v, *_ in self.store.org_keys() if o == org]
                check_registered(s, registered, self.keyring.path(org))
            self._signers[org] = s
        return s

    def prepare(self, obs: Observation) -> tuple[bytes, list[tuple[str, bytes, Any]]]:
        """The signed entry for an observation, and its personal values with their salts."""
        return ledger_entry.prepare_entry(
            obs.content(), obs.personal(), self.signer(obs.reporter)
        )

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
        appended = self.log.append_entries(entries, personal, pool=self.pool, progress=progress)
        result.accepted = appended.accepted
        result.duplicates += appended.duplicates
        result.tree_size = appended.tree_size or self.store.size()
        return result
