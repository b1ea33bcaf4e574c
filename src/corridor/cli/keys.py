"""`corridor keys`: organisations' Ed25519 signing keys."""

import sys

import typer

from corridor.cli.context import DbOption, JsonOption, KeysOption, console, open_app, print_json
from corridor.cli.remote import ServerOption, TokenOption, use_server

__all__ = ["register"]

keys_app = typer.Typer(
    rich_markup_mode=None, help="Organisations' signing keys.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


RotateOption = typer.Option(
    False,
    "--rotate",
    help="Register it although the organisation already has a key (a key rotation; the "
    "earlier keys stay registered, so what they signed still verifies).",
)


def _rotation_note(org: str, registered: list[str], rotate: bool) -> None:
    if rotate and len(registered) > 1:
        console.print(
            f"key rotation: {org} now has {len(registered)} registered keys; entries signed "
            "by the earlier ones still verify"
        )


@keys_app.command("new")
def keys_new(
    org: str = typer.Argument(..., help="Organisation id (must be in the record)."),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
    rotate: bool = RotateOption,
) -> None:
    """Make a new Ed25519 signing key for ORG and register its public key.

    The private key goes to a file (mode 0600), never into the database. An organisation
    that already has a registered key gets another only with --rotate.
    """
    with open_app(db, keys, create=True) as app:
        path, vkey = app.keys.new(org, rotate=rotate)
        registered = app.keys.registered(org)
    console.print(f"private key: {path} (mode 0600; keep it secret)")
    console.print(f"verifier key: {vkey}")
    _rotation_note(org, registered, rotate)


@keys_app.command("add")
def keys_add(
    ctx: typer.Context,
    vkey: str = typer.Argument(
        ..., help="A verifier key, name+keyid+base64(0x01||key); name = org id."
    ),
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    rotate: bool = RotateOption,
) -> None:
    """Register another organisation's public (verifier) key.

    An organisation that already has a registered key gets another only with --rotate. With
    --server, the server registers it (an admin token).
    """
    if server := use_server(ctx, server, db):
        from corridor.cli.remote import connect

        with connect(server, token) as api:
            got = api.add_key(vkey, rotate=rotate)
            listed = api.keys()
        vkey, added, org = got["vkey"], bool(got["added"]), got["org"]
        registered = [k["vkey"] for k in listed if k["org"] == org]
    else:
        with open_app(db, create=True) as app:
            vkey, added = app.keys.add(vkey, rotate=rotate)
            org = vkey.split("+", 1)[0]
            registered = app.keys.registered(org)
    console.print(("registered " if added else "already registered ") + vkey)
    if added:
        _rotation_note(org, registered, rotate)


@keys_app.command("list")
def keys_list(
    ctx: typer.Context,
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """List registered public keys (demo keys are marked), one per line (with --server, the
    keys a server's record is verified against)."""
    from corridor.cli.render.keys import keys_table

    if server := use_server(ctx, server, db):
        from corridor.cli.remote import connect

        with connect(server, token) as api:
            listed = api.keys()
        rows = [(k["org"], k["vkey"], bool(k["demo"])) for k in listed]
    else:
        with open_app(db) as app:
            rows = app.keys.list()
    if as_json:
        from corridor.app import shapes  # only for --json: a start-up bar holds (bench cli)

        print_json([shapes.key(o, v, d) for o, v, d in rows])
        return
    sys.stdout.write(keys_table(rows))
