"""What a route depends on: the application, opened once per worker process."""

from __future__ import annotations

from fastapi import Request

from corridor.app import Corridor

__all__ = ["corridor_app"]


async def corridor_app(request: Request) -> Corridor:
    """The worker's application (opened when the service starts, closed when it stops).

    A coroutine, as are the other dependencies that do no I/O (corridor.service.auth): FastAPI
    runs a plain function dependency in its thread pool, one hop to a pool thread and back
    per dependency per request; each hop waits for a thread and the GIL, which on a busy
    machine added tens of milliseconds to a read's tail (python -m corridor.bench
    service-reads)."""
    app: Corridor = request.app.state.corridor
    return app
