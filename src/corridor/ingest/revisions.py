"""Revisions a source makes to records corridor already holds, recorded as corrections and
retractions (docs/import.md, Revisions; docs/record.md).

A source names its records: ``source.ref`` (an ACLED ``event_id_cnty``, a form submission's
instanceID) and ``source.version`` (ACLED's ``timestamp``). An import that looks for revisions
(a mapping's ``detect_revisions`` or ``replaces_column``; the ACLED deletions list) reads what the
record holds of those types into a :class:`RecordIndex` (every version: one chain per record of
the source) and turns each row into one of:

- **new**: no chain on the record has its ref; recorded as it is;
- **unchanged**: the chain's current version has the same content (an idempotent no-op);
- **corrected**: a newer version (ACLED: a later ``timestamp``; a form: a submission whose
  ``meta/deprecatedID`` names the current one): a correction superseding the current version,
  signed by the same reporter;
- **retracted**: a deletion (ACLED's deletions list): a retraction of the current version;
- **stale**: the record holds a later state (an older timestamp, an earlier version of the chain,
  or a chain already retracted): skipped, with the reason;
- **refused** into quarantine: another organisation reported the record (only its reporter
  corrects or retracts; another one disputes), the same version with other content (which is
  newer cannot be told), or an edited submission that replaces one already replaced.

The rule for versions (ACLED): the record converges on the newest timestamp seen, whatever the
order files are imported in, and a retraction is final.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corridor.ingest.mapping import ImportMapping, MappingFile
from corridor.ingest.run import ImportPlan, Planned, Rejection, Skip
from corridor.model import Observation
from corridor.model.bodies import FACT_TYPES, Crossing
from corridor.model.history import RETRACTION, superseded_id

__all__ = [
    "Chain",
    "RecordIndex",
    "apply_revisions",
    "needs_record",
    "plain_id",
    "plan_deletions",
    "revision_types",
    "version_key",
]

#: (type, source ref, direction, category): what names one record of a source. A form
#: submission gives a crossing per direction and category under one ref.
Key = tuple[str, str, str | None, str | None]

DELETIONS_TITLE = "ACLED deletions"


def version_key(version: str | None) -> tuple[int, int | str]:
    """Versions compare as numbers when both are whole numbers (ACLED's Unix timestamps),
    else as text; a missing version is the oldest."""
    if version is None:
        return (0, 0)
    text = version.strip()
    return (1, int(text)) if text.isdigit() else (2, text)


def _value(v: Any) -> str:
    return str(getattr(v, "value", v))


def key_of(obs: Observation, ref: str | None = None) -> Key | None:
    """The key of the record ``obs`` gives (under ``ref`` instead of its own, if given)."""
    r = ref if ref is not None else obs.sources[0].ref
    if r is None:
        return None
    b = obs.body
    if isinstance(b, Crossing):
        return (obs.type, r, _value(b.direction), _value(b.category))
    return (obs.type, r, None, None)


def plain_id(obs: Observation) -> str:
    """The id ``obs`` would have without ``supersedes``: what a row reads to, whichever
    version of the chain it is."""
    if obs.supersedes is None:
        return obs.id
    content = obs.content()
    content.pop("supersedes", None)
    return Observation.model_validate(content).id


@dataclass
class Chain:
    """The versions of one record: who reported it, its last version, the retraction that
    ended it (if any) and the plain ids of every version."""

    reporter: str
    last: Observation
    plain: set[str] = field(default_factory=set)
    retracted_by: str | None = None
    last_plain: str = ""  # plain_id(last), computed once

    def __post_init__(self) -> None:
        self.last_plain = self.last_plain or plain_id(self.last)

    @property
    def current(self) -> Observation | None:
        """The current version; None once retracted."""
        return None if self.retracted_by is not None else self.last

    @property
    def head(self) -> str:
        """The id of the current version, or of the retraction."""
        return self.retracted_by or self.last.id

    @property
    def ref(self) -> str | None:
        return self.last.sources[0].ref

    @property
    def version(self) -> str | None:
        return self.last.sources[0].version


class RecordIndex:
    """The chains of the record (every version of the types read, and the retractions), by
    the key of every version; grown as an import plans new versions."""

    def __init__(self, entries: Iterable[Observation] = ()) -> None:
        by_id: dict[str, Observation] = {}
        after: dict[str, Observation] = {}
        for o in entries:
            by_id[o.id] = o
            named = superseded_id(o)
            if named is not None:
                after.setdefault(named, o)
        self._chains: dict[Key, dict[str, Chain]] = {}
        for o in by_id.values():
            if o.supersedes is not None or o.type not in FACT_TYPES:
                continue  # chains start at a first version
            versions, retraction = [o], None
            while versions[-1].id in after:
                nxt = after[versions[-1].id]
                if nxt.type == RETRACTION:
                    retraction = nxt
                    break
                versions.append(nxt)
            plains = [plain_id(v) for v in versions]
            chain = Chain(o.reporter, versions[-1], set(plains),
                          None if retraction is None else retraction.id, plains[-1])  # fmt: skip
            for v in versions:
                self._index(v, chain)

    def _index(self, obs: Observation, chain: Chain) -> None:
        k = key_of(obs)
        if k is None:
            return
        per = self._chains.setdefault(k, {})
        old = per.get(chain.reporter)
        if old is None or old is chain or old.current is None:
            per[chain.reporter] = chain

    def under(self, ref: str, reporter: str) -> list[Chain]:
        """``reporter``'s current chains whose current version's ref is ``ref`` or one of its
        repeat instances (``ref/...``)."""
        out: dict[int, Chain] = {}
        for per in self._chains.values():
            c = per.get(reporter)
            r = c.ref if c is not None and c.current is not None else None
            if c is not None and r is not None and (r == ref or r.startswith(ref + "/")):
                out[id(c)] = c
        return list(out.values())

    def chains(self, key: Key | None) -> Mapping[str, Chain]:
        """Per reporter, the chain a version of which has ``key``."""
        return {} if key is None else self._chains.get(key, {})

    # -- growing with what the import plans ------------------------------------------------------
    def add(self, obs: Observation) -> None:
        self._index(obs, Chain(obs.reporter, obs, {obs.id}))

    def correct(self, chain: Chain, correction: Observation) -> None:
        chain.last, chain.last_plain = correction, plain_id(correction)
        chain.plain.add(chain.last_plain)
        self._index(correction, chain)

    def retract(self, chain: Chain, retraction: Observation) -> None:
        chain.retracted_by = retraction.id


def needs_record(plan: ImportPlan, mf: MappingFile | None) -> bool:
    """Whether some accepted row of ``plan`` may revise a record: a row of a mapping that
    detects revisions, or one naming the record it replaces (an edited form submission)."""
    if mf is None:
        return False
    detect = {m.label for m in mf.mappings if m.detect_revisions}
    return any(p.mapping in detect or p.replaces for p in plan.accepted)


def revision_types(mf: MappingFile | None) -> set[str]:
    """The observation types an import through ``mf`` needs the record's chains of (empty:
    it looks for no revisions)."""
    if mf is None:
        return set()
    if mf.preset == "acled-deletions":
        return {"incident"}
    return {m.type for m in mf.mappings if m.detect_revisions or m.replaces_column}


def with_supersedes(obs: Observation, target: str, reason: str) -> Observation:
    """``obs`` as a correction of the version ``target``."""
    data = obs.model_dump(mode="json", exclude_none=True)
    data["supersedes"] = {"id": target, "reason": reason}
    return Observation.model_validate(data)


def _when(version: str | None) -> str:
    text = (version or "").strip()
    if text.isdigit():
        return f"timestamp {text} ({datetime.fromtimestamp(int(text), UTC):%Y-%m-%d %H:%M} UTC)"
    return f"version {text or '(none)'}"


def _other(ref: str, chains: Mapping[str, Chain], reporter: str, verb: str) -> str:
    org, chain = sorted(chains.items())[0]
    return (
        f"{ref} is on the record as observation {chain.head[:12]}, reported by {org!r}: only "
        f"its reporter may {verb} it, not {reporter!r}, which may dispute it instead "
        f"(corridor attest {chain.head[:12]} disputes --by {reporter}); nothing was recorded "
        "for this row"
    )


@dataclass(frozen=True)
class _Outcome:
    kind: str  # keep, unchanged, stale, refuse
    planned: Planned | None = None
    reason: str = ""


def _known(p: Planned, chain: Chain) -> _Outcome | None:
    """A row the chain holds already (unchanged, or stale), or one a retraction ended."""
    obs = p.observation
    ref = obs.sources[0].ref or ""
    if chain.current is None:
        return _Outcome("stale", reason=(
            f"{ref} was retracted by observation {chain.head[:12]}: a retraction is final, the "
            "row is not recorded again"))  # fmt: skip
    if obs.id == chain.last_plain:
        return _Outcome("unchanged", p)
    if obs.id in chain.plain:
        return _Outcome("stale", reason=(
            f"{ref}: an earlier version of the record's current one (observation "
            f"{chain.head[:12]}); skipped"))  # fmt: skip
    return None


def _against(p: Planned, chain: Chain, index: RecordIndex, reason: str | None) -> _Outcome:
    """A row whose record has ``chain``: unchanged, stale, refused, or (``reason`` given, or
    by version order when None) a correction of the current version."""
    known = _known(p, chain)
    if known is not None:
        return known
    obs = p.observation
    src = obs.sources[0]
    ref = src.ref or ""
    if reason is None:
        new, old = version_key(src.version), version_key(chain.version)
        if new < old:
            return _Outcome("stale", reason=(
                f"{ref}: version {src.version} is older than the record's {chain.version} "
                f"(observation {chain.head[:12]}); skipped"))  # fmt: skip
        if new == old:
            return _Outcome("refuse", reason=(
                f"{ref}: the record holds version {src.version} too (observation "
                f"{chain.head[:12]}), with other content: which is newer cannot be told; "
                "nothing was recorded for this row"))  # fmt: skip
        reason = f"{src.title} revision, {_when(src.version)}, replacing {_when(chain.version)}"
    correction = with_supersedes(obs, chain.head, reason)
    index.correct(chain, correction)
    return _Outcome("keep", replace(p, observation=correction))


def _revise(p: Planned, m: ImportMapping, index: RecordIndex) -> _Outcome:
    obs = p.observation
    ref = obs.sources[0].ref
    chains = index.chains(key_of(obs))
    own = chains.get(obs.reporter)
    if m.detect_revisions:
        if own is not None:
            return _against(p, own, index, None)
        if chains:
            return _Outcome("refuse", reason=_other(ref or "", chains, obs.reporter, "correct"))
    elif own is not None:
        known = _known(p, own)
        if known is not None:
            return known
        # the same submission read to other content (another preset parameter): a new one
    elif p.replaces and not chains:
        replaced = index.chains(key_of(obs, p.replaces))
        chain = replaced.get(obs.reporter)
        if chain is None and replaced:
            return _Outcome("refuse", reason=(
                f"submission {ref} replaces {p.replaces}: "
                + _other(p.replaces, replaced, obs.reporter, "correct")))  # fmt: skip
        if chain is not None and chain.current is not None and chain.ref != p.replaces:
            return _Outcome("refuse", reason=(
                f"submission {ref} replaces {p.replaces}, which submission {chain.ref} already "
                f"replaced (observation {chain.head[:12]}): correct that one; nothing was "
                "recorded for this row"))  # fmt: skip
        if chain is not None:
            return _against(p, chain, index, f"edited on the form server: submission {ref} "
                            f"replaces {p.replaces}")  # fmt: skip
    index.add(obs)
    return _Outcome("keep", p)


def apply_revisions(plan: ImportPlan, mf: MappingFile, index: RecordIndex) -> None:
    """Turn the accepted rows of ``plan`` that revise a record ``index`` holds into
    corrections, unchanged rows (duplicates), stale rows (skipped) or refusals (rejected)."""
    by_label = {m.label: m for m in mf.mappings if m.detect_revisions or m.replaces_column}
    if not by_label:
        return
    kept: list[Planned] = []
    edits: dict[tuple[str, str], Planned] = {}  # (reporter, replaced ref) -> a correction
    for p in plan.accepted:
        m = by_label.get(p.mapping)
        if m is None:
            kept.append(p)
            continue
        o = _revise(p, m, index)
        if o.kind == "keep" and o.planned is not None:
            kept.append(o.planned)
            if p.replaces and o.planned.observation.supersedes is not None:
                edits.setdefault((p.observation.reporter, p.replaces.split("/")[0]), o.planned)
        elif o.kind == "unchanged":
            plan.duplicates.append(p)
        elif o.kind == "stale":
            plan.stale += 1
            plan.skipped.append(Skip(p.row, p.sheet, p.mapping, o.reason))
        else:
            values = {"source_ref": p.observation.sources[0].ref,
                      "reporter": p.observation.reporter}  # fmt: skip
            plan.rejected.append(
                Rejection(plan.path.name, p.row, p.sheet, p.mapping, o.reason, values)
            )
    for (reporter, replaced), by in edits.items():
        kept += _dropped(reporter, replaced, by, index)
    plan.accepted = kept


def _dropped(reporter: str, replaced: str, by: Planned, index: RecordIndex) -> list[Planned]:
    """Retractions of what the submission ``replaced`` gave and the edited one (of which
    ``by`` is a correction) no longer gives: a repeat instance removed, a route status
    cleared."""
    edit = by.observation
    ref = (edit.sources[0].ref or "").split("/")[0]
    out = []
    for chain in index.under(replaced, reporter):
        assert chain.current is not None
        retraction = Observation.model_validate({
            "type": RETRACTION, "observed": edit.observed.start.isoformat(),
            "reporter": reporter,
            "sources": [{"title": edit.sources[0].title, "ref": ref,
                         **({"version": v} if (v := edit.sources[0].version) else {})}],
            "body": {"retracts": chain.last.id, "reason": (
                f"edited on the form server: submission {ref} replaces {replaced} and no "
                f"longer gives this {chain.last.type} ({chain.ref})")},
        })  # fmt: skip
        index.retract(chain, retraction)
        out.append(Planned(retraction, "replaced", by.row, by.sheet))
    return out


def _deletion(
    ref: str, values: Mapping[str, Any], reporter: str, chain: Chain
) -> Observation | str:
    """The retraction a row of the deletions list makes, or why the row is refused."""
    ts = str(values.get("deleted_timestamp") or "").strip()
    if not ts.isdigit():
        return f"column deleted_timestamp: {ts!r} is not a Unix timestamp"
    at = datetime.fromtimestamp(int(ts), UTC)
    note = " ".join(str(values.get("note") or values.get("reason") or "").split())
    reason = f"deleted by ACLED, {_when(ts)}" + (f": {note}" if note else "")
    return Observation.model_validate({
        "type": RETRACTION, "observed": at.isoformat(), "reporter": reporter,
        "sources": [{"title": DELETIONS_TITLE, "url": "https://acleddata.com", "ref": ref,
                     "version": ts}],
        "body": {"retracts": chain.last.id, "reason": reason},
    })  # fmt: skip


def plan_deletions(
    file: Path, mf: MappingFile, rows: list[tuple[int, str, dict[str, Any]]], index: RecordIndex
) -> ImportPlan:
    """An ACLED deletions list (``rows``: row number, event id, values): a retraction of each
    deleted event the record holds, signed by its reporter; a deleted event not on the record
    is skipped, one already retracted is unchanged, one deleted before its current version
    is stale."""
    reporter = str(mf.mappings[0].fixed.get("reporter", ""))
    plan = ImportPlan(file, mf.file, kind="csv")
    plan.columns = list(rows[0][2]) if rows else []
    for number, ref, values in rows:
        plan.rows += 1
        chains = index.chains(("incident", ref, None, None))
        chain = chains.get(reporter)
        if chain is None:
            if chains:
                plan.rejected.append(Rejection(file.name, number, None, "deletion",
                                               _other(ref, chains, reporter, "retract"), values))
            else:
                plan.skipped.append(Skip(number, None, "deletion", f"{ref} is not on the record"))
            continue
        made = _deletion(ref, values, reporter, chain)
        if isinstance(made, str):
            plan.rejected.append(Rejection(file.name, number, None, "deletion", made, values))
            continue
        planned = Planned(made, "deletion", number)
        if chain.current is None:
            if chain.retracted_by == made.id:
                plan.duplicates.append(planned)
            else:
                plan.stale += 1
                plan.skipped.append(Skip(number, None, "deletion", (
                    f"{ref} was retracted already (observation {chain.head[:12]})")))  # fmt: skip
            continue
        if version_key(made.sources[0].version) < version_key(chain.version):
            plan.stale += 1
            plan.skipped.append(Skip(number, None, "deletion", (
                f"{ref}: deleted at {made.sources[0].version}, before the record's version "
                f"{chain.version} (observation {chain.head[:12]}); skipped")))  # fmt: skip
            continue
        index.retract(chain, made)
        plan.accepted.append(planned)
    return plan
