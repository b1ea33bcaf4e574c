"""The dashboard at ``/``: the static files of :mod:`corridor.web`, which read the API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from corridor.web import STATIC

__all__ = ["install_dashboard"]


def install_dashboard(api: FastAPI) -> None:
    """Serve the dashboard at ``/`` (after every route, so ``/v1`` and ``/docs`` keep theirs)."""
    api.mount("/", StaticFiles(directory=STATIC, html=True), name="dashboard")
