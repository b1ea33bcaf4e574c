"""`--db` pointing at what is not a corridor database: one line, exit 1, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corridor.cli.app import main

ROOT = Path(__file__).resolve().parents[2]


def _target(kind: str, tmp: Path) -> str:
    if kind == "text":
        (tmp / "x.db").write_text("hello, not a database\n")
    elif kind == "random":
        (tmp / "x.db").write_bytes(os.urandom(8192))
    elif kind == "xlsx":
        (tmp / "x.db").write_bytes((ROOT / "examples" / "vehicles.xlsx").read_bytes())
    elif kind == "truncated":
        assert main(["case", "load", "lachin-2023", "--db", str(tmp / "good.db")]) == 0
        (tmp / "x.db").write_bytes((tmp / "good.db").read_bytes()[:20_000])
    elif kind == "folder":
        (tmp / "x.db").mkdir()
    elif kind == "mysql":
        return "mysql://user@localhost/corridor"
    elif kind == "unknown-scheme":
        return "nosuch://x/y"
    return str(tmp / "x.db")


@pytest.mark.parametrize(
    "kind", ["text", "random", "xlsx", "truncated", "folder", "mysql", "unknown-scheme"]
)
@pytest.mark.parametrize("command", [["status"], ["list"], ["log", "verify"]])
def test_not_a_database(
    kind: str, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each bad --db gets exit 1 and one line naming it, for reads and verification alike."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORRIDOR_DB", raising=False)
    db = _target(kind, tmp_path)
    capsys.readouterr()
    code = main([*command, "--db", db])
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
