"""The store's value types, shared with the faces and the rules adapter: queries, stored
observations, append results. The store itself is :class:`corridor.store.sql.SqlStore`; the only
way an observation enters it is :class:`corridor.recording.Ledger`, which appends the signed
entry to the Merkle log in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from corridor.model import Observation

__all__ = ["AppendResult", "Query", "StoredObservation"]


@dataclass(frozen=True)
class StoredObservation:
    """An observation as stored: its place in the log and who signed its entry."""

    observation: Observation
    log_index: int
    signers: tuple[str, ...] = ()
    demo_signed: bool = False

    @property
    def id(self) -> str:
        return self.observation.id


@dataclass(frozen=True)
class Query:
    """Filters for listing observations. A period filter keeps observations overlapping
    [start, end). ``as_of`` reads the record as of that tree size (its first ``as_of``
    entries); ``history`` lists every entry (superseded versions, retractions, attestations)
    instead of the current state only. ``after`` is a log-index cursor: only entries appended
    after log index ``after``, listed in log order (the change feed: every entry, as with
    ``history``); without it the order is time order."""

    type: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    reporter: str | None = None
    route: str | None = None
    checkpoint: str | None = None
    direction: str | None = None
    category: str | None = None
    place: str | None = None
    limit: int | None = None
    as_of: int | None = None
    history: bool = False
    after: int | None = None


@dataclass
class AppendResult:
    """What an append did: ids accepted (new), ids already present (duplicates)."""

    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    tree_size: int = 0
