"""`corridor witness ...`: a witness's cosignature key, cosigning a local log's checkpoint, and
serving the C2SP tlog-witness ``add-checkpoint`` endpoint to logs over HTTP."""

from pathlib import Path

import typer

from corridor.cli.context import DbOption, KeysOption, console, err_console, open_app

__all__ = ["register"]

witness_app = typer.Typer(
    rich_markup_mode=None,
    help="Witnesses: cosign a log's checkpoints after checking consistency.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(witness_app, name="witness")


@witness_app.command("new")
def witness_new(
    name: str = typer.Argument(..., help="The witness's key name, e.g. witness.example.org."),
    keys: str | None = KeysOption,
) -> None:
    """Make a witness cosignature key (C2SP tlog-cosignature, Ed25519, type 0x04)."""
    with open_app(None, keys) as app:
        path, vkey = app.witness.new(name)
    console.print(f"private key: {path} (mode 0600)")
    console.print(f"witness verifier key: {vkey}")


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
    with open_app(db, keys) as app:
        origin, size = app.witness.cosign(name, state)
    console.print(f"cosigned {origin} at size {size} as {name}")


@witness_app.command("key")
def witness_key(
    name: str = typer.Argument(..., help="The witness key name."),
    keys: str | None = KeysOption,
) -> None:
    """Print a witness's verifier key."""
    with open_app(None, keys) as app:
        typer.echo(app.witness.key(name))


@witness_app.command("serve")
def witness_serve(
    name: str = typer.Argument(..., help="The witness key name (file witness-NAME.key)."),
    log: list[str] = typer.Option(
        ...,
        "--log",
        help="The verifier key of a log to witness (repeat); its origin is the key's name.",
    ),
    state: Path | None = typer.Option(
        None,
        "--state",
        help="The witness's state file (what it cosigned) [default: witness-NAME.state in the "
        "key folder].",
        show_default=False,
    ),
    keys: str | None = KeysOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8100, "--port", min=0, max=65535, help="Port to listen on."),
    log_level: str = typer.Option("info", "--log-level", help="Log level."),
) -> None:
    """Serve C2SP tlog-witness: POST /add-checkpoint cosigns a log's checkpoint if it is
    consistent with what this witness cosigned before, and refuses a split view."""
    import logging

    import uvicorn

    from corridor.service.witness import create_witness_app

    with open_app(None, keys) as app:
        witness = app.witness.host(name, log, state)
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    err_console.print(
        f"corridor: witness {witness.vkey} on http://{host}:{port}/add-checkpoint, state "
        f"{witness.state.path}, following {', '.join(sorted(witness.logs))}"
    )
    uvicorn.run(
        create_witness_app(witness), host=host, port=port, log_level=log_level,
        proxy_headers=False,
    )  # fmt: skip
