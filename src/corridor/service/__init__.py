"""The HTTP API (FastAPI): ``corridor serve``. See :mod:`corridor.service.app`."""

from corridor.service.app import create_app

__all__ = ["create_app"]
