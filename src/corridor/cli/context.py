"""What every command shares: where the database and the keys are, and how output is printed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from corridor.keyring import Keyring
from corridor.store.sql import SqlStore, database_url

__all__ = [
    "DbOption",
    "JsonOption",
    "KeysOption",
    "console",
    "err_console",
    "keys_dir",
    "open_keyring",
    "open_store",
    "print_json",
]

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False)

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


def open_store(db: str | None, *, create: bool = False) -> SqlStore:
    """Open the record's database (creating or upgrading its schema when ``create``)."""
    return SqlStore.open(db, create=create)


def keys_dir(db: str | None, keys: str | None) -> Path:
    """Where private keys live: --keys, else beside an SQLite database, else ./corridor-keys."""
    if keys:
        return Path(keys).expanduser()
    url = database_url(db)
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).parent / "corridor-keys"
    return Path("corridor-keys")


def open_keyring(db: str | None, keys: str | None) -> Keyring:
    return Keyring(keys_dir(db, keys))


def print_json(data: Any) -> None:
    """Write JSON to stdout (not through Rich, so it is never wrapped or coloured)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
