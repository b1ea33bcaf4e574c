"""Import: a file through a mapping file (or a preset, or none for corridor's own exports) into
the record, rejected rows into quarantine.

The record is a database (:meth:`ImportCases.run`) or any :class:`ImportTarget`, such as a
server's record through the HTTP client (:class:`corridor.client.RemoteRecord`): the rows are
planned, quarantined and signed here the same way, by :func:`run_import`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
from corridor.ingest.run import Rejection, Skip
from corridor.model import Checkpoint, Observation, Place, Registry, Route
from corridor.store.api import Query

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor
    from corridor.ingest.mapping import MappingFile

__all__ = ["ImportCases", "ImportTarget", "plan_rows", "resolve_mapping", "run_import"]

Entity = Place | Route | Checkpoint
#: Plans an import: (file, mapping or None, sheet, progress) -> the plan.
Planner = Callable[[Path, "MappingFile | None", "str | None", "Progress | None"], ImportPlan]


class ImportTarget(Protocol):
    """Where an import's accepted observations (and the places and checkpoints it gives) go."""

    def registry(self) -> Registry: ...

    def existing_ids(self, ids: Iterable[str]) -> set[str]: ...

    def size(self) -> int: ...

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
    corridor export. Revisions of recorded observations (ACLED edits and deletions) need the
    record itself: :meth:`ImportCases.plan`."""
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


def run_import(
    target: ImportTarget,
    file: Path,
    mf: MappingFile | None,
    *,
    mapping: Path | None = None,
    planner: Planner | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    quarantine: Path | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Plan the import (``planner``, default :func:`plan_rows` against the target's registry),
    quarantine rejected rows, put the places and checkpoints it gives, sign and submit the
    accepted observations. ``mapping`` is the mapping file ``mf`` was read from, if any.

    Nothing is written before every reporter's key is at hand and the quarantine path is
    known to be safe to write; ``dry_run`` writes nothing at all. Re-importing adds nothing.
    """
    if not file.is_file():
        raise InputError("no such file" if not file.exists() else "not a file", where=str(file))
    qtarget = quarantine or default_quarantine_path(file)
    inputs = (file, *((mapping,) if mapping is not None else ()))
    if not dry_run:
        check_quarantine_target(qtarget, inputs)
    if planner is None:
        plan = plan_rows(file, mf, target.registry(), sheet, progress)
    else:
        plan = planner(file, mf, sheet, progress)
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

    def plan(
        self,
        file: Path,
        mf: MappingFile | None,
        sheet: str | None,
        progress: Progress | None,
    ) -> ImportPlan:
        """:func:`plan_rows` against the record, and the revisions of what it holds."""
        if mf is not None and mf.preset == "acled-deletions":
            return self._deletions(file, mf)
        plan = plan_rows(file, mf, self.app.store.registry(), sheet, progress)
        if mf is not None and any(m.detect_revisions for m in mf.mappings):
            self._revisions(plan)
        return plan

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
            planner=self.plan, sheet=sheet, dry_run=dry_run, quarantine=quarantine,
            progress=progress,
        )  # fmt: skip

    # -- revisions (ACLED edits and deletions) ---------------------------------------------------
    def _recorded_refs(self, reporters: set[str]) -> dict[str, Any]:
        """source.ref -> the latest recorded version, over the incidents of ``reporters``."""
        from corridor.ingest.revisions import Recorded, version_key

        out: dict[str, Recorded] = {}
        for org in sorted(reporters):
            for s in self.app.store.scan(Query(type="incident", reporter=org)):
                src = s.observation.sources[0]
                if src.ref is None:
                    continue
                old = out.get(src.ref)
                if old is None or version_key(src.version) >= version_key(old.version):
                    out[src.ref] = Recorded(s.id, src.version)
        return out

    def _revisions(self, plan: ImportPlan) -> None:
        """Refuse the rows that revise an observation on the record (until corrections exist)."""
        from corridor.ingest.revisions import find_edits

        recorded = self._recorded_refs({p.observation.reporter for p in plan.accepted})
        revisions = find_edits(plan.observations, recorded)
        if not revisions:
            return
        kept = []
        for p in plan.accepted:
            r = revisions.get(p.observation.id)
            if r is None:
                kept.append(p)
            elif r.kind == "stale":
                plan.skipped.append(Skip(p.row, p.sheet, p.mapping, r.message))
            else:
                values = {"source_ref": r.ref}
                plan.rejected.append(
                    Rejection(plan.path.name, p.row, p.sheet, p.mapping, r.message, values)
                )
        plan.accepted = kept

    def _deletions(self, file: Path, mf: MappingFile) -> ImportPlan:
        """An ACLED deletions list: each deleted event the record holds is refused (it needs a
        retraction), each other one is skipped."""
        from corridor.ingest.presets.acled import read_deletions
        from corridor.ingest.revisions import find_deletions

        reporter = str(mf.mappings[0].fixed.get("reporter", ""))
        plan = ImportPlan(file, mf.file, kind="csv")
        rows = read_deletions(file, mf)
        recorded = self._recorded_refs({reporter}) if reporter else {}
        found = {r.ref: r for r in find_deletions((ref for _n, ref, _v in rows), recorded)}
        for number, ref, values in rows:
            plan.rows += 1
            if ref in found:
                plan.rejected.append(
                    Rejection(file.name, number, None, "deletion", found[ref].message, values)
                )
            else:
                plan.skipped.append(Skip(number, None, "deletion", f"{ref} is not on the record"))
        plan.columns = list(rows[0][2]) if rows else []
        return plan
