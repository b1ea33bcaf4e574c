"""Helpers for testing corridor and tools built on it (used by corridor's own test suite).

:class:`Cli` runs ``corridor`` commands in this process, as a user would type them, and
returns (exit code, stdout, stderr): the CLI's error translation included, so a test sees the
one-line message and exit code a user would. :class:`Server` runs ``corridor serve`` as a
separate process on a free port of 127.0.0.1 (for API tests and benchmarks).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

__all__ = ["Capture", "Cli", "Server", "free_port"]


class Capture(Protocol):
    """What pytest's ``capsys`` fixture offers."""

    def readouterr(self) -> Any: ...


class Cli:
    """``corridor`` in-process, in a working folder ``tmp`` (database ``tmp/corridor.db``)."""

    def __init__(self, tmp: Path, capsys: Capture) -> None:
        self.tmp = tmp
        self.capsys = capsys
        self.db = str(tmp / "corridor.db")

    def __call__(self, *args: str) -> tuple[int, str, str]:
        from corridor.cli.app import main

        self.capsys.readouterr()
        code = main([*args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def rows(self) -> int:
        """How many observations the SQLite record holds (read directly, not through corridor)."""
        import sqlite3

        with sqlite3.connect(self.db) as conn:
            return int(conn.execute("SELECT count(*) FROM observations").fetchone()[0])

    def json(self, *args: str) -> Any:
        """Run with ``--json``; the command must succeed."""
        code, out, err = self(*args, "--json")
        assert code == 0, err
        return json.loads(out)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``corridor serve --db DB --keys KEYS`` as a separate process on a free port of
    127.0.0.1, started on entering (once ``/v1/health`` answers) and stopped on leaving.

    The process sees no ``CORRIDOR_*`` variable of the caller's but ``extra_env``; its output
    goes to ``log`` (a file path), where a failed start is read from.
    """

    def __init__(
        self,
        db: str,
        keys: str | Path,
        log: str | Path,
        *,
        workers: int = 1,
        extra_env: dict[str, str] | None = None,
        startup: float = 60.0,
    ) -> None:
        self.db, self.keys, self.log = db, Path(keys), Path(log)
        self.workers = workers
        self.extra_env = extra_env or {}
        self.startup = startup
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._out: IO[bytes] | None = None
        self.token: str | None = None  # a token a test made for it, if any

    def start(self) -> Server:
        import httpx

        env = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
        env.update(self.extra_env)
        self._out = self.log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "corridor.cli.app", "serve", "--db", self.db,
             "--keys", str(self.keys), "--port", str(self.port),
             "--workers", str(self.workers), "--log-level", "warning"],
            stdout=self._out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + self.startup
        while True:
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"corridor serve did not start: {self.log.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server (SIGINT, as Ctrl-C; killed if it has not stopped in 15 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._out is not None:
            self._out.close()
            self._out = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
