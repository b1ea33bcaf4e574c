"""The situation for people: routes, crossings in the window, convoys waiting, incidents,
population.

Drawn from the situation's JSON shape (:func:`corridor.app.shapes.situation`), the same whether
the record is a local database or a server's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.cli.context import console
from corridor.cli.render.observations import attested_line
from corridor.model import Registry

__all__ = ["print_situation"]


def _d(value: str | datetime | None) -> str:
    if value is None:
        return "—"
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (
        dt.strftime("%Y-%m-%d") if (dt.hour, dt.minute) == (0, 0) else dt.strftime("%Y-%m-%d %H:%M")
    )


def _name(registry: Registry, pid: str | None) -> str:
    if pid is None:
        return "—"
    if pid in registry.places:
        return registry.places[pid].label
    if pid in registry.checkpoints:
        return registry.checkpoints[pid].name
    if pid in registry.organisations:
        return registry.organisations[pid].name
    return pid


_KINDS = {
    "resident": "residents",
    "displaced": "displaced",
    "cumulative_arrivals": "arrivals so far",
}


def _n(v: int | None) -> str:
    return "—" if v is None else f"{v:,}"


def _range(values: list[float] | list[int], unit: str = "") -> str:
    if not values:
        return ""
    txt = " / ".join(f"{v:,g}" for v in values) + unit
    return txt + (" (sources differ)" if len(values) > 1 else "")


def _attested(doc: dict[str, Any], ids: list[str], out: Console) -> None:
    """Under a figure, who corroborated and who disputed each report it rests on."""
    for i in ids:
        a = doc.get("attestations", {}).get(i)
        if a is not None:
            out.print(f"    [dim]report {i[:12]}: {escape(attested_line(a))}[/dim]")


def print_situation(doc: dict[str, Any], registry: Registry, out: Console = console) -> None:
    """Print a situation (its JSON shape): routes, crossings in the window, convoys waiting,
    incidents, population figures, and who corroborated and who disputed the reports each
    rests on."""
    at = datetime.fromisoformat(doc["at"])
    out.print(f"[bold]Situation at {at.strftime('%Y-%m-%d %H:%M %z')}[/bold]")
    t = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
    for col in ("route", "status", "since", "last report", "who may pass / where"):
        t.add_column(col)
    for r in doc["routes"]:
        status = r["status"] or "[yellow]no data[/yellow]"
        if r["conflicting"]:
            status += f" (also: {', '.join(r['conflicting'])})"
        who = ", ".join(r["who_may_pass"])
        where = _name(registry, r["place"]) if r["place"] else ""
        t.add_row(
            r["name"],
            status,
            _d(r["since"]),
            _d(r["last_report"]),
            " at ".join(x for x in (who, where) if x),
        )
    out.print(t)
    for r in doc["routes"]:
        _attested(doc, r["evidence"], out)

    out.print(f"[bold]Crossings[/bold] {_d(doc['window']['start'])} → {_d(at)} (7 days)")
    t = Table(box=None, pad_edge=False, header_style="dim")
    for col in ("checkpoint", "direction", "category", "count", "tonnes", "reports"):
        t.add_column(col)
    for c in doc["crossings_last_7_days"]:
        low, high = c["low"], c["high"]
        if low is None:
            count = "—"
        elif low == high:
            count = f"{low:,}"
        else:
            count = f"{low:,}–{high:,} (figures disagree)"
        t_low, t_high = c["tonnes_low"], c["tonnes_high"]
        tonnes = "—" if t_low is None else (f"{t_low:g}" if t_low == t_high
                                             else f"{t_low:g}–{t_high:g}")  # fmt: skip
        t.add_row(
            _name(registry, c["checkpoint"]), c["direction"], c["category"], count, tonnes,
            str(c["reports"]),
        )
    for cp in doc["checkpoints_without_reports"]:
        t.add_row(_name(registry, cp), "", "", "[yellow]no data[/yellow] (no report)", "", "0")
    out.print(t)
    for c in doc["crossings_last_7_days"]:
        _attested(doc, c["evidence"], out)
    if doc["crossing_reports_spanning_window"]:
        n = len(doc["crossing_reports_spanning_window"])
        out.print(
            f"  [dim]{n} report{'s' if n > 1 else ''} cover{'s' if n == 1 else ''} a longer "
            "period than the window: not counted in it[/dim]"
        )

    out.print("[bold]Convoys waiting[/bold]")
    if not doc["convoys_waiting"]:
        out.print("  none reported waiting")
    for w in doc["convoys_waiting"]:
        stale = (
            f", {w['days_since_report']:.0f} days before this date"
            if w["days_since_report"] >= 2 else ""
        )  # fmt: skip
        extra = "; ".join(
            x
            for x in (
                _range(w["vehicles"], " vehicle" if w["vehicles"] == [1] else " vehicles"),
                _range(w["tonnes"], " t"),
            )
            if x
        )
        out.print(
            f"  {w['convoy']}: {w['state']} at {_name(registry, w['place'])} since "
            f"{_d(w['since'])}, [bold]{w['days_waiting']:.0f} days[/bold] (last report "
            f"{_d(w['last_report'])}{stale})" + (f"; {extra}" if extra else "")
        )
        _attested(doc, w["evidence"], out)

    out.print("[bold]Incidents[/bold] (30 days)")
    if not doc["incidents"]:
        out.print("  none reported")
    for o in doc["incidents"]:
        figures = ", ".join(
            f"{k} {_n(o.get(k))}" for k in ("killed", "injured", "missing") if o.get(k) is not None
        )
        claim = ", ".join(_name(registry, c) for c in o["claim_of"])
        text = o.get("text") or o.get("note") or ""
        out.print(
            f"  {_d(o['observed'])} {o['category']}"
            + (f" at {_name(registry, o['place'])}" if o.get("place") else "")
            + (f": {figures}" if figures else "")
            + (f" (claim of {claim})" if claim else "")
            + (f" — {escape(text)}" if text else "")
        )

    out.print("[bold]Population[/bold] (the latest figure of each reporter, as reported)")
    if not doc["population"]:
        out.print("  none reported")
    for p in doc["population"]:
        claim = ", ".join(_name(registry, c) for c in p["claim_of"])
        origin = f" from {_name(registry, p['origin'])}" if p.get("origin") else ""
        out.print(
            f"  {_name(registry, p['place'])}: {p['persons']:,} {_KINDS.get(p['kind'], p['kind'])}"
            f"{origin}, {_d(p['observed'])}, reported by {_name(registry, p['reporter'])}"
            + (f" (claim of {claim})" if claim else "")
        )
        _attested(doc, [p["id"]], out)
