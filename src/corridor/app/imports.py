"""Import: a file through a mapping file into the record, rejected rows into quarantine.

The record is a database (:meth:`ImportCases.run`) or any :class:`ImportTarget`, such as a
server's record through the HTTP client (:class:`corridor.client.RemoteRecord`): the rows are
planned, quarantined and signed here the same way, by :func:`run_import`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from corridor.errors import InputError
from corridor.ingest import (
    ImportPlan,
    ImportSummary,
    Progress,
    check_quarantine_target,
    default_quarantine_path,
    load_mapping,
    plan_import,
    summarise,
    write_quarantine,
)
from corridor.model import Observation, Registry

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["ImportCases", "ImportTarget", "run_import"]


class ImportTarget(Protocol):
    """Where an import's accepted observations go."""

    def registry(self) -> Registry: ...

    def existing_ids(self, ids: Iterable[str]) -> set[str]: ...

    def size(self) -> int: ...

    def check_signers(self, orgs: Iterable[str]) -> None:
        """Every reporter's key at hand (SigningKeyError otherwise), before anything is written."""

    def submit(
        self,
        observations: Sequence[Observation],
        *,
        where: Callable[[int], str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[list[str], int]:
        """Sign and append; (ids already on the record, the log's size). ``where(i)`` names
        the row observation ``i`` came from, for an error."""


class _Database:
    """The application's own database, signed with its key folder."""

    def __init__(self, app: Corridor) -> None:
        from corridor.recording import Recorder

        self.store = app.store
        self.recorder = Recorder(app.store, app.keyring, pool=app.pool)

    def registry(self) -> Registry:
        return self.store.registry()

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        return self.store.existing_ids(ids)

    def size(self) -> int:
        return self.store.size()

    def check_signers(self, orgs: Iterable[str]) -> None:
        for org in sorted(set(orgs)):
            self.recorder.signer(org)

    def submit(
        self,
        observations: Sequence[Observation],
        *,
        where: Callable[[int], str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[list[str], int]:
        result = self.recorder.submit(observations, progress=progress)
        return result.duplicates, result.tree_size


def _row(plan: ImportPlan) -> Callable[[int], str]:
    def where(i: int) -> str:
        p = plan.accepted[i]
        return f"sheet {p.sheet}, row {p.row}" if p.sheet else f"row {p.row}"

    return where


def run_import(
    target: ImportTarget,
    file: Path,
    mapping: Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    quarantine: Path | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Plan the import against the target's registry, quarantine rejected rows, sign and submit
    the accepted observations.

    Nothing is written before every reporter's key is at hand and the quarantine path is
    known to be safe to write; ``dry_run`` writes nothing at all. Re-importing adds nothing.
    """
    mf = load_mapping(mapping)
    if not file.is_file():
        raise InputError("no such file" if not file.exists() else "not a file", where=str(file))
    qtarget = quarantine or default_quarantine_path(file)
    inputs = (file, mapping)
    if not dry_run:
        check_quarantine_target(qtarget, inputs)
    plan = plan_import(file, mf, target.registry(), sheet, progress=progress)
    observations = plan.observations
    if dry_run:
        known = target.existing_ids(o.id for o in observations)
        return summarise(plan, duplicate_ids=known, dry_run=True)
    # Every reporter's key before anything is written: a missing key stops the import
    # cleanly, with nothing half done.
    target.check_signers(o.reporter for o in observations)
    qpath = write_quarantine(plan, qtarget, inputs)
    duplicates: list[str] = []
    tree_size = target.size()
    if observations:
        if progress is not None:
            progress.start("recording", len(observations))
        duplicates, tree_size = target.submit(
            observations,
            where=_row(plan),
            progress=progress.advance if progress is not None else None,
        )
    return summarise(plan, duplicate_ids=duplicates, quarantine=qpath, tree_size=tree_size)


class ImportCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def run(
        self,
        file: Path,
        mapping: Path,
        *,
        sheet: str | None = None,
        dry_run: bool = False,
        quarantine: Path | None = None,
        progress: Progress | None = None,
    ) -> ImportSummary:
        """Import into the application's database (see :func:`run_import`)."""
        return run_import(
            _Database(self.app), file, mapping, sheet=sheet, dry_run=dry_run,
            quarantine=quarantine, progress=progress,
        )  # fmt: skip
