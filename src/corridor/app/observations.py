"""Observations: record (validate, sign, append), list with filters, show one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from corridor.model import Observation
from corridor.store.api import AppendResult, Query, StoredObservation

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["ObservationCases"]


class ObservationCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def parse(
        self,
        items: Sequence[Mapping[str, Any]],
        *,
        where: Callable[[int], str | None] = lambda i: None,
    ) -> list[Observation]:
        """Validate raw observations and check their references against the record's registry
        (RecordError naming the item and field)."""
        registry = self.app.store.registry()
        return [registry.parse(item, where(i)) for i, item in enumerate(items)]

    def record(
        self,
        observations: Sequence[Observation],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> AppendResult:
        """Sign each observation with its reporter's key and append it to the log; one already
        on the record is a duplicate, not an error."""
        from corridor.recording import Recorder

        recorder = Recorder(self.app.store, self.app.keyring, pool=self.app.pool)
        return recorder.submit(observations, progress=progress)

    def list(self, query: Query | None = None) -> list[StoredObservation]:
        """Observations matching ``query``, oldest first."""
        return list(self.app.store.query(query or Query()))

    def show(self, id_or_prefix: str) -> StoredObservation:
        """One observation by id or a unique prefix of 6+ characters (NotFoundError)."""
        return self.app.store.get(id_or_prefix)
