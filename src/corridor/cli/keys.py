"""`corridor keys`: organisations' Ed25519 signing keys."""

from __future__ import annotations

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
from corridor.errors import NotFoundError, SigningKeyError
from corridor.ledger.note import Signer, Verifier
from corridor.recording import Ledger

__all__ = ["register"]

keys_app = typer.Typer(help="Organisations' signing keys.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


@keys_app.command("new")
def keys_new(
    org: str = typer.Argument(..., help="Organisation id (must be in the record)."),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
) -> None:
    """Make a new Ed25519 signing key for ORG and register its public key.

    The private key goes to a file (mode 0600), never into the database.
    """
    store = open_store(db, create=True)
    try:
        if org not in store.registry().organisations:
            raise NotFoundError(f"unknown organisation {org!r}; load a case that defines it first")
        ring = open_keyring(db, keys)
        if ring.has(org):
            raise SigningKeyError(f"{ring.path(org)} exists; not replacing a private key")
        signer = Signer.generate(org)
        Ledger(store, ring).register(org, signer, demo=False)
        path = ring.save(signer)
    finally:
        store.close()
    console.print(f"private key: {path} (mode 0600; keep it secret)")
    console.print(f"verifier key: {signer.vkey}")


@keys_app.command("add")
def keys_add(
    vkey: str = typer.Argument(
        ..., help="A verifier key, name+keyid+base64(0x01||key); name = org id."
    ),
    db: str | None = DbOption,
) -> None:
    """Register another organisation's public (verifier) key."""
    v = Verifier.from_vkey(vkey)
    store = open_store(db, create=True)
    try:
        added = Ledger(store).register(v.name, v, demo=False)
    finally:
        store.close()
    console.print(("registered " if added else "already registered ") + v.vkey)


@keys_app.command("list")
def keys_list(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """List registered public keys (demo keys are marked)."""
    store = open_store(db)
    try:
        rows = store.org_keys()
    finally:
        store.close()
    if as_json:
        print_json([{"org": o, "vkey": v, "demo": d} for o, v, _k, _p, d in rows])
        return
    t = Table()
    for c in ("organisation", "verifier key", "note"):
        t.add_column(c, overflow="fold")
    for o, v, _k, _p, d in rows:
        t.add_row(o, v, "DEMO key (public seed)" if d else "")
    console.print(t)
