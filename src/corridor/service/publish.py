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

from fastapi import Request

from corridor.app import Corridor
from corridor.service.background import Background

__all__ = ["Publisher", "publish_later"]

log = logging.getLogger("corridor.witnesses")


class Publisher(Background):
    """One background thread per worker sending checkpoints to the log's witnesses."""

    def __init__(self, corridor: Corridor, interval: float) -> None:
        self.corridor = corridor
        super().__init__(
            "corridor-witnesses", interval, lambda: corridor.log.publish(), log=log,
            failure="sending the checkpoint to the log's witnesses failed",
        )  # fmt: skip

    @property
    def pushes(self) -> int:
        """Completed pushes (for tests and logs)."""
        return self.rounds


def publish_later(request: Request) -> None:
    """After an append: send the new checkpoint to the log's witnesses in the background."""
    publisher: Publisher | None = getattr(request.app.state, "publisher", None)
    if publisher is not None:
        publisher.request()
