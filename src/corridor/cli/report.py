"""`corridor report`: a situation report (HTML or PDF) at an instant, as of a signed checkpoint.

    corridor report --at 2023-08-15T12:00+04:00 --case lachin-2023 --format pdf --out r.pdf

Thin: parse the options, let :mod:`corridor.report` gather the data from the application and
render it, write the file (or the HTML to stdout). With --server the server renders it
(``GET /v1/reports/situation``: the same HTML, byte for byte) and this writes it.
"""

import sys
from pathlib import Path

import typer

from corridor.cli.context import DbOption, err_console, open_app, parse_time
from corridor.cli.remote import ServerOption, TokenOption, connect, names_a_file, use_server
from corridor.errors import InputError

__all__ = ["register"]

FORMATS = ("html", "pdf")


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the app."""
    app.command("report")(report)


def _format(fmt: str | None, out: Path | None) -> str:
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else ""
        return suffix if suffix in FORMATS else "html"
    if fmt.lower() not in FORMATS:
        raise InputError(f"{fmt!r} is not a report format ({' or '.join(FORMATS)})",
                         where="--format")  # fmt: skip
    return fmt.lower()


def _check_out(out: Path) -> None:
    if out.is_dir():
        raise InputError("is a folder: give the report's file name", where=str(out))
    folder = out.parent
    if not folder.is_dir():
        raise InputError(f"the folder {folder} does not exist (create it first)", where="--out")


def report(
    ctx: typer.Context,
    at: str | None = typer.Option(
        None, "--at", help="The instant the report is about (ISO 8601; no offset means --tz, "
        "else UTC) [default: when the checkpoint was signed]."
    ),
    as_of: int | None = typer.Option(
        None, "--as-of", metavar="SIZE", min=0,
        help="Rest on the signed checkpoint of this tree size (corridor log checkpoints lists "
        "them): every figure over the first SIZE log entries [default: the latest signed "
        "checkpoint].",
    ),
    tz: str | None = typer.Option(
        None, "--tz", help="Time zone of the chart's days and of --at without an offset "
        "[default: --at's own offset]."
    ),
    days: int = typer.Option(30, "--days", min=1, max=366,
                             help="Days of the crossings chart, ending on --at's day."),
    case: str | None = typer.Option(
        None, "--case", help="A case the record holds (built-in name or case file): adds its "
        "commitments' verdicts and its supply scenarios."
    ),
    runs: int = typer.Option(200, "--runs", min=1,
                             help="Monte Carlo runs of the supply scenarios (1: one central run)."),
    seed: int = typer.Option(1, "--seed", min=0, help="Seed of the Monte Carlo draws."),
    fmt: str | None = typer.Option(
        None, "--format", metavar="html|pdf",
        help="html or pdf [default: from --out's suffix, else html].",
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Write the report to this file [default: HTML to stdout]."
    ),
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
) -> None:
    """A situation report at an instant: the map, crossings per day, convoys waiting,
    incidents, the commitments' verdicts and the supply scenarios, every figure with its
    source and the signed checkpoint it rests on. The same --at and --as-of give the same
    HTML, byte for byte."""
    from corridor.report import ReportRequest, gather, render_html

    kind = _format(fmt, out)
    if out is not None:
        _check_out(out)
    elif kind == "pdf" and sys.stdout.isatty():
        raise InputError("a PDF is not written to a terminal: give --out FILE.pdf",
                         where="--format")  # fmt: skip
    zone = None
    if tz is not None:
        from corridor.model.timefmt import resolve_tz

        try:
            zone = resolve_tz(tz)
        except InputError as exc:
            raise InputError(exc.reason, where="--tz") from None
    when = parse_time(at, tz or "UTC", "--at")
    if server := use_server(ctx, server, db):
        if case is not None and names_a_file(case):
            raise InputError(f"{case}: over a server, a case is a built-in case's name; give "
                             "--db DB to report with a case file", where="--case")  # fmt: skip
        with connect(server, token) as api:
            body, about, size = api.report(at=when, as_of=as_of, fmt=kind, case=case,
                                           days=days, tz=tz, runs=runs, seed=seed)  # fmt: skip
    else:
        req = ReportRequest(at=when, as_of=as_of, tz=zone, tz_name=tz, days=days, case=case,
                            runs=runs, seed=seed)  # fmt: skip
        with open_app(db) as corridor:
            data = gather(corridor, req)
        html = render_html(data)
        if kind == "pdf":
            from corridor.report import render_pdf

            body = render_pdf(html)
        else:
            body = html.encode()
        about, size = data.at.isoformat(), data.basis["tree_size"]
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(body)
    except OSError as exc:
        raise InputError(f"cannot write the report ({exc.strerror})", where=str(out)) from None
    err_console.print(
        f"wrote {out} ({kind}, {len(body):,} bytes): the situation at {about} as of signed "
        f"checkpoint {size}",
        soft_wrap=True,
    )
