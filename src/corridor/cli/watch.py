"""`corridor watch`: subscriptions delivered as signed webhooks (docs/watches.md), run locally.

    corridor watch add URL --type crossing --checkpoint north-gate
    corridor watch add URL --case lachin-2023 --commitment icj-2023-02-22 [--at T]
    corridor watch list | remove ID | deliveries ID
    corridor watch run [--once] [--interval S]

`watch run` evaluates every watch of the local database and delivers the webhooks that are
due, as the service's background thread does. add, list, remove and deliveries work on a
server's watches with --server URL (the token's own; an admin token's: every one), which the
server delivers itself.
"""

import time

import typer

from corridor.cli.context import DbOption, JsonOption, console, err_console, open_app, print_json
from corridor.cli.remote import ServerOption, TokenOption, connect, use_server
from corridor.errors import InputError

__all__ = ["register"]

watch_app = typer.Typer(
    rich_markup_mode=None, help="Watches: signed webhooks on new entries or verdict changes.",
    no_args_is_help=True,
)  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(watch_app, name="watch")


@watch_app.command("add")
def watch_add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="Where to deliver (http or https)."),
    type_: str | None = typer.Option(None, "--type", help="entries: this observation type."),
    checkpoint: str | None = typer.Option(None, help="entries: at this checkpoint."),
    route: str | None = typer.Option(None, help="entries: on this route."),
    org: str | None = typer.Option(None, "--org", help="entries: reported by this organisation."),
    case: str | None = typer.Option(
        None, "--case", help="verdict: the case (built-in name or file) of the commitment."
    ),
    commitment: str | None = typer.Option(None, "--commitment", help="verdict: its id."),
    at: str | None = typer.Option(
        None, "--at", help="verdict: judge at this instant (ISO 8601 with offset) [default: now]."
    ),
    label: str | None = typer.Option(None, "--label", help="What it is for, shown in lists."),
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """Add a watch: on new entries matching the filters given, or (with --case and
    --commitment) on a change of a commitment's verdict or of its daily window's verdict.

    The signing secret (whsec_...) is printed once, on stdout: give it to the receiver.
    """
    verdict = case is not None or commitment is not None
    if verdict and any(x is not None for x in (type_, checkpoint, route, org)):
        raise InputError("a watch is on entries (--type, --checkpoint, --route, --org) or on a "
                         "verdict (--case, --commitment), not both", where="--case")  # fmt: skip
    flt = (
        {"case": case, "commitment": commitment, "at": at, "window": "daily"}
        if verdict
        else {"type": type_, "checkpoint": checkpoint, "route": route, "org": org}
    )
    kind = "verdict" if verdict else "entries"
    if server := use_server(ctx, server, db):
        with connect(server, token) as api:
            shape = api.add_watch(kind, flt, url, label=label)
    else:
        with open_app(db) as app:
            shape = app.watches.add(kind, flt, url, label=label)
    if as_json:
        print_json(shape)
        return
    print(shape["secret"], flush=True)
    err_console.print(
        f"watch {shape['id']} ({shape['kind']}) → {shape['url']}: the secret above signs every "
        "delivery; shown this once"
    )


@watch_app.command("list")
def watch_list(
    ctx: typer.Context,
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """List the watches (never their secrets)."""
    if server := use_server(ctx, server, db):
        with connect(server, token) as api:
            rows = api.watches()
    else:
        with open_app(db) as app:
            rows = app.watches.list()
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no watches")
    for w in rows:
        flt = ", ".join(f"{k}={v}" for k, v in w["filter"].items())
        last = w["last"] or {}
        now = f"; verdict {last.get('verdict')}" if last else ""
        console.print(f"{w['id']}  {w['kind']} ({flt}) → {w['url']}{now}")


@watch_app.command("remove")
def watch_remove(
    ctx: typer.Context,
    watch_id: str = typer.Argument(..., metavar="ID"),
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
) -> None:
    """Remove a watch; its pending deliveries are cancelled, its history kept."""
    if server := use_server(ctx, server, db):
        with connect(server, token) as api:
            api.remove_watch(watch_id)
    else:
        with open_app(db) as app:
            app.watches.remove(watch_id)
    console.print(f"removed watch {watch_id}")


@watch_app.command("deliveries")
def watch_deliveries(
    ctx: typer.Context,
    watch_id: str = typer.Argument(..., metavar="ID"),
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """A watch's deliveries, newest first, with every attempt."""
    if server := use_server(ctx, server, db):
        with connect(server, token) as api:
            rows = api.watch_deliveries(watch_id)
    else:
        with open_app(db) as app:
            rows = app.watches.deliveries(watch_id)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no deliveries")
    for d in rows:
        tries = ", ".join(
            str(a["http_status"]) if a["http_status"] is not None else "no answer"
            for a in d["tries"]
        )
        console.print(f"{d['id']}  {d['type']}  {d['status']} after {d['attempts']} "
                      f"attempt(s){': ' + tries if tries else ''}")  # fmt: skip


@watch_app.command("run")
def watch_run(
    once: bool = typer.Option(False, "--once", help="One round, then exit."),
    interval: float = typer.Option(
        5.0, "--interval", min=0.1, help="Seconds between rounds (without --once)."
    ),
    no_private: bool = typer.Option(
        False, "--no-private", help="Refuse loopback, private and link-local destinations."
    ),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Evaluate every watch and deliver the webhooks that are due (retries included); without
    --once, again every --interval seconds until interrupted."""
    with open_app(db) as app:
        while True:
            r = app.watches.run(allow_private=not no_private)
            if as_json:
                print_json(r.__dict__)
            else:
                console.print(
                    f"{r.events} new event(s); {r.attempted} attempt(s): {r.delivered} "
                    f"delivered, {r.failed} given up"
                )
            if once:
                return
            time.sleep(interval)
