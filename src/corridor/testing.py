"""Helpers for testing corridor and tools built on it (used by corridor's own test suite).

:class:`Cli` runs ``corridor`` commands in this process, as a user would type them, and
returns (exit code, stdout, stderr): the CLI's error translation included, so a test sees the
one-line message and exit code a user would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

__all__ = ["Capture", "Cli"]


class Capture(Protocol):
    """What pytest's ``capsys`` fixture offers."""

    def readouterr(self) -> Any: ...


class Cli:
    """``corridor`` in-process, in a working folder ``tmp`` (database ``tmp/corridor.db``)."""

    def __init__(self, tmp: Path, capsys: Capture) -> None:
        self.tmp = tmp
        self.capsys = capsys
        self.db = str(tmp / "corridor.db")

    def __call__(self, *args: str) -> tuple[int, str, str]:
        from corridor.cli.app import main

        self.capsys.readouterr()
        code = main([*args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def rows(self) -> int:
        """How many observations the SQLite record holds (read directly, not through corridor)."""
        import sqlite3

        with sqlite3.connect(self.db) as conn:
            return int(conn.execute("SELECT count(*) FROM observations").fetchone()[0])

    def json(self, *args: str) -> Any:
        """Run with ``--json``; the command must succeed."""
        code, out, err = self(*args, "--json")
        assert code == 0, err
        return json.loads(out)
