"""Being a witness: a cosignature key, cosigning this database's latest checkpoint after checking
it is consistent with what the witness cosigned before, and answering other logs' C2SP
tlog-witness ``add-checkpoint`` requests (:meth:`WitnessCases.host`, served by ``corridor witness
serve``). The log's side, sending its checkpoints to witnesses, is :mod:`corridor.app.witnesses`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from corridor.errors import InputError, SigningKeyError
from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.cosignature import CosignatureSigner, Witness
from corridor.ledger.note import Verifier
from corridor.ledger.witnessing import AddCheckpoint, add_checkpoint
from corridor.recording.witness_state import WitnessStateFile

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["HostedWitness", "WitnessCases", "witness_file"]


def witness_file(name: str) -> str:
    """A witness's key file name in the key folder: witness-NAME.key."""
    return f"witness-{name}"


class HostedWitness:
    """A witness answering ``add-checkpoint`` requests for the logs it follows (origin → the
    log's verifier key), its state in one file updated under one lock per request."""

    def __init__(
        self, signer: CosignatureSigner, logs: dict[str, Verifier], state: WitnessStateFile
    ) -> None:
        self.signer = signer
        self.logs = logs
        self.state = state

    @property
    def name(self) -> str:
        return self.signer.name

    @property
    def vkey(self) -> str:
        return self.signer.vkey

    def add_checkpoint(self, body: bytes, now: int | None = None) -> bytes:
        """Answer one request body with the cosignature line; the state is on disk before this
        returns. Raises :class:`corridor.ledger.witnessing.WitnessRefusal` (its ``status`` is the
        HTTP status C2SP tlog-witness gives)."""
        request = AddCheckpoint.parse(body)
        with self.state.update() as state:
            witness = Witness(self.signer, self.logs, state)
            return add_checkpoint(witness, request, int(time.time()) if now is None else now)


class WitnessCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def new(self, name: str) -> tuple[Path, str]:
        """Make a witness cosignature key (Ed25519, type 0x04); return its file and vkey."""
        ring = self.app.keyring
        fname = witness_file(name)
        if ring.has(fname):
            raise SigningKeyError(f"{ring.path(fname)} exists; not replacing a private key")
        signer = CosignatureSigner.generate(name)
        return ring.save(signer, filename=fname), signer.vkey

    def key(self, name: str) -> str:
        return self.app.keyring.load_file(witness_file(name), CosignatureSigner).vkey

    def cosign(self, name: str, state: Path) -> tuple[str, int]:
        """Cosign the latest signed checkpoint if it is consistent with the state file (what
        this witness cosigned before); refuse a split view (VerificationError). The state file
        is replaced atomically, under its lock, after the cosignature is stored."""
        signer = self.app.keyring.load_file(witness_file(name), CosignatureSigner)
        log = self.app.transparency_log()
        note = log.latest_checkpoint()
        with WitnessStateFile(state).update() as st:
            witness = Witness(signer, {log.origin: log.verifier}, st)
            old = witness.size_of(log.origin)
            cp = verify_checkpoint(note, log.origin, log.verifier)
            proof = log.consistency_proof(old, cp.size) if old <= cp.size else []
            line = witness.cosign(note, proof, int(time.time()))
            self.app.store.add_cosignature(cp.size, signer.name, line.decode())
        return log.origin, cp.size

    def state_path(self, name: str) -> Path:
        """Where a served witness keeps its state by default: witness-NAME.state in the key
        folder, beside its key."""
        return self.app.keyring.folder / f"{witness_file(name)}.state"

    def host(self, name: str, log_vkeys: Sequence[str], state: Path | None = None) -> HostedWitness:
        """The witness ``name`` (key file witness-NAME.key) following the logs whose verifier
        keys are given (each log's origin is its key's name), its state in ``state``."""
        signer = self.app.keyring.load_file(witness_file(name), CosignatureSigner)
        logs: dict[str, Verifier] = {}
        for vkey in log_vkeys:
            v = Verifier.from_vkey(vkey)
            if v.name in logs and logs[v.name] != v:
                raise InputError(f"two keys for the log {v.name!r}; a witness trusts one")
            logs[v.name] = v
        if not logs:
            raise InputError("a witness needs at least one log to follow (its verifier key)")
        return HostedWitness(signer, logs, WitnessStateFile(state or self.state_path(name)))
