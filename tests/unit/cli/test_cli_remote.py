"""The CLI's remote mode: what it checks itself of a server's answers."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from corridor.app import shapes
from corridor.cli.remote import proof_checks
from corridor.errors import VerificationError
from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.merkle import LeafHashReader, inclusion_proof
from corridor.ledger.note import Signer

LOG = Signer.from_seed("test.example/log", bytes(range(32)))
SERVER = "http://127.0.0.1:9"


def bundle(index: int = 3, size: int = 7) -> dict[str, Any]:
    leaves = [leaf_hash(b"entry %d (synthetic)" % i) for i in range(size)]
    tree = LeafHashReader(leaves)
    note = sign_checkpoint(Checkpoint("test.example/log", size, tree.root()), LOG)
    proof = inclusion_proof(index, size, tree)
    return shapes.proof_bundle(index, size, leaves[index], proof, note)


def flip(b64: str) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def test_a_sound_proof_passes() -> None:
    proof_checks(bundle(), SERVER)
    proof_checks(bundle(0, 1), SERVER)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda b: {**b, "leaf_hash": flip(b["leaf_hash"])}, "sent a bad proof"),
        (lambda b: {**b, "hashes": [flip(b["hashes"][0]), *b["hashes"][1:]]}, "sent a bad proof"),
        (lambda b: {**b, "hashes": b["hashes"][:-1]}, "sent a bad proof"),
        (lambda b: {**b, "log_index": 4}, "sent a bad proof"),
        (lambda b: {**b, "tree_size": 8}, "tree size 8 with a checkpoint of size 7"),
        (lambda b: {**b, "checkpoint": "garbage"}, "bad checkpoint"),
        (lambda b: {k: v for k, v in b.items() if k != "hashes"}, "malformed"),
        (lambda b: {**b, "leaf_hash": "not base64!"}, "malformed"),
    ],
)
def test_a_proof_that_does_not_lead_to_the_root_is_refused(change: Any, says: str) -> None:
    """A proof whose hashes, leaf, index or size do not lead to the checkpoint's root, or
    that is not a proof, is refused in one message naming the server."""
    with pytest.raises(VerificationError) as err:
        proof_checks(change(bundle()), SERVER)
    assert says in err.value.message and SERVER in err.value.message
