"""Tamper evidence: check every stored entry against the log and its signed checkpoint.

:func:`verify_log` reads the database as an auditor would: it trusts no stored column, only the
entry bytes, the registered keys and the log's signature on its checkpoints.
"""

from __future__ import annotations

from collections.abc import Callable

from corridor.errors import RecordError, StoreError, TamperError, VerificationError
from corridor.ledger import merkle
from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.hashing import leaf_hash
from corridor.recording.admission import admit_entry
from corridor.recording.tlog import TransparencyLog
from corridor.store.sql import INDEX_COLUMNS

__all__ = ["verify_log"]


def verify_log(
    log: TransparencyLog, *, progress: Callable[[int], None] | None = None
) -> tuple[int, bytes]:
    """Check every stored entry against the log; raise TamperError naming the first bad one.

    Recomputes each leaf hash from the stored entry bytes, re-derives the index columns,
    re-verifies the reporter's signature, rebuilds the tree and compares its root with the
    latest signed checkpoint (whose signature is checked) and the stored tiles.
    """
    keys, demo, registry = log.verifiers(), log.demo_keys(), log.store.registry()
    size = log.store.size()
    leaves: list[bytes] = []
    expected_index = 0
    for index, entry, stored_leaf, oid, cols in log.store.entries():
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
    tree = log.tree(fresh=True)  # the stored tiles as they are now, not as cached
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
    latest = log.store.latest_checkpoint()
    if latest is not None:
        cp = verify_checkpoint(latest[2].encode(), log.origin, log.verifier)
        if cp.size > size:
            raise TamperError(
                f"checkpoint {cp.size} was signed but only {size} entries remain", index=size
            )
        if merkle.root_from_leaves(leaves[: cp.size]) != cp.root:
            raise TamperError(f"the entries no longer match signed checkpoint {cp.size}")
    return size, root
