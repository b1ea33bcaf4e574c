"""The record's history: correct, retract and attest observations (each a new signed entry,
checked at admission), the versions of one observation, and what is attested about it.

A correction is built from the current version of the observation (its public content and
its personal values still held), changed as asked, and names that version with a reason; a
retraction names it with a reason; an attestation names the observation it is about. All three
are signed by their reporter's key and appended through the one gate (docs/record.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from corridor.errors import ConflictError, InputError
from corridor.model import STATEMENT_TYPES, Observation
from corridor.model.history import (
    ATTESTATION,
    RETRACTION,
    Attested,
    attestation_summary,
    superseded_id,
)
from corridor.store.api import AppendResult, Query, StoredObservation

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["Chain", "HistoryCases", "RecordHistory", "Written"]


@dataclass(frozen=True)
class Written:
    """What a correction, retraction or attestation wrote: the new entry's observation and
    what the append did."""

    observation: Observation
    result: AppendResult


@dataclass(frozen=True)
class Chain:
    """Every version of one observation, first to last (a final retraction included), which is
    current (None: retracted), and the current attestations about each version."""

    versions: list[StoredObservation]
    current: str | None
    attestations: dict[str, Attested]

    @property
    def retracted_by(self) -> StoredObservation | None:
        last = self.versions[-1] if self.versions else None
        return last if last is not None and last.observation.type == RETRACTION else None


_FIELDS = ("type", "reporter", "route", "checkpoint", "direction", "category", "place")


class RecordHistory:
    """The history of a whole record read in log order (a server's change feed, which lists
    every entry): the answers of the store's current-state reads, computed from the entries
    themselves, so that a listing over a server is the listing over its database."""

    def __init__(self, entries: Sequence[StoredObservation]) -> None:
        from corridor.store.columns import INDEX_COLUMNS, index_columns

        self.entries = sorted(entries, key=lambda s: s.log_index)
        self.by_id = {s.id: s for s in self.entries}
        self._after: dict[str, StoredObservation] = {}
        for e in self.entries:
            named = superseded_id(e.observation)
            if named is not None:
                self._after.setdefault(named, e)
        at = {k: INDEX_COLUMNS.index(k) for k in (*_FIELDS, "start_us", "end_us")}
        self._cols = {
            e.id: {k: cols[i] for k, i in at.items()}
            for e in self.entries
            for cols in (index_columns(e.observation),)
        }

    def successors(self, ids: Iterable[str]) -> dict[str, StoredObservation]:
        return {i: self._after[i] for i in ids if i in self._after}

    def query(self, q: Query) -> list[StoredObservation]:
        """What ``store.query(q)`` answers (no ``as_of``, no cursor): the filters, the current
        state unless ``q.history``, in time order, at most ``q.limit``."""
        from corridor.store.columns import to_us

        lo = None if q.start is None else to_us(q.start)
        hi = None if q.end is None else to_us(q.end)
        out = []
        for e in self.entries:
            c = self._cols[e.id]
            if any((v := getattr(q, k)) and c[k] != v for k in _FIELDS):
                continue
            if hi is not None and not c["start_us"] < hi:
                continue
            if lo is not None and not (
                c["start_us"] >= lo or (c["end_us"] is not None and c["end_us"] > lo)
            ):
                continue
            if not q.history and (
                e.id in self._after or (not q.type and e.observation.type in STATEMENT_TYPES)
            ):
                continue
            out.append(e)
        out.sort(key=lambda e: (self._cols[e.id]["start_us"], e.log_index))
        return out[: q.limit] if q.limit else out

    def attestations(self, ids: Iterable[str]) -> dict[str, Attested]:
        """Per id, what its current attestations say (as :meth:`HistoryCases.attestations`)."""
        wanted = set(ids)
        current = [
            e.observation for e in self.entries
            if e.observation.type == ATTESTATION and e.id not in self._after
            and getattr(e.observation.body, "about", None) in wanted
        ]  # fmt: skip
        return attestation_summary(current)

    def chain(self, id: str) -> Chain:
        """The versions of the observation ``id`` belongs to (as :meth:`HistoryCases.chain`)."""
        first = self.by_id[id]
        versions = [first]
        while (back := superseded_id(versions[0].observation)) in self.by_id:
            versions.insert(0, self.by_id[back])
        while versions[-1].id in self._after:
            versions.append(self._after[versions[-1].id])
        last = versions[-1]
        current = None if last.observation.type == RETRACTION else last.id
        about = self.attestations(v.id for v in versions)
        return Chain(versions, current, about)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _sources(source: str | None, url: str | None, default: str) -> list[dict[str, Any]]:
    src: dict[str, Any] = {"title": source or default}
    if url:
        src["url"] = url
    return [src]


class HistoryCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    # -- reading -------------------------------------------------------------------------------
    def chain(self, id_or_prefix: str, *, as_of: int | None = None) -> Chain:
        """The versions of the observation ``id_or_prefix`` (any of its versions), as of a tree
        size, with the attestations about each."""
        if as_of is not None:
            self.app.log.basis(as_of)
        store = self.app.store
        versions = store.chain(id_or_prefix, as_of=as_of)
        last = versions[-1]
        current = None if last.observation.type == RETRACTION else last.id
        about = store.attestations_about([v.id for v in versions], as_of=as_of)
        return Chain(versions, current, attestation_summary(s.observation for s in about))

    def attestations(
        self, ids: Iterable[str], *, as_of: int | None = None
    ) -> dict[str, Attested]:
        """Per observation id, who corroborated, disputed or reviewed it (current statements,
        those that have any)."""
        about = self.app.store.attestations_about(list(ids), as_of=as_of)
        return attestation_summary(s.observation for s in about)

    def successors(
        self, ids: Iterable[str], *, as_of: int | None = None
    ) -> dict[str, StoredObservation]:
        """Per id that has one, the correction or retraction that superseded it."""
        return self.app.store.successors(ids, as_of=as_of)

    # -- writing -------------------------------------------------------------------------------
    def _current(self, id_or_prefix: str, verb: str) -> StoredObservation:
        """The version ``id_or_prefix``, which must be current (ConflictError naming the one
        that superseded it, as admission would)."""
        store = self.app.store
        s = store.get(id_or_prefix)
        after = store.successors([s.id]).get(s.id)
        if after is not None:
            if after.observation.type == RETRACTION:
                raise ConflictError(f"observation {s.id} was retracted by {after.id}: it is final")
            raise ConflictError(
                f"observation {s.id} was already corrected by {after.id}: {verb} that one, its "
                "current version"
            )
        return s

    def _write(self, data: Mapping[str, Any]) -> Written:
        (obs,) = self.app.observations.parse([data])
        return Written(obs, self.app.observations.record([obs]))

    def correct(
        self,
        id_or_prefix: str,
        *,
        reason: str,
        body: Mapping[str, Any] | None = None,
        observed: Mapping[str, Any] | None = None,
        sources: Sequence[Mapping[str, Any]] | None = None,
        caveats: Sequence[str] | None = None,
        note: str | None = None,
        by: str | None = None,
        replacement: Mapping[str, Any] | None = None,
    ) -> Written:
        """Record a correction of the current version ``id_or_prefix``: a copy of it (with
        the personal values still held) with the ``body`` fields given changed (None removes
        one), and ``observed``, ``sources``, ``caveats``, ``note`` replaced when given — or the
        full ``replacement`` observation instead. Signed by ``by`` (default: the reporter;
        admission refuses anyone else)."""
        if not reason.strip():
            raise InputError("a correction needs a reason", where="reason")
        target = self._current(id_or_prefix, "correct")
        if replacement is not None:
            data = dict(replacement)
            data.setdefault("type", target.observation.type)
            data.setdefault("reporter", target.observation.reporter)
        else:
            data = target.observation.content()
            data.pop("supersedes", None)
            held = {
                f: v for f, _salt, v, erased in self.app.store.personal_values(target.id)
                if erased is None
            }  # fmt: skip
            new_body = {**data["body"], **held, **(body or {})}
            data["body"] = {k: v for k, v in new_body.items() if v is not None}
            for key, value in (
                ("observed", observed), ("sources", sources), ("caveats", caveats),
                ("note", note),
            ):  # fmt: skip
                if value is not None:
                    data[key] = list(value) if isinstance(value, list | tuple) else value
        if by is not None:
            data["reporter"] = by
        data["supersedes"] = {"id": target.id, "reason": reason}
        return self._write(data)

    def retract(
        self,
        id_or_prefix: str,
        *,
        reason: str,
        at: datetime | None = None,
        source: str | None = None,
        source_url: str | None = None,
        by: str | None = None,
    ) -> Written:
        """Record the retraction of the current version ``id_or_prefix`` (made at ``at``,
        default now), signed by ``by`` (default: its reporter; admission refuses anyone
        else)."""
        if not reason.strip():
            raise InputError("a retraction needs a reason", where="reason")
        target = self._current(id_or_prefix, "retract")
        reporter = by or target.observation.reporter
        return self._write(
            {
                "type": RETRACTION,
                "observed": at.isoformat() if at is not None else _now(),
                "reporter": reporter,
                "sources": _sources(source, source_url, f"retraction by {reporter}"),
                "body": {"retracts": target.id, "reason": reason},
            }
        )

    def attest(
        self,
        id_or_prefix: str,
        *,
        by: str,
        stance: str,
        field: str | None = None,
        figure: float | None = None,
        reason: str | None = None,
        review: str | None = None,
        at: datetime | None = None,
        source: str | None = None,
        source_url: str | None = None,
    ) -> Written:
        """Record ``by``'s statement about the observation ``id_or_prefix``: it corroborates
        it, disputes it (with its own ``figure`` of ``field``, or a ``reason``), or gives the
        status of a review."""
        target = self.app.store.get(id_or_prefix)
        body: dict[str, Any] = {"about": target.id, "stance": stance}
        for key, value in (("field", field), ("figure", figure), ("reason", reason)):
            if value is not None:
                body[key] = value
        if review is not None:
            body["review"] = review.replace("-", "_")
        return self._write(
            {
                "type": "attestation",
                "observed": at.isoformat() if at is not None else _now(),
                "reporter": by,
                "sources": _sources(source, source_url, f"statement by {by}"),
                "body": body,
            }
        )
