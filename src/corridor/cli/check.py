"""`corridor check`: judge commitments (a rule file, or a case's rules) against the record.

    corridor check RULES.yaml [--at T] [--json] [--prove] [--db DB]
    corridor check --case lachin-2023 [RULES.yaml] [--db DB | --server URL]

The record is the database (``--db``) or a server's (``--server``); with ``--case`` and neither
it is the case's own observations, read in memory. Rules are checked before anything is
evaluated: a bad rule exits 1 with FILE:LINE:COLUMN and the reason.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from corridor.cli.context import (
    AsOfOption,
    DbOption,
    JsonOption,
    KeysOption,
    as_of_json,
    console,
    open_app,
    parse_time,
    print_basis,
    print_basis_of,
    print_json,
)
from corridor.cli.remote import ServerOption, TokenOption, use_server
from corridor.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from corridor.model import Observation

__all__ = ["register"]


def _print(
    when: datetime,
    doc: list[dict[str, Any]],
    events: int,
    unproved: int,
    observations: "Mapping[str, Observation] | None",
) -> None:
    from corridor.cli.render.verdicts import print_results

    console.print(f"[dim]evaluated at {when.isoformat(timespec='seconds')} over "
                  f"{events} observations[/dim]")
    if unproved:
        console.print(f"[yellow]{unproved} evidence entries are beyond the latest signed "
                      "checkpoint and carry no proof yet[/yellow]")
    print_results(doc, observations=observations)


def _remote(
    server: str, token: str | None, rules: Path | None, case: str | None, when: datetime | None,
    prove: bool, as_json: bool, as_of: int | None,
) -> None:  # fmt: skip
    """Judge against a server's record: a case's rules there, or a rule file read and checked
    here (the same FILE:LINE:COLUMN errors) and sent; ``when`` None: now, or when the
    checkpoint ``as_of`` was signed (the server decides)."""
    from corridor.cli.remote import ServerObservations, connect

    with connect(server, token) as api:
        if rules is None:
            assert case is not None
            answer = api.commitments(case, when, prove=prove, as_of=as_of)
        else:
            from corridor.errors import RuleError
            from corridor.rules import parse_rules
            from corridor.source import read_source

            text = read_source(rules, RuleError)
            parse_rules(text, name=str(rules), registry=api.registry())
            answer = api.check([(rules.name, text)], when, prove=prove, case=case, as_of=as_of)
        basis = answer.get("as_of")
        if as_json:
            items = answer["items"]
            print_json(items if basis is None else {"as_of": basis, "commitments": items})
            return
        if basis is not None:
            print_basis_of(basis)
        _print(datetime.fromisoformat(answer["at"]), answer["items"], answer["observations"],
               len(answer["unproved"]), ServerObservations(api))  # fmt: skip


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        ctx: typer.Context,
        rules: Path | None = typer.Argument(
            None, metavar="[RULES]",
            help="A rule file (YAML) [default: the case's rules with --case].",
        ),
        case: str | None = typer.Option(
            None, "--case", help="A built-in case name (or case file): its rules, and its record "
            "unless --db is given."
        ),
        at: str | None = typer.Option(
            None, "--at", help="Evaluation time, ISO 8601 (no offset means UTC) [default: now; "
            "with --as-of, when that checkpoint was signed]."
        ),
        as_of: int | None = AsOfOption,
        as_json: bool = JsonOption,
        prove: bool = typer.Option(
            False, "--prove", help="Attach an inclusion proof in the log (against the latest "
            "signed checkpoint) to each evidence entry."
        ),
        db: str | None = DbOption,
        keys: str | None = KeysOption,
        server: str | None = ServerOption,
        token: str | None = TokenOption,
    ) -> None:
        """Judge commitments against the record: satisfied, violated, undetermined or pending,
        each with the observations it rests on."""
        from corridor.app.commitments import CommitmentCases

        if rules is None and case is None:
            raise InputError("give a rule file, or --case NAME for a case's rules")
        given = parse_time(at, "UTC", "--at")
        when = given or datetime.now(UTC)
        if server := use_server(ctx, server, db):
            _remote(server, token, rules, case, given, prove, as_json, as_of)
            return
        if as_of is not None and db is None and case is not None:
            raise InputError("--as-of reads the record in a database with its log: "
                             f"corridor case load {case} --db DB, then add --db DB")
        basis = None
        if as_of is not None:
            with open_app(db, keys) as corridor:
                b = corridor.log.basis(as_of)
                when = given or datetime.fromtimestamp(b.signed_at, UTC)
                basis = as_of_json(corridor, as_of)
                if not as_json:
                    print_basis(corridor, as_of)
        if case is not None:
            from corridor.cases import load_case

            loaded = load_case(case)
            files = [rules] if rules is not None else list(loaded.rules)
            if not files:
                raise InputError(f"case {case!r} has no rules", where="--case")
            if db is None:
                if prove:
                    raise InputError("--prove needs the record in a database with its log: "
                                     f"corridor case load {case} --db DB, then add --db DB")
                result = CommitmentCases.check_case(loaded, when, files)
            else:
                with open_app(db, keys) as corridor:
                    try:
                        result = corridor.commitments.check(
                            files, when, prove=prove, case=loaded, as_of=as_of
                        )
                    except NotFoundError as exc:
                        raise NotFoundError(
                            f"{exc} (corridor case load {case} --db {db})"
                        ) from None
        else:
            assert rules is not None
            with open_app(db, keys) as corridor:
                result = corridor.commitments.check([rules], when, prove=prove, as_of=as_of)
        if as_json:
            doc = result.to_json()
            print_json(doc if basis is None else {"as_of": basis, "commitments": doc})
            return
        _print(when, result.to_json(), result.events, len(result.unproved), result.observations)
