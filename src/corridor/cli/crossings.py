"""`corridor crossings`: crossings per day by checkpoint, direction and category."""

from datetime import date, timedelta

import typer

from corridor.cli.context import (
    AsOfOption,
    DbOption,
    JsonOption,
    as_of_json,
    open_app,
    print_basis,
    print_basis_of,
    print_json,
)
from corridor.cli.remote import ServerOption, TokenOption, use_server
from corridor.errors import InputError

__all__ = ["register"]


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", where=option) from None


def register(app: typer.Typer) -> None:
    @app.command("crossings")
    def crossings(
        ctx: typer.Context,
        since: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD, in --tz)."),
        until: str | None = typer.Option(
            None, "--to", help="Last day, included [default: the --from day]."
        ),
        tz: str = typer.Option("UTC", help="Days in this zone: an IANA name or +HH:MM."),
        checkpoint: list[str] | None = typer.Option(
            None, "--checkpoint", help="Only this checkpoint (repeatable)."
        ),
        as_of: int | None = AsOfOption,
        db: str | None = DbOption,
        server: str | None = ServerOption,
        token: str | None = TokenOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Crossings per day: what the charts draw.

        Per checkpoint, direction and category, each day's figure; competing figures for the
        same period as a low–high range with who claims each; a day without any report is
        shown as "no report", never as 0; reports covering several days are listed whole.
        """
        from corridor.model.timefmt import resolve_tz

        first = _day(since, "--from")
        last = _day(until, "--to") if until is not None else first
        if last < first:
            raise InputError(f"{last} is before --from {first}", where="--to")
        zone = resolve_tz(tz)
        end = last + timedelta(days=1)
        if server := use_server(ctx, server, db):
            from corridor.cli.remote import connect

            with connect(server, token) as api:
                doc = api.crossings_daily(first, end, tz, checkpoints=checkpoint, as_of=as_of)
            basis = doc.pop("as_of", None)
            if basis is not None and not as_json:
                print_basis_of(basis)
        else:
            from corridor.app import shapes

            with open_app(db) as corridor:
                daily = corridor.situation.daily(first, end, zone, checkpoints=checkpoint,
                                                 as_of=as_of)  # fmt: skip
                basis = as_of_json(corridor, as_of)
                if not as_json:
                    print_basis(corridor, as_of)
            doc = shapes.daily_crossings(daily)
        if as_json:
            print_json(doc if basis is None else {**doc, "as_of": basis})
            return
        from corridor.cli.render.crossings import print_daily

        print_daily(doc)
