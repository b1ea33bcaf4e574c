"""Import: a file through a mapping file (or a preset, or none for corridor's own exports) into
the record, rejected rows into quarantine.

The record is a database (:meth:`ImportCases.run`) or any :class:`ImportTarget`, such as a
server's record through the HTTP client (:class:`corridor.client.RemoteRecord`): the rows are
planned, quarantined and signed here the same way, by :func:`run_import`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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
from corridor.model import Checkpoint, Observation, Place, Registry, Route
from corridor.store.api import Query

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor
    from corridor.ingest.mapping import MappingFile

__all__ = [
    "ImportCases",
    "ImportTarget",
    "plan_against",
    "plan_rows",
    "resolve_mapping",
    "run_import",
]

Entity = Place | Route | Checkpoint


class ImportTarget(Protocol):
    """Where an import's accepted observations (and the places and checkpoints it gives) go."""

    def registry(self) -> Registry: ...

    def existing_ids(self, ids: Iterable[str]) -> set[str]: ...

    def size(self) -> int: ...

    def entries(self, types: Collection[str]) -> Iterable[Observation]:
        """Every entry of ``types`` on the record, superseded versions included, and every
        retraction: what revisions are found against (:mod:`corridor.ingest.revisions`)."""

    def check_signers(self, orgs: Iterable[str]) -> None:
        """Every reporter's key at hand (SigningKeyError otherwise), before anything is written."""

    def put_entities(self, entities: Sequence[Entity]) -> None:
        """Add or replace the places, routes and checkpoints an import gives."""

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

    def entries(self, types: Collection[str]) -> Iterable[Observation]:
        for t in sorted({*types, "retraction"}):
            for s in self.store.scan(Query(type=t, history=True)):
                yield s.observation

    def check_signers(self, orgs: Iterable[str]) -> None:
        for org in sorted(set(orgs)):
            self.recorder.signer(org)

    def put_entities(self, entities: Sequence[Entity]) -> None:
        self.store.put_entities(
            (),
            [e for e in entities if isinstance(e, Place)],
            [e for e in entities if isinstance(e, Route)],
            [e for e in entities if isinstance(e, Checkpoint)],
        )

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


def resolve_mapping(
    mapping: Path | None, preset: str | None, params: dict[str, Any] | None
) -> MappingFile | None:
    """The mapping to read with: a file, a preset with its parameters, or None (a corridor
    export, read without one)."""
    from corridor.ingest.mapping import preset_mapping

    if mapping is not None and preset is not None:
        raise InputError("give a mapping file or a preset, not both", where="--preset")
    if params and preset is None:
        raise InputError("parameters go with a preset (--preset NAME)", where="--param")
    if mapping is not None:
        return load_mapping(mapping)
    if preset is not None:
        return preset_mapping(preset, dict(params or {}))
    return None


def plan_rows(
    file: Path,
    mf: MappingFile | None,
    registry: Registry,
    sheet: str | None,
    progress: Progress | None,
) -> ImportPlan:
    """Plan the rows of a file against ``registry``: through the mapping, or, without one, as a
    corridor export. Revisions of recorded observations (ACLED edits and deletions, edited
    form submissions) need the record itself: :func:`plan_against`."""
    from corridor.ingest.flat import is_flat_export, plan_flat_import
    from corridor.ingest.presets import names

    if mf is None:
        if not is_flat_export(file):
            raise InputError(
                "not a corridor export: give a mapping file (--map) or a preset "
                f"(--preset: {', '.join(names())}); see docs/import.md",
                where=file.name,
            )
        return plan_flat_import(file, registry)
    return plan_import(file, mf, registry, sheet, progress=progress)


def plan_against(
    target: ImportTarget,
    file: Path,
    mf: MappingFile | None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """:func:`plan_rows` against the target's registry, and the revisions of what its record
    holds (an ACLED deletions list, rows of a mapping that looks for revisions) turned into
    corrections and retractions by :mod:`corridor.ingest.revisions`."""
    from corridor.ingest.revisions import (
        RecordIndex,
        apply_revisions,
        needs_record,
        plan_deletions,
        revision_types,
    )

    types = revision_types(mf)
    if mf is not None and mf.preset == "acled-deletions":
        from corridor.ingest.presets.acled import read_deletions

        rows = read_deletions(file, mf)
        return plan_deletions(file, mf, rows, RecordIndex(target.entries(types)))
    plan = plan_rows(file, mf, target.registry(), sheet, progress)
    if mf is not None and types and needs_record(plan, mf):
        apply_revisions(plan, mf, RecordIndex(target.entries(types)))
    return plan


def run_import(
    target: ImportTarget,
    file: Path,
    mf: MappingFile | None,
    *,
    mapping: Path | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    quarantine: Path | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Plan the import (:func:`plan_against` the target), quarantine rejected rows, put the
    places and checkpoints it gives, sign and submit the accepted observations (corrections
    and retractions included). ``mapping`` is the mapping file ``mf`` was read from, if any.

    Nothing is written before every reporter's key is at hand and the quarantine path is
    known to be safe to write; ``dry_run`` writes nothing at all. Re-importing adds nothing.
    """
    if not file.is_file():
        raise InputError("no such file" if not file.exists() else "not a file", where=str(file))
    qtarget = quarantine or default_quarantine_path(file)
    inputs = (file, *((mapping,) if mapping is not None else ()))
    if not dry_run:
        check_quarantine_target(qtarget, inputs)
    plan = plan_against(target, file, mf, sheet, progress)
    observations = plan.observations
    if dry_run:
        known = target.existing_ids(o.id for o in observations)
        return summarise(plan, duplicate_ids=known, dry_run=True)
    # Every reporter's key before anything is written: a missing key stops the import
    # cleanly, with nothing half done.
    target.check_signers(o.reporter for o in observations)
    qpath = write_quarantine(plan, qtarget, inputs)
    if plan.entities:
        target.put_entities(plan.entities)
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

    def mapping(
        self, mapping: Path | None, preset: str | None, params: dict[str, Any] | None
    ) -> MappingFile | None:
        """See :func:`resolve_mapping`."""
        return resolve_mapping(mapping, preset, params)

    def run(
        self,
        file: Path,
        mapping: Path | None = None,
        *,
        preset: str | None = None,
        params: dict[str, Any] | None = None,
        sheet: str | None = None,
        dry_run: bool = False,
        quarantine: Path | None = None,
        progress: Progress | None = None,
    ) -> ImportSummary:
        """Import into the application's database (see :func:`run_import`)."""
        return run_import(
            _Database(self.app), file, self.mapping(mapping, preset, params), mapping=mapping,
            sheet=sheet, dry_run=dry_run, quarantine=quarantine,
            progress=progress,
        )  # fmt: skip
