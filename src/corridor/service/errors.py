"""The one JSON error envelope of the HTTP API, built by :func:`error_body` and nothing else.

Every response that is not a success carries::

    {"error": {"status": 404, "code": "not-found", "message": "...", "subject": null}}

``code`` is stable (documented per status in the OpenAPI description); ``message`` is the
domain error's own words (they name fields and rows, never a command-line option). No stack
trace ever reaches a client: an unexpected exception is logged on the server and answered with
a 500 that says only that.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from corridor.errors import (
    AccessError,
    AuthenticationError,
    ConflictError,
    CorridorError,
    InputError,
    NotFoundError,
    SigningKeyError,
    StoreError,
    VerificationError,
)

__all__ = [
    "CHALLENGE",
    "ERROR_STATUS",
    "ApiError",
    "ErrorBody",
    "ErrorEnvelope",
    "error_body",
    "error_responses",
    "install_error_handlers",
    "status_of",
]

log = logging.getLogger("corridor.service")

#: The ``WWW-Authenticate`` challenge of every 401 (RFC 6750).
CHALLENGE = 'Bearer realm="corridor"'

#: HTTP status per domain error class; the first class an error is an instance of wins.
ERROR_STATUS: tuple[tuple[type[CorridorError], int, str], ...] = (
    (VerificationError, 422, "verification-failed"),
    (InputError, 422, "invalid-input"),
    (NotFoundError, 404, "not-found"),
    (ConflictError, 409, "conflict"),
    (SigningKeyError, 422, "key-error"),
    (StoreError, 503, "store-unavailable"),
    (AuthenticationError, 401, "unauthenticated"),
    (AccessError, 403, "forbidden"),
    (CorridorError, 400, "error"),
)

_HTTP_CODES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the service itself raises (authentication, permissions, limits)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        subject: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _HTTP_CODES.get(status, "error")
        self.subject = subject
        self.headers = headers


class ErrorBody(BaseModel):
    """What went wrong: the HTTP status, a stable code, the reason in words, what it concerns."""

    model_config = ConfigDict(extra="allow")

    status: int
    code: str
    message: str
    subject: str | None = None


class ErrorEnvelope(BaseModel):
    """Every error answer: ``{"error": {...}}`` (for the OpenAPI schema; built by
    :func:`error_body`)."""

    error: ErrorBody


_DESCRIPTIONS = {
    400: "A malformed request (a body that does not parse), or one the record cannot take",
    401: "No token, or a token that is unknown, expired or revoked (see WWW-Authenticate)",
    403: "The token's role, scope or organisation does not allow this",
    404: "Not in the record",
    409: "Contradicts what is stored",
    413: "The request body is too large",
    422: "Invalid input: the message names the field or entry and the reason",
    429: "Rate limited: try again after Retry-After seconds",
    500: "The server failed to answer (nothing more is said)",
    503: "The database is unavailable or busy",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the error envelope for ``statuses``."""
    return {s: {"model": ErrorEnvelope, "description": _DESCRIPTIONS[s]} for s in statuses}


def error_body(
    status: int, code: str, message: str, *, subject: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The envelope; the only place an error body is built."""
    body: dict[str, Any] = {"status": status, "code": code, "message": message, "subject": subject}
    body.update(extra)
    return {"error": body}


def status_of(exc: CorridorError) -> tuple[int, str]:
    """The HTTP status and envelope code of a domain error (its own code wins when it has one)."""
    status, code = next((s, c) for cls, s, c in ERROR_STATUS if isinstance(exc, cls))
    return status, exc.code or code


def _response(
    status: int, code: str, message: str, subject: str | None = None,
    headers: dict[str, str] | None = None, **extra: Any,
) -> JSONResponse:  # fmt: skip
    return JSONResponse(
        error_body(status, code, message, subject=subject, **extra), status, headers=headers
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception to the envelope."""

    @app.exception_handler(CorridorError)
    async def _domain(request: Request, exc: CorridorError) -> JSONResponse:
        status, code = status_of(exc)
        headers = {"WWW-Authenticate": CHALLENGE} if status == 401 else None
        return _response(status, code, exc.message, exc.subject, headers)

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        headers = exc.headers
        if exc.status == 401 and not headers:
            headers = {"WWW-Authenticate": CHALLENGE}
        return _response(exc.status, exc.code, exc.message, exc.subject, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or None,
                "reason": e.get("msg", "invalid"),
            }
            for e in exc.errors()
        ]
        first = problems[0] if problems else {"field": None, "reason": "invalid request"}
        where = f"{first['field']}: " if first["field"] else ""
        return _response(
            422, "invalid-input", f"{where}{first['reason']}", first["field"], problems=problems
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        headers = dict(exc.headers) if exc.headers else None
        return _response(exc.status_code, code, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _response(500, "internal-error", "the server failed to answer this request")
