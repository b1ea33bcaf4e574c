"""Helpers and fixtures of the log-over-HTTP tests (conftest.py imports the fixtures): real
``corridor serve`` and ``corridor witness serve`` processes on free loopback ports, over a log
of 600 entries (two full bundles and level-0 tiles, a partial one, a level-1 tile), on SQLite
and on PostgreSQL.

Everything here is named ``svclog_*`` / ``Served`` so that it cannot collide with the fixtures of
the other parts of the service.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from corridor.testing import free_port

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
PG_URL = os.environ.get("CORRIDOR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("CORRIDOR_REQUIRE_PG", "") == "1"
CORRIDOR = [sys.executable, "-m", "corridor.cli.app"]
ROWS = 300  # two observations a row: 600 entries


def corridor(*args: str) -> tuple[int, str, str]:
    """``corridor ARGS`` in this process: (exit code, stdout, stderr)."""
    from corridor.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args])
    return code, out.getvalue(), err.getvalue()


def ok(*args: str) -> str:
    code, out, err = corridor(*args)
    assert code == 0, err
    return out


@dataclass
class Served:
    """A server process on 127.0.0.1 and its base URL."""

    url: str
    proc: subprocess.Popen[str]
    log: Path

    def stop(self) -> str:
        """Stop the server (SIGTERM, then SIGKILL) and return what it logged."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        return self.log.read_text(errors="replace")


def serve(
    args: list[str], env: dict[str, str], ready: str, log: Path, port: int | None = None
) -> Served:
    """Start ``corridor ARGS --port P`` (a free port unless given) and wait (up to 60 s) until
    GET ``ready`` answers."""
    port = port or free_port()
    out = log.open("w")
    proc = subprocess.Popen(
        [*CORRIDOR, *args, "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    out.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"server exited {proc.returncode}: {log.read_text()}")
        try:
            if httpx.get(url + ready, timeout=2).status_code < 500:
                return Served(url, proc, log)
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"server did not start: {log.read_text()}")
        time.sleep(0.1)


def _pg_schema_url() -> Iterator[str]:
    import psycopg

    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            pass
    except psycopg.Error:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required (CORRIDOR_REQUIRE_PG=1) but unreachable at {PG_URL}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    schema = f"svclog_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def synthetic_csv(path: Path, rows: int = ROWS, first: date = date(1950, 1, 1)) -> Path:
    """Daily counts of the North Gate example (SYNTHETIC): two observations a row."""
    lines = ["date,trucks_in,trucks_out,tonnes_in,note"]
    for i in range(rows):
        lines.append(f"{first + timedelta(days=i)},{i % 50},{i % 40},{i % 90},synthetic test row")
    path.write_text("\n".join(lines) + "\n")
    return path


def build_log(db: str, keys: Path, csv: Path, *, origin: str | None = None) -> str:
    """The North Gate example with ``csv`` imported; returns the log's verifier key."""
    if origin is not None:
        ok("init", "--origin", origin, "--db", db, "--keys", str(keys))
    ok("case", "load", str(EXAMPLES / "north-gate-case.yaml"), "--db", db, "--keys", str(keys))
    ok("keys", "new", "ngo-x", "--db", db, "--keys", str(keys))
    ok("import", str(csv), "--map", str(EXAMPLES / "daily-counts.map.yaml"), "--db", db,
       "--keys", str(keys), "--quarantine", str(csv.with_suffix(".quarantine.csv")))  # fmt: skip
    return ok("log", "key", "--db", db).strip()


@dataclass
class LogSite:
    """A served log: its database, key folder, verifier key and server."""

    db: str
    keys: Path
    vkey: str
    server: Served
    tmp: Path

    @property
    def prefix(self) -> str:
        return self.server.url + "/v1/log"


def server_env(db: str, keys: Path) -> dict[str, str]:
    return {**os.environ, "CORRIDOR_DB": db, "CORRIDOR_KEYS": str(keys)}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def svclog_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database URL for the module's log, on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("svclog-db") / "corridor.db")
        return
    yield from _pg_schema_url()


@pytest.fixture(scope="module")
def svclog_site(svclog_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogSite]:
    """A log of 600 entries served by ``corridor serve`` (one per backend and module)."""
    tmp = tmp_path_factory.mktemp("svclog")
    keys = tmp / "keys"
    vkey = build_log(svclog_db, keys, synthetic_csv(tmp / "counts.csv"))
    server = serve(["serve", "--db", svclog_db, "--keys", str(keys), "--log-level", "warning"],
                   server_env(svclog_db, keys), "/v1/health", tmp / "server.log")  # fmt: skip
    try:
        yield LogSite(svclog_db, keys, vkey, server, tmp)
    finally:
        server.stop()


def crossing(count: int, day: date = date(2001, 1, 1)) -> dict[str, object]:
    """A SYNTHETIC crossing at the North Gate example's checkpoint."""
    return {
        "type": "crossing",
        "observed": {"start": f"{day}T00:00:00Z", "end": f"{day + timedelta(days=1)}T00:00:00Z"},
        "reporter": "ngo-x",
        "sources": [{"title": "svc-log test (synthetic)"}],
        "body": {"checkpoint": "north-gate", "direction": "inbound", "category": "persons",
                 "count": count},
    }  # fmt: skip


def append(db: str, keys: Path, counts: range, *, sign: bool) -> int:
    """Sign crossings with ngo-x's key and append them, signing a checkpoint or not; returns
    the tree size."""
    from corridor.app import Corridor
    from corridor.recording import Recorder

    with Corridor.open(db, keys) as app:
        recorder = Recorder(app.store, app.keyring)
        observations = app.observations.parse([crossing(c) for c in counts])
        entries = [recorder.prepare(o)[0] for o in observations]
        return app.transparency_log().append_entries(entries, sign=sign).tree_size
