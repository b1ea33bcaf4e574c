"""A published read makes one thread-pool hop: the dependencies every request passes (the
application, the token and rate limit, the read policy) are coroutines, run on the event loop;
FastAPI runs each plain-function dependency in its thread pool (service/deps.py)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from corridor.service.auth import identify, public, published_figures, require
from corridor.service.deps import corridor_app


def _dependencies(d: Dependant) -> Iterator[Dependant]:
    for sub in d.dependencies:
        yield sub
        yield from _dependencies(sub)


def test_the_dependencies_every_request_passes_are_coroutines() -> None:
    for dep in (corridor_app, identify, public, published_figures, require("reader")):
        assert inspect.iscoroutinefunction(dep), dep.__name__


@pytest.mark.parametrize(
    ("module", "path"),
    [("observations", "/v1/observations"), ("situation", "/v1/situation"), ("meta", "/v1/health")],
)
def test_a_published_read_has_no_plain_function_dependency(module: str, path: str) -> None:
    router = importlib.import_module(f"corridor.service.routes.{module}").router
    (route,) = [r for r in router.routes if isinstance(r, APIRoute) and r.path == path]
    calls = [d.call for d in _dependencies(route.dependant) if d.call is not None]
    assert corridor_app in calls
    plain = [getattr(c, "__name__", repr(c)) for c in calls
             if not inspect.iscoroutinefunction(c) and not isinstance(c, HTTPBearer)]  # fmt: skip
    assert plain == [], f"{path}: plain-function dependencies (a thread-pool hop each): {plain}"
