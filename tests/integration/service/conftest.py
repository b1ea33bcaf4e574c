"""svc-core's fixtures (the helpers are in svc_core.py): ``core_server``, one real server per
test module and backend."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from svc_core import CoreServer, pg_schema, prepare_record, serve


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
