"""The guarded page of the browser tests (imported by conftest.py and the tests)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

__all__ = ["LOCAL_HOSTS", "GuardedPage"]

LOCAL_HOSTS = frozenset({"127.0.0.1"})


class GuardedPage:
    """A page and what went wrong on it: console errors, page errors, requests leaving the host."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.route("**/*", self._route)

    def _console(self, msg: Any) -> None:
        if msg.type == "error":
            self.errors.append(f"console error: {msg.text} ({msg.location})")

    def _route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()
