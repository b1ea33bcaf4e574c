"""Benchmark of the service's reads: a page of 100 observations and the situation answer,
served by ``corridor serve`` over a record of N synthetic observations.

    python -m corridor.bench service-reads [--size 100000] [--seconds 5] [--json]
    python -m corridor.bench service-reads --size 1000000        # the issue's figure

The record is the scale benchmark's (``corridor.bench.scale.build``: hourly crossing counts at a
made-up checkpoint, signed with a key generated for the benchmark, built once through the
normal append path and cached under the system temp folder). Three requests: a page of 100
from a random log index; the situation at the record's end, asked again and again (the worker
keeps its answer while the record is unchanged: ``app.situation.at_json``); and the situation
at a new instant each request (a second earlier each time: always made afresh). For each:

1. the **maximum rate**: closed loop, :data:`CLIENTS` connections each sending the next request
   as soon as the last is answered, for ``--seconds``; answers per second, and the server's
   CPU time per answer (from /proc);
2. **latency at half that rate**, open loop: requests are due at fixed intervals (1 / rate),
   each sent when due on an idle connection or a new one (a slow answer delays none that
   follow and hides no queueing), and each latency is measured from when the request was due;
   p50, p99, the ratio p99 / 50 ms (the goal: at most 1), how late the generator sent its
   requests (p99; part of the latency) and its CPU time per request;
3. the **floor**: the same open loop at the page's rate against ``/v1/health`` (one small
   query), what the generator and the HTTP stack alone cost on this machine at that moment;
4. the **same query in-process** (the application over the same database, the answer's JSON
   made, no HTTP): the median, and the ratio HTTP p50 / in-process.

The load generator is one thread running asyncio that writes HTTP/1.1 requests on keep-alive
connections and reads each answer to its Content-Length (about 0.3 ms of CPU per request).
``--generator threads`` runs the one measured before: 8 (closed loop) or 32 (open loop) Python
threads each with an httpx client, 1.6-3.5 ms of CPU per request; on the 2-core machine its
threads' own wait for the GIL and for a core was the tail it reported. At 1,000,000
observations, load average 2.1-3.1, in one session (20:42-20:45): against ``/v1/health`` at
173 /s its own floor was p99 291 ms, requests sent 201 ms late (p99), where the asyncio
generator's floor at 159-219 /s was p99 7.3-8.5 ms, sent 2.2-2.7 ms late.

What the tail was (measured with a timing middleware and every thread-pool hop timed, at
1,000,000 observations, load average 4 with another process using a core, the threads
generator): the generator sending late (p99 20-124 ms), requests waiting to be read (p99
30-38 ms) and, in the server, the four thread-pool hops of a public read (three
plain-function dependencies and the route): the waits for a pool thread and back for the GIL
summed to p99 57-109 ms, with a server p99 of 78-126 ms, against p99 1.5-2.5 ms of the event
loop's own work and 25-57 ms in the route. The dependencies are now coroutines (one hop); that
change's effect on p99 is within this machine's noise. The worker's background threads (a
watch round 0.5-0.9 ms, a witness push 0.2 ms once started) and the garbage collector (tuned,
service/app.py) were not it. With the asyncio generator and one more CPU-bound process started
beside it, the p99 of every variant tried (the thread pool, the dependencies on the event loop,
one read thread) ranged from 12 to 150 ms between runs, and the one read thread once fell
behind (p50 2 s): the server then queues for a core, and keeps the thread pool.

Measured at 1,000,000 observations, one session, load average 2.2-5.1 (docs/service.md has
every run): the page p99 14-20 ms in 2 of 3 runs (62 ms at load 5.1), the situation at a new
instant p99 38-44 ms, the repeated situation, at half a maximum of 498-685 /s, p99 72-194 ms:
at that rate, beside the machine's other work, the server queues for a core.

SQLite has one writer, so ``corridor serve`` runs one worker on it: every figure is the
one-worker figure. The load generator runs on the same machine as the server and takes CPU from
it; the load average is printed with the figures. Pages start at random log indexes
(``after=``), so they do not all come from the same cached pages of the database.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_SIZE = 100_000
CLIENTS = 8
OPEN_LOOP_THREADS = 32
GOAL_P99_S = 0.050
PAGE = 100
HOST = "127.0.0.1"
STAMP = "%Y-%m-%dT%H:%M:%SZ"
#: the situation at an instant no request asked before (a second earlier each time): the
#: answer is made afresh, never taken from what the worker kept
NEW_INSTANT = "situation, new instant"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _record_end(db: Path) -> tuple[datetime, int]:
    """The instant just after the record's last observation, and the record's size."""
    import sqlite3

    with sqlite3.connect(str(db)) as raw:
        last_us, n = raw.execute("SELECT max(start_us), count(*) FROM observations").fetchone()
    at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(last_us) + 3_600_000_000)
    return at, int(n)


class _Connection:
    """One keep-alive HTTP/1.1 connection to the server: a GET written as bytes, the answer
    read to the end of its ``Content-Length`` (every answer measured here has one)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> _Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def get(self, target: str) -> tuple[int, bytes]:
        self.writer.write(f"GET {target} HTTP/1.1\r\nhost: {HOST}\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"an answer without Content-Length to {target}: {head[:200]!r}")
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


class _Connections:
    """Idle keep-alive connections, reused last-in first-out; a new one when none is idle."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[_Connection] = []
        self.opened = 0

    async def get(self, target: str) -> tuple[int, bytes]:
        while True:
            reused = bool(self.idle)
            if reused:
                conn = self.idle.pop()
            else:
                conn = await _Connection.open(HOST, self.port)
                self.opened += 1
            try:
                answer = await conn.get(target)
            except (asyncio.IncompleteReadError, ConnectionError):
                conn.close()
                if reused:  # the server closed an idle connection (keep-alive timeout): again,
                    continue  # on a new one, the time it takes counted in the latency
                raise
            self.idle.append(conn)
            return answer

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()


def _run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run(main())``, on a thread of its own when this one already runs an event loop
    (e.g. a test session's browser driver)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    out: list[T] = []
    failed: list[BaseException] = []

    def target() -> None:
        try:
            out.append(asyncio.run(main()))
        except BaseException as exc:  # re-raised in the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=target, name="service-reads-generator")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return out[0]


def _check(status: int, body: bytes, errors: list[str]) -> None:
    if status != 200:
        errors.append(f"{status} {body[:200]!r}")


def max_rate(port: int, target: Callable[[int], str], seconds: float,
             clients: int = CLIENTS) -> float:  # fmt: skip
    """Answers per second with ``clients`` connections each sending the next request as soon
    as the last is answered (closed loop), from one thread (asyncio)."""

    async def run() -> float:
        stop = time.perf_counter() + seconds
        ticket = itertools.count()
        count = 0
        errors: list[str] = []

        async def client() -> None:
            nonlocal count
            conns = _Connections(port)
            try:
                while time.perf_counter() < stop and not errors:
                    _check(*await conns.get(target(next(ticket))), errors)
                    count += 1
            finally:
                conns.close()

        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        if errors:
            raise RuntimeError(f"the server answered {errors[0]}")
        return count / (time.perf_counter() - t0)

    return _run(run)


def open_loop(port: int, target: Callable[[int], str], rate: float,
              seconds: float) -> tuple[list[float], list[float]]:  # fmt: skip
    """Latencies (s) of requests due every 1 / ``rate`` s for ``seconds``, each measured from
    when it was due, and how late each was sent (the generator's own delay, part of the
    latency). One thread (asyncio) sends them: each request waits for its due time, takes an
    idle connection or opens one, so a slow answer delays none of those that follow."""
    n = max(1, int(rate * seconds))

    async def run() -> tuple[list[float], list[float]]:
        conns = _Connections(port)
        latencies = [0.0] * n
        late = [0.0] * n
        errors: list[str] = []
        start = time.perf_counter() + 0.5

        async def one(i: int) -> None:
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            late[i] = time.perf_counter() - due
            status, body = await conns.get(target(i))
            latencies[i] = time.perf_counter() - due
            _check(status, body, errors)

        try:
            await asyncio.gather(*(one(i) for i in range(n)))
        finally:
            conns.close()
        if errors:
            raise RuntimeError(f"the server answered {errors[0]}")
        return latencies, late

    return _run(run)


def max_rate_threads(url: Callable[[int], str], seconds: float, clients: int = CLIENTS) -> float:
    """:func:`max_rate` as measured before: ``clients`` threads, each with an httpx client."""
    import httpx

    stop = time.perf_counter() + seconds
    counts = [0] * clients
    errors: list[str] = []
    ticket = itertools.count()

    def run(k: int) -> None:
        with httpx.Client(timeout=60) as c:
            while time.perf_counter() < stop:
                r = c.get(url(next(ticket)))
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:200]}")
                    return
                counts[k] += 1

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"the server answered {errors[0]}")
    return sum(counts) / (time.perf_counter() - t0)


def open_loop_threads(
    url: Callable[[int], str], rate: float, seconds: float
) -> tuple[list[float], list[float]]:
    """:func:`open_loop` as measured before: :data:`OPEN_LOOP_THREADS` threads, each with an
    httpx client (each thread's own wait for the GIL is part of its requests' latency)."""
    import httpx

    n = max(1, int(rate * seconds))
    start = time.perf_counter() + 0.5
    latencies: list[float] = [0.0] * n
    late: list[float] = [0.0] * n
    ticket = itertools.count()
    errors: list[str] = []

    def run() -> None:
        with httpx.Client(timeout=60) as c:
            while True:
                i = next(ticket)
                if i >= n:
                    return
                due = start + i / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                late[i] = time.perf_counter() - due
                r = c.get(url(i))
                latencies[i] = time.perf_counter() - due
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=run) for _ in range(OPEN_LOOP_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"the server answered {errors[0]}")
    return latencies, late


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


def in_process(db: Path, keys: Path, at: datetime, size: int, n: int = 50) -> dict[str, float]:
    """Median seconds of the same answers through the application, JSON made, no HTTP."""
    from corridor.app import Corridor
    from corridor.store.api import Query

    rng = random.Random(7)
    out: dict[str, float] = {}
    ticket = itertools.count(1)
    with Corridor.open(str(db), keys) as app:

        def page() -> None:  # what the route serves: the page made from the stored bytes
            app.observations.page_json(Query(after=rng.randrange(size - PAGE)), PAGE)

        def situation() -> None:  # what the route serves: kept while the record is unchanged
            app.situation.at_json(at)

        def situation_new() -> None:  # a new instant each time: made afresh
            app.situation.at_json(at - timedelta(seconds=next(ticket)))

        for name, fn in (("page", page), ("situation", situation), ("new", situation_new)):
            fn()  # warm
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            out[name] = statistics.median(times)
    return out


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far; None where /proc is not at hand."""
    try:
        with Path(f"/proc/{pid}/stat").open() as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _figures(lat: list[float], late: list[float]) -> dict[str, float]:
    return {
        "requests": len(lat),
        "p50_ms": _quantile(lat, 0.5) * 1e3,
        "p99_ms": _quantile(lat, 0.99) * 1e3,
        "max_ms": max(lat) * 1e3,
        "sent_late_p99_ms": _quantile(late, 0.99) * 1e3,
    }


def measure(db: Path, keys: Path, seconds: float, generator: str = "asyncio") -> dict[str, Any]:
    from corridor.testing import Server

    at, size = _record_end(db)
    rng = random.Random(11)
    afters = [rng.randrange(size - PAGE) for _ in range(1 << 16)]
    stamp = at.strftime(STAMP)
    results: dict[str, Any] = {
        "size": size, "at": stamp, "workers": 1, "generator": generator, "requests": {}
    }
    # the benchmark measures the service, not its per-client rate limit (CORRIDOR_RATE_LIMIT)
    no_limit = {"CORRIDOR_RATE_LIMIT": "0"}
    with Server(str(db), keys, db.parent / "serve.log", extra_env=no_limit) as server:
        assert server.process is not None
        pid = server.process.pid
        targets: dict[str, Callable[[int], str]] = {
            "page of 100 observations": lambda i: (
                f"/v1/observations?limit={PAGE}&after={afters[i & 0xFFFF]}"
            ),
            "situation": lambda i: f"/v1/situation?at={stamp}",
            NEW_INSTANT: lambda i: (
                f"/v1/situation?at={(at - timedelta(seconds=1 + i)).strftime(STAMP)}"
            ),
        }

        def closed(target: Callable[[int], str], secs: float, clients: int = CLIENTS) -> float:
            if generator == "threads":
                return max_rate_threads(lambda i: server.url + target(i), secs, clients)
            return max_rate(server.port, target, secs, clients)

        def opened(
            target: Callable[[int], str], rate: float, secs: float
        ) -> tuple[list[float], list[float]]:
            if generator == "threads":
                return open_loop_threads(lambda i: server.url + target(i), rate, secs)
            return open_loop(server.port, target, rate, secs)

        for name, target in targets.items():
            _log(f"{name}: warming up, then the maximum rate ({seconds:g} s, {CLIENTS} clients)")
            closed(target, min(1.0, seconds), clients=2)
            cpu0 = _cpu_seconds(pid)
            t0 = time.perf_counter()
            rate = closed(target, seconds)
            cpu1 = _cpu_seconds(pid)
            answered = rate * (time.perf_counter() - t0)
            _log(f"  {rate:,.0f} /s; open loop at half of it ({2 * seconds:g} s)")
            g0 = time.process_time()
            lat, late = opened(target, rate / 2, 2 * seconds)
            results["requests"][name] = {
                "max_rate_per_s": rate,
                "open_loop_rate_per_s": rate / 2,
                **_figures(lat, late),
                "server_cpu_ms_per_request": None if cpu0 is None or cpu1 is None
                else (cpu1 - cpu0) / answered * 1e3,
                "generator_cpu_ms_per_request": (time.process_time() - g0) / len(lat) * 1e3,
            }  # fmt: skip
        # the floor: the same generator at the page's rate against the cheapest route
        floor_rate = results["requests"]["page of 100 observations"]["open_loop_rate_per_s"]
        _log(f"the floor: /v1/health at {floor_rate:,.0f} /s ({2 * seconds:g} s)")
        g0 = time.process_time()
        lat, late = opened(lambda i: "/v1/health", floor_rate, 2 * seconds)
        results["floor"] = {
            "route": "/v1/health", "open_loop_rate_per_s": floor_rate, **_figures(lat, late),
            "generator_cpu_ms_per_request": (time.process_time() - g0) / len(lat) * 1e3,
        }  # fmt: skip
    _log("the same answers in-process")
    local = in_process(db, keys, at, size)
    for name, key in (("page of 100 observations", "page"), ("situation", "situation"),
                      (NEW_INSTANT, "new")):  # fmt: skip
        r = results["requests"][name]
        r["in_process_ms"] = local[key] * 1e3
        r["p99_over_goal"] = r["p99_ms"] / (GOAL_P99_S * 1e3)
        r["p50_over_in_process"] = r["p50_ms"] / r["in_process_ms"]
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m corridor.bench service-reads",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--size", type=int, default=DEFAULT_SIZE,
                    help=f"observations in the record [default: {DEFAULT_SIZE:,}; the issue's "
                    "figure: 1000000]")  # fmt: skip
    ap.add_argument("--seconds", type=float, default=5.0,
                    help="length of each maximum-rate run (open-loop runs are twice as long)")
    ap.add_argument("--cache", help="where to keep the built databases")
    ap.add_argument("--generator", choices=("asyncio", "threads"), default="asyncio",
                    help="the load generator: one asyncio thread writing HTTP/1.1 requests "
                    "(default), or the one measured before: threads with httpx "
                    "clients")  # fmt: skip
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if args.size < 2 * PAGE:
        ap.error(f"--size must be at least {2 * PAGE}")
    from corridor.bench.scale import build

    root = Path(args.cache or Path(tempfile.gettempdir()) / "corridor-bench-scale")
    db = build(args.size, root)
    load_before = os.getloadavg()
    results = measure(db, db.parent / "keys", args.seconds, args.generator)
    results["load_average_before"] = load_before
    results["load_average"] = os.getloadavg()
    results["cpus"] = os.cpu_count()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"service reads over {results['size']:,} observations (SQLite, 1 worker; "
          f"synthetic data), situation at {results['at']}; load generator: "
          f"{results['generator']}")  # fmt: skip
    print(f"{'request':26} {'max /s':>8} {'at /s':>7} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'p99/50ms':>8} {'late p99':>8} {'in-proc ms':>10} {'p50/in-proc':>11} "
          f"{'srv cpu ms':>10} {'gen cpu ms':>10}")  # fmt: skip
    for name, r in results["requests"].items():
        cpu = r["server_cpu_ms_per_request"]
        print(f"{name:26} {r['max_rate_per_s']:>8,.0f} {r['open_loop_rate_per_s']:>7,.0f} "
              f"{r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['p99_over_goal']:>8.2f} "
              f"{r['sent_late_p99_ms']:>8.1f} {r['in_process_ms']:>10.1f} "
              f"{r['p50_over_in_process']:>11.1f} {'-' if cpu is None else f'{cpu:.2f}':>10} "
              f"{r['generator_cpu_ms_per_request']:>10.2f}")  # fmt: skip
    f = results["floor"]
    print(f"{'floor: ' + f['route']:26} {'':>8} {f['open_loop_rate_per_s']:>7,.0f} "
          f"{f['p50_ms']:>7.1f} {f['p99_ms']:>7.1f} {'':>8} {f['sent_late_p99_ms']:>8.1f} "
          f"{'':>10} {'':>11} {'':>10} {f['generator_cpu_ms_per_request']:>10.2f}")  # fmt: skip
    la, lb = results["load_average"], results["load_average_before"]
    print(f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} at the end "
          f"({lb[0]:.2f} {lb[1]:.2f} {lb[2]:.2f} before) on {results['cpus']} cores; "
          "the load generator shares them")  # fmt: skip
    return 0
