"""`corridor status`: the situation per route at an instant, computed from the record."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from corridor.cli.context import DbOption, JsonOption, console, open_store, print_json
from corridor.errors import InputError
from corridor.model import Registry, parse_instant
from corridor.status import Situation, situation
from corridor.store.api import Query
from corridor.store.sql import SqlStore

__all__ = ["compute_situation", "print_situation", "register"]


def compute_situation(store: SqlStore, at: datetime) -> tuple[Situation, Registry]:
    registry = store.registry()
    observations = [s.observation for s in store.query(Query(end=at))]
    return situation(observations, registry, at), registry


def _d(dt: datetime | None) -> str:
    return "—" if dt is None else dt.strftime("%Y-%m-%d %H:%M")


def _name(registry: Registry, pid: str | None) -> str:
    if pid is None:
        return "—"
    if pid in registry.places:
        return registry.places[pid].label
    if pid in registry.checkpoints:
        return registry.checkpoints[pid].name
    return pid


def print_situation(sit: Situation, registry: Registry, out: Console = console) -> None:
    """Print a situation as tables: routes, crossings, convoys waiting, incidents."""
    out.print(f"[bold]Situation at {sit.at.isoformat()}[/bold]")
    t = Table(title="Routes", title_justify="left")
    for c in ("route", "status", "since", "last report", "who may pass", "where"):
        t.add_column(c)
    for r in sit.routes:
        status = r.status or "no data"
        if r.conflicting:
            status += f" (also reported: {', '.join(r.conflicting)})"
        t.add_row(r.name, status, _d(r.since), _d(r.last_report), ", ".join(r.who_may_pass) or "—",
                  _name(registry, r.place))
    out.print(t)

    t = Table(title=f"Crossings {sit.window_start:%Y-%m-%d} → {sit.at:%Y-%m-%d} (last 7 days)",
              title_justify="left")
    for c in ("checkpoint", "direction", "category", "count", "tonnes", "reports"):
        t.add_column(c)
    for c in sit.crossings:
        if c.low is None:
            count = "—"
        elif c.low == c.high:
            count = f"{c.low:,}"
        else:
            count = f"{c.low:,}–{c.high:,} (figures disagree)"
        tonnes = "—" if c.tonnes_low is None else (
            f"{c.tonnes_low:g}" if c.tonnes_low == c.tonnes_high else f"{c.tonnes_low:g}–{c.tonnes_high:g}")
        t.add_row(_name(registry, c.checkpoint), c.direction, c.category, count, tonnes, str(c.reports))
    for cp in sit.checkpoints_without_reports:
        t.add_row(_name(registry, cp), "—", "—", "no data", "—", "0")
    out.print(t)
    if sit.crossings_overlapping:
        n = len(sit.crossings_overlapping)
        out.print(f"  {n} crossing report{'s' if n > 1 else ''} cover a longer period than this "
                  "window and are not counted in it.")

    t = Table(title="Convoys waiting", title_justify="left")
    for c in ("convoy", "state", "where", "since", "days waiting", "last report", "vehicles", "tonnes"):
        t.add_column(c)
    for w in sit.convoys_waiting:
        stale = f" ({w.days_since_report:.0f} d ago)" if w.days_since_report >= 2 else ""
        t.add_row(w.convoy, w.state, _name(registry, w.place), _d(w.since), f"{w.days_waiting:.0f}",
                  _d(w.last_report) + stale, " / ".join(map(str, w.vehicles)) or "—",
                  " / ".join(f"{x:g}" for x in w.tonnes) or "—")
    if not sit.convoys_waiting:
        t.add_row("none reported waiting", "", "", "", "", "", "", "")
    out.print(t)

    t = Table(title="Incidents in the last 30 days", title_justify="left")
    for c in ("observed", "category", "where", "killed", "injured", "claim of", "what"):
        t.add_column(c, overflow="fold")
    for o in sit.incidents:
        b = o.body
        t.add_row(_d(o.start), str(getattr(b, "category", "")), _name(registry, getattr(b, "place", None)),
                  _n(getattr(b, "killed", None)), _n(getattr(b, "injured", None)),
                  ", ".join(s.claim_of for s in o.sources if s.claim_of) or "—",
                  getattr(b, "text", None) or o.note or "")
    if not sit.incidents:
        t.add_row("none reported", "", "", "", "", "", "")
    out.print(t)


def _n(v: int | None) -> str:
    return "—" if v is None else f"{v:,}"


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(
        at: str | None = typer.Option(None, "--at", help="Instant (ISO 8601) [default: now]."),
        tz: str | None = typer.Option(None, help="Time zone for --at without an offset."),
        db: str | None = DbOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Per route: status and since when; crossings in the last 7 days by direction and
        category; convoys waiting and for how many days; incidents."""
        when = datetime.now(UTC)
        if at is not None:
            try:
                when = parse_instant(at, tz)
            except ValueError as exc:
                raise InputError(str(exc), where="--at") from None
        store = open_store(db)
        try:
            sit, registry = compute_situation(store, when)
        finally:
            store.close()
        if as_json:
            print_json(sit.to_json())
        else:
            print_situation(sit, registry)
