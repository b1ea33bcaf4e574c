"""`corridor check`: judge commitments (a rule file, or a case's rules) against the record.

    corridor check RULES.yaml [--at T] [--json] [--prove] [--db DB]
    corridor check --case lachin-2023 [RULES.yaml] [--db DB]

The record is the database (``--db``); with ``--case`` and no ``--db`` it is the case's own
observations, read in memory. Rules are checked before anything is evaluated: a bad rule exits 1
with FILE:LINE:COLUMN and the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.cli.context import DbOption, JsonOption, KeysOption, console, open_store, print_json
from corridor.errors import InputError, RuleError
from corridor.model import Observation, Registry, parse_instant
from corridor.rules import (
    CommitmentResult,
    Event,
    Instance,
    RuleSet,
    Verdict,
    evaluate,
    events_from,
    parse_rules,
    results_to_json,
)
from corridor.source import read_source

__all__ = ["demo_verdicts", "load_rules", "print_results", "register"]

_STYLE = {
    Verdict.violated: "bold red",
    Verdict.undetermined: "yellow",
    Verdict.pending: "cyan",
    Verdict.satisfied: "green",
}


def load_rules(path: Path, registry: Registry | None, *, name: str | None = None) -> RuleSet:
    """Read and check a rule file (errors name FILE:LINE:COLUMN)."""
    return parse_rules(read_source(path, RuleError), name=name or str(path), registry=registry)


def _at(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        return parse_instant(value, "UTC")
    except ValueError as exc:
        raise InputError(str(exc), where="--at") from None


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


def _evidence_ids(results: Iterable[CommitmentResult]) -> list[str]:
    seen: dict[str, None] = {}
    for r in results:
        for inst in r.instances:
            for oid in inst.evidence:
                seen.setdefault(oid, None)
    return list(seen)


def _proofs(store: Any, db: str | None, keys: str | None, events: list[Event],
            ids: list[str]) -> dict[str, dict[str, Any]]:
    """An inclusion proof (against the latest signed checkpoint) for every evidence entry."""
    from corridor.cli.context import open_keyring
    from corridor.cli.log import inclusion_bundle
    from corridor.recording import Ledger

    ledger = Ledger(store, open_keyring(db, keys))
    index = {e.id: e.log_index for e in events}
    out: dict[str, dict[str, Any]] = {}
    for oid in ids:
        li = index.get(oid)
        if li is not None:
            out[oid] = inclusion_bundle(ledger, li)
    return out


def _with_proofs(doc: list[dict[str, Any]], proofs: dict[str, dict[str, Any]]) -> None:
    for commitment in doc:
        for inst in commitment["instances"]:
            inst["evidence"] = [{"id": oid, **proofs.get(oid, {})} for oid in inst["evidence"]]


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        rules: Path | None = typer.Argument(
            None, metavar="[RULES]",
            help="A rule file (YAML) [default: the case's rules with --case].",
        ),
        case: str | None = typer.Option(
            None, "--case", help="A built-in case name (or case file): its rules, and its record "
            "unless --db is given."
        ),
        at: str | None = typer.Option(
            None, "--at", help="Evaluation time, ISO 8601 (no offset means UTC) [default: now]."
        ),
        as_json: bool = JsonOption,
        prove: bool = typer.Option(
            False, "--prove", help="Attach an inclusion proof in the log to each evidence entry."
        ),
        db: str | None = DbOption,
        keys: str | None = KeysOption,
    ) -> None:
        """Judge commitments against the record: satisfied, violated, undetermined or pending,
        each with the observations it rests on."""
        if rules is None and case is None:
            raise InputError("give a rule file, or --case NAME for a case's rules")
        when = _at(at)
        store = None
        try:
            if case is not None:
                from corridor.cases import load_case

                loaded = load_case(case)
                if db is None and prove:
                    raise InputError("--prove needs the record in a database with its log: "
                                     f"corridor case load {case} --db DB, then add --db DB")
                if db is None:
                    registry = loaded.registry
                    observations: list[Any] = list(loaded.observations)
                else:
                    store = open_store(db)
                    registry = store.registry()
                    observations = list(store.query())
                files = [rules] if rules is not None else loaded.rules
                if not files:
                    raise InputError(f"case {case!r} has no rules", where="--case")
            else:
                assert rules is not None
                store = open_store(db)
                registry = store.registry()
                observations = list(store.query())
                files = [rules]
            rule_sets = [load_rules(Path(f), registry) for f in files]
            events = events_from(observations)
            results = [r for rs in rule_sets for r in evaluate(rs, events, when)]
            proofs = (
                _proofs(store, db, keys, events, _evidence_ids(results))
                if prove and store is not None else None
            )
        finally:
            if store is not None:
                store.close()
        if as_json:
            doc = results_to_json(results)
            if proofs is not None:
                _with_proofs(doc, proofs)
            print_json(doc)
            return
        by_id = {
            (o.observation if hasattr(o, "observation") else o).id:
            (o.observation if hasattr(o, "observation") else o)
            for o in observations
        }
        console.print(f"[dim]evaluated at {when.isoformat(timespec='seconds')} over "
                      f"{len(events)} observations[/dim]")
        print_results(results, observations=by_id, proofs=proofs)


def demo_verdicts(store: Any, case: Any, out: Console = console) -> None:
    """For ``corridor demo``: the case's commitments judged against the loaded record, each with
    its verdict, why, and the observations it rests on."""
    registry = store.registry()
    stored = list(store.query())
    events = events_from(stored)
    at = datetime.now(UTC)
    results: list[CommitmentResult] = []
    for path in case.rules:
        results += evaluate(load_rules(Path(path), registry, name=Path(path).name), events, at)
    by_id = {s.observation.id: s.observation for s in stored}
    out.print("Each commitment of the case as a rule (cases/lachin_2023/rules.yaml). "
              "[yellow]undetermined[/yellow] means the record cannot decide; nothing is called "
              "satisfied for lack of data.")
    print_results(results, out, observations=by_id)
