"""Fixtures of the service tests, each part's helpers in its own module:

- ``core_server``: one real server per test module and backend (helpers in svc_core.py);
- ``svclog_db``, ``svclog_site``: a served log of 600 entries and its witnesses (svc_log.py);
- ``client_*``: a real ``corridor serve`` process (:class:`corridor.testing.Server`) over the
  North Gate example with a key and a reporter token for ngo-x, or over the built-in Lachin
  case, for the client and the CLI's remote mode.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_core import CoreServer, pg_schema, prepare_record, serve
from svc_log import svclog_db, svclog_site

from corridor.cli.app import main
from corridor.testing import Server

__all__ = ["client_lachin", "client_north", "core_server", "svclog_db", "svclog_site"]

@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def core_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CoreServer]:
    """One server per test module and backend (tests that change the record add to it only)."""
    tmp = tmp_path_factory.mktemp("svc-core")
    keys = tmp / "keys"
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            db = str(tmp / "corridor.db")
        else:
            db = stack.enter_context(pg_schema())
        tokens, signers = prepare_record(db, keys)
        url = stack.enter_context(serve(db, keys, log=tmp / "server.log"))
        yield CoreServer(url, db, keys, tokens, signers)


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
def client_north(
    client_clean_env: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Server]:
    """``corridor serve`` over the North Gate example (SQLite, and PostgreSQL), the server's
    keys in ``server-keys/``; the organisation ngo-x's key, made with the CLI, in
    ``org-keys/`` (the organisation's own folder: the server never reads it), and a reporter
    token for ngo-x (``.token``, and ``CORRIDOR_TOKEN`` for commands run in this process)."""
    tmp = client_clean_env
    server_keys, org_keys = tmp / "server-keys", tmp / "org-keys"
    assert main(["case", "load", str(NORTH_GATE), "--db", db_url, "--keys", str(server_keys)]) == 0
    assert main(["keys", "new", "ngo-x", "--db", db_url, "--keys", str(org_keys)]) == 0
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        assert main(["token", "create", "ngo-x", "--role", "reporter", "--db", db_url]) == 0
    with Server(db_url, server_keys, tmp / "serve.log") as served:
        served.token = printed.getvalue().strip()  # ngo-x's reporter token
        monkeypatch.setenv("CORRIDOR_TOKEN", served.token)  # for commands run in this process
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
