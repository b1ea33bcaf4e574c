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
import threading

from fastapi import Request

from corridor.app import Corridor

__all__ = ["Watcher", "watch_later"]

log = logging.getLogger("corridor.watches")


class Watcher:
    """One background thread per worker evaluating watches and delivering webhooks."""

    def __init__(self, corridor: Corridor, interval: float, *, allow_private: bool) -> None:
        self.corridor = corridor
        self.interval = interval
        self.allow_private = allow_private
        self.rounds = 0  # completed rounds (for tests and logs)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="corridor-watches", daemon=True)

    def start(self) -> None:
        self._wake.set()
        self._thread.start()

    def request(self) -> None:
        """Evaluate and deliver soon, in the background (returns at once)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval if self.interval > 0 else None)
            if self._stop.is_set():
                return
            self._wake.clear()
            try:
                self.corridor.watches.run(allow_private=self.allow_private)
            except Exception:  # a round must never take the worker down
                log.exception("evaluating watches or delivering their webhooks failed")
            self.rounds += 1

    def close(self, timeout: float = 20.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)


def watch_later(request: Request) -> None:
    """After an append: evaluate the watches and deliver in the background."""
    watcher: Watcher | None = getattr(request.app.state, "watcher", None)
    if watcher is not None:
        watcher.request()
