"""The web dashboard: static files (``static/``, assets vendored at build time, no CDN at run
time) that read the HTTP API when served by ``corridor serve``, or data files beside them when
written as a static folder by ``corridor site DIR``."""

from __future__ import annotations

from pathlib import Path

__all__ = ["STATIC"]

STATIC = Path(__file__).resolve().parent / "static"
