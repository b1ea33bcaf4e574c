"""`corridor record`, `corridor list`, `corridor show`: write one observation, read many."""

import sys
from pathlib import Path
from typing import Any

import typer

from corridor.cli.context import (
    AsOfOption,
    DbOption,
    JsonOption,
    KeysOption,
    as_of_json,
    console,
    field_value,
    open_app,
    parse_time,
    print_basis,
    print_basis_of,
    print_json,
)
from corridor.cli.remote import ServerOption, TokenOption, use_server
from corridor.errors import InputError, RecordError

__all__ = ["register"]

# The observation types (kept here so that --help needs no model import; a test keeps them in
# step with corridor.model.FACT_TYPES and STATEMENT_TYPES). Statements about an observation
# (retraction, attestation) are written by `corridor retract` and `corridor attest`, and listed.
BODY_TYPES = ("crossing", "route_status", "convoy", "incident", "deployment", "population", "claim")
STATEMENT_TYPES = ("retraction", "attestation")
# listed too: sealed entries (docs/embargo.md), written by `corridor seal`
LISTED_TYPES = (*STATEMENT_TYPES, "sealed")
TYPES = ", ".join(BODY_TYPES)


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
        import json  # here, not at the top: every command's start-up would pay for it

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
                    item["observed"] = {"start": parse_time(when, tz, "observed")}
                elif isinstance(when, dict):
                    item["observed"] = {
                        k: parse_time(v, tz, f"observed.{k}") for k, v in when.items()
                    }
            out.append(item)
        return out
    body: dict[str, Any] = {}
    for kv in body_fields:
        if "=" not in kv:
            raise InputError(f"{kv!r} is not FIELD=VALUE", where="--set")
        k, v = kv.split("=", 1)
        body[k.strip()] = field_value(v.strip())
    if observed is None:
        raise RecordError(
            "is required (an ISO 8601 time with offset, or give --tz)", field="observed"
        )
    if reporter is None:
        raise RecordError("is required: the organisation reporting this", field="reporter")
    period: dict[str, Any] = {"start": parse_time(observed, tz, "observed")}
    if end:
        period["end"] = parse_time(end, tz, "end")
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


def _status(o: Any, successor: Any) -> str:
    """A history listing's status of one entry: current, or what superseded it."""
    if successor is None:
        return "" if o.type == "retraction" else "current"
    if successor.observation.type == "retraction":
        return f"retracted by {successor.id[:12]}"
    return f"superseded by {successor.id[:12]}"


def register(app: typer.Typer) -> None:
    @app.command("record")
    def record(
        ctx: typer.Context,
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
        server: str | None = ServerOption,
        token: str | None = TokenOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Record one observation (or a JSON list), signed by its reporter, into the log.

        With --server, the observation is validated and signed here, with the reporter's key
        from the key folder, and submitted to the server, which verifies and appends it.
        """
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

        def where(i: int) -> str | None:
            return f"{file}[{i}]" if file is not None and len(raw) > 1 else None

        if server := use_server(ctx, server, db):
            from corridor.cli.remote import connect, local_keys
            from corridor.store.api import AppendResult

            with connect(server, token) as api:
                done = api.record(
                    api.parse(raw, where=where), local_keys(keys),
                    where=lambda i: where(i) or "the observation",
                )  # fmt: skip
            result = AppendResult(done.accepted, done.duplicates, done.tree_size)
        else:
            with open_app(db, keys, create=True) as app:
                result = app.observations.record(app.observations.parse(raw, where=where))
        if as_json:
            from corridor.app.shapes import append_result

            print_json(append_result(result))
            return
        for oid in result.accepted:
            console.print(f"recorded {oid} (log size {result.tree_size})")
        for oid in result.duplicates:
            console.print(f"already recorded: {oid} (nothing written)")

    @app.command("list")
    def list_(
        ctx: typer.Context,
        type_: str | None = typer.Argument(
            None, metavar="[TYPE]", help=f"One of: {TYPES}, {', '.join(LISTED_TYPES)}."
        ),
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
        history: bool = typer.Option(
            False, "--history", help="Every entry: superseded versions, retractions and "
            "attestations too, each with its status [default: the current state]."
        ),
        as_of: int | None = AsOfOption,
        accepted_only: bool = typer.Option(
            False, "--accepted-only",
            help="Only observations whose review state is accepted (docs/review.md).",
        ),
        db: str | None = DbOption,
        server: str | None = ServerOption,
        token: str | None = TokenOption,
        as_json: bool = JsonOption,
    ) -> None:
        """List observations, oldest first, with filters: the current version of each (with
        who corroborated or disputed it), or with --history every entry; with --accepted-only
        only those a reviewer accepted.

        With --server, the server's record as its change feed gives it (every matching entry,
        superseded versions and statements included: the HTTP API does not give the current
        state yet); every page is read (in log order) and sorted here, oldest first.
        """
        if type_ is not None and type_ not in (*BODY_TYPES, *LISTED_TYPES):
            raise InputError(
                f"unknown type {type_!r}; expected one of {TYPES}, {', '.join(LISTED_TYPES)}",
                where="TYPE",
            )
        from corridor.store.api import Query

        q = Query(
            type=type_,
            start=parse_time(since, tz, "--from"),
            end=parse_time(until, tz, "--to"),
            route=route,
            checkpoint=checkpoint,
            direction=direction,
            category=category,
            reporter=reporter,
            place=place,
            limit=limit,
            as_of=as_of,
            history=history,
        )
        from corridor.app.shapes import observation

        basis = None
        if server := use_server(ctx, server, db):
            from corridor.app.history import RecordHistory
            from corridor.cli.remote import connect, stored_of

            # the whole change feed (every entry; with --as-of, those of that checkpoint): the
            # current state, what superseded what and who attested what are computed from it
            # here, as the database computes them
            with connect(server, token) as api:
                if as_of is not None:
                    basis = api.basis(as_of)
                record = RecordHistory(stored_of(list(api.follow(as_of=as_of))))
            if basis is not None and not as_json:
                print_basis_of(basis)
            rows = record.query(q)
            if accepted_only:
                from corridor.model.review import review_state

                reviews = record.attestations(s.id for s in rows)
                rows = [
                    s for s in rows if s.observation.type in BODY_TYPES and review_state(
                        s.observation.reporter, reviews[s.id].reviews if s.id in reviews else ()
                    ).status == "accepted"
                ]  # fmt: skip
            ids = [s.id for s in rows]
            attested = record.attestations(ids)
            after = record.successors(ids) if history else {}
        else:
            with open_app(db) as app:
                rows = app.observations.list(q, accepted_only=accepted_only)
                ids = [s.id for s in rows]
                attested = app.history.attestations(ids, as_of=as_of)
                after = app.history.successors(ids, as_of=as_of) if history else {}
                basis = as_of_json(app, as_of)
                if not as_json:
                    print_basis(app, as_of)
        shown = [s.observation for s in rows]
        docs = [
            observation(
                s, attestations=attested.get(s.id), successor=after.get(s.id), status=history
            )
            for s in rows
        ] if as_json else []  # fmt: skip
        statuses = {s.id: _status(s.observation, after.get(s.id)) for s in rows} if history else {}
        if as_json:
            print_json(docs if basis is None else {"as_of": basis, "items": docs})
            return
        from corridor.cli.render.observations import print_observations

        print_observations(shown, console, attestations=attested, statuses=statuses)

    @app.command("show")
    def show(
        ctx: typer.Context,
        id_: str = typer.Argument(
            ..., metavar="ID", help="Observation id (or a prefix of 6+ characters)."
        ),
        as_of: int | None = AsOfOption,
        db: str | None = DbOption,
        server: str | None = ServerOption,
        token: str | None = TokenOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Show one observation in full, with its sources, signers and place in the log, what
        others attested about it, and its chain of versions (corrections, a retraction)."""
        from corridor.app.shapes import chain, observation

        basis = None
        if server := use_server(ctx, server, db):
            from corridor.app.history import RecordHistory
            from corridor.cli.remote import connect, stored_of

            with connect(server, token) as api:
                one = api.observation(id_, as_of=as_of)  # the id a prefix names
                record = RecordHistory(stored_of(list(api.follow(as_of=as_of))))
            basis = one.get("as_of")
            if basis is not None and not as_json:
                print_basis_of(basis)
            s = record.by_id[one["id"]]
            chain_of = record.chain(s.id)
        else:
            with open_app(db) as app:
                s = app.observations.show(id_, as_of=as_of)
                chain_of = app.history.chain(s.id, as_of=as_of)
                basis = as_of_json(app, as_of)
                if not as_json:
                    print_basis(app, as_of)
        versions = chain_of.versions
        after = dict(zip((v.id for v in versions), versions[1:], strict=False))
        data = observation(
            s, attestations=chain_of.attestations.get(s.id), successor=after.get(s.id),
            status=True,
        )  # fmt: skip
        data["chain"] = chain(chain_of)
        if basis is not None:
            data["as_of"] = basis
        if as_json:
            print_json(data)
            return
        import json

        console.print_json(json.dumps({k: v for k, v in data.items() if k != "chain"},
                                      ensure_ascii=False))  # fmt: skip
        from corridor.cli.render.observations import print_chain

        print_chain(chain_of, data["id"], console)
