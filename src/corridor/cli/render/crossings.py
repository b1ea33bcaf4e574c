"""Crossings per day for people, drawn from the JSON shape
(:func:`corridor.app.shapes.daily_crossings`), local or a server's answer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from rich.markup import escape
from rich.table import Table

from corridor.cli.context import console

__all__ = ["print_daily"]


def _figure(low: Any, high: Any, t_low: Any, t_high: Any) -> str:
    parts = []
    if low is not None:
        parts.append(f"{low:,}" if low == high else f"{low:,}–{high:,}")
    if t_low is not None:
        parts.append(f"{t_low:,g} t" if t_low == t_high else f"{t_low:,g}–{t_high:,g} t")
    return ", ".join(parts) or "reported, no figure"


def _when(iso: str) -> str:
    dt = datetime.fromisoformat(iso)
    return dt.strftime("%Y-%m-%d %H:%M") + (dt.strftime("%z")[:3] + ":" + dt.strftime("%z")[3:])


def _claims(figures: list[dict[str, Any]]) -> str:
    def one(f: dict[str, Any]) -> str:
        who = ", ".join(f["claim_of"]) or f["reporter"]
        return f"{_figure(f['count'], f['count'], f['tonnes'], f['tonnes'])} ({who})"

    return "; ".join(one(f) for f in figures)


def print_daily(doc: dict[str, Any]) -> None:
    """One table: a row per day with any report, a column per series; "no report" where a
    series has none that day."""
    series = doc["series"]
    start = date.fromisoformat(doc["start"])
    end = date.fromisoformat(doc["end"])
    console.print(
        f"Crossings per day, {start} to {end - timedelta(days=1)} ({doc['tz']}): "
        f"{doc['reports']:,} report{'' if doc['reports'] == 1 else 's'}"
    )
    if not series:
        console.print("No crossing report covers these days (no report: not a zero).")
        return
    table = Table(show_lines=False)
    table.add_column("day")
    for s in series:
        table.add_column(escape(f"{s['checkpoint']} {s['direction']} {s['category']}"),
                         justify="right")  # fmt: skip
    cells: dict[str, dict[int, str]] = {}
    for i, s in enumerate(series):
        for c in s["days"]:
            text = _figure(c["low"], c["high"], c["tonnes_low"], c["tonnes_high"])
            if c["disputed"]:
                text += " *"
            cells.setdefault(c["day"], {})[i] = text
    for day in sorted(cells):
        table.add_row(day, *(escape(cells[day].get(i, "no report")) for i in range(len(series))))
    if cells:
        console.print(table)
        console.print("Days not listed: no report for any series (not zero). * figures disagree.")
    disputed = [(s, c) for s in series for c in s["days"] if c["disputed"]]
    for s, c in disputed:
        claims = escape(_claims(c["figures"]))
        console.print(f"  {c['day']} {s['direction']} {s['category']}: {claims}")
    spans = [(s, p) for s in series for p in s["spans"]]
    if spans:
        console.print("Reports covering several days (not cut into days):")
        for s, p in spans:
            figure = _figure(p["low"], p["high"], p["tonnes_low"], p["tonnes_high"])
            console.print(
                f"  {_when(p['start'])} – {_when(p['end'])} {escape(s['checkpoint'])} "
                f"{s['direction']} {s['category']}: {escape(figure)}"
                + (f" — {escape(_claims(p['figures']))}" if p["low"] != p["high"] else "")
            )
