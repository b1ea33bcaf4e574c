"""Sending a checkpoint to a C2SP tlog-witness over HTTP: ``POST <prefix>/add-checkpoint``.

Only the transport lives here (the request body, the checks of the answer and what to do with it
are :mod:`corridor.ledger.witnessing` and :mod:`corridor.app.witnesses`): the answer's status,
content type and body, read up to a bound; a witness that cannot be reached is
:class:`WitnessUnavailable`.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from corridor.errors import CorridorError

__all__ = ["MAX_ANSWER_BYTES", "TIMEOUT", "Answer", "WitnessUnavailable", "add_checkpoint"]

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_ANSWER_BYTES = 64 << 10
"""A witness's answer is a few signature lines; more than this is not read."""


class WitnessUnavailable(CorridorError):
    """The witness could not be reached, or did not answer in time."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def add_checkpoint(prefix: str, body: bytes, client: httpx.Client) -> Answer:
    """POST ``body`` to ``<prefix>/add-checkpoint`` and return the answer."""
    url = prefix.rstrip("/") + "/add-checkpoint"
    try:
        with client.stream(
            "POST", url, content=body, headers={"Content-Type": "text/plain; charset=utf-8"},
            follow_redirects=False,
        ) as r:  # fmt: skip
            data = bytearray()
            for chunk in r.iter_bytes():
                data += chunk
                if len(data) > MAX_ANSWER_BYTES:
                    break
            ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
            return Answer(r.status_code, ctype, bytes(data[:MAX_ANSWER_BYTES]))
    except httpx.HTTPError as exc:
        raise WitnessUnavailable(f"{url}: {exc or type(exc).__name__}") from None
