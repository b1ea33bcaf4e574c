"""Import: a file through a mapping file into the record, rejected rows into quarantine."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["ImportCases"]


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
        """Plan the import, quarantine rejected rows, sign and append the accepted observations.

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
        store = self.app.store
        plan = plan_import(file, mf, store.registry(), sheet, progress=progress)
        observations = plan.observations
        if dry_run:
            known = store.existing_ids(o.id for o in observations)
            return summarise(plan, duplicate_ids=known, dry_run=True)
        from corridor.recording import Recorder

        recorder = Recorder(store, self.app.keyring, pool=self.app.pool)
        # Every reporter's key before anything is written: a missing key stops the import
        # cleanly, with nothing half done.
        for org in sorted({o.reporter for o in observations}):
            recorder.signer(org)
        qpath = write_quarantine(plan, qtarget, inputs)
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
