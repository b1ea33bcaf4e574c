"""Observations for people: one line saying what each says, when, and on whose word."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from corridor.model import Observation

__all__ = ["print_observations", "summary"]


def print_observations(rows: Sequence[Observation], out: Console) -> None:
    table = Table(title=f"{len(rows)} observation{'s' if len(rows) != 1 else ''}")
    for col in ("id", "type", "observed", "what", "source / claim of"):
        table.add_column(col, overflow="fold")
    for o in rows:
        table.add_row(o.id[:12], o.type, _when(o), summary(o), _sources(o))
    out.print(table)


def _when(o: Observation) -> str:
    s = o.start.isoformat(timespec="minutes")
    return s if o.end is None else f"{s} → {o.end.isoformat(timespec='minutes')}"


def _sources(o: Observation) -> str:
    parts = []
    for src in o.sources:
        parts.append(src.title + (f" [claim of {src.claim_of}]" if src.claim_of else ""))
    return "; ".join(parts)


def summary(o: Observation) -> str:
    """One line saying what an observation says."""
    b = o.body
    d = b.model_dump(exclude_none=True, exclude={"type"})
    keys = [
        k
        for k in (
            "checkpoint",
            "route",
            "convoy",
            "state",
            "status",
            "direction",
            "category",
            "count",
            "tonnes",
            "commodity",
            "outcome",
            "place",
            "persons",
            "kind",
            "force",
            "strength",
            "party",
            "killed",
            "injured",
        )
        if k in d
    ]
    text = ", ".join(f"{k}={d[k]}" for k in keys)
    if "cargo" in d:
        text += ", cargo=" + "+".join(f"{c['tonnes']:g} t {c['commodity']}" for c in d["cargo"])
    if "statement" in d:
        text += f': "{d["statement"]}"'
    return text
