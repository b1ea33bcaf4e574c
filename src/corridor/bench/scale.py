"""Benchmark of the read path at scale: status, a one-week list, show, rules-like and
supply-like loads on records of N synthetic crossing observations.

    python -m corridor.bench scale [--quick] [--sizes 10000,100000,1000000] [--json]

Each database is built once through the normal append path (signed, verified, indexed, tiled)
and cached under the system temp folder (``corridor-bench-scale/N``). Each operation is timed
through the store / situation API (the store already open: start-up is not measured) beside the
same read in plain sqlite3 on the same file; the figure is the ratio ours / plain. The goal: for
``status`` and the one-week ``list`` the time does not grow with the record.

All data is synthetic: hourly crossing counts at a made-up checkpoint, labelled as such in their
sources, signed with a key generated for the benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from corridor.bench.ledger import _bench_store, make_entries
from corridor.errors import StoreError
from corridor.recording import AdmissionPool, TransparencyLog
from corridor.recording.keyring import Keyring
from corridor.rules.events import events_from
from corridor.store import migrate
from corridor.store.api import Query
from corridor.store.columns import from_us, to_us
from corridor.store.situation_inputs import situation_at
from corridor.store.sql import SqlStore

DEFAULT_SIZES = (10_000, 100_000)
QUICK_SIZES = (2_000, 10_000)
REPEAT = 5


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build(n: int, root: Path) -> Path:
    """A SQLite record of ``n`` synthetic crossings (cached: built once per size)."""
    folder = root / str(n)
    db = folder / "bench.db"
    if db.exists():
        try:
            s = SqlStore.open(str(db))
            ok = s.size() == n
            s.close()
            if ok:
                return db
        except StoreError:  # a stale cache (older schema) is rebuilt
            pass
    if folder.exists():
        for f in sorted(folder.rglob("*"), reverse=True):
            f.unlink() if f.is_file() else f.rmdir()
    folder.mkdir(parents=True, exist_ok=True)
    _log(f"building a record of {n:,} synthetic crossings in {folder} ...")
    t0 = time.perf_counter()
    store, signer = _bench_store(folder)
    ledger = TransparencyLog(store, Keyring(folder / "keys"))
    with AdmissionPool(os.cpu_count() or 1) as pool:
        for i in range(0, n, 50_000):
            ledger.append_entries(make_entries(min(50_000, n - i), signer, offset=i), pool=pool)
    store.close()
    _log(f"  built in {time.perf_counter() - t0:.0f} s")
    return db


def _median(fn: Callable[[], Any]) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def measure(db: Path) -> list[dict[str, Any]]:
    store = SqlStore.open(str(db))
    raw = sqlite3.connect(str(db))
    (last_us,) = raw.execute("SELECT max(start_us) FROM observations").fetchone()
    at = from_us(last_us) + timedelta(hours=1)  # the end of the record
    at_us = to_us(at)
    week = at_us - 7 * 86_400_000_000
    month = at_us - 30 * 86_400_000_000
    year = at_us - 365 * 86_400_000_000
    longest = int(store.longest_periods().get("crossing", 0))
    (some_id,) = raw.execute("SELECT id FROM observations WHERE log_index = ?", (
        store.size() // 2,)).fetchone()  # fmt: skip
    prefix = some_id[:10]

    def plain_range(lo: int, types: tuple[str, ...] = ("crossing",)) -> list[Any]:
        marks = ",".join("?" * len(types))
        return raw.execute(
            f"SELECT log_index, id, entry FROM observations WHERE type IN ({marks}) "
            "AND start_us >= ? AND start_us < ? AND (start_us >= ? OR end_us > ?) "
            "ORDER BY start_us, log_index",
            (*types, lo - longest, at_us, lo, lo),
        ).fetchall()

    def plain_status() -> list[Any]:
        # the status figures in SQL: one week of per-direction, per-category totals
        return raw.execute(
            "SELECT checkpoint, direction, category, "
            "sum(json_extract(entry, '$.observation.body.count')) FROM observations "
            "WHERE type = 'crossing' AND start_us >= ? AND start_us < ? AND start_us >= ? "
            "AND end_us <= ? GROUP BY checkpoint, direction, category",
            (week - longest, at_us, week, at_us),
        ).fetchall()

    ops: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("status --at end", lambda: situation_at(store, at), plain_status),
        (
            "list one week",
            lambda: list(store.query(Query(start=from_us(week), end=at))),
            lambda: plain_range(week, ("crossing", "route_status", "convoy", "incident")),
        ),
        (
            "show ID",
            lambda: store.get(prefix),
            lambda: raw.execute(
                "SELECT entry FROM observations WHERE id >= ? AND id < ?", (prefix, prefix + "g")
            ).fetchall(),
        ),
        (
            "check-like: 30 days to events",
            lambda: events_from(store.overlapping(from_us(month), at)),
            lambda: plain_range(month),
        ),
        (
            "supply-like: 1-year crossings",
            lambda: store.overlapping(from_us(year), at, ["crossing", "convoy", "population"]),
            lambda: plain_range(year, ("crossing", "convoy", "population")),
        ),
    ]
    rows = []
    for name, ours, plain in ops:
        t_ours, _ = _median(ours)
        t_plain, _ = _median(plain)
        rows.append({"operation": name, "ours_ms": t_ours * 1e3, "plain_sqlite_ms": t_plain * 1e3,
                     "ratio": t_ours / t_plain if t_plain else float("inf")})  # fmt: skip
    raw.close()
    store.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corridor.bench scale", description=__doc__)
    ap.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}")
    ap.add_argument("--sizes", help="comma-separated record sizes, e.g. 10000,100000,1000000")
    ap.add_argument("--cache", help="where to keep the built databases")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sizes = (
        tuple(int(x) for x in args.sizes.split(",")) if args.sizes
        else QUICK_SIZES if args.quick else DEFAULT_SIZES
    )  # fmt: skip
    root = Path(args.cache or Path(tempfile.gettempdir()) / "corridor-bench-scale")
    results: dict[str, Any] = {"schema": migrate.head_revision(), "sizes": {}}
    for n in sizes:
        db = build(n, root)
        results["sizes"][n] = measure(db)
    results["load_average"] = os.getloadavg()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'operation':32} {'N':>9} {'ours ms':>9} {'sqlite3 ms':>10} {'ratio':>7}")
    for n, rows in results["sizes"].items():
        for r in rows:
            print(f"{r['operation']:32} {n:>9,} {r['ours_ms']:>9.1f} "
                  f"{r['plain_sqlite_ms']:>10.1f} {r['ratio']:>7.1f}")  # fmt: skip
    la = results["load_average"]
    print(f"load average {la[0]:.1f} {la[1]:.1f} {la[2]:.1f} on {os.cpu_count()} cores "
          "(data: synthetic)")  # fmt: skip
    return 0
