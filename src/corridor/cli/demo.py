"""`corridor demo`: the built-in Lachin case, loaded into a fresh database and summarised.

Everything printed is computed from the loaded record: the situation on three dates, the log's
checkpoint and its verification (database and offline export), the commitments' verdicts, and
the supply scenarios.
"""

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from corridor.cli.context import console, open_app
from corridor.errors import InputError

if TYPE_CHECKING:
    from corridor.app import Corridor
    from corridor.cases import Case

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
        import tempfile  # here, not at the top: every command's start-up would pay for it

        return Path(tempfile.mkdtemp(prefix="corridor-demo-")), True
    from corridor.export.folder import check_output_folder

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
            "status,record,log,rules,supply,embargo",
            help="Which sections to show, comma-separated.",
        ),
        serve: bool = typer.Option(
            False, "--serve",
            help="Afterwards, serve the demo's record with the dashboard on 127.0.0.1 and "
            "print its URL (Ctrl-C stops).",
        ),
        port: int = typer.Option(8000, "--port", min=0, max=65535,
                                 help="The port of --serve (0: any free port)."),
    ) -> None:
        """Run the built-in Lachin 2022–23 case end to end.

        Loads the case into a fresh database and shows what corridor computes from it: the
        situation on three dates, the log and its verification, verdicts, supply scenarios.
        """
        want = {s.strip() for s in sections.split(",") if s.strip()}
        folder, temporary = _demo_dir(dir_)
        try:
            _run(folder, want, temporary)
            if "embargo" in want:
                _embargo_section(folder)
            if serve:
                _serve(folder, port)
        finally:
            if temporary:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                console.print(
                    f"\nThe demo database is kept in {folder} "
                    f"(try: corridor list crossing --db {folder / 'corridor.db'})"
                )


def _run(folder: Path, want: set[str], temporary: bool = True) -> None:
    from rich.rule import Rule

    from corridor.app import shapes
    from corridor.cli.render.situation import print_situation
    from corridor.model import FACT_TYPES

    db = str(folder / "corridor.db")
    with open_app(db, str(folder / "corridor-keys"), create=True) as app:
        case = app.cases.read(CASE)
        result = app.cases.load(case)
        console.print(Rule(f"corridor demo: {case.title}"))
        facts = sum(o.type in FACT_TYPES for o in case.observations)
        statements = len(case.observations) - facts
        console.print(
            f"Loaded {len(result.accepted)} entries ({facts} observations, {statements} "
            f"attestations) from {len(case.organisations)} organisations' reports into a fresh "
            f"database ({db}).\n"
            "Every figure below is computed from that record. Places carry every name in use; "
            "where sources disagree, both figures are shown.\n"
            "[dim]The built-in case is signed with DEMO keys (public seeds): they show the record "
            "was not altered, not that any named party signed it.[/dim]"
        )
        if "status" in want:
            for at in case.demo_dates:
                console.print()
                sit, registry = app.situation.at(at)
                print_situation(shapes.situation(sit), registry)
        if "record" in want:
            _record_section(app)
        if "log" in want:
            _log_section(app, folder)
        if "rules" in want:
            _rules_section(app, case)
        if "supply" in want:
            console.print()
            console.print(Rule("Supplies: when would cereal run out, under each route plan?"))
            for line in app.supply.demo_lines():
                console.print(line, markup=False)
            on = "" if temporary else f" --db {db}"
            console.print(
                "[dim]A situation report of a record holding the case, every figure with its "
                "source and the signed checkpoint it rests on: corridor report --at "
                f"2023-08-15T12:00+04:00 --case {CASE}{on} --out report.pdf "
                "(docs/reports.md)[/dim]"
            )


def _serve(folder: Path, port: int) -> None:
    """Serve the demo's database (the API and the dashboard at /) until Ctrl-C."""
    import socket

    import uvicorn

    from corridor.app.settings import Settings
    from corridor.service.app import create_app

    settings = Settings.load(str(folder / "corridor.db"), str(folder / "corridor-keys"))
    with socket.socket() as s:  # bind first, so the URL printed is the one served
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            raise InputError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
                             where="--port") from None
        port = s.getsockname()[1]
    console.print(
        f"\nThe dashboard of the demo: http://127.0.0.1:{port}/  (the API under /v1, its docs "
        "at /docs; Ctrl-C stops)"
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")


def _record_section(app: "Corridor") -> None:
    """Who stands behind each figure of the July 2023 convoy (DEMO attestations)."""
    from datetime import datetime, timedelta, timezone

    from rich.markup import escape
    from rich.rule import Rule

    from corridor.cli.render.observations import attested_line
    from corridor.model import ConvoyEvent
    from corridor.store.api import Query

    day = datetime(2023, 7, 26, tzinfo=timezone(timedelta(hours=4)))
    rows = [
        s for s in app.observations.list(
            Query(type="convoy", start=day, end=day + timedelta(days=1))
        )
        if isinstance(b := s.observation.body, ConvoyEvent) and b.convoy == "am-convoy-2023-07"
        and b.cargo
    ]
    attested = app.history.attestations([s.id for s in rows])
    console.print()
    console.print(Rule("One convoy, three figures: who stands behind each"))
    console.print(
        "The July 2023 convoy's cargo, as each source gave it; every statement is a signed log "
        "entry [dim](DEMO: the case compilers' rendering of each source's figure, signed with "
        "DEMO keys)[/dim]:"
    )
    for s in rows:
        b = s.observation.body
        assert isinstance(b, ConvoyEvent)
        figure = f"{sum(c.tonnes for c in b.cargo):,g} t, {b.vehicles} trucks"
        a = attested.get(s.id)
        line = attested_line(a) if a is not None else "no attestation"
        console.print(f"  {s.id[:12]}  {figure}: {escape(line)}")
    said = [st.id for a in attested.values() for st in (*a.corroborated_by, *a.disputed_by)]
    reports = min((app.observations.show(i).log_index for i in said), default=0)
    if reports and {c[0] for c in app.log.checkpoints()} >= {reports}:
        console.print(
            f"As of signed checkpoint {reports} (the reports alone, before these statements "
            f"were appended) none of them existed: corridor status --as-of {reports} shows the "
            "record as it stood then."
        )
    console.print(
        "[dim]A source corrects or retracts only its own report (corridor correct, corridor "
        "retract); others attest (corridor attest); corridor show ID lists a report's versions "
        "and statements.[/dim]"
    )
    from collections import Counter

    states = Counter(item.state.status for item in app.review.queue())
    console.print(
        "Review queue: "
        + ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
        + " [dim](review states are signed statements too: corridor review list, corridor "
        "review set accepted --by ORG; a server can publish accepted entries only)[/dim]"
    )


def _log_section(app: "Corridor", folder: Path) -> None:
    from rich.rule import Rule

    console.print()
    console.print(Rule("The record as a transparency log"))
    note = app.log.latest_checkpoint().decode()
    console.print("Latest checkpoint (C2SP signed note, DEMO log key):")
    console.print(note.rstrip("\n"), markup=False, highlight=False)
    checked = app.log.verify()
    console.print(
        f"Database check: all {checked['size']} entries match the log and the signed checkpoint."
    )
    exported = app.log.export(folder / "export")
    result = app.log.verify_export(exported.folder, exported.vkey)
    console.print(
        f"Static export ({exported.folder.name}/, C2SP tlog-tiles) verified offline: "
        f"{result.size} entries, every reporter signature, tile and the checkpoint signature "
        "checked."
    )
    console.print(f"[dim]Verify it yourself: corridor verify DIR --key {exported.vkey}[/dim]")
    release = app.releases.create(
        notes="the built-in Lachin case as compiled (DEMO-signed; the demo has no witness)",
        unwitnessed=True,
    )
    console.print("A citable release of this checkpoint (corridor release create):")
    console.print(f"  {release.citation}", markup=False, highlight=False)


def _rules_section(app: "Corridor", case: "Case") -> None:
    from datetime import UTC, datetime

    from rich.rule import Rule

    from corridor.cli.render.verdicts import print_results

    console.print()
    console.print(Rule("Commitments, judged against the record"))
    result = app.commitments.check(case.rules, datetime.now(UTC), case=case, short_names=True)
    console.print(
        "Each commitment of the case as a rule (cases/lachin_2023/rules.yaml). "
        "[yellow]undetermined[/yellow] means the record cannot decide; nothing is called "
        "satisfied for lack of data."
    )
    print_results(result.to_json(), console, observations=result.observations)


def _embargo_section(folder: Path) -> None:
    """A sealed report revealed later, and a watch on a commitment's verdict, shown on a
    scratch copy of the demo's record so that the SYNTHETIC report never enters it."""
    import sqlite3
    import tempfile

    from rich.rule import Rule

    from corridor.model import Organisation

    console.print()
    console.print(Rule("Embargo and watches (on a scratch copy; the report is SYNTHETIC)"))
    scratch = Path(tempfile.mkdtemp(prefix="corridor-demo-embargo-"))
    try:
        with sqlite3.connect(folder / "corridor.db") as src, \
                sqlite3.connect(scratch / "corridor.db") as dst:  # fmt: skip
            src.backup(dst)
        if (folder / "corridor-keys").is_dir():  # the case's keys are DEMO keys, not files
            shutil.copytree(folder / "corridor-keys", scratch / "corridor-keys")
        with open_app(str(scratch / "corridor.db"), str(scratch / "corridor-keys")) as app:
            app.registry.put(Organisation(id="demo-monitor", kind="monitor",
                                          name="Demo monitor (DEMO, synthetic)"))  # fmt: skip
            app.keys.new("demo-monitor")
            hidden = {
                "type": "route_status", "observed": "2023-09-30T00:00:00+04:00",
                "reporter": "demo-monitor",
                "sources": [{"title": "DEMO: a synthetic report, sealed to show embargo"}],
                "body": {"route": "lachin-road", "status": "open"},
            }  # fmt: skip
            sealing = app.embargo.seal(hidden, keep=lambda secret: None)  # kept in memory
            console.print(
                f"  sealed {sealing.id[:12]} by demo-monitor: the log holds only a salted "
                "commitment (its day and type), counted nowhere"
            )
            watch = app.watches.add(
                "verdict",
                {"case": CASE, "commitment": "icj-2023-02-22", "at": "2023-09-30T12:00:00+04:00"},
                "http://127.0.0.1:9/demo",
            )
            revealed = app.embargo.reveal(sealing.id, sealing.secret)
            console.print(
                f"  revealed {revealed.observation.id[:12]}: checked against the commitment; "
                "it counts from its own time (2023-09-30)"
            )
            app.watches.evaluate()  # makes the delivery; the demo sends nothing
            for d in app.watches.deliveries(watch["id"]):
                data = d["payload"]["data"]
                before, now = data["previous"]["window"], data["current"]["window"]
                console.print(
                    f"  watch {watch['id']}: the ICJ order's daily verdict "
                    f"{before['verdict']} → {now['verdict']} (a verdict.changed webhook, "
                    "Standard Webhooks format, signed; corridor watch run delivers it)"
                )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
