"""`corridor status`: the situation per route at an instant, computed from the record."""

from datetime import UTC, datetime

import typer

from corridor.cli.context import DbOption, JsonOption, open_app, parse_time, print_json
from corridor.cli.remote import ServerOption, TokenOption, use_server

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(
        ctx: typer.Context,
        at: str | None = typer.Option(None, "--at", help="Instant (ISO 8601) [default: now]."),
        tz: str | None = typer.Option(None, help="Time zone for --at without an offset."),
        db: str | None = DbOption,
        server: str | None = ServerOption,
        token: str | None = TokenOption,
        as_json: bool = JsonOption,
    ) -> None:
        """The situation at an instant, computed from the record.

        Per route: status and since when; crossings in the last 7 days by direction and
        category; convoys waiting and for how many days; incidents.
        """
        when = parse_time(at, tz, "--at") or datetime.now(UTC)
        if server := use_server(ctx, server, db):
            from corridor.cli.remote import connect

            with connect(server, token) as api:
                doc = api.situation(when)
                if as_json:
                    print_json(doc)
                    return
                registry = api.registry()
        else:
            from corridor.app import shapes

            with open_app(db) as corridor:
                sit, registry = corridor.situation.at(when)
            doc = shapes.situation(sit)
            if as_json:
                print_json(doc)
                return
        from corridor.cli.render.situation import print_situation

        print_situation(doc, registry)
