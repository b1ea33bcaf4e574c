"""The dashboard over a large synthetic record (100,000 signed crossings, built in about 20 s;
``python -m corridor.bench dashboard`` measures the same over 5 cold loads): the first view
reads aggregates only, and the test reports its time to interactive (``data-ready`` on <body>:
every panel drawn)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from corridor.testing import Server

SIZE = 100_000


@pytest.fixture(scope="module")
def scale_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``corridor serve`` over SIZE synthetic crossings (built once per session)."""
    from corridor.bench.dashboard import prepare

    root = tmp_path_factory.getbasetemp() / "dashboard-scale"
    db, keys = prepare(SIZE, root)
    with Server(str(db), keys, root / "serve.log", extra_env={"CORRIDOR_RATE_LIMIT": "0"}) as s:
        yield s


@pytest.mark.slow
def test_first_view_reads_aggregates_only(
    page: Any, scale_site: Server, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every panel is drawn from the summary, the situation and 90 days of crossings per day:
    no request lists raw observations, and the chart holds at most one point per day and
    series. The time to interactive is reported (not asserted: the machine is shared)."""
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(scale_site.url + "/")
    page.wait_for_selector("body[data-ready]", timeout=120_000)
    tti = float(page.get_attribute("body", "data-ready") or "nan") / 1e3
    assert not [u for u in urls if "/v1/observations" in u]
    assert any("/v1/crossings/daily" in u for u in urls)
    rows = page.evaluate("() => window.corridorDashboard.crossingsView.data('crossings').length")
    series = page.evaluate("() => window.corridorDashboard.daily.series.length")
    assert 0 < rows <= 90 * series
    assert "Bench road" in page.inner_text("#route-list")
    record_property("time_to_interactive_s", tti)
    with capsys.disabled():
        print(f"\n[dashboard at {SIZE:,} observations: time to interactive {tti:.2f} s]")
