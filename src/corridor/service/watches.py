"""Evaluating watches and delivering their webhooks from the service, never holding a request
(docs/watches.md).

Each worker process runs one :class:`Watcher` thread, like the checkpoint
:class:`corridor.service.publish.Publisher`: woken by :func:`watch_later` after a route
appended entries, and every ``CORRIDOR_WATCH_INTERVAL`` seconds in any case (retries fall due,
and a verdict judged "now" moves with time). Each round evaluates every watch and sends the
deliveries that are due (``app.watches.run``). Rounds in several workers do not send an event
twice: deliveries are unique per (watch, event) and claimed before each attempt. A failure is
logged (logger ``corridor.watches``); nothing here raises into a request.
"""

from __future__ import annotations

import logging

from fastapi import Request

from corridor.app import Corridor
from corridor.service.background import Background

__all__ = ["Watcher", "watch_later"]

log = logging.getLogger("corridor.watches")


class Watcher(Background):
    """One background thread per worker evaluating watches and delivering webhooks."""

    def __init__(self, corridor: Corridor, interval: float, *, allow_private: bool) -> None:
        self.corridor = corridor
        self.allow_private = allow_private
        super().__init__(
            "corridor-watches", interval,
            lambda: corridor.watches.run(allow_private=self.allow_private), log=log,
            failure="evaluating watches or delivering their webhooks failed",
        )  # fmt: skip


def watch_later(request: Request) -> None:
    """After an append: evaluate the watches and deliver in the background."""
    watcher: Watcher | None = getattr(request.app.state, "watcher", None)
    if watcher is not None:
        watcher.request()
