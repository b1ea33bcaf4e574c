"""Observations for people: one line saying what each says, when, and on whose word; who
corroborated or disputed it; and the chain of its versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.model import Attestation, Observation, Retraction
from corridor.model.bodies import Sealed
from corridor.model.history import Attested

if TYPE_CHECKING:
    from corridor.app.history import Chain

__all__ = ["attested_line", "print_chain", "print_observations", "summary"]


def print_observations(
    rows: Sequence[Observation],
    out: Console,
    *,
    attestations: Mapping[str, Attested] | None = None,
    statuses: Mapping[str, str] | None = None,
) -> None:
    """A table of observations; with ``attestations`` who corroborated or disputed each, with
    ``statuses`` (a history) whether each is current or what superseded it."""
    noun = "entr" + ("ies" if len(rows) != 1 else "y") if statuses else (
        "observation" + ("s" if len(rows) != 1 else "")
    )
    table = Table(title=f"{len(rows)} {noun}")
    cols = ["id", "type", "observed", "what", "source / claim of"]
    attestations = attestations or {}
    if attestations:
        cols.append("attested")
    if statuses:
        cols.append("status")
    for col in cols:
        table.add_column(col, overflow="fold")
    for o in rows:
        cells = [o.id[:12], o.type, _when(o), summary(o), _sources(o)]
        if attestations:
            a = attestations.get(o.id)
            cells.append(attested_line(a) if a is not None else "")
        if statuses:
            cells.append(statuses.get(o.id, ""))
        table.add_row(*cells)
    out.print(table)


def _figure(v: float | None) -> str:
    return "" if v is None else f"{v:,g}"


def attested_line(a: Attested | Mapping[str, Any]) -> str:
    """``corroborated by armradio; disputed by am-gov (360 t), hetq (vehicles 21)``, from a
    summary or its JSON shape (``Attested.to_json``, as a server answers it)."""
    d = a.to_json() if isinstance(a, Attested) else a
    parts = []
    if d.get("corroborated_by"):
        parts.append("corroborated by " + ", ".join(s["by"] for s in d["corroborated_by"]))
    if d.get("disputed_by"):
        shown = []
        for s in d["disputed_by"]:
            field, figure = s.get("field"), s.get("figure")
            if field == "cargo" and figure is not None:
                what = f"{_figure(figure)} t"
            else:
                what = " ".join(x for x in (field or "", _figure(figure)) if x)
            shown.append(s["by"] + (f" ({what})" if what else ""))
        parts.append("disputed by " + ", ".join(shown))
    review = d.get("review")
    if review:
        parts.append(f"review: {review['status']} ({review['by']})")
    return "; ".join(parts)


def print_chain(chain: Chain, shown: str, out: Console) -> None:
    """The versions of an observation, first to last, with the reason of each change."""
    n = len(chain.versions)
    if n == 1 and isinstance(chain.versions[0].observation.body, Sealed):
        out.print("sealed, not revealed: counted nowhere until its reporter reveals it")
        return
    if n == 1:
        a = chain.attestations.get(shown)
        out.print("one version, current" + (f"; {attested_line(a)}" if a else ""))
        return
    out.print(f"[bold]{n} versions[/bold] (first to last):")
    for i, v in enumerate(chain.versions):
        o = v.observation
        mark = "→" if v.id == shown else " "
        if isinstance(o.body, Retraction):
            line = f"retracted by {o.reporter}: {o.body.reason}"
        elif isinstance(o.body, Sealed):
            then = "" if i == n - 1 else ", then revealed"
            line = (
                f"sealed by {o.reporter} at {_when(o)}{then} (commitment {o.body.commitment[:12]})"
            )
        elif o.reveals is not None:
            state = "current" if v.id == chain.current else "superseded"
            line = f"revealed, {state}: {summary(o)} (observed {_when(o)})"
        else:
            why = f" ({o.supersedes.reason})" if o.supersedes is not None else ""
            role = "first version" if i == 0 else f"correction{why}"
            last = i == n - 1 or isinstance(chain.versions[i + 1].observation.body, Retraction)
            state = (
                "current" if v.id == chain.current else "retracted" if last else "superseded"
            )
            line = f"{role}, {state}: {summary(o)}"
        out.print(f" {mark} {v.id[:12]} log #{v.log_index}  {escape(line)}")
        a = chain.attestations.get(v.id)
        if a is not None:
            out.print(f"      {escape(attested_line(a))}")


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
    if isinstance(b, Retraction):
        return f"retracts {b.retracts[:12]}: {b.reason}"
    if isinstance(b, Sealed):
        what = f" (hides a {b.hides})" if b.hides else ""
        return f"sealed by {o.reporter} at {_when(o)}{what}: not revealed, counted nowhere"
    if isinstance(b, Attestation):
        fig = " ".join(x for x in (b.field or "", _figure(b.figure)) if x)
        text = f"{b.stance} {b.about[:12]}" + (f" ({fig})" if fig else "")
        if b.review is not None:
            text += f": {b.review}"
        return text + (f": {b.reason}" if b.reason else "")
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
