"""``corridor site DIR`` opened from a plain static host (``python -m http.server`` on
127.0.0.1): the same dashboard, read from data files, verifying against the log's tiles."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from corridor.cli.app import main
from corridor.testing import free_port

READY = "body[data-ready]"


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The Lachin case written by corridor site and served by http.server."""
    tmp = tmp_path_factory.mktemp("site")
    db, keys, out = str(tmp / "l.db"), str(tmp / "keys"), tmp / "site"
    assert main(["case", "load", "lachin-2023", "--db", db, "--keys", keys]) == 0
    assert main(["log", "checkpoint", "--db", db, "--keys", keys]) == 0
    assert main(["site", str(out), "--db", db, "--keys", keys, "--days", "30"]) == 0
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "/index.html", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url, out
    finally:
        proc.terminate()
        proc.wait(10)


def test_site_holds_page_data_and_tiles(static_site: tuple[str, Path]) -> None:
    """The folder holds the page in static mode, one data file per call and the log's tiles."""
    _url, out = static_site
    assert 'data-source="static"' in (out / "index.html").read_text()
    for rel in ("data/summary.json", "data/registry.json", "data/crossings-daily.json",
                "data/commitments/lachin-2023.json", "data/supply/lachin-2023.json",
                "data/keys.json", "data/log-key.json", "log/checkpoint", "log/tile"):
        assert (out / rel).exists(), rel
    assert len(list((out / "data" / "situation").glob("*.json"))) == 30
    assert list((out / "data" / "observations").glob("*.json"))


def test_static_site_opens_and_verifies(page: Any, static_site: tuple[str, Path]) -> None:
    """Served by a plain static host the page draws both routes and the chart, opens a
    figure's evidence with its sources, and verifies the observation against the tiles."""
    url, _out = static_site
    page.goto(url + "/")
    page.wait_for_selector(READY, timeout=60_000)
    assert page.locator("#map path.route-lachin-road").count() == 1
    assert page.locator("#map path.route-aghdam-road").count() == 1
    assert "static copy" in page.inner_text("#case-line")
    page.click("#convoy-board tr button.fig >> nth=0")
    page.wait_for_selector("#drawer .obs")
    assert "Sources" in page.inner_text("#drawer")
    page.click("#drawer button.verify >> nth=0")
    page.wait_for_selector("#drawer [data-verified]", timeout=30_000)
    assert page.get_attribute("#drawer [data-verified]", "data-verified") == "ok"
