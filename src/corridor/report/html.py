"""A situation report as one HTML document (Jinja2, ``templates/report.html.j2``).

Self-contained: styles inline, the map and the charts inline SVG, the supply fan chart an SVG
``data:`` image; nothing is fetched. The same data give the same bytes: no time of generation,
sorted sources, numbers written with a fixed precision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from corridor.report.build import DEMO_LABEL, ReportData, data_uri
from corridor.report.svg import (
    MapCheckpoint,
    MapPlace,
    MapRoute,
    daily_svg,
    html_names,
    map_html,
)

__all__ = ["render_html"]


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("corridor.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["t"] = _time
    env.filters["num"] = _num
    env.filters["css"] = _css_string
    return env


def _time(value: str | datetime | None) -> str:
    """An ISO 8601 time as written, to the minute (seconds when not zero)."""
    if value is None:
        return "—"
    d = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    spec = "minutes" if d.second == 0 and d.microsecond == 0 else "seconds"
    return d.isoformat(sep=" ", timespec=spec)


def _css_string(value: object) -> Markup:
    """A CSS string literal (inside <style>, where HTML escapes are not decoded)."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    text = text.replace("\n", "\\a ")
    return Markup(f'"{text}"')


def _num(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}".replace(",", " ")
        return f"{value:,.1f}".replace(",", " ")
    return f"{value:,}".replace(",", " ")


def _map(data: ReportData) -> Markup:
    reg = data.registry
    status = {r["route"]: r["status"] for r in data.situation["routes"]}
    places = [
        MapPlace(p.id, tuple((n.name, n.lang) for n in p.names), p.lat, p.lon, p.kind)
        for _id, p in sorted(reg.places.items())
    ]
    routes = [
        MapRoute(r.id, r.name, r.places, status.get(r.id)) for _id, r in sorted(reg.routes.items())
    ]
    checkpoints = [
        MapCheckpoint(c.id, c.name, c.place) for _id, c in sorted(reg.checkpoints.items())
    ]
    return Markup(map_html(places, routes, checkpoints))


def _charts(data: ReportData) -> list[dict[str, Any]]:
    out = []
    for s in data.daily["series"]:
        title = f"{data.checkpoint_name(s['checkpoint'])}: {s['direction']}, {s['category']}"
        out.append({
            "series": s,
            "caption": title,
            "svg": Markup(daily_svg(s, data.start, data.end, title=title, tz=data.tz)),
        })  # fmt: skip
    return out


def _verdict_runs(instances: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive instances with the same verdict, as one run: from, to, how many, why,
    and every observation they rest on."""
    runs: list[dict[str, Any]] = []
    for inst in instances:
        last = runs[-1] if runs else None
        if last is not None and last["verdict"] == inst["verdict"]:
            last["end"] = inst.get("end") or inst["start"]
            last["count"] += 1
            last["evidence"].update(dict.fromkeys(_evidence_ids(inst["evidence"])))
            if inst.get("why") and inst["why"] not in last["whys"]:
                last["whys"].append(inst["why"])
            continue
        runs.append({
            "verdict": inst["verdict"], "start": inst["start"],
            "end": inst.get("end") or inst["start"], "count": 1,
            "evidence": dict.fromkeys(_evidence_ids(inst["evidence"])),
            "whys": [inst["why"]] if inst.get("why") else [],
        })  # fmt: skip
    return runs


def _evidence_ids(items: Iterable[Any]) -> list[str]:
    return [i["id"] if isinstance(i, Mapping) else str(i) for i in items]


def _fan_chart(data: ReportData) -> str | None:
    if not data.supply:
        return None
    from corridor.report.charts import fan_chart_svg

    runs = data.supply_runs
    title = (f"Stocks by scenario ({runs} Monte Carlo runs, seed {data.supply_seed})"
             if runs > 1 else "Stocks by scenario (one central run)")  # fmt: skip
    return data_uri(fan_chart_svg(data.supply, title=title))


def render_html(data: ReportData) -> str:
    """The report as HTML (the same data: the same bytes)."""

    def names(pid: str | None) -> Markup:
        if pid is None:
            return Markup("—")
        return Markup(html_names(data.place_names(pid)))

    def refs(ids: Iterable[Any]) -> Markup:
        seen: dict[str, None] = dict.fromkeys(_evidence_ids(ids))
        links = [
            Markup('<a class="ref" href="#{0}">{1}</a>').format(f"obs-{oid[:16]}", data.ref(oid))
            for oid in seen
        ]
        return Markup(" ").join(links) if links else Markup("—")

    def side_by_side(values: Sequence[Any]) -> Markup:
        if not values:
            return Markup("—")
        parts = [escape(_num(v)) for v in values]
        if len(parts) == 1:
            return Markup(parts[0])
        return Markup('<span class="disputed">') + Markup(" | ").join(parts) + Markup(
            "</span>"
        )

    template = _env().get_template("report.html.j2")
    return template.render(
        d=data,
        sit=data.situation,
        basis=data.basis,
        demo_label=DEMO_LABEL,
        map=_map(data),
        charts=_charts(data),
        fan_chart=_fan_chart(data),
        verdict_runs=_verdict_runs,
        names=names,
        refs=refs,
        side_by_side=side_by_side,
        unlocated=[
            p for _id, p in sorted(data.registry.places.items()) if p.lat is None
        ],
    )
