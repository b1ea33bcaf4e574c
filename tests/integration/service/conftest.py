"""svc-client's fixtures: a real ``corridor serve`` process (:class:`corridor.testing.Server`)
over a database, and the records it serves (the North Gate example with a key for ngo-x; the
built-in Lachin case).

Named after this part (``client_*``) so that the fixtures of the other parts of the service
can live beside them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor.cli.app import main
from corridor.testing import Server

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
NORTH_GATE = EXAMPLES / "north-gate-case.yaml"


@pytest.fixture
def client_clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working folder of the test's own, with no CORRIDOR_* variable set."""
    monkeypatch.chdir(tmp_path)
    for name in ("CORRIDOR_DB", "CORRIDOR_KEYS", "CORRIDOR_SERVER", "CORRIDOR_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def client_north(client_clean_env: Path, db_url: str) -> Iterator[Server]:
    """``corridor serve`` over the North Gate example (SQLite, and PostgreSQL), the server's
    keys in ``server-keys/``; the organisation ngo-x's key, made with the CLI, in
    ``org-keys/`` (the organisation's own folder: the server never reads it)."""
    tmp = client_clean_env
    server_keys, org_keys = tmp / "server-keys", tmp / "org-keys"
    assert main(["case", "load", str(NORTH_GATE), "--db", db_url, "--keys", str(server_keys)]) == 0
    assert main(["keys", "new", "ngo-x", "--db", db_url, "--keys", str(org_keys)]) == 0
    with Server(db_url, server_keys, tmp / "serve.log") as served:
        yield served


@pytest.fixture(scope="module")
def client_lachin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``corridor serve`` over the built-in Lachin case (SQLite); shared by a module's tests,
    which only read."""
    tmp = tmp_path_factory.mktemp("lachin")
    db, keys = str(tmp / "lachin.db"), tmp / "keys"
    assert main(["case", "load", "lachin-2023", "--db", db, "--keys", str(keys)]) == 0
    with Server(db, keys, tmp / "serve.log") as served:
        yield served
