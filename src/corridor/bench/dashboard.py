"""Benchmark of the dashboard's first view at scale: time to interactive in Chromium over
``corridor serve`` of a record of N synthetic crossings.

    python -m corridor.bench dashboard [--size 100000] [--repeat 5] [--json]

Time to interactive: from the start of navigation to the moment every panel of the first view
is drawn (the page sets ``data-ready`` on <body>, with ``performance.now()`` as its value: map,
crossings chart, convoy board, incidents, commitments, supply and log panels). Each load is in a
fresh browser context (a cold HTTP cache). Beside it, in the same run, the time to load a
trivial page of the same server (``/v1/health``): the figure is the ratio. The page reads
aggregates only (the situation at the slider's instant, crossings per day over the 90 days
before it), so the time should not grow with the record.

The record is built once through the normal append path (signed, verified, indexed, tiled; see
``corridor.bench.scale``) and cached under the system temp folder; a checkpoint is signed. All
data is synthetic, labelled as such in its sources. Needs Chromium (/usr/bin/chromium) and
Playwright (the test extras).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
DEFAULT_SIZE = 100_000
GOAL_S = 2.0


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def prepare(size: int, root: Path) -> tuple[Path, Path]:
    """The cached record of ``size`` synthetic crossings, with a signed checkpoint."""
    from corridor.app import Corridor
    from corridor.app.settings import Settings
    from corridor.bench.scale import build

    db = build(size, root)
    keys = db.parent / "keys"
    with Corridor(Settings.load(str(db), str(keys))) as app:
        if not any(n == size for n, _r, _t in app.log.checkpoints()):
            app.log.sign_checkpoint()
    return db, keys


def time_to_interactive(browser: Any, url: str) -> float:
    """Seconds from navigation start to ``data-ready`` in a fresh context (cold cache)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_selector("body[data-ready]", timeout=120_000)
    ready = float(page.get_attribute("body", "data-ready") or "nan") / 1e3
    context.close()
    if errors:
        raise RuntimeError(f"the dashboard logged errors: {errors}")
    return ready


def blank_load(browser: Any, url: str) -> float:
    """Seconds from navigation start to the load event of a trivial page of the same server."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    t = float(page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd"))
    context.close()
    return t / 1e3


def measure(db: Path, keys: Path, repeat: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from corridor.testing import Server

    out: dict[str, Any] = {}
    with Server(str(db), keys, db.parent / "dashboard-serve.log",
                extra_env={"CORRIDOR_RATE_LIMIT": "0"}) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        # the first load after the server starts: its crossings-per-day cache is cold
        out["first_load_s"] = time_to_interactive(browser, server.url + "/")
        tti = [time_to_interactive(browser, server.url + "/") for _ in range(repeat)]
        blank = [blank_load(browser, server.url + "/v1/health") for _ in range(repeat)]
        browser.close()
    out["time_to_interactive_s"] = tti
    out["blank_page_s"] = blank
    out["median_tti_s"] = statistics.median(tti)
    out["median_blank_s"] = statistics.median(blank)
    out["ratio"] = out["median_tti_s"] / max(out["median_blank_s"], 1e-6)
    out["goal_s"] = GOAL_S
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m corridor.bench dashboard",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--size", type=int, default=DEFAULT_SIZE,
                    help=f"observations in the record [default: {DEFAULT_SIZE:,}]")
    ap.add_argument("--repeat", type=int, default=5, help="loads measured [default: 5]")
    ap.add_argument("--quick", action="store_true", help="10,000 observations, 3 loads")
    ap.add_argument("--cache", help="where to keep the built databases")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    size, repeat = (10_000, 3) if args.quick else (args.size, args.repeat)
    root = Path(args.cache or Path(tempfile.gettempdir()) / "corridor-bench-scale")
    t0 = time.perf_counter()
    db, keys = prepare(size, root)
    _log(f"record of {size:,} ready in {time.perf_counter() - t0:.0f} s; measuring {repeat} loads")
    load_before = os.getloadavg()
    results = {"size": size, **measure(db, keys, repeat)}
    results["load_average_before"] = load_before
    results["load_average"] = os.getloadavg()
    results["cpus"] = os.cpu_count()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"dashboard over {size:,} observations (SQLite, synthetic data), first view, "
          f"{repeat} cold loads")  # fmt: skip
    print(f"  time to interactive: median {results['median_tti_s']:.2f} s "
          f"(each: {', '.join(f'{t:.2f}' for t in results['time_to_interactive_s'])}); "
          f"goal {GOAL_S:g} s")  # fmt: skip
    print(f"  the first load after the server started (its crossings cache cold): "
          f"{results['first_load_s']:.2f} s")
    print(f"  a trivial page of the same server: median {results['median_blank_s']:.3f} s; "
          f"ratio {results['ratio']:.1f}")  # fmt: skip
    la, lb = results["load_average"], results["load_average_before"]
    print(f"  load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} at the end "
          f"({lb[0]:.2f} {lb[1]:.2f} {lb[2]:.2f} before) on {results['cpus']} cores")
    return 0
