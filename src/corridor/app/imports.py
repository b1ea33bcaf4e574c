"""Import: a file through a mapping file (or a preset, or none for corridor's own exports)
into the record; rejected rows into quarantine."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.errors import InputError
from corridor.ingest import (
    ImportSummary,
    Progress,
    check_quarantine_target,
    default_quarantine_path,
    load_mapping,
    plan_import,
    summarise,
    write_quarantine,
)
from corridor.ingest.run import ImportPlan, Rejection, Skip
from corridor.store.api import Query

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor
    from corridor.ingest.mapping import MappingFile

__all__ = ["ImportCases"]


class ImportCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def mapping(
        self, mapping: Path | None, preset: str | None, params: dict[str, Any] | None
    ) -> MappingFile | None:
        """The mapping file to read with: a file, a preset with its parameters, or None
        (a corridor export, read without one)."""
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

    def plan(
        self,
        file: Path,
        mf: MappingFile | None,
        sheet: str | None,
        progress: Progress | None,
    ) -> ImportPlan:
        from corridor.ingest.flat import is_flat_export, plan_flat_import
        from corridor.ingest.presets import names

        registry = self.app.store.registry()
        if mf is None:
            if not is_flat_export(file):
                raise InputError(
                    "not a corridor export: give a mapping file (--map) or a preset "
                    f"(--preset: {', '.join(names())}); see docs/import.md",
                    where=file.name,
                )
            return plan_flat_import(file, registry)
        if mf.preset == "acled-deletions":
            return self._deletions(file, mf)
        plan = plan_import(file, mf, registry, sheet, progress=progress)
        if any(m.detect_revisions for m in mf.mappings):
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
        """Plan the import, quarantine rejected rows, put the places and checkpoints it gives,
        sign and append the accepted observations.

        Nothing is written before every reporter's key is at hand and the quarantine path is
        known to be safe to write; ``dry_run`` writes nothing at all. Re-importing adds nothing.
        """
        mf = self.mapping(mapping, preset, params)
        if not file.is_file():
            raise InputError("no such file" if not file.exists() else "not a file", where=str(file))
        qtarget = quarantine or default_quarantine_path(file)
        inputs = (file, *((mapping,) if mapping is not None else ()))
        if not dry_run:
            check_quarantine_target(qtarget, inputs)
        store = self.app.store
        plan = self.plan(file, mf, sheet, progress)
        observations = plan.observations
        if dry_run:
            known = store.existing_ids(o.id for o in observations)
            return summarise(plan, duplicate_ids=known, dry_run=True)
        from corridor.model import Checkpoint, Place, Route
        from corridor.recording import Recorder

        recorder = Recorder(store, self.app.keyring, pool=self.app.pool)
        # Every reporter's key before anything is written: a missing key stops the import
        # cleanly, with nothing half done.
        for org in sorted({o.reporter for o in observations}):
            recorder.signer(org)
        qpath = write_quarantine(plan, qtarget, inputs)
        if plan.entities:
            store.put_entities(
                (),
                [e for e in plan.entities if isinstance(e, Place)],
                [e for e in plan.entities if isinstance(e, Route)],
                [e for e in plan.entities if isinstance(e, Checkpoint)],
            )
        duplicates: list[str] = []
        tree_size = store.size()
        if observations:
            if progress is not None:
                progress.start("recording", len(observations))
            result = recorder.submit(
                observations, progress=progress.advance if progress is not None else None
            )
            duplicates, tree_size = result.duplicates, result.tree_size
        return summarise(plan, duplicate_ids=duplicates, quarantine=qpath, tree_size=tree_size)

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
