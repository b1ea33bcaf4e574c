"""Supply results for people: per scenario a table per commodity, stock by date, assumptions."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["print_supply"]

_T = 1_000_000  # grams per tonne


def _tonnes(grams: int) -> str:
    t = grams / _T
    if t == 0:
        return "0"
    return f"{t:,.0f}" if t >= 10 else f"{t:,.1f}" if t >= 0.1 else f"{t:.3f}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.0f}%"


def print_supply(
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
