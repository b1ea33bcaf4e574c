"""The JSON shape of each resource, defined once: what ``--json`` prints and what the HTTP API
returns, unchanged.

    observation      an observation as stored: id, log index, content, signers (with its
                     attestations, and in a history its status)
    chain            the versions of one observation, which is current
    basis            the signed checkpoint a view as of a tree size rests on
    append_result    what a submission did: accepted ids, duplicates, tree size
    case_loaded      what loading a case did
    proof_bundle     an inclusion proof against a signed checkpoint
    consistency      a consistency proof between two tree sizes
    verification     what a verification checked
    key              a registered verifier key
    situation        :meth:`corridor.situation.Situation.to_json`
    verdicts         :func:`corridor.rules.results_to_json`, evidence optionally with proofs
    import summary   :meth:`corridor.ingest.ImportSummary.to_json`
    supply           :func:`supply_result`

Times are ISO 8601 with their offset; hashes and keys base64; counts are integers.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridor.app.history import Chain
    from corridor.app.log import Basis
    from corridor.model.history import Attested
    from corridor.store.api import AppendResult, StoredObservation

__all__ = [
    "DEMO_SIGNATURE_NOTE",
    "append_result",
    "b64",
    "basis",
    "case_loaded",
    "chain",
    "consistency",
    "key",
    "observation",
    "proof_bundle",
    "supply_result",
    "verdicts_with_proofs",
    "verification",
]

DEMO_SIGNATURE_NOTE = "signed with a DEMO key (built-in case), not by the named party"


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def observation(
    s: StoredObservation,
    *,
    personal: dict[str, Any] | None = None,
    attestations: Attested | None = None,
    successor: StoredObservation | None = None,
    status: bool = False,
) -> dict[str, Any]:
    """An observation as stored: id, log index, its content, who signed its entry; with the
    current ``attestations`` about it (when it has any), and with ``status`` whether it is
    current, superseded (by a correction) or retracted, and by which entry."""
    d: dict[str, Any] = {"id": s.id, "log_index": s.log_index, **s.observation.content()}
    d["signed_by"] = list(s.signers)
    if s.demo_signed:
        d["signature_note"] = DEMO_SIGNATURE_NOTE
    if personal:
        d["personal"] = personal
    if attestations is not None:
        d["attestations"] = attestations.to_json()
    if status:
        if successor is None:
            d["status"] = "current"
        elif successor.observation.type == "retraction":
            d["status"], d["retracted_by"] = "retracted", successor.id
        else:
            d["status"], d["superseded_by"] = "superseded", successor.id
    return d


def chain(c: Chain) -> dict[str, Any]:
    """The versions of one observation, first to last (a final retraction included), each with
    its attestations, and which is current (None: retracted)."""
    retraction = c.retracted_by
    return {
        "current": c.current,
        "retracted_by": None if retraction is None else retraction.id,
        "versions": [observation(v, attestations=c.attestations.get(v.id)) for v in c.versions],
    }


def basis(b: Basis) -> dict[str, Any]:
    """The signed checkpoint a view as of a tree size rests on: cite its size and root, check
    it with the log's key (the note carries the witnesses' cosignatures known now)."""
    from datetime import UTC, datetime

    return {
        "tree_size": b.size,
        "root": b64(b.root),
        "signed_at": datetime.fromtimestamp(b.signed_at, UTC).isoformat(),
        "checkpoint": b.note.decode(),
    }


def append_result(r: AppendResult) -> dict[str, Any]:
    return {"accepted": r.accepted, "duplicates": r.duplicates, "tree_size": r.tree_size}


def case_loaded(case: Any, r: AppendResult) -> dict[str, Any]:
    return {
        "case": case.name,
        "organisations": len(case.organisations),
        "places": len(case.places),
        "routes": len(case.routes),
        "checkpoints": len(case.checkpoints),
        "accepted": len(r.accepted),
        "duplicates": len(r.duplicates),
        "tree_size": r.tree_size,
    }


def proof_bundle(
    log_index: int, tree_size: int, leaf: bytes, hashes: Sequence[bytes], checkpoint: bytes
) -> dict[str, Any]:
    """An RFC 9162 inclusion proof of one entry in the tree of the signed ``checkpoint``."""
    return {
        "log_index": log_index,
        "tree_size": tree_size,
        "leaf_hash": b64(leaf),
        "hashes": [b64(h) for h in hashes],
        "checkpoint": checkpoint.decode(),
    }


def consistency(old_size: int, new_size: int, hashes: Sequence[bytes]) -> dict[str, Any]:
    return {"old_size": old_size, "new_size": new_size, "hashes": [b64(h) for h in hashes]}


def verification(
    size: int, root: bytes, *, checkpoint_size: int | None = None, cosignatures: int | None = None
) -> dict[str, Any]:
    """What a verification established: every entry up to ``size`` checked, the root, and (for
    the database) how far the latest signed checkpoint reaches."""
    d: dict[str, Any] = {"ok": True, "size": size, "root": b64(root)}
    if checkpoint_size is not None:
        d["checkpoint_size"] = checkpoint_size
        d["beyond_checkpoint"] = size - checkpoint_size
    if cosignatures is not None:
        d["cosignatures"] = cosignatures
    return d


def key(org: str, vkey: str, demo: bool) -> dict[str, Any]:
    return {"org": org, "vkey": vkey, "demo": demo}


def verdicts_with_proofs(
    doc: list[dict[str, Any]], proofs: dict[str, dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """Verdicts as :func:`corridor.rules.results_to_json` gives them; with proofs, each evidence
    id becomes ``{"id": ..., <proof bundle>}`` (an empty bundle when it is not yet covered by a
    signed checkpoint)."""
    if proofs is None:
        return doc
    for commitment in doc:
        for inst in commitment["instances"]:
            inst["evidence"] = [{"id": oid, **proofs.get(oid, {})} for oid in inst["evidence"]]
    return doc


def supply_result(
    case: str | None,
    runs: int,
    seed: int,
    results: list[dict[str, Any]],
    skipped: list[dict[str, str]],
    plot: str | None,
) -> dict[str, Any]:
    return {
        "case": case,
        "runs": runs,
        "seed": seed if runs > 1 else None,
        "scenarios": results,
        "skipped": skipped,
        "plot": plot,
    }
