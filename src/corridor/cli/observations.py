"""`corridor record`, `corridor list`, `corridor show`: write one observation, read many."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from corridor.cli.context import (
    DbOption,
    JsonOption,
    KeysOption,
    console,
    open_keyring,
    open_store,
    print_json,
)
from corridor.errors import InputError, RecordError
from corridor.model import BODY_TYPES, Observation, parse_instant, parse_observation
from corridor.store.api import Query, StoredObservation

__all__ = ["observation_json", "register"]

TYPES = ", ".join(BODY_TYPES)


def observation_json(
    s: StoredObservation, *, personal: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON form of a stored observation: id, log index, signers and content."""
    d: dict[str, Any] = {"id": s.id, "log_index": s.log_index, **s.observation.content()}
    d["signed_by"] = list(s.signers)
    if s.demo_signed:
        d["signature_note"] = "signed with a DEMO key (built-in case), not by the named party"
    if personal:
        d["personal"] = personal
    return d


def _parse_time(value: str | None, tz: str | None, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_instant(value, tz)
    except ValueError as exc:
        raise InputError(str(exc), where=what) from None


def _coerce(field: str, raw: str) -> Any:
    """Field values typed on the command line: JSON where it parses (numbers, lists), else text."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _build(
    type_: str,
    body_fields: list[str],
    observed: str | None,
    end: str | None,
    tz: str | None,
    reporter: str | None,
    source_title: str | None,
    source_url: str | None,
    claim_of: str | None,
    note: str | None,
    from_file: Path | None,
) -> list[dict[str, Any]]:
    if from_file is not None:
        try:
            text = sys.stdin.read() if str(from_file) == "-" else from_file.read_text("utf-8")
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where=str(from_file)) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not JSON: {exc.msg} at line {exc.lineno}", where=str(from_file)
            ) from None
        items = data if isinstance(data, list) else [data]
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError(
                    "each observation must be a JSON object", where=f"{from_file}[{i}]"
                )
            item = {"type": type_, **item}
            if item["type"] != type_:
                raise RecordError(
                    f"is {item['type']!r}, but the command records {type_!r}",
                    field="type",
                    where=f"{from_file}[{i}]",
                )
            if tz:
                when = item.get("observed")
                if isinstance(when, str):
                    item["observed"] = {"start": _parse_time(when, tz, "observed")}
                elif isinstance(when, dict):
                    item["observed"] = {
                        k: _parse_time(v, tz, f"observed.{k}") for k, v in when.items()
                    }
            out.append(item)
        return out
    body: dict[str, Any] = {}
    for kv in body_fields:
        if "=" not in kv:
            raise InputError(f"{kv!r} is not FIELD=VALUE", where="--set")
        k, v = kv.split("=", 1)
        body[k.strip()] = _coerce(k, v.strip())
    if observed is None:
        raise RecordError(
            "is required (an ISO 8601 time with offset, or give --tz)", field="observed"
        )
    if reporter is None:
        raise RecordError("is required: the organisation reporting this", field="reporter")
    period: dict[str, Any] = {"start": _parse_time(observed, tz, "observed")}
    if end:
        period["end"] = _parse_time(end, tz, "end")
    src: dict[str, Any] = {"title": source_title or f"direct report by {reporter}"}
    if source_url:
        src["url"] = source_url
    if claim_of:
        src["claim_of"] = claim_of
    one: dict[str, Any] = {
        "type": type_,
        "observed": period,
        "reporter": reporter,
        "sources": [src],
        "body": body,
    }
    if note:
        one["note"] = note
    return [one]


def register(app: typer.Typer) -> None:
    @app.command("record")
    def record(
        type_: str = typer.Argument(..., metavar="TYPE", help=f"One of: {TYPES}."),
        set_: list[str] = typer.Option(
            [],
            "--set",
            "-s",
            help="A body field, FIELD=VALUE (repeat). Values parse as JSON "
            'where they can: count=0, cargo=\'[{"commodity":"flour","tonnes":20}]\'.',
        ),
        checkpoint: str | None = typer.Option(None, help="Body field checkpoint."),
        direction: str | None = typer.Option(None, help="Body field direction: inbound|outbound."),
        category: str | None = typer.Option(
            None, help="Body field category: persons|vehicles|cargo."
        ),
        count: str | None = typer.Option(
            None, help="Body field count (0 is a report, not no data)."
        ),
        route: str | None = typer.Option(None, help="Body field route."),
        status: str | None = typer.Option(None, help="Body field status."),
        observed: str | None = typer.Option(
            None, help="When: ISO 8601 with offset (or give --tz)."
        ),
        end: str | None = typer.Option(None, help="End of the observed period (exclusive)."),
        tz: str | None = typer.Option(None, help="Time zone for times written without an offset."),
        reporter: str | None = typer.Option(None, help="Organisation id reporting (and signing)."),
        source: str | None = typer.Option(None, help="Source title."),
        source_url: str | None = typer.Option(None, help="Source URL."),
        claim_of: str | None = typer.Option(None, help="Whose claim this is, if a party's."),
        note: str | None = typer.Option(None, help="Free-text note."),
        file: Path | None = typer.Option(
            None, "--file", "-f", help="Read the observation(s) as JSON from FILE ('-' for stdin)."
        ),
        db: str | None = DbOption,
        keys: str | None = KeysOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Record one observation (or a JSON list), signed by its reporter, into the log."""
        if type_ not in BODY_TYPES:
            raise InputError(f"unknown type {type_!r}; expected one of {TYPES}", where="TYPE")
        extra = [
            f"{k}={v}"
            for k, v in (
                ("checkpoint", checkpoint),
                ("direction", direction),
                ("category", category),
                ("count", count),
                ("route", route),
                ("status", status),
            )
            if v is not None
        ]
        raw = _build(
            type_,
            [*extra, *set_],
            observed,
            end,
            tz,
            reporter,
            source,
            source_url,
            claim_of,
            note,
            file,
        )
        store = open_store(db, create=True)
        try:
            registry = store.registry()
            observations: list[Observation] = []
            for i, item in enumerate(raw):
                where = f"{file}[{i}]" if file is not None and len(raw) > 1 else None
                o = parse_observation(item, where=where)
                registry.check(o, where=where)
                observations.append(o)
            from corridor.recording import Recorder

            result = Recorder(store, open_keyring(db, keys)).submit(observations)
        finally:
            store.close()
        if as_json:
            print_json(
                {
                    "accepted": result.accepted,
                    "duplicates": result.duplicates,
                    "tree_size": result.tree_size,
                }
            )
            return
        for oid in result.accepted:
            console.print(f"recorded {oid} (log size {result.tree_size})")
        for oid in result.duplicates:
            console.print(f"already recorded: {oid} (nothing written)")

    @app.command("list")
    def list_(
        type_: str | None = typer.Argument(None, metavar="[TYPE]", help=f"One of: {TYPES}."),
        since: str | None = typer.Option(None, "--from", help="Period start (inclusive)."),
        until: str | None = typer.Option(None, "--to", help="Period end (exclusive)."),
        tz: str | None = typer.Option(None, help="Time zone for --from/--to without an offset."),
        route: str | None = typer.Option(None, help="Only this route."),
        checkpoint: str | None = typer.Option(None, help="Only this checkpoint."),
        direction: str | None = typer.Option(None, help="inbound or outbound."),
        category: str | None = typer.Option(None, help="persons, vehicles or cargo."),
        reporter: str | None = typer.Option(None, help="Only this reporting organisation."),
        place: str | None = typer.Option(None, help="Only this place."),
        limit: int | None = typer.Option(None, min=1, max=10**9, help="At most this many."),
        db: str | None = DbOption,
        as_json: bool = JsonOption,
    ) -> None:
        """List observations, oldest first, with filters."""
        if type_ is not None and type_ not in BODY_TYPES:
            raise InputError(f"unknown type {type_!r}; expected one of {TYPES}", where="TYPE")
        q = Query(
            type=type_,
            start=_parse_time(since, tz, "--from"),
            end=_parse_time(until, tz, "--to"),
            route=route,
            checkpoint=checkpoint,
            direction=direction,
            category=category,
            reporter=reporter,
            place=place,
            limit=limit,
        )
        store = open_store(db)
        try:
            rows = list(store.query(q))
        finally:
            store.close()
        if as_json:
            print_json([observation_json(s) for s in rows])
            return
        table = Table(title=f"{len(rows)} observation{'s' if len(rows) != 1 else ''}")
        for col in ("id", "type", "observed", "what", "source / claim of"):
            table.add_column(col, overflow="fold")
        for s in rows:
            table.add_row(
                s.id[:12],
                s.observation.type,
                _when(s.observation),
                summary(s.observation),
                _sources(s.observation),
            )
        console.print(table)

    @app.command("show")
    def show(
        id_: str = typer.Argument(
            ..., metavar="ID", help="Observation id (or a prefix of 6+ characters)."
        ),
        db: str | None = DbOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Show one observation in full, with its sources, signers and place in the log."""
        store = open_store(db)
        try:
            s = store.get(id_)
        finally:
            store.close()
        data = observation_json(s)
        if as_json:
            print_json(data)
            return
        console.print_json(json.dumps(data, ensure_ascii=False))


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
