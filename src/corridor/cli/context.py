"""What every command shares: the options naming the database and the keys, opening the
application, parsing times given on the command line, and printing.

Kept light: importing it loads typer and rich only, so that ``corridor --help`` starts fast; the
application (SQLAlchemy, pydantic models, numpy) is imported by the commands that need it.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import typer

from corridor.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from corridor.app import Corridor

__all__ = [
    "AsOfOption",
    "DbOption",
    "JsonOption",
    "KeysOption",
    "as_of_json",
    "console",
    "err_console",
    "field_value",
    "open_app",
    "parse_time",
    "print_basis",
    "print_basis_of",
    "print_json",
]

class _LazyConsole:
    """A Rich console made on first use, so that a command that prints nothing through Rich
    (``--help``, ``--json``) does not import it."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


console = cast("Console", _LazyConsole(highlight=False, soft_wrap=True))
err_console = cast("Console", _LazyConsole(stderr=True, highlight=False))

DbOption = typer.Option(
    None,
    "--db",
    envvar="CORRIDOR_DB",
    help="Database: an SQLite file path or a postgresql:// URL [default: ./corridor.db].",
    show_default=False,
)
KeysOption = typer.Option(
    None,
    "--keys",
    envvar="CORRIDOR_KEYS",
    help="Folder of private signing keys [default: corridor-keys/ beside an SQLite database, "
    "else ./corridor-keys].",
    show_default=False,
)
JsonOption = typer.Option(False, "--json", help="Print one JSON document instead of tables.")
AsOfOption = typer.Option(
    None,
    "--as-of",
    metavar="SIZE",
    min=0,
    help="Compute it over the first SIZE log entries only: the record as it stood at the "
    "signed checkpoint of that tree size (corridor log checkpoints lists them); the answer "
    "names that checkpoint.",
)


def open_app(db: str | None, keys: str | None = None, *, create: bool = False) -> Corridor:
    """The application over ``--db`` and ``--keys`` (use it as a context manager)."""
    from corridor.app import Corridor

    return Corridor.open(db, keys, create=create)


def parse_time(value: str | None, tz: str | None, option: str) -> datetime | None:
    """A time given on the command line (ISO 8601; ``tz`` for one without an offset)."""
    if value is None:
        return None
    from corridor.model import parse_instant

    try:
        return parse_instant(value, tz)
    except InputError as exc:
        raise InputError(exc.reason, where=option) from None
    except ValueError as exc:
        raise InputError(str(exc), where=option) from None


def field_value(raw: str) -> Any:
    """A field value typed on the command line: JSON where it parses (numbers, lists, null),
    else text."""
    import json  # here: every command's start-up would pay for it (bench cli)

    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def as_of_json(app: Corridor, as_of: int | None) -> dict[str, Any] | None:
    """The ``as_of`` member of a JSON answer: the signed checkpoint it rests on."""
    if as_of is None:
        return None
    from corridor.app.shapes import basis

    return basis(app.log.basis(as_of))


def print_basis(app: Corridor, as_of: int | None) -> None:
    """For a view as of a tree size, one line naming the signed checkpoint it rests on."""
    if as_of is None:
        return
    from corridor.app.shapes import basis

    print_basis_of(basis(app.log.basis(as_of)))


def print_basis_of(b: dict[str, Any]) -> None:
    """:func:`print_basis` of the ``as_of`` member of an answer (:func:`as_of_json`)."""
    console.print(
        f"[dim]as of signed checkpoint {b['tree_size']} (root {b['root']}, signed "
        f"{b['signed_at']}): the first {b['tree_size']} log entries[/dim]",
        highlight=False,
    )


def print_json(data: Any) -> None:
    """Write JSON to stdout (not through Rich, so it is never wrapped or coloured)."""
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
