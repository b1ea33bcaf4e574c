"""schemathesis over the OpenAPI schema, against a real server (SQLite): for every operation,
generated requests (valid and not) never get a 5xx, and every answer matches the schema the
service documents for it (status, content type, body, headers), error envelopes included.

Bounded: a few examples per operation, so that it runs in well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from svc_core import prepare_record, serve

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.fixture(scope="module")
def schema_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp: Path = tmp_path_factory.mktemp("svc-core-schema")
    db = str(tmp / "corridor.db")
    tokens, _signers = prepare_record(db, tmp / "keys")
    with serve(db, tmp / "keys", log=tmp / "server.log") as url:
        yield url, tokens["admin"]


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, from the schema the service builds (no server
    needed to collect the tests)."""
    from corridor.app.settings import Settings
    from corridor.service import create_app
    from corridor.service.config import ServiceConfig

    doc = create_app(Settings.load("unused.db", "unused-keys"), ServiceConfig()).openapi()
    return [(m.upper(), p) for p, ops in doc["paths"].items() for m in ops]


def _takes_input(method: str, path: str) -> bool:
    from corridor.app.settings import Settings
    from corridor.service import create_app
    from corridor.service.config import ServiceConfig

    doc = create_app(Settings.load("unused.db", "unused-keys"), ServiceConfig()).openapi()
    op = doc["paths"][path][method.lower()]
    return bool(op.get("parameters") or op.get("requestBody"))


CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in _operations()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or _takes_input(method, path)
]


@pytest.fixture(scope="module")
def api_schema(schema_server: tuple[str, str]) -> Any:
    url, _token = schema_server
    return schemathesis.openapi.from_url(f"{url}/openapi.json")


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_no_5xx_and_answers_match_the_schema(
    api_schema: Any, schema_server: tuple[str, str], method: str, path: str,
    mode: GenerationMode,
) -> None:  # fmt: skip
    """As an admin (every operation reachable), valid and invalid requests: no 5xx, and the
    answers, errors too, are as documented."""
    url, token = schema_server
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)  # fmt: skip
    def run(case: Any) -> None:
        case.call_and_validate(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
        )

    try:
        run()
    except Unsatisfiable:  # e.g. a body whose every invalid form is refused before sending
        pytest.skip(f"schemathesis found no {mode.value} request for {method} {path}")


def test_the_schema_documents_the_envelope(api_schema: Any, schema_server: tuple[str, str]) -> None:
    """Every operation documents the error envelope for 422 (not FastAPI's default shape),
    and the protected ones declare the bearer token."""
    import httpx

    url, _ = schema_server
    doc = httpx.get(f"{url}/openapi.json").json()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ref = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorEnvelope"), (method, path)
    assert doc["paths"]["/v1/tokens"]["post"]["security"] == [{"token": []}]
    assert "security" not in doc["paths"]["/v1/observations"]["get"]
