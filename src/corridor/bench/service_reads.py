"""Benchmark of the service's reads: a page of 100 observations and the situation answer,
served by ``corridor serve`` over a record of N synthetic observations.

    python -m corridor.bench service-reads [--size 100000] [--seconds 5] [--json]
    python -m corridor.bench service-reads --size 1000000        # the issue's figure

The record is the scale benchmark's (``corridor.bench.scale.build``: hourly crossing counts at a
made-up checkpoint, signed with a key generated for the benchmark, built once through the
normal append path and cached under the system temp folder). For each request:

1. the **maximum rate**: closed loop, :data:`CLIENTS` threads each sending the next request as
   soon as the last is answered, for ``--seconds``; answers per second;
2. **latency at half that rate**, open loop: requests are due at fixed intervals (1 / rate),
   sent by a pool of threads large enough never to wait for one another, and each latency is
   measured from when the request was due (a slow answer delays none that follow and hides
   no queueing); p50, p99 and the ratio p99 / 50 ms (the goal: at most 1);
3. the **same query in-process** (the application over the same database, the answer's JSON
   made, no HTTP): the median, and the ratio HTTP p50 / in-process.

SQLite has one writer, so ``corridor serve`` runs one worker on it: every figure is the
one-worker figure. The load generator runs on the same machine as the server and takes CPU from
it; the load average is printed with the figures. Pages start at random log indexes
(``after=``), so they do not all come from the same cached pages of the database.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_SIZE = 100_000
CLIENTS = 8
OPEN_LOOP_THREADS = 32
GOAL_P99_S = 0.050
PAGE = 100


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _record_end(db: Path) -> tuple[datetime, int]:
    """The instant just after the record's last observation, and the record's size."""
    import sqlite3

    with sqlite3.connect(str(db)) as raw:
        last_us, n = raw.execute("SELECT max(start_us), count(*) FROM observations").fetchone()
    at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(last_us) + 3_600_000_000)
    return at, int(n)


def max_rate(url: Callable[[int], str], seconds: float, clients: int = CLIENTS) -> float:
    """Answers per second with ``clients`` threads sending back to back (closed loop)."""
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


def open_loop(url: Callable[[int], str], rate: float, seconds: float) -> list[float]:
    """Latencies (s) of requests due every 1 / ``rate`` s for ``seconds``, each measured from
    when it was due."""
    import httpx

    n = max(1, int(rate * seconds))
    start = time.perf_counter() + 0.5
    latencies: list[float] = [0.0] * n
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
    return latencies


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


def in_process(db: Path, keys: Path, at: datetime, size: int, n: int = 50) -> dict[str, float]:
    """Median seconds of the same two answers through the application, JSON made, no HTTP."""
    from corridor.app import Corridor, shapes
    from corridor.store.api import Query

    rng = random.Random(7)
    out: dict[str, float] = {}
    with Corridor.open(str(db), keys) as app:

        def page() -> None:  # what the route serves: the page made from the stored bytes
            app.observations.page_json(Query(after=rng.randrange(size - PAGE)), PAGE)

        def situation() -> None:
            json.dumps(shapes.situation(app.situation.at(at)[0]))

        for name, fn in (("page", page), ("situation", situation)):
            fn()  # warm
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            out[name] = statistics.median(times)
    return out


def measure(db: Path, keys: Path, seconds: float) -> dict[str, Any]:
    from corridor.testing import Server

    at, size = _record_end(db)
    rng = random.Random(11)
    afters = [rng.randrange(size - PAGE) for _ in range(1 << 16)]
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    results: dict[str, Any] = {"size": size, "at": stamp, "workers": 1, "requests": {}}
    # the benchmark measures the service, not its per-client rate limit (CORRIDOR_RATE_LIMIT)
    no_limit = {"CORRIDOR_RATE_LIMIT": "0"}
    with Server(str(db), keys, db.parent / "serve.log", extra_env=no_limit) as server:
        paths: dict[str, Callable[[int], str]] = {
            "page of 100 observations": lambda i: (
                f"{server.url}/v1/observations?limit={PAGE}&after={afters[i & 0xFFFF]}"
            ),
            "situation": lambda i: f"{server.url}/v1/situation?at={stamp}",
        }
        for name, url in paths.items():
            _log(f"{name}: warming up, then the maximum rate ({seconds:g} s, {CLIENTS} clients)")
            max_rate(url, min(1.0, seconds), clients=2)
            rate = max_rate(url, seconds)
            _log(f"  {rate:,.0f} /s; open loop at half of it ({2 * seconds:g} s)")
            lat = open_loop(url, rate / 2, 2 * seconds)
            results["requests"][name] = {
                "max_rate_per_s": rate,
                "open_loop_rate_per_s": rate / 2,
                "requests": len(lat),
                "p50_ms": _quantile(lat, 0.5) * 1e3,
                "p99_ms": _quantile(lat, 0.99) * 1e3,
                "max_ms": max(lat) * 1e3,
            }
    _log("the same answers in-process")
    local = in_process(db, keys, at, size)
    for name, key in (("page of 100 observations", "page"), ("situation", "situation")):
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
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if args.size < 2 * PAGE:
        ap.error(f"--size must be at least {2 * PAGE}")
    from corridor.bench.scale import build

    root = Path(args.cache or Path(tempfile.gettempdir()) / "corridor-bench-scale")
    db = build(args.size, root)
    load_before = os.getloadavg()
    results = measure(db, db.parent / "keys", args.seconds)
    results["load_average_before"] = load_before
    results["load_average"] = os.getloadavg()
    results["cpus"] = os.cpu_count()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"service reads over {results['size']:,} observations (SQLite, 1 worker; "
          f"synthetic data), situation at {results['at']}")  # fmt: skip
    print(f"{'request':26} {'max /s':>8} {'at /s':>7} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'p99/50ms':>8} {'in-proc ms':>10} {'p50/in-proc':>11}")  # fmt: skip
    for name, r in results["requests"].items():
        print(f"{name:26} {r['max_rate_per_s']:>8,.0f} {r['open_loop_rate_per_s']:>7,.0f} "
              f"{r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['p99_over_goal']:>8.2f} "
              f"{r['in_process_ms']:>10.1f} {r['p50_over_in_process']:>11.1f}")  # fmt: skip
    la, lb = results["load_average"], results["load_average_before"]
    print(f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} at the end "
          f"({lb[0]:.2f} {lb[1]:.2f} {lb[2]:.2f} before) on {results['cpus']} cores; "
          "the load generator shares them")  # fmt: skip
    return 0
