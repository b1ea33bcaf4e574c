"""Verdicts for people: a table per commitment, then its first violations (or undetermined and
pending instances) with why and the evidence they rest on.

Drawn from the verdicts' JSON shape (``corridor check --json``, the ``items`` of
``GET /v1/commitments``), the same whether the record is a local database or a server's answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.cli.context import console
from corridor.cli.render.observations import attested_line
from corridor.model import Observation
from corridor.rules import Verdict

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


def _style(verdict: str) -> str:
    return _STYLE[Verdict(verdict)]


def _evidence(item: str | dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """An evidence entry: an id, or (with proofs) ``{"id": ..., <proof bundle>}``."""
    if isinstance(item, str):
        return item, None
    return item["id"], item if "log_index" in item else None


def print_results(
    doc: Sequence[dict[str, Any]],
    out: Console = console,
    *,
    observations: Mapping[str, Observation] | None = None,
    limit: int = 3,
) -> None:
    """A table of verdicts, then per commitment its first violations (or undetermined and
    pending instances) with why and the evidence they rest on (with its place in the log when
    the verdicts carry inclusion proofs)."""
    t = Table(box=None, pad_edge=False, header_style="dim")
    for col in ("commitment", "party", "verdict", "sat", "viol", "undet", "pend"):
        t.add_column(col, justify="right" if col in {"sat", "viol", "undet", "pend"} else "left")
    for r in doc:
        c = r["counts"]
        t.add_row(r["id"], ", ".join(r["party"]), f"[{_style(r['verdict'])}]{r['verdict']}[/]",
                  *(str(c[k]) for k in ("satisfied", "violated", "undetermined", "pending")))
    out.print(t)
    for r in doc:
        out.print()
        out.print(f"[bold]{escape(r['id'])}[/bold] [{_style(r['verdict'])}]{r['verdict']}[/]: "
                  f"{escape(r['title'])}")
        src = r["source"]
        out.print(f"  [dim]source: {escape(str(src.get('instrument', '')))}, "
                  f"{escape(str(src.get('date', '')))}"
                  f"{', art. ' + escape(str(src['article'])) if src.get('article') else ''}[/dim]")
        runs = _runs([i for i in r["instances"] if i["verdict"] == r["verdict"]])
        shown = runs[:limit]
        attested = r.get("attestations") or {}
        if not shown:
            out.print(f"  {escape(r['why'])}")
        for run in shown:
            inst = run[0]
            keys = inst["key"]
            if len(run) > 1:
                keys = f"{keys} … {run[-1]['key']} ({len(run)})"
            out.print(f"  [{_style(inst['verdict'])}]{inst['verdict']}[/] {escape(keys)}: "
                      f"{escape(inst['why'])}")
            for item in inst["evidence"][:limit]:
                oid, proof = _evidence(item)
                line = f"    evidence {oid[:12]}"
                if observations is not None and oid in observations:
                    line += f"  {_label(observations[oid])}"
                if proof is not None:
                    line += (f"  (log #{proof['log_index']}, inclusion proved in tree of "
                             f"{proof['tree_size']})")
                out.print(escape(line))
                if oid in attested:
                    out.print(f"      [dim]{escape(attested_line(attested[oid]))}[/dim]")
            if len(inst["evidence"]) > limit:
                out.print(f"    [dim]… and {len(inst['evidence']) - limit} more[/dim]")
        rest = sum(len(run) for run in runs[limit:])
        if rest:
            out.print(f"  [dim]… and {rest} more {r['verdict']}[/dim]")


def _runs(instances: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive instances saying the same thing on the same evidence, grouped."""
    out: list[list[dict[str, Any]]] = []
    for i in instances:
        if out and (out[-1][-1]["why"], out[-1][-1]["evidence"]) == (i["why"], i["evidence"]):
            out[-1].append(i)
        else:
            out.append([i])
    return out
