"""`corridor import FILE --map MAPPING.yaml`: a CSV or spreadsheet file, through a mapping file.

Thin: parse the options, let the application import (plan against the record's registry,
quarantine rejected rows, sign and submit the accepted observations), print a summary.
"""

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from corridor.cli.context import (
    DbOption,
    JsonOption,
    KeysOption,
    console,
    err_console,
    open_app,
    print_json,
)
from corridor.cli.remote import ServerOption, TokenOption, use_server
from corridor.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

__all__ = ["BAR_THRESHOLD", "import_file", "register", "wants_bar"]

BAR_THRESHOLD = 5_000  # rows; smaller files import too fast for a bar to help


class _Bar:
    """A Rich progress bar on stderr, shown only for large files on a terminal."""

    def __init__(self, console: "Console", threshold: int = BAR_THRESHOLD) -> None:
        self.console = console
        self.threshold = threshold
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def start(self, label: str, total: int | None) -> None:
        if self.progress is None:
            if not wants_bar(total, self.console.is_terminal, self.threshold):
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

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
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="The file to import (CSV, XLSX, XLS, ODS, GeoJSON, JSON, ZIP).",
        show_default=False,
    ),
    mapping: Path | None = typer.Option(
        None, "--map", "-m", help="Mapping file (YAML); see docs/import.md.", show_default=False
    ),
    preset: str | None = typer.Option(
        None,
        "--preset",
        help="A preset instead of a mapping file: daily-counts, voyages, consignments, "
        "checkpoint-form, acled, acled-deletions, crossings-geojson.",
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="A preset's parameter, NAME=VALUE (repeat)."
    ),
    sheet: str | None = typer.Option(
        None, "--sheet", help="Workbook sheet to read (default: the mapping's, else the first)."
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
    server: str | None = ServerOption,
    token: str | None = TokenOption,
) -> None:
    """Import the rows of a file (CSV, XLSX, XLS, ODS, HXL, GeoJSON, KoBo/ODK, ACLED) as
    observations, through a mapping file or a preset.

    A file corridor exported needs neither. Each row is accepted, a duplicate, skipped, or
    quarantined with its reason. Importing the same file again adds nothing; a source's
    revisions (ACLED edits and deletions, edited KoBo/ODK submissions) become corrections and
    retractions. With --server, the rows are read, checked against the server's registry and
    signed here; only valid, signed entries are sent.
    """
    params: dict[str, str] = {}
    for kv in param:
        if "=" not in kv:
            raise InputError(f"{kv!r} is not NAME=VALUE", where="--param")
        k, v = kv.split("=", 1)
        params[k.strip()] = v.strip()
    bar = _Bar(err_console)
    try:
        if server := use_server(ctx, server, db):
            from corridor.app.imports import resolve_mapping, run_import
            from corridor.cli.remote import connect, local_keys
            from corridor.client import RemoteRecord

            mf = resolve_mapping(mapping, preset, params)
            with connect(server, token) as api:
                summary = run_import(
                    RemoteRecord(api, local_keys(keys)), file, mf, mapping=mapping,
                    sheet=sheet, dry_run=dry_run, quarantine=quarantine, progress=bar,
                )  # fmt: skip
        else:
            with open_app(db, keys) as app:
                summary = app.imports.run(
                    file,
                    mapping,
                    preset=preset,
                    params=params,
                    sheet=sheet,
                    dry_run=dry_run,
                    quarantine=quarantine,
                    progress=bar,
                )
    finally:
        bar.stop()
    if as_json:
        print_json(summary.to_json())
        return
    from corridor.cli.render.imports import print_summary

    print_summary(summary, console)


def register(app: typer.Typer) -> None:
    """Add the `import` command to the corridor app."""
    app.command("import")(import_file)
