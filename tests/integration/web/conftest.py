"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, over real servers.

- ``browser``: one Chromium per session (``/usr/bin/chromium``; Playwright cannot download
  browsers here). Without it the tests are skipped, unless CORRIDOR_REQUIRE_BROWSER=1 (as in
  .ci/run): then a missing browser, or any skipped or missing browser test, fails the session.
- ``lachin_site``: ``corridor serve`` over the built-in Lachin case (SQLite, a signed
  checkpoint), shared by a module's tests, which only read.
- ``page``: a fresh page that fails its test on any console error or page error, and on any
  request to a host other than 127.0.0.1 (such requests are blocked, never sent).
- ``screenshot(page, name)``: keeps a screenshot under CORRIDOR_SCREENSHOTS (default
  ``<tmp>/screenshots``); .ci/run keeps them in ``.ci/screenshots``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_harness import GuardedPage

from corridor.cli.app import main
from corridor.testing import Server

CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("CORRIDOR_REQUIRE_BROWSER", "") == "1"

_outcomes: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "browser" not in report.keywords:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[report.outcome] = _outcomes.get(report.outcome, 0) + 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not REQUIRE_BROWSER or session.config.option.collectonly:
        return
    if session.testscollected > 0 and (_outcomes["passed"] == 0 or _outcomes["skipped"] > 0):
        print(f"\nBrowser leg required but incomplete: {_outcomes} (CORRIDOR_REQUIRE_BROWSER=1)")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER:
            pytest.fail(f"browser required (CORRIDOR_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def lachin_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``corridor serve`` over the built-in Lachin case with a signed checkpoint."""
    tmp = tmp_path_factory.mktemp("lachin-web")
    db, keys = str(tmp / "lachin.db"), tmp / "keys"
    assert main(["case", "load", "lachin-2023", "--db", db, "--keys", str(keys)]) == 0
    assert main(["log", "checkpoint", "--db", db, "--keys", str(keys)]) == 0
    with Server(db, keys, tmp / "serve.log") as served:
        yield served


@pytest.fixture
def guarded(browser: Any) -> Iterator[GuardedPage]:
    """A fresh page; its test fails on any console error, page error or outside request."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    g = GuardedPage(context.new_page())
    yield g
    context.close()
    assert not g.outside, f"requests left the host: {g.outside}"
    assert not g.errors, "\n".join(g.errors)


@pytest.fixture
def page(guarded: GuardedPage) -> Any:
    return guarded.page


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("CORRIDOR_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Callable[[Any, str], Path]:
    """Keep a screenshot of ``page`` as ``<name>.png``."""

    def take(page: Any, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
