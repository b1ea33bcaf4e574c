"""What a route depends on: the application, opened once per worker process."""

from __future__ import annotations

from fastapi import Request

from corridor.app import Corridor

__all__ = ["corridor_app"]


def corridor_app(request: Request) -> Corridor:
    """The worker's application (opened when the service starts, closed when it stops)."""
    app: Corridor = request.app.state.corridor
    return app
