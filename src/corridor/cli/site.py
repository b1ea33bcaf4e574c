"""`corridor site DIR`: the dashboard written as a static folder (page, data files, log tiles)."""

from pathlib import Path

import typer

from corridor.cli.context import DbOption, KeysOption, console, open_app
from corridor.web import STATIC

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("site")(site)


def site(
    out: Path = typer.Argument(..., help="The folder to write (new, empty, or a previous site)."),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
    days: int = typer.Option(
        366, "--days", min=1, max=1830,
        help="How many days the slider offers (the latest of the record's span), one "
        "situation file each.",
    ),
) -> None:
    """Write the dashboard as a static folder that opens from any static host.

    The page, one JSON file per API call it makes (data/), and the log's C2SP tiles at its
    latest signed checkpoint (log/), so the page verifies there too. Nothing is fetched from
    outside: serve the folder with any web server (e.g. python -m http.server -d DIR).
    """
    with open_app(db, keys) as app:
        result = app.site.write(out, STATIC, days=days)
    console.print(
        f"Wrote {result.files} files to {result.folder}: the dashboard, {result.days} days of "
        f"situations, {result.observations} observations and the log's tiles "
        f"({result.tree_size} entries).\n"
        f"Open it from any static host, e.g.: python -m http.server -d {result.folder} 8000"
    )
