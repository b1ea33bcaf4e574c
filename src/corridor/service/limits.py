"""Request size limits, at the ASGI level so that an oversized body is refused before it is
read into memory (by its Content-Length, or as it streams in without one)."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor.service.errors import error_body

__all__ = ["BodyLimit"]


class _TooLarge(HTTPException):
    """Raised while the body streams in; FastAPI passes HTTP exceptions through unchanged."""


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            error_body(413, "too-large", f"the request body is over {self.max_body} bytes")
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = dict(scope.get("headers", ()))
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_large = int(length) > self.max_body
            except ValueError:
                too_large = False
            if too_large:
                await self._refuse(send)
                return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge(413, f"the request body is over {self.max_body} bytes")
            return message

        await self.app(scope, limited_receive, send)
