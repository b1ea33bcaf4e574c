"""The Store protocol: what every storage backend offers the rest of corridor.

The record and the log are one: ``append`` is the only way an observation enters the store, and
it appends the observation's signed entry to the Merkle log in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from corridor.model import Checkpoint, Observation, Organisation, Place, Registry, Route

__all__ = ["AppendResult", "Query", "Store", "StoredObservation"]


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
    [start, end)."""

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


@dataclass
class AppendResult:
    """What an append did: ids accepted (new), ids already present (duplicates)."""

    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    tree_size: int = 0


class Store(Protocol):
    """Storage of the record (entities, observations-as-log-entries, checkpoints)."""

    def registry(self) -> Registry: ...

    def put_entities(
        self,
        organisations: Sequence[Organisation] = (),
        places: Sequence[Place] = (),
        routes: Sequence[Route] = (),
        checkpoints: Sequence[Checkpoint] = (),
    ) -> None: ...

    def query(self, q: Query | None = None) -> Iterator[StoredObservation]: ...

    def get(self, id_or_prefix: str) -> StoredObservation: ...

    def count(self, q: Query | None = None) -> int: ...

    def close(self) -> None: ...
