"""Observations: record (validate, sign, append), list with filters, show one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from corridor.model import Observation, parse_observation
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
        out = []
        for i, item in enumerate(items):
            o = parse_observation(dict(item), where=where(i))
            registry.check(o, where=where(i))
            out.append(o)
        return out

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
        """Observations matching ``query``, oldest first: the current state (the current
        version of each observation), or with ``query.history`` every entry; as of
        ``query.as_of`` entries, which must be the size of a signed checkpoint."""
        query = query or Query()
        if query.as_of is not None:
            self.app.log.basis(query.as_of)
        return list(self.app.store.query(query))

    def show(self, id_or_prefix: str, *, as_of: int | None = None) -> StoredObservation:
        """One observation (any version) by id or a unique prefix of 6+ characters
        (NotFoundError), as of a signed checkpoint's size."""
        if as_of is not None:
            self.app.log.basis(as_of)
        return self.app.store.get(id_or_prefix, as_of=as_of)
