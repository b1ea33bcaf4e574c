"""`corridor log ...` and `corridor verify`: checkpoints, proofs, tamper checks, export, the
log's witnesses, and verifying an export (a folder, or a log served over HTTP)."""

from pathlib import Path
from typing import Any

import typer

from corridor.cli.context import (
    DbOption,
    JsonOption,
    KeysOption,
    console,
    err_console,
    open_app,
    print_json,
)
from corridor.cli.remote import ServerOption, TokenOption, use_server
from corridor.errors import InputError

__all__ = ["register"]

log_app = typer.Typer(
    rich_markup_mode=None,
    help="The transparency log: checkpoints, proofs, verification, export.", no_args_is_help=True
)
log_witness_app = typer.Typer(
    rich_markup_mode=None,
    help="The witnesses the log sends each new checkpoint to (C2SP tlog-witness).",
    no_args_is_help=True,
)
log_app.add_typer(log_witness_app, name="witness")


def register(app: typer.Typer) -> None:
    app.add_typer(log_app, name="log")
    app.command("verify")(verify)


@log_app.command("checkpoint")
def log_checkpoint(db: str | None = DbOption, keys: str | None = KeysOption) -> None:
    """Sign a checkpoint if the log has grown since the last one, send it to the log's
    witnesses, and print the latest with the cosignatures it has.

    This is the one command that signs on request; every other read uses the latest signed
    checkpoint as it is. A witness that is down or refuses is reported, not an error.
    """
    with open_app(db, keys) as app:
        app.log.sign_checkpoint()
        pushes = app.log.publish()
        note = app.log.latest_checkpoint()
    for p in pushes:
        if p.outcome != "current":
            typer.echo(f"witness {p.name}: {p.outcome}: {p.message}", err=True)
    typer.echo(note.decode(), nl=False)


@log_app.command("key")
def log_key(
    ctx: typer.Context,
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
) -> None:
    """Print the log's verifier key (name+keyid+base64 key), to check its checkpoints (with
    --server, the key a server says it signs with: check it against one its operator
    publishes)."""
    if server := use_server(ctx, server, db):
        from corridor.cli.remote import connect

        with connect(server, token) as api:
            doc = api.log_key()
        vkey, demo = str(doc["vkey"]), bool(doc["demo"])
    else:
        with open_app(db) as app:
            vkey, demo = app.log.key()
    typer.echo(vkey)
    if demo:
        err_console.print(
            "note: this log signs with a DEMO key (public seed); it proves integrity "
            "of a demo record, not who operates it"
        )


@log_app.command("prove")
def log_prove(
    ctx: typer.Context,
    id_: str = typer.Argument(
        ..., metavar="ID", help="Observation id (or a prefix of 6+ characters)."
    ),
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """Inclusion proof of an observation in the log (RFC 9162), against the latest signed
    checkpoint (with --server, the server's, checked here against the checkpoint's root)."""
    if server := use_server(ctx, server, db):
        from corridor.cli.remote import connect, proof_checks

        with connect(server, token) as api:
            bundle = api.inclusion_proof(id=id_)
        proof_checks(bundle, server)
    else:
        with open_app(db) as app:
            bundle = app.log.prove(id_)
    if as_json:
        print_json(bundle)
        return
    console.print(f"entry {bundle['log_index']} in tree of size {bundle['tree_size']}")
    console.print(f"leaf hash {bundle['leaf_hash']}")
    for h in bundle["hashes"]:
        console.print(f"  {h}")
    console.print("checkpoint:\n" + str(bundle["checkpoint"]))


@log_app.command("consistency")
def log_consistency(
    ctx: typer.Context,
    old_size: int = typer.Argument(..., min=0, help="The older tree size."),
    new_size: int | None = typer.Argument(
        None, min=0, help="The newer size [default: latest checkpoint]."
    ),
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """Consistency proof between two tree sizes (RFC 9162; with --server, between two sizes
    the server has signed)."""
    if server := use_server(ctx, server, db):
        from corridor.cli.remote import connect

        with connect(server, token) as api:
            out = api.consistency_proof(old_size, new_size)
    else:
        with open_app(db) as app:
            out = app.log.consistency(old_size, new_size)
    if as_json:
        print_json(out)
        return
    console.print(f"consistency {out['old_size']} → {out['new_size']}: {len(out['hashes'])} hashes")
    for h in out["hashes"]:
        console.print(f"  {h}")


@log_app.command("verify")
def log_verify(
    db: str | None = DbOption, keys: str | None = KeysOption, as_json: bool = JsonOption
) -> None:
    """Check every stored entry, tile and signed checkpoint, and the log's state file (the
    latest checkpoint it signed, kept in the key folder beside its key).

    Exits 2 naming the first entry that was changed, removed or reordered.
    """
    from rich.progress import Progress

    with open_app(db, keys) as app:
        n = app.store.size()
        with Progress(console=err_console, transient=True, disable=n < 20000) as bar:
            task = bar.add_task("verifying", total=n)
            out = app.log.verify(progress=lambda k: bar.advance(task, k))
    if as_json:
        print_json(out)
        return
    console.print(
        f"log verified: {out['size']} entries, root {out['root']}, "
        f"{out['checkpoints']} signed checkpoints"
    )
    beyond = out.get("beyond_checkpoint", 0)
    if beyond:
        console.print(
            f"[yellow]{beyond} entries lie beyond the latest signed checkpoint (size "
            f"{out['checkpoint_size']}): checked against their signatures, not yet against a "
            "signed tree head; run `corridor log checkpoint`[/yellow]"
        )
    if out["demo"]:
        console.print(
            "[yellow]this log signs with a DEMO key (public seed): anyone can re-sign a "
            "rewritten history, so this proves integrity of a demo record only[/yellow]"
        )
    elif out["state"] is None:
        console.print(
            "[yellow]no log state file in the key folder (--keys): checked against the "
            "database's own checkpoints only, so a rollback of the whole database to an older "
            "copy cannot be told from here[/yellow]"
        )


@log_app.command("erase")
def log_erase(
    id_: str = typer.Argument(..., metavar="ID", help="Observation id (or prefix)."),
    db: str | None = DbOption,
) -> None:
    """Erase an observation's personal values (e.g. a driver's name).

    The log keeps only the salted commitment, so it stays verifiable.
    """
    with open_app(db) as app:
        oid, n = app.log.erase(id_)
    console.print(f"erased {n} personal value{'s' if n != 1 else ''} of {oid}")


@log_app.command("checkpoints")
def log_checkpoints(
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List the signed checkpoints: the tree sizes a view can be computed as of (--as-of), and
    which of them are numbered releases (corridor release list)."""
    from datetime import UTC, datetime

    from corridor.app.shapes import b64

    with open_app(db) as app:
        rows = app.log.checkpoints()
        released = app.releases.by_size()
    items = [
        {"tree_size": n, "root": b64(root), "signed_at": datetime.fromtimestamp(t, UTC).isoformat(),
         "release": released.get(n)}
        for n, root, t in rows
    ]  # fmt: skip
    if as_json:
        print_json({"items": items})
        return
    for it in items:
        mark = f"  release {it['release']}" if it["release"] is not None else ""
        console.print(f"{it['tree_size']:>10}  {it['root']}  {it['signed_at']}{mark}",
                      highlight=False)  # fmt: skip


@log_app.command("export")
def log_export(
    out: Path = typer.Argument(
        ..., metavar="DIR", help="Folder to write: new, empty, or a previous export (replaced)."
    ),
    as_of: int | None = typer.Option(
        None, "--as-of", metavar="SIZE", min=0,
        help="Export the log as it stood at the signed checkpoint of this tree size "
        "[default: the latest].",
    ),
    release: int | None = typer.Option(
        None, "--release", metavar="N", min=1,
        help="Export the log at the checkpoint of release N (corridor release list).",
    ),
    db: str | None = DbOption,
) -> None:
    """Write the log at its latest signed checkpoint (or an earlier one, or a release's) as
    static files (C2SP tlog-tiles) to serve from any static host.

    Writes the checkpoint, tiles, entry bundles and the organisations' public keys.
    """
    if as_of is not None and release is not None:
        raise InputError("give --release or --as-of, not both", where="--release")
    with open_app(db) as app:
        if release is not None:
            as_of = app.releases.size_of(release)
        result = app.log.export(out, as_of=as_of)
    console.print(f"exported {result.size} entries in {result.files} files to {out}")
    console.print(f"verify with: corridor verify {out} --key {result.vkey}")


def verify(
    target: str = typer.Argument(
        ...,
        metavar="DIR|URL",
        help="An exported log folder, or the URL of a log served over HTTP (its tlog-tiles "
        "prefix, e.g. http://host:8000/v1/log; a bare server address means its /v1/log).",
    ),
    key: str = typer.Option(
        ..., "--key", help="The log's verifier key (get it from the log operator, not the export)."
    ),
    witness: list[str] = typer.Option([], "--witness", help="A witness's verifier key (repeat)."),
    quorum: int = typer.Option(0, "--quorum", min=0, help="Valid witness cosignatures required."),
    org_key: list[str] | None = typer.Option(
        None,
        "--org-key",
        help="Organisation verifier keys to trust instead of the export's keys file (repeat).",
    ),
    jobs: int = typer.Option(1, "--jobs", min=1, help="Processes for signature checks."),
    as_json: bool = JsonOption,
) -> None:
    """Verify an exported log with no database: a folder, or a log served over HTTP.

    Checks every entry's reporter signature, every tile, the checkpoint signature and any
    witness cosignatures. Prints size and root, or exits 2 naming the exact failure.
    """
    from corridor.app import shapes
    from corridor.app.log import LogCases

    if quorum > len(witness):
        raise InputError(f"--quorum {quorum} needs at least {quorum} --witness keys")
    options: dict[str, Any] = {
        "witnesses": witness, "quorum": quorum, "org_keys": org_key, "jobs": jobs
    }
    if "://" in target:  # a URL (http or https: any other scheme is refused)
        result = LogCases.verify_remote(target, key, **options)
    else:
        result = LogCases.verify_export(Path(target), key, **options)
    if as_json:
        print_json(shapes.verification(result.size, result.root, cosignatures=result.cosignatures))
        return
    console.print(
        f"verified: size {result.size}, root {shapes.b64(result.root)}"
        + (f", {result.cosignatures} witness cosignatures" if witness else "")
    )


# -- the log's witnesses -----------------------------------------------------------------------


@log_witness_app.command("add")
def log_witness_add(
    name: str = typer.Argument(..., help="The witness's name (the name of its key)."),
    url: str = typer.Argument(
        ..., help="The URL prefix of its add-checkpoint endpoint, e.g. http://host:8100."
    ),
    vkey: str = typer.Argument(..., help="Its cosignature verifier key (from its operator)."),
    db: str | None = DbOption,
) -> None:
    """Send each new checkpoint to this witness, and publish its cosignatures.

    The next `corridor log checkpoint` (or the service, after each submission) sends it the
    latest checkpoint.
    """
    with open_app(db) as app:
        w = app.witnesses.add(name, url, vkey)
    console.print(f"witness {w['name']} at {w['url']}: {w['vkey']}")


@log_witness_app.command("list")
def log_witness_list(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """The witnesses the log sends its checkpoints to, and the size each last cosigned."""
    with open_app(db) as app:
        items = app.witnesses.configured()
    if as_json:
        print_json({"items": items})
        return
    if not items:
        console.print("no witnesses")
    for w in items:
        console.print(f"{w['name']}  {w['url']}  cosigned size {w['cosigned_size']}  {w['vkey']}")


@log_witness_app.command("remove")
def log_witness_remove(
    name: str = typer.Argument(..., help="The witness's name."), db: str | None = DbOption
) -> None:
    """Stop sending checkpoints to a witness (the cosignatures it made stay)."""
    with open_app(db) as app:
        app.witnesses.remove(name)
    console.print(f"removed witness {name}")
