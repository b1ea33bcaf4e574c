"""One background thread per worker process that runs a round of work when a route wakes it
(after it appended entries: the submitter has its answer by then) and every ``interval``
seconds in any case. Wake-ups that arrive during a round coalesce into one more round. A round
that fails is logged and the thread goes on: nothing here raises into a request. The witness
publisher (:mod:`corridor.service.publish`) and the watch deliverer
(:mod:`corridor.service.watches`) are two of them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["Background"]


class Background:
    """A thread running ``work`` when woken (:meth:`request`) and every ``interval`` seconds
    (0: only when woken); a failing round is logged on ``log`` with ``failure``."""

    def __init__(
        self,
        name: str,
        interval: float,
        work: Callable[[], object],
        *,
        log: logging.Logger,
        failure: str,
    ) -> None:
        self.interval = interval
        self.rounds = 0  # completed rounds (for tests and logs)
        self._work = work
        self._log = log
        self._failure = failure
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the thread; its first round is at once (a restart catches up)."""
        self._wake.set()
        self._thread.start()

    def request(self) -> None:
        """Run a round soon, in the background (returns at once)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval if self.interval > 0 else None)
            if self._stop.is_set():
                return
            self._wake.clear()
            try:
                self._work()
            except Exception:  # a round must never take the worker down
                self._log.exception(self._failure)
            self.rounds += 1

    def close(self, timeout: float = 20.0) -> None:
        """Stop the thread (waiting for a round under way, up to ``timeout`` seconds)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
