"""A server's answers turned back into corridor's own errors.

The service answers every failure in one envelope, ``{"error": {"status", "code", "message",
"subject"}}`` (``corridor.service.errors``). :func:`error_from_response` rebuilds the
:class:`~corridor.errors.CorridorError` subclass the server raised, from the envelope's code
(its own code, or a domain error's: ``no-signing-key``, ``key-not-registered``...) and else from
the HTTP status; the message is the server's, followed by where it came from. A connection that
fails is :func:`unreachable`: one line naming the URL.

Every error rebuilt here carries ``server`` (the base URL), so a face knows it concerns the
server's record and not a local one (the CLI does not suggest local commands for it); those
rebuilt from an answer also carry ``status`` and ``server_message`` (the envelope's message).
"""

from __future__ import annotations

import json
from typing import Any

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

__all__ = ["BY_CODE", "BY_STATUS", "error_from_response", "unreachable"]

#: The error class per envelope code: the service's codes per class (``ERROR_STATUS``) and the
#: domain errors' own codes. A test keeps it in step with the service's table.
BY_CODE: dict[str, type[CorridorError]] = {
    "verification-failed": VerificationError,
    "invalid-input": InputError,
    "not-found": NotFoundError,
    "conflict": ConflictError,
    "key-error": SigningKeyError,
    "store-unavailable": StoreError,
    "unauthenticated": AuthenticationError,
    "forbidden": AccessError,
    # codes a domain error carries itself
    "no-signing-key": SigningKeyError,
    "key-not-registered": SigningKeyError,
    "key-rotation": SigningKeyError,
    "no-database": StoreError,
    "schema-missing": StoreError,
    "schema-old": StoreError,
    "no-log": StoreError,
    "no-checkpoint": NotFoundError,
    "not-witnessed": InputError,
    "busy": StoreError,
}

#: The error class per HTTP status, for a code this table does not know.
BY_STATUS: dict[int, type[CorridorError]] = {
    401: AuthenticationError,
    403: AccessError,
    404: NotFoundError,
    409: ConflictError,
    413: InputError,
    422: InputError,
    503: StoreError,
}

_MAX_MESSAGE = 2000


def _one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _build(
    cls: type[CorridorError], message: str, code: str | None, subject: str | None
) -> CorridorError:
    if issubclass(cls, InputError):
        exc: CorridorError = cls(message)
        exc.code, exc.subject = code, subject
    else:
        exc = cls(message, code=code, subject=subject)
    return exc


def error_from_response(status: int, body: bytes | str | Any, server: str) -> CorridorError:
    """The corridor error an error response stands for (``body``: its bytes, or parsed JSON).

    The class comes from the envelope's ``code``, else from ``status``; the message is the
    server's message and, in brackets, the server and the status. A body that is not the
    envelope (a proxy's page, say) still gives one line naming the status.
    """
    doc: Any = body
    if isinstance(body, bytes | str):
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
    err = doc.get("error") if isinstance(doc, dict) else None
    if isinstance(err, dict) and isinstance(err.get("message"), str):
        code = err.get("code") if isinstance(err.get("code"), str) else None
        subject = err.get("subject") if isinstance(err.get("subject"), str) else None
        text = _one_line(err["message"])
    else:
        code, subject = None, None
        text = "the answer is not corridor's error envelope"
    cls = BY_CODE.get(code or "") or BY_STATUS.get(status, CorridorError)
    exc = _build(cls, f"{text} (server {server}, HTTP {status})", code, subject)
    exc.server = server  # type: ignore[attr-defined]
    exc.status = status  # type: ignore[attr-defined]
    exc.server_message = text  # type: ignore[attr-defined]
    return exc


def unreachable(server: str, reason: str) -> StoreError:
    """A server that could not be reached or did not answer: one line naming the URL."""
    exc = StoreError(
        f"cannot reach the corridor server at {server}: {_one_line(reason, 300)}",
        code="server-unreachable",
        subject=server,
    )
    exc.server = server  # type: ignore[attr-defined]
    return exc
