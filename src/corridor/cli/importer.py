"""`corridor import FILE --map MAPPING.yaml`: import a CSV or XLSX file through a mapping file.

Thin: load the mapping, plan the import against the record's registry, write rejected rows to
quarantine, submit the accepted observations (signed, in batches), print a summary.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from corridor.cli.context import (
    DbOption,
    JsonOption,
    KeysOption,
    console,
    err_console,
    open_keyring,
    open_store,
    print_json,
)
from corridor.errors import InputError
from corridor.ingest import (
    ImportSummary,
    check_quarantine_target,
    default_quarantine_path,
    load_mapping,
    plan_import,
    summarise,
    write_quarantine,
)

__all__ = ["BAR_THRESHOLD", "import_file", "print_summary", "register", "wants_bar"]

_ENCODING_NOTE = {
    "bom": "by its byte-order mark",
    "mapping": "as the mapping file says",
    "detected": "detected; if names look wrong, set encoding: in the mapping file",
}
BAR_THRESHOLD = 5_000  # rows; smaller files import too fast for a bar to help
SHOWN_REJECTED = 5


class _Bar:
    """A Rich progress bar on stderr, shown only for large files on a terminal."""

    def __init__(self, console: Console, threshold: int = BAR_THRESHOLD) -> None:
        self.console = console
        self.threshold = threshold
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def start(self, label: str, total: int | None) -> None:
        if self.progress is None:
            if not wants_bar(total, self.console.is_terminal, self.threshold):
                return
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=self.console,
                transient=True,
            )
            self.progress.start()
        self.task = self.progress.add_task(label, total=total)

    def advance(self, n: int = 1) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task, n)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
        self.progress = self.task = None


def wants_bar(total: int | None, is_terminal: bool, threshold: int = BAR_THRESHOLD) -> bool:
    """A bar is worth showing for more than ``threshold`` rows, on a terminal."""
    return is_terminal and total is not None and total > threshold


def import_file(
    file: Path = typer.Argument(..., help="CSV or XLSX file to import.", show_default=False),
    mapping: Path = typer.Option(
        ..., "--map", "-m", help="Mapping file (YAML); see docs/import.md.", show_default=False
    ),
    sheet: str | None = typer.Option(
        None, "--sheet", help="XLSX sheet to read (default: the mapping's, else the first)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check and count; write nothing (no log entries, no quarantine)."
    ),
    as_json: bool = JsonOption,
    quarantine: Path | None = typer.Option(
        None,
        "--quarantine",
        help="Where rejected rows go (default: quarantine-<name>.csv in the working directory).",
    ),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
) -> None:
    """Import the rows of a CSV or XLSX file as observations, through a mapping file.

    Each row is accepted, a duplicate, skipped, or quarantined with its reason.
    Importing the same file again adds nothing.
    """
    mf = load_mapping(mapping)
    if not file.is_file():
        raise InputError("no such file" if not file.exists() else "not a file", where=str(file))
    qtarget = quarantine or default_quarantine_path(file)
    inputs = (file, mapping)
    if not dry_run:
        check_quarantine_target(qtarget, inputs)  # before anything is written
    from corridor.recording import Recorder

    bar = _Bar(err_console)
    store = open_store(db)
    try:
        try:
            plan = plan_import(file, mf, store.registry(), sheet, progress=bar)
        finally:
            bar.stop()
        observations = plan.observations
        if dry_run:
            known = store.existing_ids(o.id for o in observations)
            summary = summarise(plan, duplicate_ids=known, dry_run=True)
        else:
            recorder: Recorder | None = None
            if observations:
                recorder = Recorder(store, open_keyring(db, keys))
                # Load each reporter's key before writing anything: a missing key stops the
                # import cleanly, with nothing half done.
                for org in sorted({o.reporter for o in observations}):
                    recorder.signer(org)
            qpath = write_quarantine(plan, qtarget, inputs)
            duplicates: list[str] = []
            tree_size: int | None = store.size()
            if recorder is not None:
                bar.start("recording", len(observations))
                try:
                    result = recorder.submit(observations, progress=bar.advance)
                finally:
                    bar.stop()
                duplicates, tree_size = result.duplicates, result.tree_size
            summary = summarise(
                plan, duplicate_ids=duplicates, quarantine=qpath, tree_size=tree_size
            )
    finally:
        store.close()
    if as_json:
        print_json(summary.to_json())
    else:
        print_summary(summary, console)


def print_summary(s: ImportSummary, console: Console) -> None:
    """The summary for people: counts, where the quarantine is, the first rejected rows."""
    would = "would be " if s.dry_run else ""
    head = "Dry run of" if s.dry_run else "Imported"
    console.print(f"{head} [bold]{escape(s.file)}[/] with {escape(s.mapping)}")
    t = Table(box=None, show_header=False, padding=(0, 2, 0, 2))
    t.add_column(style="bold")
    t.add_column(justify="right")
    t.add_column(style="dim")
    t.add_row("rows", str(s.rows), "")
    t.add_row("accepted", str(s.accepted), f"{would}added to the log")
    t.add_row("duplicates", str(s.duplicates), "already in the record")
    t.add_row("skipped", str(s.skipped), "by the mapping (skip_if_empty, skip_if, skip_rows)")
    if s.quarantine:
        where = f"quarantined in {escape(s.quarantine)}"
    elif s.rejected and s.dry_run:
        where = "would be quarantined"
    else:
        where = ""
    t.add_row("rejected", str(s.rejected), where)
    if s.encoding:
        t.add_row("encoding", escape(s.encoding), _ENCODING_NOTE.get(s.encoding_source or "", ""))
    console.print(t)
    if s.rejected:
        console.print("First rejected rows:")
        shown = s.first_rejected[:SHOWN_REJECTED]
        several = len({r.mapping for r in shown}) > 1
        for r in shown:
            by = f"  [dim](mapping {escape(r.mapping)})[/]" if several and r.mapping else ""
            console.print(f"  {escape(r.message)}{by}")
        if s.rejected > SHOWN_REJECTED:
            console.print(f"  … and {s.rejected - SHOWN_REJECTED} more")
        if s.quarantine:
            console.print(
                "Fix them in the quarantine file and import it again with the same mapping."
            )
    if s.dry_run:
        console.print("Dry run: nothing was written.")
    elif s.tree_size is not None:
        console.print(f"Log size: {s.tree_size}")


def register(app: typer.Typer) -> None:
    """Add the `import` command to the corridor app."""
    app.command("import")(import_file)
