"""`corridor demo`: the built-in Lachin case, loaded into a fresh database and summarised.

Everything printed is computed from the loaded record: the situation on three dates, the log's
checkpoint and its verification (database and offline export), the commitments' verdicts, and
the supply scenarios.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import typer
from rich.rule import Rule

from corridor.cases import load_case
from corridor.cli.context import console
from corridor.cli.status import compute_situation, print_situation
from corridor.errors import InputError
from corridor.export.folder import check_output_folder
from corridor.keyring import Keyring
from corridor.recording import Ledger, load_case_into
from corridor.store.sql import SqlStore

__all__ = ["register"]

CASE = "lachin-2023"


DEMO_MARKER = ".corridor-demo"
# What a demo folder holds besides its marker: only these are removed when it is run again.
DEMO_NAMES = frozenset(
    {
        "corridor.db",
        "corridor.db-wal",
        "corridor.db-shm",
        "corridor.db-journal",
        "corridor-keys",
        "export",
    }
)


def _demo_dir(keep: Path | None) -> tuple[Path, bool]:
    """The folder to run in, and whether it is temporary. A kept folder must be new, empty or
    a previous demo folder; of a previous one, only what the demo wrote is removed."""
    if keep is None:
        return Path(tempfile.mkdtemp(prefix="corridor-demo-")), True
    if check_output_folder(keep, DEMO_MARKER, DEMO_NAMES):
        for name in DEMO_NAMES:
            p = keep / name
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink(missing_ok=True)
    try:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / DEMO_MARKER).write_text(
            "Written by corridor demo. Running the demo again with --dir here replaces "
            "what it wrote (the database, keys and export), nothing else.\n"
        )
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror or exc}", where=str(keep)) from None
    return keep, False


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        dir_: Path | None = typer.Option(
            None,
            "--dir",
            help="Keep the demo database, keys and export in this folder "
            "(new, empty, or a previous demo folder) "
            "[default: a temporary folder, removed afterwards].",
        ),
        sections: str = typer.Option(
            "status,log,rules,supply", help="Which sections to show, comma-separated."
        ),
    ) -> None:
        """Run the built-in Lachin 2022–23 case end to end.

        Loads the case into a fresh database and shows what corridor computes from it: the
        situation on three dates, the log and its verification, verdicts, supply scenarios.
        """
        want = {s.strip() for s in sections.split(",") if s.strip()}
        folder, temporary = _demo_dir(dir_)
        try:
            _run(folder, want)
        finally:
            if temporary:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                console.print(
                    f"\nThe demo database is kept in {folder} "
                    f"(try: corridor list crossing --db {folder / 'corridor.db'})"
                )


def _run(folder: Path, want: set[str]) -> None:
    case = load_case(CASE)
    db = str(folder / "corridor.db")
    store = SqlStore.open(db, create=True)
    try:
        keyring = Keyring(folder / "corridor-keys")
        result = load_case_into(store, keyring, case)
        console.print(Rule(f"corridor demo: {case.title}"))
        console.print(
            f"Loaded {len(result.accepted)} observations from {len(case.organisations)} "
            f"organisations' reports into a fresh database ({db}).\n"
            "Every figure below is computed from that record. Places carry every name in use; "
            "where sources disagree, both figures are shown.\n"
            "[dim]The built-in case is signed with DEMO keys (public seeds): they show the record "
            "was not altered, not that any named party signed it.[/dim]"
        )
        if "status" in want:
            for at in case.demo_dates:
                console.print()
                sit, registry = compute_situation(store, at)
                print_situation(sit, registry)
        if "log" in want:
            _log_section(store, keyring, folder)
        if "rules" in want:
            _rules_section(store, case)
        if "supply" in want:
            _supply_section(db)
    finally:
        store.close()


def _log_section(store: SqlStore, keyring: Keyring, folder: Path) -> None:
    from corridor.export.tlog import export_log, verify_export

    console.print()
    console.print(Rule("The record as a transparency log"))
    ledger = Ledger(store, keyring)
    note = ledger.checkpoint().decode()
    console.print("Latest checkpoint (C2SP signed note, DEMO log key):")
    console.print(note.rstrip("\n"), markup=False, highlight=False)
    size, _root = ledger.verify()
    console.print(f"Database check: all {size} entries match the log and the signed checkpoint.")
    out = folder / "export"
    export_log(store, out)
    vkey = ledger.verifier.vkey
    result = verify_export(out, vkey)
    console.print(
        f"Static export ({out.name}/, C2SP tlog-tiles) verified offline: {result.size} entries, "
        f"every reporter signature, tile and the checkpoint signature checked."
    )
    console.print(f"[dim]Verify it yourself: corridor verify DIR --key {vkey}[/dim]")


def _rules_section(store: SqlStore, case: object) -> None:
    from corridor.cli.check import demo_verdicts

    console.print()
    console.print(Rule("Commitments, judged against the record"))
    demo_verdicts(store, case, console)


def _supply_section(db: str) -> None:
    from corridor.cli.supply import demo_lines

    console.print()
    console.print(Rule("Supplies: when would cereal run out, under each route plan?"))
    for line in demo_lines(db):
        console.print(line, markup=False)
