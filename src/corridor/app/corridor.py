"""The application: one object opened over a database and a key folder, with every use case.

    with Corridor.open(db, keys) as app:
        app.cases.load("lachin-2023")
        sit = app.situation.at(datetime(2023, 8, 15, tzinfo=UTC))
        bundle = app.log.prove(observation_id)

Every face (the CLI, the HTTP API, the dashboard, reports) calls this and nothing below it. The
use cases are grouped by resource (``observations``, ``history``, ``imports``, ``exports``,
``cases``, ``situation``, ``commitments``, ``supply``, ``log``, ``witness`` (being one),
``witnesses`` (the log's), ``releases``, ``review``, ``keys``, ``registry``, ``access``); each
group defines the JSON shape of what it returns once (:mod:`corridor.app.shapes`).

Safe in a long-running, multi-process server:
- reads never write (signing a checkpoint is :meth:`LogCases.sign_checkpoint`, an explicit write);
- the only worker pool is the application's own, started on the first large submission and
  shut down by :meth:`close`;
- keys and the registry are read from the database for each use case, never cached across
  calls, so another process's writes are seen at once;
- settings are read once, when the application opens.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from corridor.app.settings import Settings

if TYPE_CHECKING:
    from corridor.app.access import AccessCases
    from corridor.app.cases import CaseCases
    from corridor.app.commitments import CommitmentCases
    from corridor.app.embargo import EmbargoCases
    from corridor.app.exports import ExportCases
    from corridor.app.history import HistoryCases
    from corridor.app.imports import ImportCases
    from corridor.app.keys import KeyCases
    from corridor.app.log import LogCases
    from corridor.app.observations import ObservationCases
    from corridor.app.registry import RegistryCases
    from corridor.app.releases import ReleaseCases
    from corridor.app.review import ReviewCases
    from corridor.app.site import SiteCases
    from corridor.app.situation import SituationCases
    from corridor.app.supply import SupplyCases
    from corridor.app.watches import WatchCases
    from corridor.app.witness import WitnessCases
    from corridor.app.witnesses import WitnessesCases
    from corridor.ledger.tiles import TileCache
    from corridor.recording import AdmissionPool, Keyring, TransparencyLog
    from corridor.store.sql import SqlStore

__all__ = ["Corridor"]


class Corridor:
    """The record, its log and its analyses, over one database and one key folder."""

    def __init__(self, settings: Settings, *, create: bool = False) -> None:
        self.settings = settings
        self.create = create
        self._store: SqlStore | None = None
        self._pool: AdmissionPool | None = None
        self._tiles: TileCache | None = None

    @classmethod
    def open(
        cls,
        db: str | None = None,
        keys: str | Path | None = None,
        *,
        create: bool = False,
        workers: int | None = None,
    ) -> Corridor:
        """Open over ``db`` (a path or URL) and ``keys`` (a folder); with ``create`` the schema
        is created or upgraded when the database is first used."""
        return cls(Settings.load(db, keys, workers=workers), create=create)

    # -- resources ---------------------------------------------------------------------------
    @property
    def opened(self) -> bool:
        """Whether the database has been opened (by a use case that needed the full store)."""
        return self._store is not None

    @property
    def store(self) -> SqlStore:
        """The database, opened on first use."""
        if self._store is None:
            from corridor.store.sql import SqlStore

            self._store = SqlStore.open(self.settings.db, create=self.create)
        return self._store

    @cached_property
    def keyring(self) -> Keyring:
        from corridor.recording import Keyring

        return Keyring(self.settings.keys)

    @property
    def pool(self) -> AdmissionPool:
        """The application's worker processes for admitting large submissions."""
        if self._pool is None:
            from corridor.recording import AdmissionPool

            self._pool = AdmissionPool(self.settings.workers)
        return self._pool

    def transparency_log(self) -> TransparencyLog:
        """The log over the store, for one use case (its key cache lives as long as it; the
        tile cache, keyed by tile width and so never stale, is the application's)."""
        from corridor.ledger.tiles import TileCache
        from corridor.recording import TransparencyLog

        if self._tiles is None:
            self._tiles = TileCache()
        return TransparencyLog(self.store, self.keyring, tile_cache=self._tiles)

    # -- use cases ---------------------------------------------------------------------------
    @cached_property
    def observations(self) -> ObservationCases:
        from corridor.app.observations import ObservationCases

        return ObservationCases(self)

    @cached_property
    def history(self) -> HistoryCases:
        from corridor.app.history import HistoryCases

        return HistoryCases(self)

    @cached_property
    def embargo(self) -> EmbargoCases:
        from corridor.app.embargo import EmbargoCases

        return EmbargoCases(self)

    @cached_property
    def imports(self) -> ImportCases:
        from corridor.app.imports import ImportCases

        return ImportCases(self)

    @cached_property
    def exports(self) -> ExportCases:
        from corridor.app.exports import ExportCases

        return ExportCases(self)

    @cached_property
    def cases(self) -> CaseCases:
        from corridor.app.cases import CaseCases

        return CaseCases(self)

    @cached_property
    def situation(self) -> SituationCases:
        from corridor.app.situation import SituationCases

        return SituationCases(self)

    @cached_property
    def site(self) -> SiteCases:
        from corridor.app.site import SiteCases

        return SiteCases(self)

    @cached_property
    def commitments(self) -> CommitmentCases:
        from corridor.app.commitments import CommitmentCases

        return CommitmentCases(self)

    @cached_property
    def supply(self) -> SupplyCases:
        from corridor.app.supply import SupplyCases

        return SupplyCases(self)

    @cached_property
    def log(self) -> LogCases:
        from corridor.app.log import LogCases

        return LogCases(self)

    @cached_property
    def watches(self) -> WatchCases:
        from corridor.app.watches import WatchCases

        return WatchCases(self)

    @cached_property
    def witness(self) -> WitnessCases:
        from corridor.app.witness import WitnessCases

        return WitnessCases(self)

    @cached_property
    def witnesses(self) -> WitnessesCases:
        from corridor.app.witnesses import WitnessesCases

        return WitnessesCases(self)

    @cached_property
    def releases(self) -> ReleaseCases:
        from corridor.app.releases import ReleaseCases

        return ReleaseCases(self)

    @cached_property
    def review(self) -> ReviewCases:
        from corridor.app.review import ReviewCases

        return ReviewCases(self)

    @cached_property
    def keys(self) -> KeyCases:
        from corridor.app.keys import KeyCases

        return KeyCases(self)

    @cached_property
    def registry(self) -> RegistryCases:
        from corridor.app.registry import RegistryCases

        return RegistryCases(self)

    @cached_property
    def access(self) -> AccessCases:
        from corridor.app.access import AccessCases

        return AccessCases(self)

    # -- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Corridor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
