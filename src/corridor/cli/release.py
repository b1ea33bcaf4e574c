"""`corridor release create|list|show`: numbered releases, a witnessed signed checkpoint marked
as release N with notes, citable in one line (docs/releases.md).

    corridor release create --notes TEXT [--size N] [--unwitnessed]
    corridor release list
    corridor release show N

Each works on a server's record with --server URL (create needs an admin token).

`corridor export OUT --release N` writes a release's view of the record, the same bytes every
time.
"""

from typing import Any

import typer

from corridor.cli.context import DbOption, JsonOption, KeysOption, console, open_app, print_json
from corridor.cli.remote import ServerOption, TokenOption, connect, use_server

__all__ = ["register"]

release_app = typer.Typer(
    rich_markup_mode=None,
    help="Numbered releases: witnessed signed checkpoints, citable and exported reproducibly.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(release_app, name="release")


def _line(doc: dict[str, Any]) -> str:
    return f"{doc['citation']} ({doc['created_at']}): {doc['notes']}"


@release_app.command("create")
def release_create(
    ctx: typer.Context,
    notes: str = typer.Option(..., "--notes", help="What the release is and why now."),
    size: int | None = typer.Option(
        None, "--size", metavar="N", min=0,
        help="The tree size of the signed checkpoint to release [default: the latest].",
    ),
    unwitnessed: bool = typer.Option(
        False, "--unwitnessed",
        help="Release a checkpoint no witness has cosigned (the release says so).",
    ),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """Mark a witnessed signed checkpoint as the next numbered release (1, 2, 3…).

    The checkpoint must carry a witness cosignature (`corridor log checkpoint` sends it to the
    log's witnesses), unless --unwitnessed. Recorded in the admin record (of a server's record
    with --server: an admin token's right, the token's actor recorded).
    """
    if server := use_server(ctx, server, db):
        with connect(server, token) as api:
            doc = api.create_release(notes, size=size, unwitnessed=unwitnessed)
        if as_json:
            print_json(doc)
            return
        console.print(doc["citation"], highlight=False, markup=False)
        return
    with open_app(db, keys) as app:
        r = app.releases.create(notes=notes, size=size, unwitnessed=unwitnessed)
        if as_json:
            from corridor.app.shapes import release

            print_json(release(r))
            return
    console.print(r.citation, highlight=False, markup=False)


@release_app.command("list")
def release_list(
    ctx: typer.Context,
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """List the releases, oldest first, each with its citation and notes (of a server's record
    with --server)."""
    if server := use_server(ctx, server, db):
        with connect(server, token) as api:
            docs = api.releases()
    else:
        from corridor.app.shapes import release

        with open_app(db) as app:
            docs = [release(r) for r in app.releases.list()]
    if as_json:
        print_json({"items": docs})
        return
    if not docs:
        console.print("no releases yet (corridor release create --notes TEXT)")
    for d in docs:
        console.print(_line(d), highlight=False, markup=False)


@release_app.command("show")
def release_show(
    ctx: typer.Context,
    number: int = typer.Argument(..., metavar="N", min=1, help="The release number."),
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """Print the citable line of release N, its notes and its signed checkpoint (of a server's
    record with --server)."""
    if server := use_server(ctx, server, db):
        with connect(server, token) as api:
            doc = api.release(number)
    else:
        from corridor.app.shapes import release

        with open_app(db) as app:
            doc = release(app.releases.show(number))
    if as_json:
        print_json(doc)
        return
    for line in (doc["citation"], f"notes: {doc['notes']}",
                 f"released {doc['created_at']} by {doc['actor']}"):  # fmt: skip
        console.print(line, highlight=False, markup=False)
    console.print(doc["checkpoint"], end="", highlight=False, markup=False)
