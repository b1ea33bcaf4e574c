"""`corridor log ...` and `corridor witness ...`: checkpoints, proofs, tamper checks, cosigning."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import typer
from rich.progress import Progress

from corridor.cli.context import (
    DbOption,
    JsonOption,
    KeysOption,
    console,
    err_console,
    open_keyring,
    open_store,
    print_json,
)
from corridor.errors import InputError, NotFoundError, SigningKeyError
from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.cosignature import CosignatureSigner, Witness, WitnessState
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.merkle import verify_consistency, verify_inclusion
from corridor.recording import Ledger

__all__ = ["inclusion_bundle", "register"]

log_app = typer.Typer(
    help="The transparency log: checkpoints, proofs, verification, export.", no_args_is_help=True
)
witness_app = typer.Typer(
    help="Witnesses: cosign a log's checkpoints after checking consistency.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(log_app, name="log")
    app.add_typer(witness_app, name="witness")
    register_verify(app)


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def inclusion_bundle(ledger: Ledger, log_index: int) -> dict[str, object]:
    """An inclusion proof of one entry against the latest signed checkpoint, self-checked."""
    note = ledger.checkpoint()
    cp = verify_checkpoint(note, ledger.origin, ledger.verifier)
    if log_index >= cp.size:
        raise NotFoundError(f"entry {log_index} is not yet in a signed checkpoint (size {cp.size})")
    lh = leaf_hash(ledger.store.entry_at(log_index))
    hashes = ledger.inclusion_proof(log_index, cp.size)
    verify_inclusion(log_index, cp.size, lh, hashes, cp.root)
    return {
        "log_index": log_index,
        "tree_size": cp.size,
        "leaf_hash": _b64(lh),
        "hashes": [_b64(h) for h in hashes],
        "checkpoint": note.decode(),
    }


@log_app.command("checkpoint")
def log_checkpoint(db: str | None = DbOption, keys: str | None = KeysOption) -> None:
    """Print the latest signed checkpoint (signing a new one if the log has grown)."""
    store = open_store(db)
    try:
        note = Ledger(store, open_keyring(db, keys)).checkpoint()
    finally:
        store.close()
    typer.echo(note.decode(), nl=False)


@log_app.command("key")
def log_key(db: str | None = DbOption) -> None:
    """Print the log's verifier key (name+keyid+base64 key), to check its checkpoints."""
    store = open_store(db)
    try:
        ledger = Ledger(store)
        vkey = ledger.verifier.vkey
        demo = store.get_meta("log_demo") == "1"
    finally:
        store.close()
    typer.echo(vkey)
    if demo:
        err_console.print(
            "note: this log signs with a DEMO key (public seed); it proves integrity "
            "of a demo record, not who operates it"
        )


@log_app.command("prove")
def log_prove(
    id_: str = typer.Argument(
        ..., metavar="ID", help="Observation id (or a prefix of 6+ characters)."
    ),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
    as_json: bool = JsonOption,
) -> None:
    """Inclusion proof of an observation in the log (RFC 9162), against the latest checkpoint."""
    store = open_store(db)
    try:
        ledger = Ledger(store, open_keyring(db, keys))
        bundle = inclusion_bundle(ledger, store.get(id_).log_index)
    finally:
        store.close()
    if as_json:
        print_json(bundle)
        return
    console.print(f"entry {bundle['log_index']} in tree of size {bundle['tree_size']}")
    console.print(f"leaf hash {bundle['leaf_hash']}")
    for h in bundle["hashes"]:  # type: ignore[attr-defined]
        console.print(f"  {h}")
    console.print("checkpoint:\n" + str(bundle["checkpoint"]))


@log_app.command("consistency")
def log_consistency(
    old_size: int = typer.Argument(..., min=0, help="The older tree size."),
    new_size: int | None = typer.Argument(
        None, min=0, help="The newer size [default: latest checkpoint]."
    ),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
    as_json: bool = JsonOption,
) -> None:
    """Consistency proof between two tree sizes (RFC 9162)."""
    store = open_store(db)
    try:
        ledger = Ledger(store, open_keyring(db, keys))
        if new_size is None:
            new_size = verify_checkpoint(ledger.checkpoint(), ledger.origin, ledger.verifier).size
        if old_size > new_size:
            raise InputError(f"OLD_SIZE {old_size} is larger than NEW_SIZE {new_size}")
        tree = ledger.tree()
        hashes = tree.consistency_proof(old_size, new_size)
        verify_consistency(old_size, new_size, tree.root(old_size), tree.root(new_size), hashes)
    finally:
        store.close()
    out = {"old_size": old_size, "new_size": new_size, "hashes": [_b64(h) for h in hashes]}
    if as_json:
        print_json(out)
    else:
        console.print(f"consistency {old_size} → {new_size}: {len(hashes)} hashes")
        for h in hashes:
            console.print(f"  {_b64(h)}")


@log_app.command("verify")
def log_verify(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Check every stored entry against the log and the latest signed checkpoint.

    Exits 2 naming the first entry that was changed, removed or reordered.
    """
    store = open_store(db)
    try:
        ledger = Ledger(store)
        n = store.size()
        with Progress(console=err_console, transient=True, disable=n < 20000) as bar:
            task = bar.add_task("verifying", total=n)
            size, root = ledger.verify(progress=lambda k: bar.advance(task, k))
    finally:
        store.close()
    if as_json:
        print_json({"ok": True, "size": size, "root": _b64(root)})
    else:
        console.print(f"log verified: {size} entries, root {_b64(root)}")


@log_app.command("erase")
def log_erase(
    id_: str = typer.Argument(..., metavar="ID", help="Observation id (or prefix)."),
    db: str | None = DbOption,
) -> None:
    """Erase an observation's personal values (e.g. a driver's name).

    The log keeps only the salted commitment, so it stays verifiable.
    """
    store = open_store(db)
    try:
        s = store.get(id_)
        n = store.erase_personal(s.id)
    finally:
        store.close()
    console.print(f"erased {n} personal value{'s' if n != 1 else ''} of {s.id}")


# -- witnesses ---------------------------------------------------------------------------------


def _witness_file(name: str) -> str:
    """A witness's key file name in the key folder: witness-NAME.key."""
    return f"witness-{name}"


@witness_app.command("new")
def witness_new(
    name: str = typer.Argument(..., help="The witness's key name, e.g. witness.example.org."),
    keys: str | None = KeysOption,
) -> None:
    """Make a witness cosignature key (C2SP tlog-cosignature, Ed25519, type 0x04)."""
    ring = open_keyring(None, keys)
    fname = _witness_file(name)
    if ring.has(fname):
        raise SigningKeyError(f"{ring.path(fname)} exists; not replacing a private key")
    signer = CosignatureSigner.generate(name)
    path = ring.save(signer, filename=fname)
    console.print(f"private key: {path} (mode 0600)")
    console.print(f"witness verifier key: {signer.vkey}")


@witness_app.command("cosign")
def witness_cosign(
    name: str = typer.Option(..., "--name", help="The witness key name (file witness-NAME.key)."),
    state: Path = typer.Option(..., "--state", help="The witness's state file (what it cosigned)."),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
) -> None:
    """Cosign the log's latest checkpoint, if consistent with what this witness cosigned.

    A log that shows the witness two inconsistent checkpoints (a split view) is refused, exit 2.
    """
    ring = open_keyring(db, keys)
    signer = ring.load_file(_witness_file(name), CosignatureSigner)
    st = WitnessState.from_json(state.read_text()) if state.exists() else WitnessState()
    store = open_store(db)
    try:
        ledger = Ledger(store, ring)
        note = ledger.checkpoint()
        witness = Witness(signer, {ledger.origin: ledger.verifier}, st)
        old = witness.size_of(ledger.origin)
        cp = verify_checkpoint(note, ledger.origin, ledger.verifier)
        proof = ledger.consistency_proof(old, cp.size) if old <= cp.size else []
        line = witness.cosign(note, proof, int(time.time()))
        store.add_cosignature(cp.size, signer.name, line.decode())
    finally:
        store.close()
    tmp = state.with_suffix(state.suffix + ".tmp")
    tmp.write_text(witness.state.to_json())
    tmp.replace(state)
    console.print(f"cosigned {ledger.origin} at size {cp.size} as {signer.name}")


@witness_app.command("key")
def witness_key(
    name: str = typer.Argument(..., help="The witness key name."),
    keys: str | None = KeysOption,
) -> None:
    """Print a witness's verifier key."""
    typer.echo(open_keyring(None, keys).load_file(_witness_file(name), CosignatureSigner).vkey)


@log_app.command("export")
def log_export(
    out: Path = typer.Argument(
        ..., metavar="DIR", help="Folder to write: new, empty, or a previous export (replaced)."
    ),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
) -> None:
    """Write the log as static files (C2SP tlog-tiles) to serve from any static host.

    Writes the checkpoint, tiles, entry bundles and the organisations' public keys.
    """
    from corridor.export.folder import EXPORT_MARKER, check_output_folder
    from corridor.export.tlog import EXPORT_NAMES, export_log

    check_output_folder(out, EXPORT_MARKER, EXPORT_NAMES)  # before anything is signed
    store = open_store(db)
    try:
        Ledger(store, open_keyring(db, keys)).checkpoint()
        size, files = export_log(store, out)
        vkey = Ledger(store).verifier.vkey
    finally:
        store.close()
    console.print(f"exported {size} entries in {files} files to {out}")
    console.print(f"verify with: corridor verify {out} --key {vkey}")


def register_verify(app: typer.Typer) -> None:
    @app.command("verify")
    def verify(
        folder: Path = typer.Argument(..., metavar="DIR", help="An exported log folder."),
        key: str = typer.Option(
            ...,
            "--key",
            help="The log's verifier key (get it from the log operator, not the export).",
        ),
        witness: list[str] = typer.Option(
            [], "--witness", help="A witness's verifier key (repeat)."
        ),
        quorum: int = typer.Option(
            0, "--quorum", min=0, help="Valid witness cosignatures required."
        ),
        org_key: list[str] | None = typer.Option(
            None,
            "--org-key",
            help="Organisation verifier keys to trust instead of the export's keys file (repeat).",
        ),
        jobs: int = typer.Option(1, "--jobs", min=1, help="Processes for signature checks."),
        as_json: bool = JsonOption,
    ) -> None:
        """Verify an exported log offline, with no database.

        Checks every entry's reporter signature, every tile, the checkpoint signature and any
        witness cosignatures. Prints size and root, or exits 2 naming the exact failure.
        """
        from corridor.export.tlog import verify_export

        if quorum > len(witness):
            raise InputError(f"--quorum {quorum} needs at least {quorum} --witness keys")
        result = verify_export(
            folder, key, witnesses=witness, quorum=quorum, org_keys=org_key, jobs=jobs
        )
        root = _b64(result.root)
        if as_json:
            print_json(
                {"ok": True, "size": result.size, "root": root, "cosignatures": result.cosignatures}
            )
        else:
            console.print(
                f"verified: size {result.size}, root {root}"
                + (f", {result.cosignatures} witness cosignatures" if witness else "")
            )
