"""A static file server on 127.0.0.1 for the browser tests: what any static host does with a
folder (``corridor log export``, a site folder), in a thread of the test process."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["StaticServer"]


class _Quiet(SimpleHTTPRequestHandler):
    """Serves files, logs nothing."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class StaticServer:
    """Serves ``folder`` at ``url`` (http://127.0.0.1:<free port>) while entered."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_Quiet, directory=str(folder))
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> StaticServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
