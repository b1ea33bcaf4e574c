"""Witnesses: a cosignature key, and cosigning the log's latest checkpoint after checking it is
consistent with what this witness cosigned before (C2SP tlog-witness behaviour)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from corridor.errors import SigningKeyError
from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.cosignature import CosignatureSigner, Witness, WitnessState

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["WitnessCases", "witness_file"]


def witness_file(name: str) -> str:
    """A witness's key file name in the key folder: witness-NAME.key."""
    return f"witness-{name}"


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
        is replaced atomically, after the cosignature is stored."""
        signer = self.app.keyring.load_file(witness_file(name), CosignatureSigner)
        try:
            st = WitnessState.from_json(state.read_text()) if state.exists() else WitnessState()
        except OSError as exc:
            raise SigningKeyError(f"cannot read the witness state: {exc.strerror}") from None
        log = self.app.transparency_log()
        note = log.latest_checkpoint()
        witness = Witness(signer, {log.origin: log.verifier}, st)
        old = witness.size_of(log.origin)
        cp = verify_checkpoint(note, log.origin, log.verifier)
        proof = log.consistency_proof(old, cp.size) if old <= cp.size else []
        line = witness.cosign(note, proof, int(time.time()))
        self.app.store.add_cosignature(cp.size, signer.name, line.decode())
        tmp = state.with_suffix(state.suffix + ".tmp")
        tmp.write_text(witness.state.to_json())
        tmp.replace(state)
        return log.origin, cp.size
