"""A served witness under concurrent add-checkpoint requests (the race C2SP tlog-witness warns
of): checking the old size and persisting the new one are one step, so the state only grows,
ends at the largest checkpoint, and every 200 answer was given from the state it names."""

from __future__ import annotations

import threading
from pathlib import Path

from corridor.app.witness import HostedWitness
from corridor.ledger import merkle
from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint
from corridor.ledger.cosignature import CosignatureSigner
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.note import Signer
from corridor.ledger.witnessing import AddCheckpoint, WitnessRefusal
from corridor.recording.witness_state import WitnessStateFile

ORIGIN = "corridor.example/log/race"
LOG = Signer.from_seed(ORIGIN, bytes(32))
W = CosignatureSigner.from_seed("witness.example/race", b"r" * 32)
LEAVES = [leaf_hash(b"entry %d" % i) for i in range(200)]
TREE = merkle.LeafHashReader(LEAVES)


def note(size: int) -> bytes:
    root = merkle.LeafHashReader(LEAVES[:size]).root()
    return sign_checkpoint(Checkpoint(ORIGIN, size, root), LOG)


def body(old: int, size: int) -> bytes:
    proof = merkle.consistency_proof(old, size, merkle.LeafHashReader(LEAVES[:size])) if old else []
    return AddCheckpoint(old, tuple(proof), note(size)).encode()


class TestHostedWitness:
    def test_racing_requests_never_roll_the_state_back(self, tmp_path: Path) -> None:
        state = WitnessStateFile(tmp_path / "w.state")
        witness = HostedWitness(W, {ORIGIN: LOG.verifier}, state)
        cosigned: list[tuple[int, int]] = []  # (old, size) of each 200
        lock = threading.Lock()

        def submit(size: int) -> None:
            old = 0
            for _ in range(100):
                try:
                    witness.add_checkpoint(body(old, size), now=1)
                except WitnessRefusal as exc:
                    assert exc.status == 409 and exc.size is not None, exc.message
                    if exc.size > size:
                        return  # the witness is past this checkpoint already
                    old = exc.size  # retry from the witness's size, as a log does
                    continue
                with lock:
                    cosigned.append((old, size))
                return

        threads = [threading.Thread(target=submit, args=(s,)) for s in range(10, 201, 10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert state.read().logs[ORIGIN][0] == 200
        # each 200 extended the state it was checked against: the answers chain from 0 to 200
        chain = {old: size for old, size in cosigned if old != size}
        at, seen = 0, [0]
        while at in chain:
            at = chain[at]
            seen.append(at)
        assert at == 200
        assert seen == sorted(seen)
