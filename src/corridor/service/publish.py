"""Sending the log's checkpoints to its witnesses from the service, never holding a request.

Each worker process runs one :class:`Publisher` thread. It calls ``app.log.publish()`` (send the
latest signed checkpoint, with a consistency proof, to every configured witness, and store the
cosignatures that verify) when woken by :func:`publish_later`, which a route calls after it
appended entries (the submitter has its answer by then), and every ``CORRIDOR_WITNESS_INTERVAL``
seconds in any case, so that a witness that was down catches up without waiting for the next
submission. Wake-ups that arrive during a push coalesce into one more push. A witness that is
down or refuses is logged (logger ``corridor.witnesses``); nothing here raises into a request.
"""

from __future__ import annotations

import logging
import threading

from fastapi import Request

from corridor.app import Corridor

__all__ = ["Publisher", "publish_later"]

log = logging.getLogger("corridor.witnesses")


class Publisher:
    """One background thread per worker sending checkpoints to the log's witnesses."""

    def __init__(self, corridor: Corridor, interval: float) -> None:
        self.corridor = corridor
        self.interval = interval
        self.pushes = 0  # completed pushes (for tests and logs)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="corridor-witnesses", daemon=True)

    def start(self) -> None:
        """Start the thread; its first push is at once (witnesses catch up with a restart)."""
        self._wake.set()
        self._thread.start()

    def request(self) -> None:
        """Push soon, in the background (returns at once)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval if self.interval > 0 else None)
            if self._stop.is_set():
                return
            self._wake.clear()
            try:
                self.corridor.log.publish()
            except Exception:  # a push must never take the worker down
                log.exception("sending the checkpoint to the log's witnesses failed")
            self.pushes += 1

    def close(self, timeout: float = 20.0) -> None:
        """Stop the thread (waiting for a push under way, up to ``timeout`` seconds)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)


def publish_later(request: Request) -> None:
    """After an append: send the new checkpoint to the log's witnesses in the background."""
    publisher: Publisher | None = getattr(request.app.state, "publisher", None)
    if publisher is not None:
        publisher.request()
