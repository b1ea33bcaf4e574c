"""svc-core's test helpers: a real ``corridor serve`` process (Uvicorn, a free port on
127.0.0.1) over a record holding the North Gate example case, on SQLite and on PostgreSQL, with
an httpx client, tokens of each role, and signed entries made as a reporter would make them.
(A module of its own, not the conftest, so that tests import it by a name no other conftest
has.)"""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from corridor.app import Corridor
from corridor.ledger import entry as ledger_entry
from corridor.ledger.note import Signer
from corridor.model import parse_observation
from corridor.recording.keyring import Keyring
from corridor.testing import free_port

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_CASE = ROOT / "examples" / "north-gate-case.yaml"
PG_URL = os.environ.get("CORRIDOR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("CORRIDOR_REQUIRE_PG", "") == "1"
CLI = [sys.executable, "-m", "corridor.cli.app"]


@contextlib.contextmanager
def serve(
    db: str, keys: Path, *, workers: int = 1, env: dict[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[str]:  # fmt: skip
    """``corridor serve`` as a real process until the block ends; yields its base URL."""
    port = free_port()
    full = {**os.environ, "CORRIDOR_RATE_LIMIT": "0", **(env or {})}
    out = log.open("wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [*CLI, "serve", "--db", db, "--keys", str(keys), "--port", str(port),
         "--workers", str(workers), "--log-level", "warning"],
        env=full, stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"corridor serve exited with {proc.returncode}")
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("corridor serve did not answer within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()  # type: ignore[union-attr]


def pg_available() -> bool:
    import psycopg

    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextlib.contextmanager
def pg_schema(prefix: str = "svccore") -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not pg_available():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required (CORRIDOR_REQUIRE_PG=1) but unreachable at {PG_URL}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def crossing(org: str, n: int, *, checkpoint: str = "north-gate", **body: Any) -> dict[str, Any]:
    """A synthetic daily count on day ``n`` after 2024-01-01 (n < 60,000), as a reporter would
    record it."""
    day0 = 1_704_067_200 + n * 86_400  # 2024-01-01 + n days
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(day0))
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(day0 + 86_400))
    return {
        "type": "crossing",
        "observed": {"start": start, "end": end},
        "reporter": org,
        "sources": [{"title": "service test (synthetic data)"}],
        "body": {"checkpoint": checkpoint, "direction": "inbound", "category": "vehicles",
                 "count": n % 1000, **body},
    }  # fmt: skip


def sign(raw: dict[str, Any], signer: Signer) -> bytes:
    """The signed entry of an observation: its normal form, signed by ``signer``."""
    content = parse_observation(raw).content()
    return ledger_entry.make_entry(content, [ledger_entry.sign_observation(content, signer)])


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def entries_body(*entries: bytes) -> dict[str, Any]:
    return {"entries": [{"entry": b64(e)} for e in entries]}


@dataclass
class CoreServer:
    """A running server over the North Gate example case, with a key for ngo-x and tokens."""

    url: str
    db: str
    keys: Path
    tokens: dict[str, str] = field(default_factory=dict)  # name -> token
    signers: dict[str, Signer] = field(default_factory=dict)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens.get(token, token)}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def app(self) -> Corridor:
        return Corridor.open(self.db, self.keys)


def prepare_record(db: str, keys: Path) -> tuple[dict[str, str], dict[str, Signer]]:
    """The example case, a second organisation (ngo-y), a key each, tokens of every role."""
    from corridor.model import Organisation

    with Corridor.open(db, keys, create=True) as app:
        app.cases.load(app.cases.read(str(EXAMPLE_CASE)))
        app.registry.put(Organisation(id="ngo-y", name="NGO Y (synthetic)", kind="monitor"))
        app.keys.new("ngo-x")
        app.keys.new("ngo-y")
        tokens = {
            "admin": app.access.create_token(None, "admin", label="test admin")[0],
            "reporter": app.access.create_token("ngo-x", "reporter")[0],
            "reporter-y": app.access.create_token("ngo-y", "reporter")[0],
            "reader": app.access.create_token(None, "reader")[0],
            "witness": app.access.create_token(None, "witness")[0],
        }
    ring = Keyring(keys)
    return tokens, {o: ring.load(o) for o in ("ngo-x", "ngo-y")}


