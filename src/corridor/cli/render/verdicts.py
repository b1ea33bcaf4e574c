"""Verdicts for people: a table per commitment, then its first violations (or undetermined and
pending instances) with why and the evidence they rest on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.cli.context import console
from corridor.cli.render.observations import attested_line
from corridor.model import Observation
from corridor.rules import CommitmentResult, Instance, Verdict

__all__ = ["print_results"]

_STYLE = {
    Verdict.violated: "bold red",
    Verdict.undetermined: "yellow",
    Verdict.pending: "cyan",
    Verdict.satisfied: "green",
}


def _label(obs: Observation) -> str:
    """``2023-06-15 incident ceasefire_small_arms — Azatutyun: shooting at the Hakari bridge``."""
    b = obs.body
    what = next(
        (str(getattr(b, f)) for f in ("status", "state", "category", "kind") if hasattr(b, f)), ""
    )
    subject = next(
        (str(v) for f in ("route", "convoy", "checkpoint", "force", "place", "party")
         if (v := getattr(b, f, None))), ""
    )
    day = obs.start.isoformat()[:16].replace("T00:00", "")
    title = obs.sources[0].title if obs.sources else ""
    head = " ".join(x for x in (day, obs.type, subject, what) if x)
    return head + (f" — {title}" if title else "")


def print_results(
    results: Sequence[CommitmentResult],
    out: Console = console,
    *,
    observations: dict[str, Observation] | None = None,
    proofs: dict[str, dict[str, Any]] | None = None,
    limit: int = 3,
) -> None:
    """A table of verdicts, then per commitment its first violations (or undetermined and
    pending instances) with why and the evidence they rest on."""
    t = Table(box=None, pad_edge=False, header_style="dim")
    for col in ("commitment", "party", "verdict", "sat", "viol", "undet", "pend"):
        t.add_column(col, justify="right" if col in {"sat", "viol", "undet", "pend"} else "left")
    for r in results:
        c = r.counts
        t.add_row(r.id, ", ".join(r.party), f"[{_STYLE[r.verdict]}]{r.verdict.value}[/]",
                  *(str(c[k]) for k in ("satisfied", "violated", "undetermined", "pending")))
    out.print(t)
    for r in results:
        out.print()
        out.print(f"[bold]{escape(r.id)}[/bold] [{_STYLE[r.verdict]}]{r.verdict.value}[/]: "
                  f"{escape(r.title)}")
        src = r.source
        out.print(f"  [dim]source: {escape(str(src.get('instrument', '')))}, "
                  f"{escape(str(src.get('date', '')))}"
                  f"{', art. ' + escape(str(src['article'])) if src.get('article') else ''}[/dim]")
        runs = _runs([i for i in r.instances if i.verdict is r.verdict])
        shown = runs[:limit]
        if not shown:
            out.print(f"  {escape(r.why)}")
        for run in shown:
            inst = run[0]
            keys = inst.key if len(run) == 1 else f"{inst.key} … {run[-1].key} ({len(run)})"
            out.print(f"  [{_STYLE[inst.verdict]}]{inst.verdict.value}[/] {escape(keys)}: "
                      f"{escape(inst.why)}")
            for oid in inst.evidence[:limit]:
                line = f"    evidence {oid[:12]}"
                if observations is not None and oid in observations:
                    line += f"  {_label(observations[oid])}"
                if proofs is not None and oid in proofs:
                    p = proofs[oid]
                    line += (f"  (log #{p['log_index']}, inclusion proved in tree of "
                             f"{p['tree_size']})")
                out.print(escape(line))
                if oid in r.attestations:
                    out.print(f"      [dim]{escape(attested_line(r.attestations[oid]))}[/dim]")
            if len(inst.evidence) > limit:
                out.print(f"    [dim]… and {len(inst.evidence) - limit} more[/dim]")
        rest = sum(len(run) for run in runs[limit:])
        if rest:
            out.print(f"  [dim]… and {rest} more {r.verdict.value}[/dim]")


def _runs(instances: list[Instance]) -> list[list[Instance]]:
    """Consecutive instances saying the same thing on the same evidence, grouped."""
    out: list[list[Instance]] = []
    for i in instances:
        if out and (out[-1][-1].why, out[-1][-1].evidence) == (i.why, i.evidence):
            out[-1].append(i)
        else:
            out.append([i])
    return out
