"""Fixtures of the CLI tests: a clean working folder, and the North Gate example case in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.testing import Cli

EXAMPLE_CASE = Path(__file__).resolve().parents[2] / "examples" / "north-gate-case.yaml"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """``corridor`` in a fresh working folder, with CORRIDOR_DB and CORRIDOR_KEYS unset."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORRIDOR_DB", raising=False)
    monkeypatch.delenv("CORRIDOR_KEYS", raising=False)
    return Cli(tmp_path, capsys)


@pytest.fixture
def north(cli: Cli) -> Cli:
    """The North Gate example case loaded into ./corridor.db, with a key for ngo-x."""
    assert cli("case", "load", str(EXAMPLE_CASE))[0] == 0
    assert cli("keys", "new", "ngo-x")[0] == 0
    return cli
