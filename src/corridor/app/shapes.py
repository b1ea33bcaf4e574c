"""The JSON shape of each resource, defined once: what ``--json`` prints and what the HTTP API
returns, unchanged.

    observation      an observation as stored: id, log index, content, signers (with its
                     attestations, and in a history its status)
    chain            the versions of one observation, which is current
    basis            the signed checkpoint a view as of a tree size rests on
    release          a numbered release: the checkpoint it marks, its notes, its citation
    review_item      an entry of the review queue: the observation and its review state
    append_result    what a submission did: accepted ids, duplicates, tree size
    case_loaded      what loading a case did
    proof_bundle     an inclusion proof against a signed checkpoint
    consistency      a consistency proof between two tree sizes
    verification     what a verification checked
    key              a registered verifier key
    log_key          the log's verifier key (DEMO keys labelled)
    record_summary   what the record spans: size, first and last start, checkpoints, cases
    token            an API token (never the token itself)
    admin_action     one entry of the admin record
    registry         organisations, places, routes, checkpoints (each entity's own JSON)
    observation_row  an observation as one CSV row (OBSERVATION_COLUMNS)
    situation        the situation at an instant (:func:`situation`)
    daily_crossings  crossings per day by checkpoint, direction and category (the charts)
    commitments      verdicts with evidence, when and over how many observations
    cases            the built-in cases
    verdicts         :func:`corridor.rules.results_to_json`, evidence optionally with proofs
    import summary   :meth:`corridor.ingest.ImportSummary.to_json`
    supply           :func:`supply_result`

Times are ISO 8601 with their offset (the service's own times, such as a token's, RFC 3339
UTC); hashes and keys base64; counts are integers.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridor.app.history import Chain
    from corridor.app.log import Basis
    from corridor.app.releases import Release
    from corridor.app.review import QueueItem
    from corridor.model import Registry
    from corridor.model.history import Attested
    from corridor.situation import PopulationFigure, Situation
    from corridor.situation.daily import DailyCrossings
    from corridor.store.api import AppendResult, StoredObservation
    from corridor.store.tokens import AdminAction, StoredToken

__all__ = [
    "DEMO_SIGNATURE_NOTE",
    "OBSERVATION_COLUMNS",
    "admin_action",
    "append_result",
    "b64",
    "basis",
    "case_loaded",
    "cases",
    "chain",
    "commitments",
    "consistency",
    "daily_crossings",
    "key",
    "log_key",
    "observation",
    "observation_json",
    "observation_row",
    "proof_bundle",
    "record_summary",
    "registry",
    "release",
    "review_item",
    "rfc3339",
    "situation",
    "supply_result",
    "token",
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
    current, superseded (by a correction) or retracted, and by which entry (a sealed entry:
    sealed, or revealed by which entry)."""
    d: dict[str, Any] = {"id": s.id, "log_index": s.log_index, **s.observation.content()}
    d["signed_by"] = list(s.signers)
    if s.demo_signed:
        d["signature_note"] = DEMO_SIGNATURE_NOTE
    if personal:
        d["personal"] = personal
    if attestations is not None:
        d["attestations"] = attestations.to_json()
    if status:
        sealed = s.observation.type == "sealed"
        if successor is None:
            d["status"] = "sealed" if sealed else "current"
        elif successor.observation.reveals is not None:
            d["status"], d["revealed_by"] = "revealed", successor.id
        elif successor.observation.type == "retraction":
            d["status"], d["retracted_by"] = "retracted", successor.id
        else:
            d["status"], d["superseded_by"] = "superseded", successor.id
    return d


_ENTRY_HEAD = b'{"observation":'
_ENTRY_SIGS = b',"signatures":['
_DEMO_NOTE_JSON = b',"signature_note":' + json.dumps(DEMO_SIGNATURE_NOTE).encode()


def observation_json(
    log_index: int, oid: str, entry: bytes, signers: Sequence[str], demo_signed: bool
) -> bytes | None:
    """:func:`observation` of a stored entry (no attestations, no status) as JSON, made from
    the stored bytes without parsing them: the same members with the same values (the content
    members in their canonical order, as signed; a float with no fraction written as the
    integer it is), or None when the entry holds personal commitments (then parse it).

    The entry was verified when it was appended: its observation is the canonical JSON of the
    validated content, which is what :func:`observation` spreads into its members.
    """
    if not entry.startswith(_ENTRY_HEAD):
        return None
    m = entry[15 : entry.rfind(_ENTRY_SIGS)]
    if b'"personal":' in m or len(m) < 2:  # (a key: a quote inside a string is escaped)
        return None
    return b"".join(
        (
            b'{"id":"', oid.encode(), b'","log_index":', str(int(log_index)).encode(), b",",
            m[1:-1], b',"signed_by":', json.dumps(list(signers), ensure_ascii=False).encode(),
            _DEMO_NOTE_JSON if demo_signed else b"", b"}",
        )
    )  # fmt: skip


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


def release(r: Release) -> dict[str, Any]:
    """A numbered release: the signed checkpoint it marks (with the cosignatures known now),
    who witnessed it when it was released, the notes, and the line to cite it by."""
    s = r.stored
    return {
        "number": s.number,
        "tree_size": s.size,
        "root": b64(s.root),
        "notes": s.notes,
        "created_at": rfc3339(s.created_at),
        "actor": s.actor,
        "checkpoint_signer": r.signer,
        "witnessed": not s.unwitnessed,
        "witnessed_by": list(s.witnesses),
        "citation": r.citation,
        "checkpoint": r.basis.note.decode(),
    }


def review_item(item: QueueItem) -> dict[str, Any]:
    """An entry of the review queue: the observation (its current version) and its review
    state (status, by whom, the attestation that set it; none for a plain submission)."""
    return {**observation(item.stored), "review": item.state.to_json()}


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


def log_key(vkey: str, demo: bool) -> dict[str, Any]:
    """The log's verifier key: ``GET /v1/log/key``."""
    out: dict[str, Any] = {"vkey": vkey, "origin": vkey.split("+", 1)[0], "demo": demo}
    if demo:
        out["note"] = (
            "a DEMO key derived from a public seed: it proves the integrity of a demo record, "
            "not who operates the log"
        )
    return out


def record_summary(
    *,
    size: int,
    span: tuple[datetime, datetime] | None,
    checkpoints: Sequence[tuple[int, bytes, int]],
    cases: list[dict[str, Any]],
    vkey: str,
    demo: bool,
) -> dict[str, Any]:
    """What the record spans: ``GET /v1/summary`` (the dashboard's first call). ``span`` is the
    first and last start of a fact; ``checkpoints`` the signed ones (size, root, when);
    ``cases`` the built-in cases the record holds, with their time zone."""
    from datetime import UTC

    return {
        "size": size,
        "span": None if span is None else {"first": span[0].isoformat(),
                                           "last": span[1].isoformat()},
        "checkpoints": [
            {"tree_size": n, "root": b64(root),
             "signed_at": datetime.fromtimestamp(at, UTC).isoformat()}
            for n, root, at in checkpoints
        ],
        "cases": cases,
        "log": log_key(vkey, demo),
    }


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
    as_of: Basis | None = None,
) -> dict[str, Any]:
    """``corridor supply --json`` and ``POST /v1/supply/runs``; run as of a signed
    checkpoint (as-recorded scenarios read the record as it stood then), ``as_of`` names it."""
    out: dict[str, Any] = {
        "case": case,
        "runs": runs,
        "seed": seed if runs > 1 else None,
        "scenarios": results,
        "skipped": skipped,
        "plot": plot,
    }
    if as_of is not None:
        out["as_of"] = basis(as_of)
    return out


def rfc3339(seconds: int | None) -> str | None:
    """Seconds since the epoch as an RFC 3339 UTC time (None stays None)."""
    if seconds is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def token(t: StoredToken) -> dict[str, Any]:
    """An API token as listed: its id, never the token or its hash."""
    return {
        "id": t.id,
        "org": t.org_id,
        "role": t.role,
        "scopes": list(t.scopes),
        "label": t.label,
        "created_at": rfc3339(t.created_at),
        "expires_at": rfc3339(t.expires_at),
        "revoked_at": rfc3339(t.revoked_at),
        "last_used_at": rfc3339(t.last_used_at),
    }


def admin_action(a: AdminAction) -> dict[str, Any]:
    return {
        "seq": a.seq,
        "at": rfc3339(a.at),
        "actor": a.actor,
        "action": a.action,
        "subject": a.subject,
        "detail": dict(a.detail),
    }


def registry(r: Registry) -> dict[str, list[dict[str, Any]]]:
    """Every entity as the model dumps it (so that a client rebuilds the Registry), by id."""
    return {
        name: [e.model_dump(mode="json") for _id, e in sorted(getattr(r, name).items())]
        for name in ("organisations", "places", "routes", "checkpoints")
    }


#: The columns of an observation as a CSV row; ``observation`` is its content as JSON.
OBSERVATION_COLUMNS = (
    "log_index", "id", "type", "start", "end", "reporter", "route", "checkpoint", "place",
    "direction", "category", "signed_by", "observation",
)  # fmt: skip


def observation_row(s: StoredObservation) -> list[Any]:
    """An observation as one CSV row (OBSERVATION_COLUMNS; text cells not yet escaped)."""
    o = s.observation
    body = o.body.__dict__
    content = o.content()
    observed = content.get("observed") or {}
    return [
        s.log_index,
        s.id,
        o.type,
        observed.get("start"),
        observed.get("end"),
        o.reporter,
        body.get("route"),
        body.get("checkpoint"),
        body.get("place"),
        body.get("direction"),
        body.get("category"),
        ",".join(s.signers),
        json.dumps(content, ensure_ascii=False, separators=(",", ":")),
    ]


def _iso(d: datetime | None) -> str | None:
    return d.isoformat() if d is not None else None


def daily_crossings(d: DailyCrossings) -> dict[str, Any]:
    """Crossings per day by checkpoint, direction and category: ``GET /v1/crossings/daily``,
    ``corridor status --daily --json``; what the dashboard's and the reports' charts draw. A day
    absent from a series had no report (a gap, not a zero)."""

    def figure(f: Any) -> dict[str, Any]:
        return {"id": f.id, "count": f.count, "tonnes": f.tonnes, "claim_of": list(f.claim_of),
                "reporter": f.reporter}

    return {
        "start": d.start.isoformat(),
        "end": d.end.isoformat(),
        "days": d.days,
        "tz": str(d.tz),
        "reports": d.reports,
        "series": [
            {
                "checkpoint": s.checkpoint,
                "direction": s.direction,
                "category": s.category,
                "days": [
                    {
                        "day": c.day.isoformat(),
                        "low": c.low,
                        "high": c.high,
                        "tonnes_low": c.tonnes_low,
                        "tonnes_high": c.tonnes_high,
                        "reports": c.reports,
                        "disputed": c.disputed,
                        "evidence": list(c.evidence),
                        "evidence_complete": c.evidence_complete,
                        "figures": [figure(f) for f in c.figures],
                    }
                    for c in s.days
                ],
                "spans": [
                    {
                        "start": _iso(p.start),
                        "end": _iso(p.end),
                        "low": p.low,
                        "high": p.high,
                        "tonnes_low": p.tonnes_low,
                        "tonnes_high": p.tonnes_high,
                        "figures": [figure(f) for f in p.figures],
                    }
                    for p in s.spans
                ],
            }
            for s in d.series
        ],
    }


def situation(sit: Situation) -> dict[str, Any]:
    """The situation at an instant: ``corridor status --json`` and ``GET /v1/situation``; what
    the CLI's table is drawn from."""
    from corridor.model.history import summaries_json

    return {
        "at": _iso(sit.at),
        "window": {"start": _iso(sit.window_start), "end": _iso(sit.at)},
        "routes": [
            {
                "route": r.route,
                "name": r.name,
                "status": r.status,
                "since": _iso(r.since),
                "last_report": _iso(r.last_report),
                "who_may_pass": list(r.who_may_pass),
                "place": r.place,
                "conflicting": list(r.conflicting),
                "evidence": list(r.evidence),
            }
            for r in sit.routes
        ],
        "crossings_last_7_days": [
            {
                "checkpoint": c.checkpoint,
                "direction": c.direction,
                "category": c.category,
                "count": None if c.low is None else (c.low if c.low == c.high else None),
                "low": c.low,
                "high": c.high,
                "tonnes_low": c.tonnes_low,
                "tonnes_high": c.tonnes_high,
                "reports": c.reports,
                "disputed_periods": c.disputed_periods,
                "evidence": list(c.evidence),
            }
            for c in sit.crossings
        ],
        "crossing_reports_spanning_window": list(sit.crossings_overlapping),
        "checkpoints_without_reports": list(sit.checkpoints_without_reports),
        "convoys_waiting": [
            {
                "convoy": w.convoy,
                "state": w.state,
                "place": w.place,
                "since": _iso(w.since),
                "last_report": _iso(w.last_report),
                "days_waiting": round(w.days_waiting, 1),
                "days_since_report": round(w.days_since_report, 1),
                "vehicles": list(w.vehicles),
                "tonnes": list(w.tonnes),
                "evidence": list(w.evidence),
            }
            for w in sit.convoys_waiting
        ],
        "incidents": [
            {
                "id": o.id,
                "observed": _iso(o.start),
                "category": str(getattr(o.body, "category", "")),
                "place": getattr(o.body, "place", None),
                "killed": getattr(o.body, "killed", None),
                "injured": getattr(o.body, "injured", None),
                "missing": getattr(o.body, "missing", None),
                "text": getattr(o.body, "text", None),
                "note": o.note,
                "claim_of": [src.claim_of for src in o.sources if src.claim_of],
            }
            for o in sit.incidents
        ],
        # per place, kind and reporter (one's figure never hides another's)
        "population": [population_figure(p) for p in sit.population],
        # per report named above that carries any: who corroborated, disputed, reviewed it
        "attestations": summaries_json(sit.attestations),
    }


def population_figure(p: PopulationFigure) -> dict[str, Any]:
    """A population count: in the situation, and in the series (:func:`population_series`)."""
    return {
        "place": p.place,
        "kind": p.kind,
        "origin": p.origin,
        "persons": p.persons,
        "observed": _iso(p.observed),
        "reporter": p.reporter,
        "claim_of": list(p.claim_of),
        "id": p.id,
    }


def population_series(
    at: datetime, start: datetime, figures: Sequence[PopulationFigure]
) -> dict[str, Any]:
    """``GET /v1/population``: the population counts that started in [start, at), oldest
    first, each as reported (a day without a count has none: nothing is interpolated)."""
    return {
        "at": _iso(at),
        "start": _iso(start),
        "figures": [population_figure(p) for p in figures],
    }


def commitments(
    at: datetime,
    events: int,
    doc: list[dict[str, Any]],
    unproved: Sequence[str],
    as_of: Basis | None = None,
) -> dict[str, Any]:
    """``GET /v1/commitments``: ``items`` is ``corridor check --json`` (one object per
    commitment, see :func:`verdicts_with_proofs`), with when it was judged, over how many
    observations, and the evidence ids beyond the latest signed checkpoint (no proof yet);
    judged as of a signed checkpoint, ``as_of`` names it (:func:`basis`)."""
    out: dict[str, Any] = {
        "at": _iso(at), "observations": events, "items": doc, "unproved": list(unproved),
    }  # fmt: skip
    if as_of is not None:
        out["as_of"] = basis(as_of)
    return out


def cases(listed: dict[str, str]) -> list[dict[str, str]]:
    """The built-in cases: ``corridor case list --json`` and ``GET /v1/cases``'s items."""
    return [{"name": k, "title": v} for k, v in listed.items()]
