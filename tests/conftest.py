"""Shared fixtures: database URLs for both backends (SQLite file, PostgreSQL schema).

The PostgreSQL leg runs against a real server (CORRIDOR_TEST_PG_URL, default
postgresql://postgres@127.0.0.1:5432/test), each test in a schema of its own. Where the server
is unreachable those tests are skipped, unless CORRIDOR_REQUIRE_PG=1 (as in .ci/run): then an
unreachable server, or any skipped or missing PostgreSQL test, fails the session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

PG_URL = os.environ.get("CORRIDOR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("CORRIDOR_REQUIRE_PG", "") == "1"

_pg_outcomes: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}
_pg_reachable: bool | None = None


def pg_reachable() -> bool:
    global _pg_reachable
    if _pg_reachable is None:
        import psycopg

        try:
            with psycopg.connect(PG_URL, connect_timeout=3):
                _pg_reachable = True
        except psycopg.Error:
            _pg_reachable = False
    return _pg_reachable


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not pg_reachable():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required (CORRIDOR_REQUIRE_PG=1) but unreachable at {PG_URL}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """The same test against both backends."""
    if request.param == "sqlite":
        return str(tmp_path / "corridor.db")  # type: ignore[operator]
    return str(request.getfixturevalue("pg_url"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" not in report.keywords:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _pg_outcomes[report.outcome] = _pg_outcomes.get(report.outcome, 0) + 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not REQUIRE_PG or session.config.option.collectonly:
        return
    ran_any_tests = session.testscollected > 0
    if ran_any_tests and (_pg_outcomes["passed"] == 0 or _pg_outcomes["skipped"] > 0):
        print(f"\nPostgreSQL leg required but incomplete: {_pg_outcomes} (CORRIDOR_REQUIRE_PG=1)")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
