"""`corridor release create|list|show`: numbered releases, a witnessed signed checkpoint marked
as release N with notes, citable in one line (docs/releases.md).

    corridor release create --notes TEXT [--size N] [--unwitnessed]
    corridor release list
    corridor release show N

`corridor export OUT --release N` writes a release's view of the record, the same bytes every
time.
"""

from typing import TYPE_CHECKING

import typer

from corridor.cli.context import DbOption, JsonOption, KeysOption, console, open_app, print_json

if TYPE_CHECKING:
    from corridor.app.releases import Release

__all__ = ["register"]

release_app = typer.Typer(
    rich_markup_mode=None,
    help="Numbered releases: witnessed signed checkpoints, citable and exported reproducibly.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(release_app, name="release")


def _line(r: "Release") -> str:
    from corridor.app.shapes import rfc3339

    return f"{r.citation} ({rfc3339(r.stored.created_at)}): {r.stored.notes}"


@release_app.command("create")
def release_create(
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
    as_json: bool = JsonOption,
) -> None:
    """Mark a witnessed signed checkpoint as the next numbered release (1, 2, 3…).

    The checkpoint must carry a witness cosignature (`corridor log checkpoint` sends it to the
    log's witnesses), unless --unwitnessed. Recorded in the admin record.
    """
    with open_app(db, keys) as app:
        r = app.releases.create(notes=notes, size=size, unwitnessed=unwitnessed)
        if as_json:
            from corridor.app.shapes import release

            print_json(release(r))
            return
    console.print(r.citation, highlight=False, markup=False)


@release_app.command("list")
def release_list(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """List the releases, oldest first, each with its citation and notes."""
    with open_app(db) as app:
        rows = app.releases.list()
        if as_json:
            from corridor.app.shapes import release

            print_json({"items": [release(r) for r in rows]})
            return
    if not rows:
        console.print("no releases yet (corridor release create --notes TEXT)")
    for r in rows:
        console.print(_line(r), highlight=False, markup=False)


@release_app.command("show")
def release_show(
    number: int = typer.Argument(..., metavar="N", min=1, help="The release number."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Print the citable line of release N, its notes and its signed checkpoint."""
    with open_app(db) as app:
        r = app.releases.show(number)
        if as_json:
            from corridor.app.shapes import release

            print_json(release(r))
            return
    console.print(r.citation, highlight=False, markup=False)
    console.print(f"notes: {r.stored.notes}", highlight=False, markup=False)
    from corridor.app.shapes import rfc3339

    console.print(f"released {rfc3339(r.stored.created_at)} by {r.stored.actor}",
                  highlight=False, markup=False)  # fmt: skip
    console.print(r.basis.note.decode(), end="", highlight=False, markup=False)
