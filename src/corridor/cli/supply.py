"""`corridor supply`: needs, stocks and scenarios, one run or a Monte Carlo fan.

Thin: parse the options, let the application find and run the scenarios (a case's built-in
ones, or files; as-recorded scenarios read the record), print a Rich table or one JSON
document, draw the fan chart. With --server the server runs a case's built-in scenarios
(``POST /v1/supply/runs``) and this prints and draws its answer the same way.
"""

from collections.abc import Callable
from datetime import date
from pathlib import Path

import typer

from corridor.cli.context import (
    AsOfOption,
    DbOption,
    JsonOption,
    err_console,
    open_app,
    print_basis,
    print_basis_of,
    print_json,
)
from corridor.cli.remote import ServerOption, TokenOption, connect, names_a_file, use_server
from corridor.errors import InputError

__all__ = ["register"]

#: Cells (runs × days × commodities, over all scenarios) from which a progress bar shows.
PROGRESS_FROM = 10_000_000


def register(app: typer.Typer) -> None:
    """Add the ``supply`` command to the app."""
    app.command("supply")(supply)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", where=option) from None


def supply(
    ctx: typer.Context,
    case: str | None = typer.Option(None, "--case", help="built-in case, e.g. lachin-2023"),
    scenario: list[str] = typer.Option(
        [], "--scenario", help="scenario YAML file (or a built-in scenario name); repeatable"
    ),
    runs: int = typer.Option(1, "--runs", min=1, help="1: one central run; N > 1: Monte Carlo"),
    seed: int = typer.Option(1, "--seed", min=0, help="seed of the Monte Carlo draws"),
    from_: str | None = typer.Option(None, "--from", help="report from this day (YYYY-MM-DD)"),
    to: str | None = typer.Option(None, "--to", help="end the scenarios on this day (exclusive)"),
    as_json: bool = JsonOption,
    plot: Path | None = typer.Option(None, "--plot", help="write a fan chart (.png or .svg)"),
    as_of: int | None = AsOfOption,
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
) -> None:
    """Needs, stocks and shortfalls per commodity under supply scenarios (as-recorded ones read
    the record's current state); of a server's record with --server (a case's built-in
    scenarios, run there)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from corridor.app import shapes
    from corridor.app.supply import cells

    report_from, end = _date(from_, "--from"), _date(to, "--to")
    if plot is not None and plot.suffix.lower() not in {".png", ".svg"}:
        raise InputError("a chart is written as .png or .svg", where=str(plot))
    if not scenario and case is None:
        raise InputError("give --scenario FILE or --case NAME", where="supply")
    if server := use_server(ctx, server, db):
        _remote(server, token, case, scenario, runs, seed, report_from, end, as_of, plot, as_json)
        return
    with open_app(db) as corridor:
        try:
            loaded = corridor.supply.load(case, scenario, report_from, end)
        except InputError as exc:
            if exc.where is None and case is not None:
                raise InputError(exc.reason, where="--case") from None
            raise
        bar = Progress(
            TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(),
            console=err_console, transient=True,
            disable=cells(loaded, runs) < PROGRESS_FROM,
        )

        def ticker(name: str, days: int) -> Callable[[int, int], None]:
            task = bar.add_task(name, total=days)
            return lambda done, _total: bar.update(task, completed=done)

        with bar:
            run = corridor.supply.run(
                loaded, runs=runs, seed=seed, report_from=report_from, progress=ticker,
                as_of=as_of,
            )
        basis = None if as_of is None else corridor.log.basis(as_of)
        if not as_json:
            print_basis(corridor, as_of)
    if plot is not None and run.results:
        from corridor.report.charts import fan_chart

        fan_chart(run.results, plot)
    if as_json:
        doc = shapes.supply_result(
            case, runs, seed, run.results, run.skipped,
            str(plot) if plot is not None and run.results else None, basis,
        )
        print_json(doc)
        return
    from corridor.cli.render.supply import print_supply

    print_supply(run.results, run.skipped, plot)


def _remote(
    server: str,
    token: str | None,
    case: str | None,
    scenarios: list[str],
    runs: int,
    seed: int,
    report_from: date | None,
    end: date | None,
    as_of: int | None,
    plot: Path | None,
    as_json: bool,
) -> None:
    """``supply --server``: the server runs the case's built-in scenarios (named ones only: a
    scenario file is not sent) and its answer, the JSON ``supply --json`` prints, is printed
    and drawn as a local run's."""
    if case is None:
        raise InputError("over a server, give --case NAME (a built-in case the server holds)",
                         where="--case")  # fmt: skip
    files = [s for s in scenarios if names_a_file(s)]
    if files:
        raise InputError(f"{files[0]}: over a server, a scenario is a built-in scenario's name; "
                         "give --db DB to run a scenario file", where="--scenario")  # fmt: skip
    with connect(server, token) as api:
        doc = api.supply_run(case, scenarios, runs=runs, seed=seed, report_from=report_from,
                             to=end, as_of=as_of)  # fmt: skip
    results, skipped = doc["scenarios"], doc["skipped"]
    if plot is not None and results:
        from corridor.report.charts import fan_chart

        fan_chart(results, plot)
        doc["plot"] = str(plot)
    if as_json:
        print_json(doc)
        return
    if doc.get("as_of"):
        print_basis_of(doc["as_of"])
    from corridor.cli.render.supply import print_supply

    print_supply(results, skipped, plot)
