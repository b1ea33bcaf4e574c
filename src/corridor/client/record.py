"""A server's record as the target of an import (:func:`corridor.app.imports.run_import`):
rows are planned against the server's registry, signed with the local key folder, and the
valid, signed entries submitted; a batch the server refuses is reported naming the row.
Revisions (ACLED edits and deletions, edited form submissions) are found against the server's
change feed and signed here as corrections and retractions, which the server admits by the
same rules as any entry (only the reporter corrects or retracts its own)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

from corridor.client.api import Client
from corridor.client.signing import SigningDesk, observation_from_shape
from corridor.ledger.keyfile import Keyring
from corridor.model import Checkpoint, Observation, Place, Registry, Route

__all__ = ["RemoteRecord"]


class RemoteRecord:
    """The record behind ``client``, written to with the keys of ``keyring``."""

    def __init__(self, client: Client, keyring: Keyring) -> None:
        self.client = client
        self.keyring = keyring
        self._desk: SigningDesk | None = None

    @property
    def desk(self) -> SigningDesk:
        if self._desk is None:
            self._desk = self.client.signing_desk(self.keyring)
        return self._desk

    def registry(self) -> Registry:
        return self.client.registry()

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        return self.client.existing(list(ids))

    def size(self) -> int:
        return int(self.client.health().get("size", 0))

    def entries(self, types: Collection[str]) -> Iterator[Observation]:
        """Every entry of ``types`` and every retraction, through the change feed
        (``GET /v1/observations?type=...``, which lists superseded versions too), each checked
        to hash to its id: what an import finds the current version of a record by."""
        for t in sorted({*types, "retraction"}):
            for shape in self.client.follow(type=t):
                yield observation_from_shape(shape)

    def check_signers(self, orgs: Iterable[str]) -> None:
        self.desk.check(orgs)

    def put_entities(self, entities: Sequence[Place | Route | Checkpoint]) -> None:
        """Add the places, routes and checkpoints an import gives through the registry routes
        (an admin token's right: AccessError otherwise, before any observation is sent)."""
        kinds = {Place: "places", Route: "routes", Checkpoint: "checkpoints"}
        for e in entities:
            self.client.add_entity(kinds[type(e)], e)

    def submit(
        self,
        observations: Sequence[Observation],
        *,
        where: Callable[[int], str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[list[str], int]:
        """Sign and submit; (ids already on the record, the log's size)."""
        prepared = [self.desk.prepare(o) for o in observations]
        done = self.client.submit(prepared, where=where, progress=progress)
        return done.duplicates, done.tree_size
