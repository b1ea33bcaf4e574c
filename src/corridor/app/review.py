"""The review queue: where each observation stands in review (submitted, under review by whom,
accepted, disputed), the queue with filters, and bulk review actions over a filtered set, each
one signed attestation of stance ``reviewed`` per entry (docs/review.md).

The state of an observation is derived from the review statements on the record by one rule
(:func:`corridor.model.review.review_state`): the latest current statement about its current
version by an organisation other than its reporter; ``submitted`` without one. A bulk action is
all or nothing: every statement is admitted before any is written, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from corridor.errors import InputError
from corridor.model.history import attestation_summary
from corridor.model.review import REVIEW_STATES, ReviewState, review_state
from corridor.store.api import Query, StoredObservation

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = [
    "MAX_BULK",
    "PUBLIC_VIEWS",
    "BulkReview",
    "QueueItem",
    "ReviewCases",
    "ReviewFilter",
    "bulk_statements",
    "plan_bulk",
]

#: The most entries one bulk action signs: one submission, one transaction.
MAX_BULK = 2000
#: What the service's published reads show (``CORRIDOR_PUBLIC_VIEW``).
PUBLIC_VIEWS = ("all", "accepted")


def review_status(value: str) -> str:
    """A review status as typed (``under-review`` or ``under_review``), checked."""
    v = value.strip().replace("-", "_")
    if v not in REVIEW_STATES:
        raise InputError(
            f"{value!r} is not a review state; expected one of {', '.join(REVIEW_STATES)}",
            where="state",
        )
    return v


@dataclass(frozen=True)
class ReviewFilter:
    """Which observations (current versions of facts) a queue listing or bulk action covers:
    review states (none: any), type, reporting organisation, corridor checkpoint, a period
    (observations overlapping [start, end)), and as of a signed tree size (listing only)."""

    states: tuple[str, ...] = ()
    type: str | None = None
    reporter: str | None = None
    checkpoint: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    as_of: int | None = None

    def query(self) -> Query:
        return Query(
            type=self.type, reporter=self.reporter, checkpoint=self.checkpoint,
            start=self.start, end=self.end, as_of=self.as_of,
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for k, v in vars(self).items():
            if v is None or v == ():
                continue
            d[k] = list(v) if isinstance(v, tuple) else v.isoformat() if isinstance(
                v, datetime) else v  # fmt: skip
        return d


@dataclass(frozen=True)
class QueueItem:
    """One observation in the queue and its review state."""

    stored: StoredObservation
    state: ReviewState


@dataclass
class BulkReview:
    """What a bulk review action did (or, with ``dry_run``, would do): the entries it signs a
    statement for, those already in that state by that organisation (left alone), and what was
    appended."""

    state: str
    by: str
    items: list[QueueItem] = field(default_factory=list)
    unchanged: list[QueueItem] = field(default_factory=list)
    dry_run: bool = False
    written: list[str] = field(default_factory=list)  # the new statements' ids, in order
    tree_size: int | None = None  # the log's size once they were appended

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "by": self.by,
            "dry_run": self.dry_run,
            "entries": [i.stored.id for i in self.items],
            "unchanged": [i.stored.id for i in self.unchanged],
            "statements": self.written,
            "tree_size": self.tree_size,
        }


class ReviewCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def states(
        self, rows: Sequence[StoredObservation], *, as_of: int | None = None
    ) -> dict[str, ReviewState]:
        """The review state of each of these observations (by id)."""
        about = self.app.store.attestations_about([s.id for s in rows], as_of=as_of)
        summary = attestation_summary(s.observation for s in about)
        out: dict[str, ReviewState] = {}
        for s in rows:
            a = summary.get(s.id)
            out[s.id] = review_state(s.observation.reporter, a.reviews if a else ())
        return out

    def accepted(
        self, rows: Iterable[StoredObservation], *, as_of: int | None = None
    ) -> list[StoredObservation]:
        """The facts among ``rows`` whose review state is ``accepted`` (the public view of a
        deployment with ``CORRIDOR_PUBLIC_VIEW=accepted``)."""
        from corridor.model import FACT_TYPES

        facts = [s for s in rows if s.observation.type in FACT_TYPES]
        st = self.states(facts, as_of=as_of)
        return [s for s in facts if st[s.id].status == "accepted"]

    def queue(self, f: ReviewFilter | None = None) -> list[QueueItem]:
        """The current versions of the facts matching ``f``, oldest first, each with its review
        state; only those in ``f.states`` when given. As of ``f.as_of``, which must be the size
        of a signed checkpoint."""
        f = f or ReviewFilter()
        states = tuple(review_status(s) for s in f.states)
        rows = self.app.observations.list(f.query())
        st = self.states(rows, as_of=f.as_of)
        return [
            QueueItem(s, st[s.id]) for s in rows if not states or st[s.id].status in states
        ]

    def set(
        self,
        state: str,
        f: ReviewFilter,
        *,
        by: str,
        reason: str | None = None,
        dry_run: bool = False,
    ) -> BulkReview:
        """Put every entry of the queue matching ``f`` in review ``state``: one ``reviewed``
        attestation per entry, signed by ``by`` (the reviewing organisation's key), all
        admitted and written in one transaction or none. Entries already in that state by
        ``by`` are left alone. Refused (InputError) when the set holds an observation ``by``
        reported (nobody reviews their own report), or more than :data:`MAX_BULK` entries.
        With ``dry_run`` nothing is signed or written."""
        state = review_status(state)
        if f.as_of is not None:
            raise InputError("a review acts on the current record, not as of a past size",
                             where="as-of")  # fmt: skip
        out = plan_bulk(self.queue(f), state, by, dry_run=dry_run)
        if dry_run or not out.items:
            return out
        obs = self.app.observations.parse(bulk_statements(out, reason))
        out.written = [o.id for o in obs]
        out.tree_size = self.app.observations.record(obs).tree_size
        return out


def plan_bulk(
    queue: Sequence[QueueItem], state: str, by: str, *, dry_run: bool = False
) -> BulkReview:
    """Which entries of a review queue a bulk action puts in review ``state`` (a status, as
    :func:`review_status` gives it), signed by ``by``, and which already are in it by ``by``
    (left alone). Refused (InputError) when the queue holds an observation ``by`` reported
    (nobody reviews their own report), or more than :data:`MAX_BULK` entries to sign. The one
    plan of ``corridor review set``, over a database and over a server."""
    if not by.strip():
        raise InputError("a review is signed by the reviewing organisation", where="by")
    own = [i.stored.id for i in queue if i.stored.observation.reporter == by]
    if own:
        raise InputError(
            f"{by!r} reported {len(own)} of the {len(queue)} entries matched (first "
            f"{own[0]}): an organisation does not review its own reports; narrow the "
            "filter (e.g. --reporter)", where="by",
        )  # fmt: skip
    out = BulkReview(state, by, dry_run=dry_run)
    for i in queue:
        same = i.state.status == state and i.state.by == by
        (out.unchanged if same else out.items).append(i)
    if len(out.items) > MAX_BULK:
        raise InputError(
            f"{len(out.items)} entries in one bulk action; at most {MAX_BULK} (narrow the "
            "filter)", where="filter",
        )  # fmt: skip
    return out


def bulk_statements(out: BulkReview, reason: str | None = None) -> list[dict[str, Any]]:
    """The review statements (unsigned observations) of a planned bulk action: one
    ``reviewed`` attestation by ``out.by`` per entry, observed now."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    data = []
    for i in out.items:
        body: dict[str, Any] = {"about": i.stored.id, "stance": "reviewed", "review": out.state}
        if reason:
            body["reason"] = reason
        data.append({
            "type": "attestation", "observed": now, "reporter": out.by,
            "sources": [{"title": f"review by {out.by}"}], "body": body,
        })  # fmt: skip
    return data
