"""Error answers back into corridor's own errors: every domain error the service maps to a
status comes back as its own class, with its code, subject and message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corridor.client.errors import BY_CODE, error_from_response, unreachable
from corridor.errors import (
    AccessError,
    AuthenticationError,
    ConflictError,
    CorridorError,
    InputError,
    MappingError,
    NotFoundError,
    RecordError,
    SigningKeyError,
    StoreError,
    TamperError,
    VerificationError,
)
from corridor.service.errors import ERROR_STATUS, error_body, status_of

SRC = Path(__file__).resolve().parents[3] / "src" / "corridor"
URL = "http://corridor.example:8000"


def through_the_wire(exc: CorridorError) -> CorridorError:
    """What the service answers for ``exc``, rebuilt by the client."""
    status, code = status_of(exc)
    return error_from_response(status, error_body(status, code, exc.message,
                                                  subject=exc.subject), URL)  # fmt: skip


EXAMPLES: list[tuple[CorridorError, type[CorridorError]]] = [
    (VerificationError("signature by org x does not verify"), VerificationError),
    (TamperError("entry 3 differs", index=3), VerificationError),
    (InputError("not a number", where="count"), InputError),
    (RecordError("unknown place 'x'", field="body.place"), InputError),
    (MappingError("bad mapping"), InputError),
    (NotFoundError("no observation with id 'abc'"), NotFoundError),
    (ConflictError("already there"), ConflictError),
    (SigningKeyError("bad key"), SigningKeyError),
    (SigningKeyError("no key", code="no-signing-key", subject="ngo-x"), SigningKeyError),
    (SigningKeyError("not registered", code="key-not-registered", subject="ngo-x"),
     SigningKeyError),
    (StoreError("busy", code="busy"), StoreError),
    (StoreError("no log", code="no-log"), StoreError),
    (CorridorError("something else"), CorridorError),
]  # fmt: skip


class TestRoundTrip:
    @pytest.mark.parametrize(("exc", "cls"), EXAMPLES, ids=lambda x: type(x).__name__)
    def test_the_class_code_subject_and_message_come_back(
        self, exc: CorridorError, cls: type[CorridorError]
    ) -> None:
        back = through_the_wire(exc)
        assert type(back) is cls
        assert back.code == status_of(exc)[1]
        assert back.subject == exc.subject
        assert str(back) == f"{exc.message} (server {URL}, HTTP {status_of(exc)[0]})"
        assert back.server == URL  # type: ignore[attr-defined]
        assert back.server_message == exc.message  # type: ignore[attr-defined]

    def test_every_class_the_service_maps_comes_back(self) -> None:
        """Each (class, status, code) of the service's table is rebuilt as that class."""
        for cls, status, code in ERROR_STATUS:
            back = error_from_response(status, error_body(status, code, "m"), URL)
            assert type(back) is cls, (cls, code)

    def test_every_domain_error_code_is_known(self) -> None:
        """Every code a domain error is raised with in the source has its class here, so a
        new code cannot come back as a bare CorridorError unnoticed."""
        raised = set()
        for path in SRC.rglob("*.py"):
            if "client" in path.parts or "service" in path.parts or "cli" in path.parts:
                continue
            raised |= set(re.findall(r'code="([a-z-]+)"', path.read_text(encoding="utf-8")))
        assert raised and raised <= set(BY_CODE), raised - set(BY_CODE)


class TestOtherAnswers:
    def test_a_status_without_the_envelope(self) -> None:
        back = error_from_response(502, b"<html>Bad Gateway</html>", URL)
        assert type(back) is CorridorError
        assert str(back) == f"the answer is not corridor's error envelope (server {URL}, HTTP 502)"

    @pytest.mark.parametrize(
        ("status", "cls"),
        [(404, NotFoundError), (422, InputError), (503, StoreError), (401, AuthenticationError),
         (403, AccessError), (418, CorridorError)],
    )
    def test_an_unknown_code_falls_back_on_the_status(
        self, status: int, cls: type[CorridorError]
    ) -> None:
        back = error_from_response(status, error_body(status, "made-up", "m"), URL)
        assert type(back) is cls and back.code == "made-up"

    def test_service_codes_keep_their_code(self) -> None:
        back = error_from_response(401, error_body(401, "unauthenticated", "no token"), URL)
        assert back.code == "unauthenticated" and "no token" in str(back)

    def test_a_message_is_one_line(self) -> None:
        back = error_from_response(422, error_body(422, "invalid-input", "a\nb\r\n  c"), URL)
        assert str(back).startswith("a b c (server")

    def test_unreachable_is_one_line_naming_the_url(self) -> None:
        exc = unreachable(URL, "[Errno 111]\nConnection refused")
        want = f"cannot reach the corridor server at {URL}: [Errno 111] Connection refused"
        assert str(exc) == want
        assert exc.code == "server-unreachable" and exc.subject == URL
