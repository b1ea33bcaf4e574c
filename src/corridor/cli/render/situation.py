"""The situation for people: routes, crossings in the window, convoys waiting, incidents."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.cli.context import console
from corridor.cli.render.observations import attested_line
from corridor.model import ConvoyEvent, Crossing, Observation, Registry, RouteStatus
from corridor.situation import Situation

__all__ = ["print_situation"]


def _d(dt: datetime | None) -> str:
    if dt is None:
        return "—"
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


def _n(v: int | None) -> str:
    return "—" if v is None else f"{v:,}"


def _range(values: tuple[float, ...] | tuple[int, ...], unit: str = "") -> str:
    if not values:
        return ""
    txt = " / ".join(f"{v:,g}" for v in values) + unit
    return txt + (" (sources differ)" if len(values) > 1 else "")


def _figures(o: Observation) -> str:
    """What a report says, in a few words: its figures or its status."""
    b = o.body
    if isinstance(b, ConvoyEvent):
        tonnes = sum(c.tonnes for c in b.cargo)
        parts = [f"{b.vehicles} vehicles" if b.vehicles is not None else "",
                 f"{tonnes:,g} t" if b.cargo else ""]
        return ", ".join(p for p in parts if p) or str(b.state)
    if isinstance(b, Crossing):
        return ", ".join(x for x in (_n(b.count) if b.count is not None else "",
                                     f"{b.tonnes:g} t" if b.tonnes is not None else "") if x)
    if isinstance(b, RouteStatus):
        return str(b.status)
    return o.type


def _attested(sit: Situation, ids: tuple[str, ...], out: Console) -> None:
    """Under a figure, who corroborated and who disputed each report it rests on."""
    for i in ids:
        a = sit.attestations.get(i)
        if a is None:
            continue
        o = sit.attested_reports.get(i)
        what = f" ({_figures(o)})" if o is not None else ""
        out.print(f"    [dim]report {i[:12]}{escape(what)}: {escape(attested_line(a))}[/dim]")


def print_situation(sit: Situation, registry: Registry, out: Console = console) -> None:
    """Print a situation: routes, crossings in the window, convoys waiting, incidents."""
    out.print(f"[bold]Situation at {sit.at.strftime('%Y-%m-%d %H:%M %z')}[/bold]")
    t = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
    for col in ("route", "status", "since", "last report", "who may pass / where"):
        t.add_column(col)
    for r in sit.routes:
        status = r.status or "[yellow]no data[/yellow]"
        if r.conflicting:
            status += f" (also: {', '.join(r.conflicting)})"
        who = ", ".join(r.who_may_pass)
        where = _name(registry, r.place) if r.place else ""
        t.add_row(
            r.name,
            status,
            _d(r.since),
            _d(r.last_report),
            " at ".join(x for x in (who, where) if x),
        )
    out.print(t)
    for r in sit.routes:
        _attested(sit, r.evidence, out)

    out.print(f"[bold]Crossings[/bold] {_d(sit.window_start)} → {_d(sit.at)} (7 days)")
    t = Table(box=None, pad_edge=False, header_style="dim")
    for col in ("checkpoint", "direction", "category", "count", "tonnes", "reports"):
        t.add_column(col)
    for c in sit.crossings:
        if c.low is None:
            count = "—"
        elif c.low == c.high:
            count = f"{c.low:,}"
        else:
            count = f"{c.low:,}–{c.high:,} (figures disagree)"
        tonnes = (
            "—"
            if c.tonnes_low is None
            else (
                f"{c.tonnes_low:g}"
                if c.tonnes_low == c.tonnes_high
                else f"{c.tonnes_low:g}–{c.tonnes_high:g}"
            )
        )
        t.add_row(
            _name(registry, c.checkpoint), c.direction, c.category, count, tonnes, str(c.reports)
        )
    for cp in sit.checkpoints_without_reports:
        t.add_row(_name(registry, cp), "", "", "[yellow]no data[/yellow] (no report)", "", "0")
    out.print(t)
    for c in sit.crossings:
        _attested(sit, c.evidence, out)
    if sit.crossings_overlapping:
        n = len(sit.crossings_overlapping)
        out.print(
            f"  [dim]{n} report{'s' if n > 1 else ''} cover{'s' if n == 1 else ''} a longer "
            "period than the window: not counted in it[/dim]"
        )

    out.print("[bold]Convoys waiting[/bold]")
    if not sit.convoys_waiting:
        out.print("  none reported waiting")
    for w in sit.convoys_waiting:
        stale = (
            f", {w.days_since_report:.0f} days before this date" if w.days_since_report >= 2 else ""
        )
        extra = "; ".join(
            x
            for x in (
                _range(w.vehicles, " vehicle" if w.vehicles == (1,) else " vehicles"),
                _range(w.tonnes, " t"),
            )
            if x
        )
        out.print(
            f"  {w.convoy}: {w.state} at {_name(registry, w.place)} since {_d(w.since)}, "
            f"[bold]{w.days_waiting:.0f} days[/bold] (last report {_d(w.last_report)}{stale})"
            + (f"; {extra}" if extra else "")
        )
        _attested(sit, w.evidence, out)

    out.print("[bold]Incidents[/bold] (30 days)")
    if not sit.incidents:
        out.print("  none reported")
    for o in sit.incidents:
        b = o.body
        figures = ", ".join(
            f"{k} {_n(getattr(b, k, None))}"
            for k in ("killed", "injured", "missing")
            if getattr(b, k, None) is not None
        )
        claim = ", ".join(_name(registry, s.claim_of) for s in o.sources if s.claim_of)
        text = getattr(b, "text", None) or o.note or ""
        out.print(
            f"  {_d(o.start)} {getattr(b, 'category', '')}"
            + (
                f" at {_name(registry, getattr(b, 'place', None))}"
                if getattr(b, "place", None)
                else ""
            )
            + (f": {figures}" if figures else "")
            + (f" (claim of {claim})" if claim else "")
            + (f" — {escape(text)}" if text else "")
        )
