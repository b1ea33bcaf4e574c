"""``corridor witness serve``: a C2SP tlog-witness as a small ASGI application of its own.

    POST /add-checkpoint    old size line, proof lines, empty line, signed checkpoint
                            → 200 text/plain: the cosignature line
                            → 409 text/x.tlog.size: the size it last cosigned, and a newline
                            → 400 / 403 / 404 / 422 text/plain: why it refused
    GET  /                  text/plain: the witness's verifier key and the logs it follows

It holds no database: only its cosignature key, the verifier keys of the logs it follows, and
its state file (what it last cosigned per log), updated under one lock before each answer. There
is no authentication beyond the log's signature on the checkpoint, as the spec says.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from corridor.app.witness import HostedWitness
from corridor.errors import CorridorError
from corridor.ledger.witnessing import (
    MAX_REQUEST_BYTES,
    SIZE_CONTENT_TYPE,
    WitnessRefusal,
    format_size,
)
from corridor.service.limits import BodyLimit

__all__ = ["create_witness_app"]

log = logging.getLogger("corridor.witness")


def create_witness_app(witness: HostedWitness) -> BodyLimit:
    """The ASGI application of one witness."""

    def add_checkpoint(body: bytes) -> Response:
        try:
            lines = witness.add_checkpoint(body)
        except WitnessRefusal as exc:
            if exc.status == 409 and exc.size is not None:
                log.info("409: %s", exc.message)
                # exactly this type, with no charset parameter (Starlette would add one)
                return Response(
                    format_size(exc.size), 409, headers={"Content-Type": SIZE_CONTENT_TYPE}
                )
            if exc.status in (403, 422):  # may be evidence of a misbehaving log: keep it
                log.warning("%d: %s", exc.status, exc.message)
            return PlainTextResponse(exc.message + "\n", exc.status)
        except CorridorError as exc:  # e.g. the state file cannot be written: no cosignature
            log.error("cannot answer: %s", exc.message)
            return PlainTextResponse("the witness cannot answer now\n", 503)
        log.info("cosigned: %s", lines.decode().strip())
        return Response(lines, 200, media_type="text/plain; charset=utf-8")

    async def post(request: Request) -> Response:
        body = await request.body()
        # the state file is written under a lock and flushed to disk: not on the event loop
        return await run_in_threadpool(add_checkpoint, body)

    async def about(request: Request) -> Response:
        lines = [f"witness {witness.vkey}", *(f"log {v.vkey}" for v in witness.logs.values())]
        return PlainTextResponse("\n".join(lines) + "\n")

    app = Starlette(
        routes=[
            Route("/add-checkpoint", post, methods=["POST"]),
            Route("/", about, methods=["GET"]),
        ]
    )
    return BodyLimit(app, max_body=MAX_REQUEST_BYTES)
