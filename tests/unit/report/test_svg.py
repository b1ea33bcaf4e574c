"""The report's SVG writers draw the data as they are: gaps as gaps, zeros as zero-height bars,
competing figures as ranges, multi-day reports across their period; text is escaped and names
written right to left are marked as such."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from corridor.report.svg import (
    MapCheckpoint,
    MapPlace,
    MapRoute,
    daily_svg,
    html_names,
    is_rtl,
    map_html,
    map_svg,
)

NS = {"s": "http://www.w3.org/2000/svg"}
START, END = date(2024, 3, 1), date(2024, 3, 11)
PLUS2 = timezone(timedelta(hours=2))


def cell(day: str, low: int | None, high: int | None = None, **extra: Any) -> dict[str, Any]:
    high = low if high is None else high
    return {"day": day, "low": low, "high": high, "tonnes_low": None, "tonnes_high": None,
            "reports": extra.pop("reports", 1), "disputed": int(high != low),
            "evidence": ["a" * 64], "evidence_complete": True,
            "figures": extra.pop("figures", [])}  # fmt: skip


def series(days: list[dict[str, Any]], spans: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"checkpoint": "cp", "direction": "inbound", "category": "vehicles", "days": days,
            "spans": spans or []}  # fmt: skip


def groups(svg: str, klass: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter("{http://www.w3.org/2000/svg}g")
            if klass in (g.get("class") or "").split()]  # fmt: skip


def bars(svg: str) -> dict[str, ET.Element]:
    return {str(g.get("data-day")): g for g in groups(svg, "bar")}


class TestDailyChart:
    def test_days_without_a_report_are_gaps(self) -> None:
        """Only the days with a report get a bar: a day absent from the series draws nothing."""
        svg = daily_svg(series([cell("2024-03-02", 5), cell("2024-03-05", 7)]), START, END,
                        title="t")  # fmt: skip
        assert sorted(bars(svg)) == ["2024-03-02", "2024-03-05"]
        assert "2024-03-03" not in svg.split("<g", 1)[1]

    def test_an_explicit_zero_is_a_zero_height_bar_present(self) -> None:
        """A report of zero is drawn: a bar of height 0 classed zero, with a baseline mark."""
        svg = daily_svg(series([cell("2024-03-02", 0), cell("2024-03-04", 10)]), START, END,
                        title="t")  # fmt: skip
        zero = bars(svg)["2024-03-02"]
        assert "zero" in (zero.get("class") or "").split()
        rect = zero.find("s:rect", NS)
        assert rect is not None and float(rect.get("height", "-1")) == 0
        assert zero.find("s:line", NS) is not None  # visible on the baseline
        ten = bars(svg)["2024-03-04"].find("s:rect", NS)
        assert ten is not None and float(ten.get("height", "0")) > 0

    def test_competing_figures_are_drawn_as_a_range_with_their_claimants(self) -> None:
        """Disagreeing figures give a bar to the low and a range box to the high, whose title
        names each figure and who claims it."""
        figures = [
            {"id": "f1" * 32, "count": 12, "tonnes": None, "claim_of": ["party-a"],
             "reporter": "m"},
            {"id": "f2" * 32, "count": 30, "tonnes": None, "claim_of": ["party-b"],
             "reporter": "m"},
        ]  # fmt: skip
        svg = daily_svg(series([cell("2024-03-04", 12, 30, reports=2, figures=figures)]),
                        START, END, title="t")  # fmt: skip
        (g,) = groups(svg, "range")
        assert (g.get("data-low"), g.get("data-high")) == ("12", "30")
        rects = g.findall("s:rect", NS)
        assert [r.get("class") for r in rects] == [None, "range"]
        low_h = float(rects[0].get("height", "0"))
        range_h = float(rects[1].get("height", "0"))
        assert low_h > 0 and range_h > 0
        assert abs(range_h / low_h - 18 / 12) < 0.05  # heights proportional to 12 and 30 - 12
        title = g.findtext("s:title", namespaces=NS) or ""
        assert "12 (party-a" in title and "30 (party-b" in title

    def test_a_multi_day_report_is_a_span_across_its_period(self) -> None:
        """A report of 45 over 6–9 March (three days) is one box three days wide, labelled
        with its total; it is not cut into days."""
        span = {"start": "2024-03-06T00:00:00+02:00", "end": "2024-03-09T00:00:00+02:00",
                "low": 45, "high": 45, "tonnes_low": None, "tonnes_high": None, "figures": []}
        svg = daily_svg(series([cell("2024-03-02", 3)], [span]), START, END, title="t", tz=PLUS2)
        (g,) = groups(svg, "span")
        rect = g.find("s:rect", NS)
        assert rect is not None
        bar = bars(svg)["2024-03-02"].find("s:rect", NS)
        assert bar is not None
        day_w = float(bar.get("width", "0")) / 0.7
        assert abs(float(rect.get("width", "0")) - 3 * day_w) < 0.5
        assert "45 in 3 d" in "".join(g.itertext())
        assert list(bars(svg)) == ["2024-03-02"]

    def test_text_is_escaped(self) -> None:
        """Titles and claimants with markup characters come out as text, not markup."""
        figures = [{"id": "x" * 64, "count": 1, "tonnes": None, "claim_of": ['<b>"A&B"</b>'],
                    "reporter": "m"},
                   {"id": "y" * 64, "count": 2, "tonnes": None, "claim_of": ["c"],
                    "reporter": "m"}]  # fmt: skip
        svg = daily_svg(series([cell("2024-03-02", 1, 2, figures=figures)]), START, END,
                        title="<script>alert(1)</script>")  # fmt: skip
        root = ET.fromstring(svg)  # well-formed
        assert "<script>" not in svg and "<b>" not in svg
        assert root.findtext("s:title", namespaces=NS) == "<script>alert(1)</script>"
        assert '<b>"A&B"</b>' in "".join(root.itertext())

    def test_tonnes_when_no_report_gives_a_count(self) -> None:
        """A series of tonnes only is drawn in tonnes (the axis says t)."""
        c = cell("2024-03-03", None)
        c.update(tonnes_low=20.0, tonnes_high=20.0)
        svg = daily_svg(series([c]), START, END, title="t")
        g = bars(svg)["2024-03-03"]
        assert g.get("data-low") == "20"
        assert " t<" in svg

    @given(st.dictionaries(st.integers(0, 9), st.integers(0, 500), max_size=10))
    def test_one_bar_per_reported_day_and_none_else(self, counts: dict[int, int]) -> None:
        """Whatever the counts, the chart has exactly one bar per day with a report (zeros
        included) and a zero-class bar exactly for the zeros."""
        days = [cell((START + timedelta(days=i)).isoformat(), n) for i, n in sorted(counts.items())]
        svg = daily_svg(series(days), START, END, title="t")
        drawn = bars(svg)
        assert sorted(drawn) == sorted(c["day"] for c in days)
        zeros = {d for d, g in drawn.items() if "zero" in (g.get("class") or "")}
        assert zeros == {c["day"] for c in days if c["low"] == 0}

    def test_the_same_data_give_the_same_bytes(self) -> None:
        """Drawing twice gives the same SVG."""
        data = series([cell("2024-03-02", 5), cell("2024-03-04", 0)])
        assert daily_svg(data, START, END, title="t") == daily_svg(data, START, END, title="t")


PLACES = [
    MapPlace("a", (("East Gate", "en"), ("باب الشرق", "ar"), ("שער המזרח", "he")), 31.5, 34.6),
    MapPlace("b", (("Khankendi", "az"), ("Stepanakert", "hy"), ("Ստեփանակերտ", "hy")), 31.3, 34.3),
    MapPlace("c", (("Nowhere & <Co>", None),), None, None, "area"),
]
ROUTES = [MapRoute("r1", "Road one", ("a", "b"), "closed"), MapRoute("r2", "Road two", ("b", "c"))]


class TestMap:
    def test_routes_coloured_by_status_and_places_without_coordinates_left_off(self) -> None:
        """A route with a status is drawn in its colour; one through a single located place
        is not drawn; a place without coordinates has no marker."""
        svg = map_svg(PLACES, ROUTES, [MapCheckpoint("cp", "Gate checkpoint", "a")])
        root = ET.fromstring(svg)
        lines = root.findall(".//s:polyline", NS)
        assert [(p.get("data-route"), p.get("data-status"), p.get("stroke")) for p in lines] == [
            ("r1", "closed", "#c62828")
        ]
        marked = {e.get("data-place") for e in root.iter() if e.get("class") in
                  ("place", "checkpoint")}  # fmt: skip
        assert marked == {"a", "b"}
        assert [e.get("data-place") for e in root.iter() if e.get("class") == "checkpoint"] == [
            "a"
        ]

    def test_every_name_in_use_is_a_label_rtl_ones_marked(self) -> None:
        """A place's label holds each of its names; Arabic and Hebrew ones run right to left."""
        svg = map_svg(PLACES, ROUTES)
        root = ET.fromstring(svg)
        label = next(t for t in root.iter("{http://www.w3.org/2000/svg}text")
                     if t.get("data-place") == "a")  # fmt: skip
        spans = label.findall("s:tspan", NS)
        named = [(s.text, s.get("direction")) for s in spans if s.text != " / "]
        assert named == [("East Gate", None), ("باب الشرق", "rtl"), ("שער המזרח", "rtl")]
        assert "".join(label.itertext()) == "East Gate / باب الشرق / שער המזרח"

    def test_html_labels_isolate_each_name(self) -> None:
        """Over HTML, each name is a <bdi> with its language and direction: names in
        different scripts keep their order."""
        html = map_html(PLACES, ROUTES)
        assert '<bdi lang="ar" dir="rtl">باب الشرق</bdi>' in html
        assert '<bdi lang="he" dir="rtl">שער המזרח</bdi>' in html
        assert '<bdi lang="hy" dir="ltr">Stepanakert</bdi>' in html
        assert "Khankendi</bdi> / <bdi" in html

    def test_text_is_escaped(self) -> None:
        """Names and route names with markup characters are escaped in SVG and HTML."""
        places = [MapPlace("x", (('A <b>"&"</b>', None),), 1.0, 1.0),
                  MapPlace("y", (("B", None),), 2.0, 2.0)]  # fmt: skip
        routes = [MapRoute("r", "<script>", ("x", "y"), "open")]
        svg = map_svg(places, routes)
        ET.fromstring(svg)
        assert "<b>" not in svg and "<script>" not in svg
        assert "<b>" not in html_names(places[0].names)
        assert "&lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;" in map_html(places, routes)

    def test_the_same_registry_gives_the_same_bytes(self) -> None:
        """Drawing twice gives the same SVG and HTML."""
        assert map_svg(PLACES, ROUTES) == map_svg(PLACES, ROUTES)
        assert map_html(PLACES, ROUTES) == map_html(PLACES, ROUTES)


def test_is_rtl_reads_the_first_strong_character() -> None:
    """Arabic and Hebrew read right to left, Latin, Armenian and Cyrillic left to right;
    leading digits and punctuation do not decide."""
    assert is_rtl("باب") and is_rtl("שער") and is_rtl("12 باب")
    assert not is_rtl("Lachin") and not is_rtl("Ստեփանակերտ") and not is_rtl("Степанакерт")
    assert not is_rtl("12 Gate") and not is_rtl("")
