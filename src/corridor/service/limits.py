"""Request limits: the body size, at the ASGI level so that an oversized body is refused before
it is read into memory (by its Content-Length, or as it streams in without one); and the
request rate per token or client address (:class:`RateLimiter`, used by
:func:`corridor.service.auth.identify`)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor.service.errors import error_body

__all__ = ["BodyLimit", "RateLimiter"]


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


class RateLimiter:
    """Token buckets, one per key (a token id, or a client address), in this process.

    Each bucket holds up to ``per_minute`` requests and refills at ``per_minute`` a minute, so a
    client may burst up to a minute's worth and then goes at the rate. Several worker
    processes each keep their own buckets: the limit is per worker. ``per_minute`` 0: no limit.
    """

    #: buckets kept before full (idle) ones are forgotten
    MAX_KEYS = 10_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one request from ``key``'s bucket: 0 when allowed, else the seconds until it
        would be."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self.MAX_KEYS:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        full = [k for k, (n, at) in self._buckets.items()
                if n + (now - at) * self.rate >= self.capacity]  # fmt: skip
        for k in full:
            del self._buckets[k]
