"""``corridor demo --serve``: after the demo, the dashboard over the demo's record at the
printed URL, until interrupted."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx

from corridor.testing import free_port


def test_demo_serve_prints_the_url_and_serves_the_dashboard() -> None:
    """The URL printed serves the dashboard and the demo's record; Ctrl-C (SIGINT) stops it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "corridor.cli.app", "demo", "--sections", "status", "--serve",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        url = None
        deadline = time.monotonic() + 120
        for line in proc.stdout:
            if m := re.search(r"http://127\.0\.0\.1:\d+/", line):
                url = m.group(0)
                break
            assert time.monotonic() < deadline, "no URL printed"
        assert url == f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                page = httpx.get(url, timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert page.status_code == 200 and 'id="map"' in page.text
        summary = httpx.get(url + "v1/summary", timeout=10).json()
        assert [c["name"] for c in summary["cases"]] == ["lachin-2023"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode is not None
