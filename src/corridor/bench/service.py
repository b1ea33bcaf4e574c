"""Load benchmark of the HTTP service: concurrent reporters against ``corridor serve``.

    python -m corridor.bench service [--quick] [--json] [--db URL] [--reporters N]
        [--seconds T] [--batch B] [--workers W]

On a fresh schema of a PostgreSQL database (``--db``, default ``CORRIDOR_BENCH_PG_URL``, else
``CORRIDOR_TEST_PG_URL``, else ``postgresql://postgres@127.0.0.1:5432/test``; dropped after),
N reporter threads, each an organisation with its own key and reporter token, POST batches of
B entries they signed beforehand to ``/v1/entries`` for T seconds, against the server with one
worker and then with W workers (loopback only). Figures:

- entries acknowledged, checked equal to the entries the log gained;
- p50 / p99 request latency;
- ``ratio``: acknowledged entries per second over in-process ingest on the same database in the
  same run (``TransparencyLog.append_entries`` of batches of B, each signing a checkpoint, as
  the server does per request). Goal ≥ 0.5.

Every observation is synthetic (a made-up checkpoint, labelled so in its sources), signed with
keys made for the run. The load average is printed with the figures (a shared machine skews
them; the ratio is measured under the same load).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from corridor.ledger import entry as ledger_entry
from corridor.ledger.note import Signer

DEFAULTS = {"reporters": 8, "seconds": 6.0, "batch": 10, "workers": 3}
QUICK = {"reporters": 4, "seconds": 3.0, "batch": 10, "workers": 2}
#: entries each reporter signs ahead (it stops early if it runs out)
PER_REPORTER = int(os.environ.get("CORRIDOR_BENCH_PER_REPORTER", "3000"))
BASELINE_BATCHES = 150


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pg_url(given: str | None) -> str:
    return (
        given
        or os.environ.get("CORRIDOR_BENCH_PG_URL")
        or os.environ.get("CORRIDOR_TEST_PG_URL")
        or "postgresql://postgres@127.0.0.1:5432/test"
    )


@contextmanager
def _schema(base: str) -> Iterator[str]:
    import psycopg

    schema = f"bench_service_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _content(org: str, i: int) -> dict[str, Any]:
    """A synthetic hourly count (``i`` hours after 2024-01-01), in normal form."""
    d0 = 1_704_067_200 + i * 3600
    return {
        "type": "crossing",
        "observed": {"start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(d0)),
                     "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(d0 + 3600))},
        "reporter": org,
        "sources": [{"title": "service benchmark data (synthetic)", "row": i + 2}],
        "body": {"type": "crossing", "checkpoint": "bench-gate", "direction": "inbound",
                 "category": "vehicles", "count": i % 97, "outcome": "passed"},
    }  # fmt: skip


def _sign(org: str, signer: Signer, first: int, n: int) -> list[bytes]:
    out = []
    for i in range(first, first + n):
        c = _content(org, i)
        out.append(ledger_entry.make_entry(c, [ledger_entry.sign_observation(c, signer)]))
    return out


def _setup(db: str, keys: Path, reporters: int) -> tuple[dict[str, str], dict[str, Signer]]:
    from corridor.app import Corridor
    from corridor.model import Checkpoint, Organisation, Place, Route
    from corridor.recording import init_log

    orgs = [f"bench-org-{k}" for k in range(reporters)]
    with Corridor.open(db, keys, create=True) as app:
        app.store.put_entities(
            [Organisation(id=o, name=f"{o} (synthetic)", kind="monitor") for o in orgs],
            [Place(id="bench-gate", names=["Bench gate (synthetic)"]),
             Place(id="bench-town", names=["Bench town (synthetic)"])],
            [Route(id="bench-road", name="Bench road", places=("bench-gate", "bench-town"))],
            [Checkpoint(id="bench-gate", name="Bench gate", place="bench-gate",
                        route="bench-road")],
        )  # fmt: skip
        init_log(app.store, app.keyring, origin="bench.example/service")
        tokens = {}
        signers = {}
        for o in orgs:
            app.keys.new(o)
            signers[o] = app.keyring.load(o)
            tokens[o] = app.access.create_token(o, "reporter", label="benchmark")[0]
    return tokens, signers


def _baseline(db: str, keys: Path, signer: Signer, org: str, batch: int) -> float:
    """In-process ingest: batches of ``batch`` through TransparencyLog.append_entries, each
    signing a checkpoint; entries per second."""
    from corridor.recording import TransparencyLog
    from corridor.recording.keyring import Keyring
    from corridor.store.sql import SqlStore

    entries = _sign(org, signer, 1_000_000, BASELINE_BATCHES * batch)
    store = SqlStore.open(db)
    try:
        log = TransparencyLog(store, Keyring(keys))
        t0 = time.perf_counter()
        for i in range(0, len(entries), batch):
            res = log.append_entries(entries[i : i + batch])
            assert len(res.accepted) == batch, "baseline entries were not all accepted"
        dt = time.perf_counter() - t0
    finally:
        store.close()
    return len(entries) / dt


@contextmanager
def _server(db: str, keys: Path, workers: int, log: Path) -> Iterator[str]:
    """``corridor serve`` without its per-client rate limit (the benchmark measures the service,
    not the limit), every worker answering before the clock starts."""
    import httpx

    from corridor.testing import Server

    env = {"CORRIDOR_RATE_LIMIT": "0", "CORRIDOR_VERIFY_WORKERS": "0"}
    with Server(db, keys, log, workers=workers, extra_env=env) as server:
        for _ in range(4 * workers):  # each worker opens the database when it starts
            httpx.get(f"{server.url}/v1/health", timeout=10)
        yield server.url


def _load(
    url: str, tokens: dict[str, str], entries: dict[str, list[bytes]], seconds: float, batch: int
) -> dict[str, Any]:
    """Every reporter POSTs its next batch until the time is up; returns what was acked."""
    import httpx

    latencies: list[list[float]] = [[] for _ in tokens]
    acked = [0] * len(tokens)
    ran_out = [False] * len(tokens)
    errors: list[str] = []
    barrier = threading.Barrier(len(tokens) + 1)

    def reporter(k: int, org: str) -> None:
        bodies = [
            json.dumps({"entries": [{"entry": base64.b64encode(e).decode()}
                                    for e in entries[org][i : i + batch]]})
            for i in range(0, len(entries[org]), batch)
        ]  # fmt: skip
        headers = {"Authorization": f"Bearer {tokens[org]}", "Content-Type": "application/json"}
        with httpx.Client(base_url=url, headers=headers, timeout=120) as c:
            barrier.wait()
            deadline = time.monotonic() + seconds
            for body in bodies:
                if time.monotonic() >= deadline:
                    break
                t0 = time.perf_counter()
                r = c.post("/v1/entries", content=body)
                latencies[k].append(time.perf_counter() - t0)
                if r.status_code != 200:
                    errors.append(f"{r.status_code}: {r.text[:200]}")
                    return
                acked[k] += len(r.json()["accepted"])
            else:
                ran_out[k] = True

    threads = [threading.Thread(target=reporter, args=(k, org)) for k, org in enumerate(tokens)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"a reporter's request failed: {errors[0]}")
    lat = sorted(x for xs in latencies for x in xs)
    return {
        "acknowledged": sum(acked),
        "requests": len(lat),
        "seconds": elapsed,
        "per_s": sum(acked) / elapsed,
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
        "ran_out": any(ran_out),
    }


def run(db_base: str, reporters: int, seconds: float, batch: int, workers: int) -> dict[str, Any]:
    from corridor.store.sql import SqlStore

    out: dict[str, Any] = {"reporters": reporters, "seconds": seconds, "batch": batch,
                           "workers": workers, "cpus": os.cpu_count()}  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="corridor-bench-service-"))
    try:
        with _schema(db_base) as db:
            keys = folder / "keys"
            _log(f"setting up {reporters} organisations, keys and reporter tokens")
            tokens, signers = _setup(db, keys, reporters)
            _log(f"signing {PER_REPORTER:,} entries per reporter (the reporters' work, ahead)")
            runs = {}
            for n_workers, offset in ((1, 0), (workers, 500_000)):
                entries = {o: _sign(o, signers[o], offset, PER_REPORTER) for o in tokens}
                store = SqlStore.open(db)
                before = store.size()
                store.close()
                _log(f"{reporters} reporters for {seconds:g} s against {n_workers} worker(s)")
                with _server(db, keys, n_workers, folder / f"serve-{n_workers}.log") as url:
                    got = _load(url, tokens, entries, seconds, batch)
                store = SqlStore.open(db)
                gained = store.size() - before
                store.close()
                if gained != got["acknowledged"]:
                    raise RuntimeError(
                        f"{got['acknowledged']} entries acknowledged but the log gained {gained}"
                    )
                got["log_gained"] = gained
                runs[n_workers] = got
            _log(f"in-process ingest on the same database: {BASELINE_BATCHES} batches of {batch}")
            org = next(iter(tokens))
            out["in_process_per_s"] = _baseline(db, keys, signers[org], org, batch)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out["one_worker"] = runs[1]
    out["multi_worker"] = runs[workers]
    for k in ("one_worker", "multi_worker"):
        out[k]["ratio"] = out[k]["per_s"] / out["in_process_per_s"]
    out["goal"] = 0.5
    out["load_average"] = os.getloadavg()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m corridor.bench service",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--quick", action="store_true", help="fewer reporters, a shorter run")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--db", help="a PostgreSQL URL (a fresh schema is made in it, then dropped)")
    ap.add_argument("--reporters", type=int, help="concurrent reporters (default 8)")
    ap.add_argument("--seconds", type=float, help="how long each run lasts (default 6)")
    ap.add_argument("--batch", type=int, help="entries per request (default 10)")
    ap.add_argument("--workers", type=int, help="server workers of the second run (default 3)")
    args = ap.parse_args(argv)
    base = dict(QUICK if args.quick else DEFAULTS)
    for k in base:
        if getattr(args, k) is not None:
            base[k] = getattr(args, k)
    reporters, workers, batch = int(base["reporters"]), int(base["workers"]), int(base["batch"])
    seconds = min(float(base["seconds"]), 20.0)  # bounded: the whole run stays under a minute
    if not (1 <= reporters <= 32 and 1 <= workers <= 8 and 1 <= batch <= 2000):
        ap.error("reporters 1-32, workers 1-8, batch 1-2000")
    out = run(_pg_url(args.db), reporters, seconds, batch, workers)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    la = out["load_average"]
    print(f"service ingest on PostgreSQL: {reporters} reporters, batches of {batch}, "
          f"{seconds:g} s per run (load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}, "
          f"{out['cpus']} cpus)")  # fmt: skip
    print(f"  in-process append_entries:   {out['in_process_per_s']:>8,.0f} entries/s  "
          "(the baseline, same database, same run)")
    for k, label in (("one_worker", "1 worker"), ("multi_worker", f"{workers} workers")):
        r = out[k]
        note = "  (reporters ran out of entries)" if r["ran_out"] else ""
        print(f"  corridor serve, {label:9}:  {r['per_s']:>8,.0f} entries/s  ratio "
              f"{r['ratio']:.2f} (goal ≥ 0.5); p50 {r['p50_ms']:.1f} ms, p99 "
              f"{r['p99_ms']:.1f} ms; {r['acknowledged']:,} acknowledged = "
              f"{r['log_gained']:,} in the log{note}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
