"""The dashboard in Debian's Chromium over ``corridor serve`` of the built-in Lachin case: it
loads with no console error and no request leaving the host, draws both routes, its chart holds
the API's numbers, every figure opens its evidence, and axe-core finds no serious issue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from corridor.cli.app import main
from corridor.testing import Server

READY = "body[data-ready]"
VIEWS = ["map-view", "crossings-view", "convoys-view", "incidents-view", "population-view",
         "commitments-view", "supply-view", "log-view"]


def open_dashboard(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)


def api_rows(base: str, daily_url: str) -> list[tuple[str, str, str, str, int, int]]:
    doc = httpx.get(base + daily_url, timeout=30).json()
    return sorted(
        (s["checkpoint"], s["direction"], s["category"], c["day"], c["low"], c["high"])
        for s in doc["series"] for c in s["days"]
    )


def chart_rows(page: Any) -> list[tuple[str, str, str, str, int, int]]:
    rows = page.evaluate(
        "() => window.corridorDashboard.crossingsView.data('crossings')"
        ".filter(r => r.kind !== 'span')"
        ".map(r => [r.checkpoint, r.direction, r.category, r.day, r.low, r.high])"
    )
    return sorted(tuple(r) for r in rows)


def test_page_loads_clean_and_shows_both_routes(
    page: Any, lachin_site: Server, screenshot: Callable[[Any, str], Path], screenshot_dir: Path
) -> None:
    """The page loads without console errors or outside requests and the map draws the Lachin
    road and the Aghdam road, each with its status in words."""
    open_dashboard(page, lachin_site.url + "/")
    assert page.locator("#map path.route-lachin-road").count() == 1
    assert page.locator("#map path.route-aghdam-road").count() == 1
    routes = page.inner_text("#route-list")
    assert "Lachin road" in routes and "Aghdam road" in routes
    assert page.locator("#route-list li[data-route='lachin-road']").get_attribute("data-status")
    assert "Khankendi / Stepanakert" in page.inner_text("#map")
    assert "DEMO-signed (built-in case)" in page.inner_text("#demo-line")
    screenshot(page, "dashboard-full")
    for view in VIEWS:
        page.locator(f"#{view}").screenshot(path=str(screenshot_dir / f"dashboard-{view}.png"))


def test_chart_points_equal_the_api(page: Any, lachin_site: Server) -> None:
    """The crossings chart's day points are exactly the API's crossings per day for the same
    window, and a day with no report is absent from the chart, not drawn as zero."""
    open_dashboard(page, lachin_site.url + "/")
    start, end = page.evaluate(
        "() => [window.corridorDashboard.daily.start, window.corridorDashboard.daily.end]"
    )
    expected = api_rows(lachin_site.url, f"/v1/crossings/daily?start={start}&end={end}&tz=%2B04:00")
    assert expected, "the default window holds crossing reports"
    assert chart_rows(page) == expected
    # the Sep 2023 exodus day with two disagreeing figures is a range, not a single value
    ranges = page.evaluate(
        "() => window.corridorDashboard.crossingsView.data('crossings')"
        ".filter(r => r.kind === 'range').map(r => [r.day, r.low, r.high, r.sources])"
    )
    assert ["2023-09-26", 22800, 26600] in [r[:3] for r in ranges]
    assert all("claim of" in r[3] for r in ranges)


def test_clicking_a_figure_shows_its_evidence(page: Any, lachin_site: Server) -> None:
    """Opening a convoy's evidence lists the observations behind it with their source titles,
    DEMO-signature label and the disputes recorded about them; Escape closes the drawer."""
    open_dashboard(page, lachin_site.url + "/")
    page.click("#at-prev")  # the slider follows the keyboard and buttons
    page.wait_for_selector(READY, timeout=60_000)
    page.click("#convoy-board tr[data-convoy='am-convoy-2023-07'] button.fig")
    page.wait_for_selector("#drawer .obs")
    drawer = page.inner_text("#drawer")
    assert "Sources" in drawer and "DEMO-signed (built-in case)" in drawer
    assert "disputed by" in drawer and "Hetq" in drawer
    page.keyboard.press("Escape")
    assert page.locator("#drawer").is_hidden()


def test_a_convoy_waiting_at_a_checkpoint_is_named_by_it(page: Any, lachin_site: Server) -> None:
    """The convoy board names where a convoy waits by its name, a checkpoint's too (the
    Azerbaijani Red Crescent convoy at the Aghdam road post was shown as its id)."""
    open_dashboard(page, lachin_site.url + "/")
    row = page.inner_text("#convoy-board tr[data-convoy='azrc-2023-08-29']")
    assert "Russian peacekeeper post on the Aghdam road" in row and "aghdam-post" not in row


def test_population_figures_are_the_apis_with_whose_claim_they_are(
    page: Any, lachin_site: Server
) -> None:
    """The people panel shows the situation's population figures, each with its reporter,
    whose claim it is and its evidence (at the last day: the exodus's arrivals in Armenia,
    Armenian government figures as reported), and charts the counts of the year before the
    instant: the points are GET /v1/population's figures, one each."""
    open_dashboard(page, lachin_site.url + "/")
    page.locator("#at-slider").focus()
    page.keyboard.press("End")
    page.wait_for_selector(READY, timeout=60_000)
    sit = page.evaluate("() => window.corridorDashboard.situation")
    rows = page.locator("#population-panel table.population tbody tr")
    assert rows.count() == len(sit["population"]) > 0
    at = page.evaluate("() => window.corridorDashboard.instant")
    api = httpx.get(lachin_site.url + "/v1/population", params={"at": at}, timeout=30).json()
    drawn = page.evaluate(
        "() => window.corridorDashboard.populationView.data('population')"
        ".map(r => [r.id, r.persons, r.observed])"
    )
    want = [[p["id"], p["persons"], p["observed"]] for p in api["figures"]]
    assert drawn == want and len(want) > 10  # the exodus, count by count
    assert page.locator("#population-panel details.population-series tbody tr").count() == len(want)
    arrivals = [p for p in sit["population"] if p["kind"] == "cumulative_arrivals"]
    assert arrivals and arrivals[0]["claim_of"] == ["am-gov"]
    row = page.inner_text(f"#population-panel tr[data-id='{arrivals[0]['id']}']")
    assert f"{arrivals[0]['persons']:,}" in row and "arrivals so far from" in row
    page.click(f"#population-panel tr[data-id='{arrivals[0]['id']}'] button.fig")
    page.wait_for_selector("#drawer .obs")
    assert "Sources" in page.inner_text("#drawer")
    page.keyboard.press("Escape")


def test_chart_figure_opens_sources_and_verifies(page: Any, lachin_site: Server) -> None:
    """A crossings figure opens its observations with source titles, and the verify action
    checks one in the browser against the signed log."""
    open_dashboard(page, lachin_site.url + "/")
    page.click("#crossings-table-wrap summary")
    page.click("#crossings-table button.fig[data-kind='range']")
    page.wait_for_selector("#drawer .obs")
    assert "Sputnik" in page.inner_text("#drawer")  # a source title of the 22,800 figure
    page.click("#drawer button.verify >> nth=0")
    page.wait_for_selector("#drawer [data-verified]", timeout=30_000)
    assert page.get_attribute("#drawer [data-verified]", "data-verified") == "ok"


def test_slider_moves_the_situation(page: Any, lachin_site: Server) -> None:
    """The date slider follows the keyboard (Home, End) and the situation follows the slider."""
    open_dashboard(page, lachin_site.url + "/")
    slider = page.locator("#at-slider")
    slider.focus()
    page.keyboard.press("Home")
    page.wait_for_selector(READY, timeout=60_000)
    first = page.evaluate("() => window.corridorDashboard.instant")
    page.keyboard.press("End")
    page.wait_for_selector(READY, timeout=60_000)
    last = page.evaluate("() => window.corridorDashboard.instant")
    assert first < last


def test_no_serious_accessibility_violation(page: Any, lachin_site: Server) -> None:
    """axe-core finds no serious or critical violation on the loaded dashboard."""
    from axe_playwright_python.sync_playwright import Axe

    open_dashboard(page, lachin_site.url + "/")
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert not bad, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


def test_drawer_is_keyboard_operable(page: Any, lachin_site: Server) -> None:
    """The evidence drawer opens from a keyboard-focused button and takes the focus."""
    open_dashboard(page, lachin_site.url + "/")
    page.focus("#route-list li[data-route='lachin-road'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#drawer .obs")
    assert page.evaluate("() => document.activeElement.id") == "drawer-h"


def test_as_of_a_release(page: Any, tmp_path: Path) -> None:
    """The as-of selector offers the numbered releases; choosing the one made before the
    attestations shows the situation as it stood then (no statement yet) and its citation."""
    db, keys = str(tmp_path / "l.db"), str(tmp_path / "keys")
    assert main(["case", "load", "lachin-2023", "--db", db, "--keys", keys]) == 0
    sizes = [n for n, _r, _t in _checkpoints(db, keys)]
    before = next(n for n in sizes if 0 < n < sizes[-1])
    assert main(["release", "create", "--size", str(before), "--unwitnessed", "--notes",
                 "the reports alone", "--db", db, "--keys", keys]) == 0  # fmt: skip
    with Server(db, keys, tmp_path / "serve.log") as served:
        open_dashboard(page, served.url + "/")
        assert page.evaluate("() => Object.keys(window.corridorDashboard.situation.attestations)")
        page.select_option("#as-of", label=page.locator(
            "#as-of option[data-release='1']").inner_text())
        page.wait_for_selector(READY, timeout=60_000)
        assert page.evaluate("() => window.corridorDashboard.asOf") == before
        assert page.evaluate("() => window.corridorDashboard.situation.attestations") == {}
        assert "release 1" in page.inner_text("#as-of-note")


def _checkpoints(db: str, keys: str) -> list[tuple[int, bytes, int]]:
    from corridor.app import Corridor
    from corridor.app.settings import Settings

    with Corridor(Settings.load(db, keys)) as app:
        return app.log.checkpoints()
