"""Events: the compact form of an observation that rules are evaluated over.

An :class:`Event` keeps what evaluation needs and nothing else: id, type, start and end as UTC
epoch seconds (``end == start`` for an instant), the public body fields (enums as their string
values, lists as tuples), the reporter, whether the entry is *signed* and its *fact* key.

Standing (docs/rules.md, Evidence):

* ``signed``: the log entry carries a valid signature by the observation's reporter with a key
  that is not a demo key (``StoredObservation.signers`` holds the reporter and
  ``demo_signed`` is false).
* ``corroborated``: at least two distinct organisations stand behind the same fact: its
  reporters, and the organisations whose attestation corroborates one of its reports
  (``Event.corroborators``). Two observations state the *same fact* when their type, observed
  period and public body are equal (sources, caveats, notes and the reporter may differ). Its
  key is :func:`fact_key`.

Identical facts reported several times count once in every measure; the evidence lists every
report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from corridor.ledger.canonical import canonical
from corridor.model import Observation
from corridor.model.history import Attested
from corridor.rules.language import Standing

__all__ = ["Event", "FactSelector", "StoredLike", "event_from", "events_from", "fact_key", "select"]

FieldValue = str | int | float | bool | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Event:
    """One observation, ready for evaluation."""

    id: str
    type: str
    start: float
    end: float
    fields: Mapping[str, FieldValue]
    reporter: str
    signed: bool = False
    fact: str = ""
    log_index: int | None = field(default=None, compare=False)
    corroborators: tuple[str, ...] = ()  # organisations attesting that they saw the same

    @property
    def fact_id(self) -> str:
        return self.fact or self.id

    @property
    def is_instant(self) -> bool:
        return self.end == self.start


class StoredLike(Protocol):
    """What :func:`events_from` needs of a stored observation (``corridor.store.api``)."""

    @property
    def observation(self) -> Observation: ...
    @property
    def log_index(self) -> int: ...
    @property
    def signers(self) -> tuple[str, ...]: ...
    @property
    def demo_signed(self) -> bool: ...


def fact_key(obs: Observation) -> str:
    """SHA-256 of the canonical type, observed period and public body of an observation."""
    return _fact_key(obs.content())


def _fact_key(c: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        canonical({"type": c["type"], "observed": c["observed"], "body": c["body"]})
    ).hexdigest()


def _fields(body: Mapping[str, Any]) -> dict[str, FieldValue]:
    out: dict[str, FieldValue] = {}
    for k, v in body.items():
        if k in {"type", "cargo"}:
            continue
        if isinstance(v, list):
            out[k] = tuple(str(x) for x in v)
        elif isinstance(v, str | int | float | bool):
            out[k] = v
    return out


def event_from(item: Observation | StoredLike, corroborators: tuple[str, ...] = ()) -> Event:
    """One observation (plain, or as stored with its log index and signers) as an Event;
    ``corroborators`` are the organisations whose attestation corroborates it."""
    if isinstance(item, Observation):
        obs, signed, index = item, False, None
    else:
        obs = item.observation
        signed = obs.reporter in item.signers and not item.demo_signed
        index = item.log_index
    start = obs.start.timestamp()
    content = obs.content()  # once: both the fields and the fact key come from it
    return Event(
        id=obs.id,
        type=obs.type,
        start=start,
        end=start if obs.end is None else obs.end.timestamp(),
        fields=_fields(content["body"]),
        reporter=obs.reporter,
        signed=signed,
        fact=_fact_key(content),
        log_index=index,
        corroborators=corroborators,
    )


def events_from(
    items: Iterable[Observation | StoredLike],
    attestations: Mapping[str, Attested] | None = None,
) -> list[Event]:
    """Events for observations (or stored observations), in time order (start, then id);
    ``attestations`` says who corroborates which (by observation id)."""
    if not attestations:
        out = [event_from(x) for x in items]
    else:
        out = []
        for x in items:
            a = attestations.get(x.id if isinstance(x, Observation) else x.observation.id)
            out.append(event_from(x, a.corroborators if a is not None else ()))
    out.sort(key=lambda e: (e.start, e.id))
    return out


class FactSelector:
    """Streaming standing filter and fact de-duplication, shared by batch and online evaluation.

    ``feed(event)`` returns the representative event of a fact at the moment the fact first
    qualifies (its first report for ``any``, its first signed report for ``signed``, for
    ``corroborated`` the report that brings a second distinct organisation behind it, as
    reporter or corroborator), else None. ``ids(rep)`` is the evidence for a fact: every
    qualifying report, in arrival order.
    """

    __slots__ = ("_more", "_reporters", "_seen", "standing")

    def __init__(self, standing: Standing = Standing.any) -> None:
        self.standing = standing
        self._seen: dict[str, Event] = {}
        self._more: dict[str, list[str]] = {}
        self._reporters: dict[str, set[str]] = {}

    def feed(self, e: Event) -> Event | None:
        if self.standing is Standing.signed and not e.signed:
            return None
        f = e.fact or e.id
        rep = self._seen.get(f)
        if self.standing is Standing.corroborated:
            if rep is None:
                self._seen[f] = e
                self._reporters[f] = who = {e.reporter, *e.corroborators}
                return e if len(who) >= 2 else None
            self._more.setdefault(f, []).append(e.id)
            who = self._reporters[f]
            if len(who) < 2:
                who.add(e.reporter)
                who.update(e.corroborators)
                if len(who) >= 2:
                    return rep
            return None
        if rep is None:
            self._seen[f] = e
            return e
        self._more.setdefault(f, []).append(e.id)
        return None

    def ids(self, rep: Event) -> tuple[str, ...]:
        more = self._more.get(rep.fact or rep.id)
        return (rep.id, *more) if more else (rep.id,)


def select(
    events: Iterable[Event], at: float, standing: Standing
) -> tuple[list[Event], FactSelector]:
    """Batch form of :class:`FactSelector`: the representatives of the facts that qualify among
    events starting at or before ``at``, in the order they qualified."""
    sel = FactSelector(standing)
    reps: list[Event] = []
    append = reps.append
    if standing is Standing.any:
        seen = sel._seen
        more = sel._more
        for e in events:
            if e.start > at:
                continue
            f = e.fact or e.id
            if f in seen:
                more.setdefault(f, []).append(e.id)
            else:
                seen[f] = e
                append(e)
        return reps, sel
    feed = sel.feed
    for e in events:
        if e.start <= at:
            r = feed(e)
            if r is not None:
                append(r)
    return reps, sel


def sort_events(events: list[Event]) -> list[Event]:
    """``events`` in time order (stable), without copying when already ordered."""
    last = float("-inf")
    for e in events:
        if e.start < last:
            return sorted(events, key=_start)
        last = e.start
    return events


def _start(e: Event) -> float:
    return e.start

