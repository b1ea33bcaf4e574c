"""`corridor supply`: needs, stocks and scenarios, one run or a Monte Carlo fan.

Thin: find the scenario files (or a case's built-in ones), fetch the record when a scenario needs
it, call corridor.supply, print a Rich table or one JSON document, draw the fan chart.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from corridor.errors import CorridorError, InputError, ScenarioError
from corridor.model import Observation
from corridor.source import parse_yaml, read_source
from corridor.supply import (
    Scenario,
    compile_problem,
    load_scenario,
    montecarlo_summary,
    run_single,
    scenario_info,
    simulate,
    single_summary,
)
from corridor.supply import demo_lines as _demo_lines
from corridor.supply.scenario import MAX_DAYS

__all__ = ["builtin_scenarios", "demo_lines", "register"]

CASES = ("lachin-2023",)
#: Cells (runs × days × commodities, over all scenarios) from which a progress bar shows.
PROGRESS_FROM = 10_000_000
_T = 1_000_000  # grams per tonne


def register(app: typer.Typer) -> None:
    """Add the ``supply`` command to the app."""
    app.command("supply")(supply)


def builtin_scenarios(case: str) -> list[tuple[str, str]]:
    """(source name, YAML text) of a case's built-in scenarios, in file order."""
    if case not in CASES:
        known = ", ".join(CASES)
        raise InputError(f"unknown case {case!r}; built-in cases: {known}", where="--case")
    root = resources.files("corridor").joinpath("cases", case.replace("-", "_"))
    folder = root.joinpath("scenarios")
    names = sorted(f.name for f in folder.iterdir() if f.name.endswith(".yaml"))
    try:  # the case file lists its scenarios in the order to show them
        listed = parse_yaml(root.joinpath("case.yaml").read_text(encoding="utf-8")).data
        order = [str(p).removeprefix("scenarios/") for p in listed.get("scenarios") or []]
    except (OSError, InputError, AttributeError, TypeError):
        order = []
    names = [n for n in order if n in names] + [n for n in names if n not in order]
    return [
        (f"{case}/scenarios/{n}", folder.joinpath(n).read_text(encoding="utf-8")) for n in names
    ]


def demo_lines(db: str | None = None, *, runs: int = 1000, seed: int = 1) -> list[str]:
    """For `corridor demo`: per built-in Lachin scenario, when cereal runs out (p5–p95) and kcal
    coverage. Uses the record in the store when there is one; otherwise says it is needed."""
    scenarios = builtin_scenarios("lachin-2023")
    observations, _ = _record_observations(db)
    return _demo_lines(scenarios, observations, runs=runs, seed=seed, on=date(2023, 10, 1))


def _record_observations(db: str | None) -> tuple[list[Observation] | None, str | None]:
    """The record's observations, or None and why not (no store in this build, none loaded)."""
    from corridor.cli.context import open_store

    try:
        store = open_store(db)
        try:
            observations = [s.observation for s in store.query()]
        finally:
            close = getattr(store, "close", None)
            if callable(close):
                close()
    except CorridorError as exc:
        return None, f"it needs the record, and the store could not be read ({exc})"
    if not observations:
        return None, "it needs the record, and the store is empty: load the case first"
    return observations, None


def _sources(case: str | None, scenarios: Sequence[str]) -> list[tuple[str, str, bool]]:
    """(source name, text, explicitly asked for) for each scenario to run."""
    builtin = builtin_scenarios(case) if case else []
    if not scenarios:
        if not builtin:
            raise InputError("give --scenario FILE or --case NAME", where="supply")
        return [(name, text, False) for name, text in builtin]
    out = []
    for s in scenarios:
        path = Path(s)
        if path.exists() and not path.is_dir():  # read_source refuses devices and FIFOs
            out.append((s, read_source(path, ScenarioError), True))
            continue
        match = [(n, t) for n, t in builtin if _matches(s, n, t)]
        if not match:
            hint = f" and not a built-in scenario of {case}" if case else ""
            raise ScenarioError(f"no such file{hint}", where=s)
        out.append((match[0][0], match[0][1], True))
    return out


def _matches(wanted: str, source: str, text: str) -> bool:
    stem = source.rsplit("/", 1)[-1].removesuffix(".yaml")
    short = stem.split("-", 1)[1] if stem[:2].isdigit() else stem
    return wanted in {stem, short, source}


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", where=option) from None


def _horizon(sc: Scenario, source: str, start: date | None, end: date | None) -> Scenario:
    if end is not None:
        if end <= sc.start:
            raise ScenarioError(f"--to {end} is not after the scenario's first day {sc.start}",
                                where=source)
        if (end - sc.start).days > MAX_DAYS:
            raise ScenarioError(f"--to makes the scenario longer than {MAX_DAYS} days",
                                where=source)
        sc = sc.with_end(end)
    if start is not None and not sc.start <= start < sc.end:
        raise ScenarioError(f"--from {start} is outside the scenario ({sc.start}..{sc.end})",
                            where=source)
    return sc


def supply(
    case: str | None = typer.Option(None, "--case", help="built-in case, e.g. lachin-2023"),
    scenario: list[str] = typer.Option(
        [], "--scenario", help="scenario YAML file (or a built-in scenario name); repeatable"
    ),
    runs: int = typer.Option(1, "--runs", min=1, help="1: one central run; N > 1: Monte Carlo"),
    seed: int = typer.Option(1, "--seed", min=0, help="seed of the Monte Carlo draws"),
    from_: str | None = typer.Option(None, "--from", help="report from this day (YYYY-MM-DD)"),
    to: str | None = typer.Option(None, "--to", help="end the scenarios on this day (exclusive)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON document"),
    plot: Path | None = typer.Option(None, "--plot", help="write a fan chart (.png or .svg)"),
    db: str | None = typer.Option(None, "--db", help="store for as-recorded scenarios"),
) -> None:
    """Needs, stocks and shortfalls per commodity under supply scenarios."""
    report_from, end = _date(from_, "--from"), _date(to, "--to")
    if plot is not None and plot.suffix.lower() not in {".png", ".svg"}:
        raise InputError("a chart is written as .png or .svg", where=str(plot))
    loaded = []
    for source, text, explicit in _sources(case, scenario):
        sc = _horizon(load_scenario(text, source), source, report_from, end)
        loaded.append((source, sc, explicit))

    observations: list[Observation] | None = None
    skipped: list[dict[str, str]] = []
    if any(sc.record is not None for _, sc, _ in loaded):
        observations, why = _record_observations(db)
        if observations is None:
            for source, sc, explicit in loaded:
                if sc.record is not None and explicit:
                    raise ScenarioError(f"cannot run the {sc.name!r} scenario: {why}", where=source)
            skipped = [
                {"scenario": sc.name, "source": source, "reason": str(why)}
                for source, sc, _ in loaded if sc.record is not None
            ]
            loaded = [item for item in loaded if item[1].record is None]

    cells = sum(runs * sc.days * len(sc.ration) for _, sc, _ in loaded)
    results = _run_all(loaded, runs, seed, observations, report_from, cells >= PROGRESS_FROM)

    if plot is not None and results:
        from corridor.report.charts import fan_chart

        fan_chart(results, plot)
    if as_json:
        doc = {"case": case, "runs": runs, "seed": seed if runs > 1 else None,
               "scenarios": results, "skipped": skipped,
               "plot": str(plot) if plot is not None and results else None}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    _print_human(results, skipped, plot)


def _run_all(
    loaded: Sequence[tuple[str, Scenario, bool]],
    runs: int,
    seed: int,
    observations: Sequence[Observation] | None,
    report_from: date | None,
    show_progress: bool,
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True, disable=not show_progress,
    )
    with progress:
        for source, sc, _ in loaded:
            tick = _ticker(progress, progress.add_task(sc.name, total=sc.days))
            problem = compile_problem(
                sc, runs=runs, seed=seed, observations=observations if sc.record else None
            )
            info = scenario_info(sc, source)
            if runs == 1:
                summary = single_summary(run_single(problem), report_from=report_from)
            else:
                res = simulate(problem, seed=seed, progress=tick)
                summary = montecarlo_summary(res, report_from=report_from)
            results.append({**info, **summary})
    return results


def _ticker(progress: Progress, task: TaskID) -> Callable[[int, int], None]:
    def tick(done: int, _total: int) -> None:
        progress.update(task, completed=done)

    return tick


def _tonnes(grams: int) -> str:
    t = grams / _T
    if t == 0:
        return "0"
    return f"{t:,.0f}" if t >= 10 else f"{t:,.1f}" if t >= 0.1 else f"{t:.3f}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.0f}%"


def _print_human(
    results: Sequence[dict[str, Any]], skipped: Sequence[dict[str, str]], plot: Path | None
) -> None:
    console = Console(width=None if sys.stdout.isatty() else 120)
    for r in results:
        last = date.fromisoformat(r["to"]) - timedelta(days=1)
        head = (
            f"[bold]{escape(r['scenario'])}[/bold]  {r['from']} → {r['to']}  "
            f"({escape(r['source'])})"
        )
        if r["mode"] == "single":
            table = Table(title=None, show_lines=False)
            for col in ("commodity", "first shortfall", "min days of supply",
                        "total shortfall (t)", "stock at end (t)"):
                table.add_column(col, justify="left" if col == "commodity" else "right")
            for c in r["commodities"]:
                dos = c["min_days_of_supply"]
                table.add_row(
                    c["commodity"], c["first_shortfall"] or "none",
                    "∞" if dos is None else f"{dos:.1f}",
                    _tonnes(c["total_shortfall_g"]), _tonnes(c["stock_last_g"]),
                )
            console.print(head + "  one run (central values)")
            console.print(table)
            console.print(f"kcal coverage: {_pct(r['kcal_coverage'])} of 2,100 kcal a day")
        else:
            table = Table()
            for col in ("commodity", "stockout p5", "p50", "p95", "P(stockout by end)",
                        "stock at end p5 / p50 / p95 (t)"):
                table.add_column(col, justify="left" if col == "commodity" else "right")
            for c in r["commodities"]:
                sd, sl = c["stockout_date"], c["stock_last_g"]
                table.add_row(
                    c["commodity"],
                    *(sd[k] or f"none by {last}" for k in ("p5", "p50", "p95")),
                    _pct(c["stockout_probability_by_end"]),
                    " / ".join(_tonnes(sl[k]) for k in ("p5", "p50", "p95")),
                )
            console.print(head + f"  {r['runs']} runs, seed {r['seed']}")
            console.print(table)
            console.print(_by_date_table(r))
            kc = r["kcal_coverage"]
            console.print(
                "kcal coverage of 2,100 kcal a day: "
                + ", ".join(f"{k} {_pct(kc[k])}" for k in ("p5", "p50", "p95"))
            )
        for a in r["uncertain"]:
            console.print(
                escape(f"  assumption: {a['field']} ~ {a['distribution']}"), style="dim"
            )
        for a in r["assumptions"]:
            console.print(escape(f"  assumption: {a}"), style="dim")
        record = r.get("record")
        if record:
            unmapped = ", ".join(f"{k} {v:g} t" for k, v in record["unmapped_tonnes"].items())
            line = (
                f"  record: {record['deliveries']} deliveries counted; "
                f"non-food {record['non_food_tonnes']:g} t"
            )
            if unmapped:
                line += f"; not counted as food (unmapped): {unmapped}"
            console.print(escape(line), style="dim")
        console.print()
    for s in skipped:
        console.print(
            escape(f"skipped {s['scenario']!r} ({s['source']}): {s['reason']}"), style="yellow"
        )
    if plot is not None and results:
        console.print(f"fan chart written to {plot}")


def _by_date_table(r: dict[str, Any]) -> Table:
    """Stock quantiles and stockout probability on the first day of each month (and the last)."""
    dates: list[str] = r["series"]["dates"]
    picks = [i for i, d in enumerate(dates) if d.endswith("-01")]
    if not picks or picks[-1] != len(dates) - 1:
        picks.append(len(dates) - 1)
    if len(picks) > 14:
        step = -(-len(picks) // 14)
        picks = picks[::step] + ([picks[-1]] if picks[::step][-1] != picks[-1] else [])
    table = Table(
        title=escape("stock in tonnes on the day, p50 (p5–p95), and P(unmet need before it)"),
        title_justify="left",
    )
    table.add_column("date")
    names = [c["commodity"] for c in r["commodities"]]
    for n in names:
        table.add_column(n, justify="right")
    for i in picks:
        cells = []
        for n in names:
            s = r["series"][n]
            q = s["stock_g"]
            prob = s["stockout_probability"][i - 1] if i > 0 else 0.0
            cells.append(
                f"{_tonnes(q['p50'][i])} ({_tonnes(q['p5'][i])}–{_tonnes(q['p95'][i])})\n"
                f"P {_pct(prob)}"
            )
        table.add_row(dates[i], *cells)
    return table

