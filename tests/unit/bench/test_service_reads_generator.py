"""The service-reads benchmark's load generator against a small HTTP/1.1 server in a thread
(no timing is asserted beyond what the server's own delay forces)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from corridor.bench.service_reads import max_rate, open_loop

DELAY = 0.05


class _Server:
    """Answers ``GET /ok`` (200), ``GET /slow`` (200 after DELAY s), anything else 500; with
    ``close_after`` it closes each connection after its answer, as a server whose keep-alive
    timeout has passed."""

    def __init__(self, *, close_after: bool = False) -> None:
        self.close_after = close_after
        self.connections = 0
        self.requests = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0
        self.writers: set[asyncio.StreamWriter] = set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                target = head.split(b" ")[1]
                if target == b"/slow":
                    await asyncio.sleep(DELAY)
                status = b"200 OK" if target in (b"/ok", b"/slow") else b"500 Oops"
                writer.write(b"HTTP/1.1 " + status + b"\r\ncontent-length: 2\r\n\r\nok")
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        self.writers.discard(writer)
        writer.close()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()
        server.close()
        for w in list(self.writers):
            w.close()
        self.loop.run_until_complete(server.wait_closed())
        self.loop.run_until_complete(asyncio.sleep(0))
        self.loop.close()

    def __enter__(self) -> _Server:
        self.thread.start()
        self.ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def server() -> Iterator[_Server]:
    with _Server() as s:
        yield s


def test_open_loop_sends_every_request_and_measures_from_when_it_was_due(
    server: _Server,
) -> None:
    """40 requests due every 5 ms to a route answering after 50 ms: each latency is at least
    the server's delay (measured from when it was due), and since a slow answer holds no later
    request back, the generator opens connections as it needs them (several, not one)."""
    lat, late = open_loop(server.port, lambda i: "/slow", rate=200, seconds=0.2)
    assert len(lat) == len(late) == 40 == server.requests
    assert min(lat) >= DELAY - 0.005  # (a timer may fire up to a millisecond early)
    assert all(x >= 0 for x in late)
    assert server.connections > 1


def test_a_connection_the_server_closed_is_replaced() -> None:
    """A server that closes each idle connection (keep-alive timeout): every request is still
    answered, on a new connection."""
    with _Server(close_after=True) as s:
        lat, _ = open_loop(s.port, lambda i: "/ok", rate=100, seconds=0.2)
        assert len(lat) == 20 == s.requests
        assert s.connections == 20
        assert max_rate(s.port, lambda i: "/ok", seconds=0.2, clients=2) > 0


def test_max_rate_counts_answers(server: _Server) -> None:
    assert max_rate(server.port, lambda i: "/ok", seconds=0.2, clients=3) > 0
    assert server.connections == 3


def test_an_error_answer_stops_the_run(server: _Server) -> None:
    with pytest.raises(RuntimeError, match="500"):
        open_loop(server.port, lambda i: "/missing", rate=100, seconds=0.05)
    with pytest.raises(RuntimeError, match="500"):
        max_rate(server.port, lambda i: "/missing", seconds=0.1, clients=1)
