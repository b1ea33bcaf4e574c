"""Corrections, retractions and attestations: entries that name another entry, and the current
state of the record they make (docs/record.md, Corrections, retractions and attestations).

An entry may name one other entry by id:

- a **correction** is an observation carrying ``supersedes: {id, reason}``: it replaces that
  version. It keeps the type and the reporter of what it corrects (an attestation corrected also
  keeps what it is about);
- a **retraction** (type ``retraction``) withdraws the version it names (``retracts``): the chain
  ends there, and no view counts it any more;
- an **attestation** (type ``attestation``) is another organisation's statement ``about`` an
  observation: it corroborates it, disputes it, or gives the status of a review.

A correction or a retraction names the *current* version (the head of its chain), so versions
make one chain, never a tree: corrections of corrections follow each other, and the current
state is the last version (none when the chain ends in a retraction). Only the reporter of an
observation corrects or retracts it; another organisation attests instead.

:func:`check_entry` is the one rule. Admission applies it against the store
(``corridor.recording.admission``); :class:`History` applies it entry by entry to observations in
log order, and :func:`resolve` gives the current state of such a list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from corridor.errors import ConflictError, RecordError
from corridor.model.bodies import (
    BODY_TYPES,
    FACT_TYPES,
    SEALED_TYPE,
    Attestation,
    Retraction,
    Sealed,
    Stance,
    personal_fields,
)
from corridor.model.embargo import reveal_commitment
from corridor.model.observation import Observation

__all__ = [
    "ATTESTATION",
    "RETRACTION",
    "SEALED",
    "Attested",
    "Entry",
    "History",
    "RecordView",
    "Resolved",
    "Seal",
    "Statement",
    "attestation_summary",
    "attested_id",
    "check_entry",
    "names_another",
    "resolve",
    "summaries_json",
    "superseded_id",
]

RETRACTION = Retraction.TYPE
ATTESTATION = Attestation.TYPE
SEALED = SEALED_TYPE
_TAKES_SIDES = frozenset({Stance.corroborates.value, Stance.disputes.value})


def superseded_id(obs: Observation) -> str | None:
    """The entry an observation replaces (a correction), withdraws (a retraction) or opens (a
    reveal: the sealed entry), if any."""
    if obs.supersedes is not None:
        return obs.supersedes.id
    if obs.reveals is not None:
        return obs.reveals.sealed
    b = obs.body
    return b.retracts if isinstance(b, Retraction) else None


def attested_id(obs: Observation) -> str | None:
    """The observation an attestation is about (None for any other entry)."""
    b = obs.body
    return b.about if isinstance(b, Attestation) else None


def names_another(obs: Observation) -> bool:
    """Whether admission checks the entry against the record: a correction, a retraction, an
    attestation, a reveal, or a sealed entry (which a reveal is checked against)."""
    return (
        obs.supersedes is not None
        or obs.reveals is not None
        or obs.type in (RETRACTION, ATTESTATION, SEALED)
    )


@dataclass(frozen=True, slots=True)
class Seal:
    """A commitment and the metadata it was sealed with (a sealed entry), or the commitment a
    reveal opens and what it reveals (its type and observed time)."""

    commitment: str
    hides: str | None
    start: datetime
    end: datetime | None


@dataclass(frozen=True, slots=True)
class Entry:
    """What the rule needs to know of an entry: its id, type, reporter, and what it names."""

    id: str
    type: str
    reporter: str
    supersedes: str | None = None  # the version it corrects or retracts
    attests: str | None = None  # an attestation: the observation it is about
    stance: str | None = None  # an attestation: corroborates, disputes or reviewed
    field: str | None = None  # an attestation: the body field it is about
    seal: Seal | None = None  # a sealed entry's commitment, or the one a reveal opens

    @classmethod
    def of(cls, obs: Observation) -> Entry:
        b = obs.body
        if isinstance(b, Sealed):
            seal = Seal(b.commitment, b.hides, obs.start, obs.end)
            return cls(obs.id, obs.type, obs.reporter, superseded_id(obs), seal=seal)
        opened = reveal_commitment(obs)
        if opened is not None:
            seal = Seal(opened, obs.type, obs.start, obs.end)
            return cls(obs.id, obs.type, obs.reporter, superseded_id(obs), seal=seal)
        if isinstance(b, Attestation):
            return cls(
                obs.id, obs.type, obs.reporter, superseded_id(obs), b.about, str(b.stance),
                b.field,
            )  # fmt: skip
        return cls(obs.id, obs.type, obs.reporter, superseded_id(obs))

    @property
    def names_another(self) -> bool:
        return self.supersedes is not None or self.attests is not None

    @property
    def is_reveal(self) -> bool:
        return self.seal is not None and self.type != SEALED


class RecordView(Protocol):
    """What the record holds before the entry being checked."""

    def entry(self, id: str, /) -> Entry | None:
        """The entry with this id, None if the record does not hold it."""

    def successor(self, id: str, /) -> Entry | None:
        """The correction or retraction that names this entry, None while it is current."""

    def stance(self, org: str, about: str, /) -> str | None:
        """The id of ``org``'s current attestation corroborating or disputing ``about``."""


def check_entry(e: Entry, view: RecordView, *, partial: bool = False) -> None:
    """Raise RecordError (or ConflictError, when a newer version came first) if the entry ``e``
    breaks the rules of corrections, retractions and attestations against ``view``.

    With ``partial``, an entry the view does not hold is taken as checked when it was admitted
    (the view is a part of the record read by current-state queries, not the whole of it).
    """
    if e.is_reveal:
        _check_reveal(e, view, partial)
    elif e.supersedes is not None:
        _check_supersedes(e, view, partial)
    if e.attests is not None:
        _check_attests(e, view, partial)


def _check_supersedes(e: Entry, view: RecordView, partial: bool) -> None:
    assert e.supersedes is not None
    retraction = e.type == RETRACTION
    verb = "retract" if retraction else "correct"
    where = "body.retracts" if retraction else "supersedes.id"
    t = view.entry(e.supersedes)
    if t is None:
        if partial:
            return
        raise RecordError(f"observation {e.supersedes} is not on the record", field=where)
    if t.type == RETRACTION:
        raise RecordError(
            f"{t.id} is a retraction, and a retraction is final: record a new observation",
            field=where,
        )
    if t.reporter != e.reporter:
        raise RecordError(
            f"only its reporter {t.reporter!r} may {verb} observation {t.id}; {e.reporter!r} "
            "may dispute it instead (an attestation)",
            field="reporter",
        )
    if not retraction and t.type != e.type:
        raise RecordError(
            f"a correction keeps the type of what it corrects: {t.id} is a {t.type}, this is a "
            f"{e.type} (retract it and record a new observation)",
            field="type",
        )
    if not retraction and t.attests != e.attests:
        raise RecordError(
            f"a corrected attestation keeps what it is about: {t.id} is about {t.attests}",
            field="body.about",
        )
    after = view.successor(t.id)
    if after is not None:
        if after.type == RETRACTION:
            raise ConflictError(f"observation {t.id} was retracted by {after.id}: it is final")
        raise ConflictError(
            f"observation {t.id} was already corrected by {after.id}: {verb} that one, its "
            "current version"
        )


def _check_reveal(e: Entry, view: RecordView, partial: bool) -> None:
    """A reveal opens a sealed entry of its reporter's, not revealed, replaced or withdrawn
    yet, and matches its commitment and what it disclosed (docs/embargo.md)."""
    assert e.supersedes is not None and e.seal is not None
    where = "reveals.sealed"
    t = view.entry(e.supersedes)
    if t is None:
        if partial:
            return
        raise RecordError(f"sealed entry {e.supersedes} is not on the record", field=where)
    if t.type != SEALED:
        raise RecordError(f"{t.id} is a {t.type}, not a sealed entry", field=where)
    if t.reporter != e.reporter:
        raise RecordError(
            f"only {t.reporter!r}, which sealed {t.id}, may reveal it; {e.reporter!r} may not",
            field="reporter",
        )
    after = view.successor(t.id)
    if after is not None:
        if after.type == RETRACTION:
            raise ConflictError(f"sealed entry {t.id} was withdrawn by {after.id}")
        if after.type == SEALED:
            raise ConflictError(
                f"sealed entry {t.id} was replaced by the seal {after.id}: reveal that one"
            )
        raise ConflictError(f"sealed entry {t.id} was already revealed by {after.id}")
    if t.seal is None:
        if partial:
            return
        raise RecordError(f"sealed entry {t.id}: its commitment is not known", field=where)
    if e.seal.commitment != t.seal.commitment:
        raise RecordError(
            f"the reveal does not match the commitment of sealed entry {t.id}: the salt or the "
            "observation differs from what was sealed",
            field="reveals",
        )
    if t.seal.hides is not None and t.seal.hides != e.type:
        raise RecordError(
            f"sealed entry {t.id} said it hides a {t.seal.hides}; this is a {e.type}",
            field="type",
        )
    s = t.seal
    inside = e.seal.start == s.start if s.end is None else s.start <= e.seal.start < s.end
    if not inside:
        shown = s.start.isoformat()
        if s.end is not None:
            shown = f"[{shown}, {s.end.isoformat()})"
        raise RecordError(
            f"observed {e.seal.start.isoformat()}, outside the time sealed entry {t.id} "
            f"disclosed ({shown})",
            field="observed.start",
        )


def _check_attests(e: Entry, view: RecordView, partial: bool) -> None:
    assert e.attests is not None
    t = view.entry(e.attests)
    if t is None:
        if partial:
            return
        raise RecordError(f"observation {e.attests} is not on the record", field="body.about")
    if t.type not in FACT_TYPES:
        raise RecordError(
            f"an attestation is about an observation, and {t.id} is a {t.type}",
            field="body.about",
        )
    after = view.successor(t.id)
    if after is not None:
        if after.type == RETRACTION:
            raise ConflictError(f"observation {t.id} was retracted by {after.id}")
        raise ConflictError(
            f"observation {t.id} was corrected by {after.id}: attest that one, its current "
            "version"
        )
    if e.stance in _TAKES_SIDES:
        if e.reporter == t.reporter:
            raise RecordError(
                f"{e.reporter!r} reported {t.id}: an organisation corroborates or disputes the "
                "observations of others, and corrects or retracts its own",
                field="reporter",
            )
        prior = view.stance(e.reporter, t.id)
        if prior is not None and prior != e.supersedes:
            raise ConflictError(
                f"{e.reporter!r} already attested {t.id} (attestation {prior}): correct or "
                "retract that attestation"
            )
    if e.field is not None:
        body = BODY_TYPES[t.type]
        names = [n for n in body.model_fields if n != "type" and n not in personal_fields(body)]
        if e.field not in names:
            raise RecordError(
                f"a {t.type} has no field {e.field!r}; expected one of {', '.join(names)}",
                field="body.field",
            )


class History:
    """The chains of a record, entry by entry in log order: a :class:`RecordView` that grows.

    :meth:`add` checks an entry with :func:`check_entry` and records it; :meth:`know` records an
    entry as already admitted (what admission loads from the store around a batch).
    """

    def __init__(self, *, partial: bool = False) -> None:
        self.partial = partial
        self._entries: dict[str, Entry] = {}
        self._next: dict[str, Entry] = {}
        self._stances: dict[tuple[str, str], str] = {}

    # -- the view ----------------------------------------------------------------------------
    def entry(self, id: str, /) -> Entry | None:
        return self._entries.get(id)

    def successor(self, id: str, /) -> Entry | None:
        return self._next.get(id)

    def stance(self, org: str, about: str, /) -> str | None:
        return self._stances.get((org, about))

    def __contains__(self, id: object) -> bool:
        return id in self._entries

    # -- growing -----------------------------------------------------------------------------
    def add(self, e: Entry) -> bool:
        """Check ``e`` and record it; False if it was recorded already (the same id). Raises
        RecordError or ConflictError, leaving the history as it was, if ``e`` breaks a rule."""
        if e.id in self._entries:
            return False
        if e.names_another:
            check_entry(e, self, partial=self.partial)
        self.know(e)
        return True

    def know(self, e: Entry) -> None:
        """Record ``e`` as on the record (checked when it was admitted)."""
        self._entries[e.id] = e
        if e.supersedes is not None:
            self._next[e.supersedes] = e
            before = self._entries.get(e.supersedes)
            if before is not None and before.attests is not None:
                key = (before.reporter, before.attests)
                if self._stances.get(key) == before.id:
                    del self._stances[key]
        if e.attests is not None and e.stance in _TAKES_SIDES:
            self._stances[(e.reporter, e.attests)] = e.id

    # -- reading -----------------------------------------------------------------------------
    def is_current(self, id: str) -> bool:
        """Whether the entry is on the record and no correction or retraction names it."""
        e = self._entries.get(id)
        return e is not None and e.type != RETRACTION and id not in self._next

    def current(self, id: str) -> str | None:
        """The current version of the chain ``id`` belongs to (from ``id`` on), None when the
        chain ends in a retraction."""
        e = self._entries.get(id)
        while e is not None and e.id in self._next:
            e = self._next[e.id]
        if e is None:
            return None
        return None if e.type == RETRACTION else e.id


@dataclass(frozen=True)
class Statement:
    """One attestation, as a summary shows it: who, which, and what it says."""

    by: str
    id: str
    stance: str
    field: str | None = None
    figure: float | None = None
    reason: str | None = None
    review: str | None = None

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"by": self.by, "id": self.id}
        for k in ("field", "figure", "reason", "review"):
            v = getattr(self, k)
            if v is not None:
                d[k] = int(v) if k == "figure" and float(v).is_integer() else v
        return d


@dataclass(frozen=True)
class Attested:
    """Who stands behind an observation and who disputes it: its current attestations."""

    corroborated_by: tuple[Statement, ...] = ()
    disputed_by: tuple[Statement, ...] = ()
    reviews: tuple[Statement, ...] = ()  # in log order: the last is the review's status

    @property
    def review(self) -> Statement | None:
        return self.reviews[-1] if self.reviews else None

    @property
    def corroborators(self) -> tuple[str, ...]:
        return tuple(s.by for s in self.corroborated_by)

    def to_json(self) -> dict[str, Any]:
        r = self.review
        return {
            "corroborated_by": [s.to_json() for s in self.corroborated_by],
            "disputed_by": [s.to_json() for s in self.disputed_by],
            "review": None if r is None else {"status": r.review, "by": r.by, "id": r.id},
        }


def attestation_summary(attestations: Iterable[Observation]) -> dict[str, Attested]:
    """Per observation id, what the given (current) attestations say about it; attestations
    in log order, so that the last review is the current one."""
    by_about: dict[str, tuple[list[Statement], list[Statement], list[Statement]]] = {}
    for o in attestations:
        b = o.body
        if not isinstance(b, Attestation):
            continue
        s = Statement(
            o.reporter, o.id, str(b.stance), b.field, b.figure, b.reason,
            None if b.review is None else str(b.review),
        )  # fmt: skip
        c, d, r = by_about.setdefault(b.about, ([], [], []))
        {Stance.corroborates: c, Stance.disputes: d, Stance.reviewed: r}[b.stance].append(s)
    return {
        about: Attested(
            tuple(sorted(c, key=lambda s: (s.by, s.id))),
            tuple(sorted(d, key=lambda s: (s.by, s.id))),
            tuple(r),
        )
        for about, (c, d, r) in by_about.items()
    }


@dataclass
class Resolved:
    """The current state of a list of observations: the current version of every fact, what
    the current attestations say about each, and the entries left out as breaking a rule."""

    facts: list[Observation]
    attestations: dict[str, Attested] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (id, why)

    def about(self, ids: Iterable[str]) -> dict[str, Attested]:
        """The attestation summaries of these ids (those that have any)."""
        return {i: self.attestations[i] for i in ids if i in self.attestations}


def resolve(observations: Iterable[Observation], *, partial: bool = False) -> Resolved:
    """The current state of ``observations`` (in log order): superseded and retracted versions,
    retractions and attestations are not facts; entries that break the rules are refused.

    With ``partial`` the list is a part of a record read by current-state queries (the store's
    situation inputs): an entry it names but does not hold was checked when it was admitted.
    """
    h = History(partial=partial)
    kept: list[Observation] = []
    refused: list[tuple[str, str]] = []
    for o in observations:
        try:
            if h.add(Entry.of(o)):
                kept.append(o)
        except (RecordError, ConflictError) as exc:
            refused.append((o.id, exc.message))
    facts = [o for o in kept if o.type in FACT_TYPES and h.successor(o.id) is None]
    current = [o for o in kept if o.type == ATTESTATION and h.successor(o.id) is None]
    return Resolved(facts, attestation_summary(current), refused)


def summaries_json(summaries: Mapping[str, Attested]) -> dict[str, Any]:
    """``{id: summary}`` as JSON, ids sorted."""
    return {k: summaries[k].to_json() for k in sorted(summaries)}
