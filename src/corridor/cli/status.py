"""`corridor status`: the situation per route at an instant, computed from the record."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from corridor.cli.context import (
    AsOfOption,
    DbOption,
    JsonOption,
    as_of_json,
    console,
    open_app,
    parse_time,
    print_basis,
    print_basis_of,
    print_json,
)
from corridor.cli.remote import ServerOption, TokenOption, use_server

if TYPE_CHECKING:
    from corridor.model import Observation

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(
        ctx: typer.Context,
        at: str | None = typer.Option(
            None, "--at", help="Instant (ISO 8601) [default: now; with --as-of, when that "
            "checkpoint was signed]."
        ),
        tz: str | None = typer.Option(None, help="Time zone for --at without an offset."),
        as_of: int | None = AsOfOption,
        db: str | None = DbOption,
        server: str | None = ServerOption,
        token: str | None = TokenOption,
        as_json: bool = JsonOption,
    ) -> None:
        """The situation at an instant, computed from the record's current state.

        Per route: status and since when; crossings in the last 7 days by direction and
        category; convoys waiting and for how many days; incidents; the latest population
        figure of each reporter; who corroborated and who disputed the reports each figure
        rests on.
        """
        when = parse_time(at, tz, "--at")
        sealed: list[Observation] = []
        if server := use_server(ctx, server, db):
            from corridor.cli.remote import connect

            with connect(server, token) as api:
                # with --as-of and no --at the server takes when that checkpoint was signed
                doc = api.situation(when or (datetime.now(UTC) if as_of is None else None),
                                    as_of=as_of)  # fmt: skip
                if as_json:
                    print_json(doc)
                    return
                registry = api.registry()
            basis = doc.pop("as_of", None)
            if basis is not None:
                print_basis_of(basis)
        else:
            from corridor.app import shapes

            with open_app(db) as corridor:
                if when is None and as_of is not None:
                    when = datetime.fromtimestamp(corridor.log.basis(as_of).signed_at, UTC)
                sit, registry = corridor.situation.at(when or datetime.now(UTC), as_of=as_of)
                basis = as_of_json(corridor, as_of)
                sealed = [
                    x.observation for x in corridor.embargo.sealed(as_of=as_of)
                    if x.observation.start < sit.at
                    and (x.observation.end or x.observation.start) > sit.window_start
                ]  # fmt: skip
                if not as_json:
                    print_basis(corridor, as_of)
            doc = shapes.situation(sit)
            if as_json:
                print_json(doc if basis is None else {**doc, "as_of": basis})
                return
        from corridor.cli.render.situation import print_situation

        print_situation(doc, registry)
        for o in sealed:  # counted nowhere: what a figure above may not include yet
            hides = getattr(o.body, "hides", None)
            console.print(
                f"sealed{' ' + hides if hides else ''} by {o.reporter} at "
                f"{o.start.isoformat(timespec='minutes')}: not revealed, counted nowhere"
            )
