"""The service's own settings, read once when it starts (beside the application's
:class:`corridor.app.settings.Settings`).

Environment: ``CORRIDOR_CORS_ORIGINS`` (comma-separated origins allowed to call the API from a
browser, e.g. the dashboard's; none by default), ``CORRIDOR_MAX_BODY`` (largest request body
in bytes, default 16 MiB), ``CORRIDOR_RATE_LIMIT`` (requests per minute per token or client
address, default 600; 0 turns it off; each worker process counts on its own, so with N workers
a client may get up to N times as many), ``CORRIDOR_PUBLIC_READS`` (1, the default: published
reads need no token; 0: every read needs a token of any role), ``CORRIDOR_WITNESS_INTERVAL``
(seconds between two sends of the latest checkpoint to the log's witnesses besides the one
after each submission, default 60; 0: only after submissions), ``CORRIDOR_WATCH_INTERVAL``
(seconds between two rounds of watch evaluation and webhook delivery besides the one after each
submission, default 5), ``CORRIDOR_WATCH_PRIVATE`` (0, the default: a webhook to a loopback,
private or link-local address is refused; 1: allowed, for a receiver on the same network).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from corridor.errors import InputError

__all__ = ["ServiceConfig"]

MIB = 1 << 20


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{raw!r} is not a whole number", where=name) from None
    if not lo <= value <= hi:
        raise InputError(f"{value} is not between {lo} and {hi}", where=name)
    return value


@dataclass(frozen=True)
class ServiceConfig:
    cors_origins: tuple[str, ...] = ()
    max_body: int = 16 * MIB
    rate_limit: int = 600
    public_reads: bool = True
    witness_interval: int = 60
    watch_interval: int = 5
    watch_private: bool = False

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> ServiceConfig:
        env = os.environ if environ is None else environ
        raw = env.get("CORRIDOR_CORS_ORIGINS", "")
        origins = tuple(o.strip() for o in raw.split(",") if o.strip())
        return cls(
            cors_origins=origins,
            max_body=_int(env, "CORRIDOR_MAX_BODY", 16 * MIB, 1024, 1024 * MIB),
            rate_limit=_int(env, "CORRIDOR_RATE_LIMIT", 600, 0, 10**7),
            public_reads=bool(_int(env, "CORRIDOR_PUBLIC_READS", 1, 0, 1)),
            witness_interval=_int(env, "CORRIDOR_WITNESS_INTERVAL", 60, 0, 86400),
            watch_interval=_int(env, "CORRIDOR_WATCH_INTERVAL", 5, 0, 86400),
            watch_private=bool(_int(env, "CORRIDOR_WATCH_PRIVATE", 0, 0, 1)),
        )
