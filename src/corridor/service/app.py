"""The HTTP API: :func:`create_app` builds one FastAPI application over a :class:`Corridor`.

Every route lives under ``/v1`` in one router module per resource (``service/routes/``); the
C2SP tlog-tiles paths live under ``/v1/log/``. The application is opened once per worker
process, when the service starts, and closed when it stops; routes are plain functions run in
the thread pool, each use case reading the database afresh (several workers may write); the
dependencies every request passes are coroutines (no thread-pool hop each: service/deps.py).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from corridor import __version__
from corridor.app import Corridor
from corridor.app.settings import Settings
from corridor.service.auth import identify
from corridor.service.config import ServiceConfig
from corridor.service.dashboard import install_dashboard
from corridor.service.docs import install_docs
from corridor.service.errors import error_responses, install_error_handlers
from corridor.service.limits import BodyLimit, RateLimiter
from corridor.service.publish import Publisher
from corridor.service.watches import Watcher

__all__ = ["ROUTERS", "create_app", "from_env"]

#: Router modules, each exposing ``router`` (an APIRouter); keep sorted, one line per module.
ROUTERS: list[str] = [
    "admin",
    "cases",
    "commitments",
    "crossings",
    "entries",
    "keys",
    "log",
    "meta",
    "observations",
    "registry",
    "releases",
    "reports",
    "review",
    "situation",
    "summary",
    "supply",
    "tokens",
    "watches",
]

#: Errors any route may answer: a body that does not parse, a bad token on any request, invalid
#: input, the rate limit.
COMMON_ERRORS = error_responses(400, 401, 422, 429)

DESCRIPTION = """\
One record of what moves through contested corridors and checkpoints, shared by many
organisations. Every observation is signed by the organisation that reports it (the server never
holds its key) and appended to a transparency log (RFC 9162, C2SP checkpoints and tiles).

Errors share one envelope: `{"error": {"status", "code", "message", "subject"}}`.

Access: published reads need no token. Writes need `Authorization: Bearer <token>` (made with
`corridor token create`): **admin** (the registry, keys, tokens, the admin record), **reporter**
(submit entries first-signed by its own organisation's registered key), **reader**, **witness**.
A missing or bad token is a 401, a token whose role does not allow the request a 403. Requests
are rate-limited per token (per client address without one): 429 with `Retry-After`.
"""


GC_THRESHOLD = (10_000, 10, 10)
"""The cyclic collector's thresholds in a worker (Python's default: 700, 10, 10)."""


def _tune_gc() -> None:
    """Keep the cyclic garbage collector's pauses out of the answers' tail latency.

    A request allocates thousands of short-lived objects that reference counting frees; at the
    default thresholds the collector still ran a full collection every few hundred reads,
    scanning everything the worker had loaded (26 ms measured over a page and a situation
    read, against 0.5 ms for a young collection). What the worker loaded at start-up is frozen
    out of every collection, and young collections run after 10,000 allocations instead of 700
    (measured: no full collection in 300 reads; python -m corridor.bench service-reads)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def create_app(
    settings: Settings | None = None, config: ServiceConfig | None = None, *, tune_gc: bool = False
) -> FastAPI:
    """The service over ``settings`` (default: read from the environment, once); with
    ``tune_gc`` (a worker process of its own) the garbage collector is tuned for it when it
    starts (:func:`_tune_gc`)."""
    settings = settings or Settings.load()
    config = config or ServiceConfig.load()

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        corridor = Corridor(settings)
        corridor.store  # noqa: B018 - open the database now, not in the first request
        if tune_gc:
            _tune_gc()
        api.state.corridor = corridor
        publisher = Publisher(corridor, config.witness_interval)  # checkpoints to witnesses
        api.state.publisher = publisher
        publisher.start()
        watcher = Watcher(  # watches evaluated, webhooks delivered
            corridor, config.watch_interval, allow_private=config.watch_private
        )
        api.state.watcher = watcher
        watcher.start()
        try:
            yield
        finally:
            watcher.close()
            publisher.close()
            corridor.close()

    api = FastAPI(
        title="corridor",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from vendored files by install_docs, not from a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
        # every request: its token checked, its rate counted (corridor.service.auth)
        dependencies=[Depends(identify)],
    )
    api.state.settings = settings
    api.state.config = config
    api.state.limiter = RateLimiter(config.rate_limit)
    install_error_handlers(api)
    install_docs(api)
    for name in ROUTERS:
        module = importlib.import_module(f"corridor.service.routes.{name}")
        api.include_router(module.router, responses=COMMON_ERRORS)
    install_dashboard(api)  # last: "/" takes what no route took
    if config.cors_origins:
        api.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Link", "X-Next-After"],
        )
    api.add_middleware(BodyLimit, max_body=config.max_body)
    return api


def from_env() -> FastAPI:
    """The factory Uvicorn calls in each worker process (settings from the environment)."""
    return create_app(tune_gc=True)
