"""SVG writers of the situation report: the map and the crossings-per-day chart.

Small and pure: plain data in, an SVG string out, nothing fetched, no randomness, numbers
written with a fixed precision, so that the same data give the same bytes. Every text is
escaped. A name written right to left (Arabic, Hebrew: its first strong character is R or AL)
is its own ``<tspan>`` with ``direction="rtl" unicode-bidi="embed"`` and its language, so that
"Khankendi / Stepanakert" style labels mixing scripts come out in the right order.

The map is a plain projection of latitude and longitude (equirectangular, longitudes scaled by
the cosine of the mean latitude): no tiles, no boundaries, only what the registry holds.

The daily chart draws :func:`corridor.app.shapes.daily_crossings` series as they are:

- a day with no report is a gap: nothing is drawn for it;
- an explicit zero is a bar of height zero (``class="bar zero"``) with a visible baseline mark;
- competing figures are a range: a bar to the low figure and a hatched box from low to high,
  with the figures and who claims them in its ``<title>``;
- a report covering several days is a span drawn across its period, labelled with its total.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from html import escape
from typing import Any

__all__ = [
    "STATUS_COLOURS",
    "MapCheckpoint",
    "MapDrawing",
    "MapLabel",
    "MapPlace",
    "MapRoute",
    "daily_svg",
    "html_names",
    "is_rtl",
    "map_drawing",
    "map_html",
    "map_svg",
]

STATUS_COLOURS = {
    "open": "#1a7f37",
    "restricted": "#d97706",
    "closed": "#c62828",
    None: "#777777",
}
_FONT = "DejaVu Sans, Verdana, sans-serif"


def _e(text: object) -> str:
    """Text or an attribute value, escaped for XML (quotes included)."""
    return escape(str(text), quote=True)


def _n(x: float) -> str:
    """A coordinate with one decimal, without a trailing .0 (stable bytes)."""
    s = f"{x:.1f}"
    s = s.removesuffix(".0")
    return "0" if s == "-0" else s


def is_rtl(text: str) -> bool:
    """Whether ``text`` reads right to left: its first strongly directional character is
    Hebrew or Arabic (bidi class R or AL)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _names(names: Sequence[tuple[str, str | None]], *, sep: str = " / ") -> str:
    """Names as tspans, one per distinct name, right-to-left ones marked as such."""
    out: list[str] = []
    seen: list[str] = []
    for name, lang in names:
        if name in seen:
            continue
        seen.append(name)
        if out:
            out.append(f"<tspan>{_e(sep)}</tspan>")
        attrs = f' xml:lang="{_e(lang)}"' if lang else ""
        if is_rtl(name):
            attrs += ' direction="rtl" unicode-bidi="embed"'
        out.append(f"<tspan{attrs}>{_e(name)}</tspan>")
    return "".join(out)


def _label(names: Sequence[tuple[str, str | None]]) -> str:
    seen: list[str] = []
    for name, _lang in names:
        if name not in seen:
            seen.append(name)
    return " / ".join(seen)


# -- the map ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MapPlace:
    """A place of the registry: its id, every name in use (name, language), coordinates."""

    id: str
    names: tuple[tuple[str, str | None], ...]
    lat: float | None
    lon: float | None
    kind: str | None = None


@dataclass(frozen=True)
class MapRoute:
    """A route, its places in order and its status at the instant (None: no report)."""

    id: str
    name: str
    places: tuple[str, ...]
    status: str | None = None


@dataclass(frozen=True)
class MapCheckpoint:
    id: str
    name: str
    place: str


@dataclass
class _Boxes:
    """Label boxes already placed, to put the next one where it overlaps none."""

    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)

    def free(self, box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        return all(x1 <= a or x0 >= c or y1 <= b or y0 >= d for a, b, c, d in self.boxes)


def _text_width(text: str, size: float) -> float:
    return 0.6 * size * len(text)


@dataclass(frozen=True)
class MapLabel:
    """Where a place's label goes: its anchor point, which side, what it says."""

    place: str
    x: float
    y: float
    anchor: str  # "start": the text runs right of x; "end": it ends at x
    names: tuple[tuple[str, str | None], ...]
    extra: str = ""  # the checkpoint(s) at the place, when named otherwise


@dataclass(frozen=True)
class MapDrawing:
    """The map's SVG without its labels, the labels apart (to be written as SVG text or as
    HTML over it), and its size."""

    shapes: str
    labels: tuple[MapLabel, ...]
    width: int
    height: int
    title: str


MAP_WIDTH, MAP_HEIGHT, LABEL_FONT = 680, 420, 11.0


def map_drawing(
    places: Sequence[MapPlace],
    routes: Sequence[MapRoute],
    checkpoints: Sequence[MapCheckpoint] = (),
    *,
    width: int = MAP_WIDTH,
    height: int = MAP_HEIGHT,
    title: str = "Routes by status, checkpoints and places",
) -> MapDrawing:
    """Lay the map out: routes as lines through their places coloured by status, checkpoints
    as squares, places as dots, each label placed where it overlaps no marker or label placed
    before it. Places without coordinates are left off (the report lists them)."""
    located = {p.id: p for p in places if p.lat is not None and p.lon is not None}
    pad, legend_h, font = 24.0, 22.0, LABEL_FONT
    parts: list[str] = [
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f7f7f4" stroke="#bbb"/>',
    ]
    labels: list[MapLabel] = []
    if located:
        lats = [p.lat for p in located.values() if p.lat is not None]
        lons = [p.lon for p in located.values() if p.lon is not None]
        kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
        span_x = max((max(lons) - min(lons)) * kx, 1e-6)
        span_y = max(max(lats) - min(lats), 1e-6)
        # labels run to the right: keep room for them
        room_w, room_h = width - 2 * pad - 200, height - 2 * pad - legend_h
        scale = min(room_w / span_x, room_h / span_y)
        x_off = pad + 20 + (room_w - span_x * scale) / 2
        y_off = pad + (room_h - span_y * scale) / 2

        def xy(p: MapPlace) -> tuple[float, float]:
            assert p.lat is not None and p.lon is not None
            return (x_off + (p.lon - min(lons)) * kx * scale,
                    y_off + (max(lats) - p.lat) * scale)  # fmt: skip

        for r in routes:
            pts = [xy(located[pid]) for pid in r.places if pid in located]
            if len(pts) < 2:
                continue
            colour = STATUS_COLOURS.get(r.status, STATUS_COLOURS[None])
            dash = "" if r.status is not None else ' stroke-dasharray="6 4"'
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
            parts.append(
                f'<polyline class="route" data-route="{_e(r.id)}" '
                f'data-status="{_e(r.status or "")}" points="{path}" fill="none" '
                f'stroke="{colour}" stroke-width="4" stroke-linejoin="round" '
                f'stroke-linecap="round"{dash}>'
                f"<title>{_e(r.name)}: {_e(r.status or 'no report')}</title></polyline>"
            )
        at_checkpoint: dict[str, list[MapCheckpoint]] = {}
        for c in checkpoints:
            if c.place in located:
                at_checkpoint.setdefault(c.place, []).append(c)
        boxes = _Boxes()
        # markers first, so that labels avoid every marker
        ordered = sorted(located.values(), key=lambda p: (-(p.lat or 0), p.lon or 0, p.id))
        for p in ordered:
            x, y = xy(p)
            boxes.boxes.append((x - 5, y - 5, x + 5, y + 5))
            if p.id in at_checkpoint:
                parts.append(
                    f'<rect class="checkpoint" data-place="{_e(p.id)}" x="{_n(x - 5)}" '
                    f'y="{_n(y - 5)}" width="10" height="10" fill="#fff" stroke="#111" '
                    f'stroke-width="2"/>'
                )
            else:
                parts.append(
                    f'<circle class="place" data-place="{_e(p.id)}" cx="{_n(x)}" '
                    f'cy="{_n(y)}" r="4" fill="#111"/>'
                )
        tries = ((8, 4, "start"), (8, -8, "start"), (8, 16, "start"),
                 (-8, 4, "end"), (-8, -8, "end"), (-8, 16, "end"))  # fmt: skip
        for p in ordered:
            x, y = xy(p)
            label = _label(p.names)
            extra = ", ".join(c.name for c in at_checkpoint.get(p.id, []) if c.name != label)
            text_w = _text_width(label + (" · " + extra if extra else ""), font)
            dx, dy, anchor = tries[0]
            for dx, dy, anchor in tries:
                x0 = x + dx if anchor == "start" else x + dx - text_w
                box = (x0, y + dy - font, x0 + text_w, y + dy + 2)
                if boxes.free(box) and box[0] >= 0 and box[2] <= width:
                    break
            boxes.boxes.append(box)
            labels.append(MapLabel(p.id, x + dx, y + dy, anchor, p.names, extra))
    # legend
    lx, ly = pad, height - 10
    for status in ("open", "restricted", "closed", None):
        colour = STATUS_COLOURS[status]
        dash = "" if status is not None else ' stroke-dasharray="6 4"'
        parts.append(f'<line x1="{_n(lx)}" y1="{_n(ly - 4)}" x2="{_n(lx + 22)}" '
                     f'y2="{_n(ly - 4)}" stroke="{colour}" stroke-width="4"{dash}/>')
        word = status or "no report"
        parts.append(f'<text x="{_n(lx + 27)}" y="{_n(ly)}" font-size="10">{_e(word)}</text>')
        lx += 34 + _text_width(word, 10)
    parts.append(f'<rect x="{_n(lx)}" y="{_n(ly - 9)}" width="10" height="10" fill="#fff" '
                 f'stroke="#111" stroke-width="2"/>'
                 f'<text x="{_n(lx + 15)}" y="{_n(ly)}" font-size="10">checkpoint</text>')
    if not located:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
                     f'font-size="{font:g}">No place of the record has coordinates.</text>')
    return MapDrawing("".join(parts), tuple(labels), width, height, title)


def _svg_open(d: MapDrawing) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" width="{d.width}" '
        f'height="{d.height}" viewBox="0 0 {d.width} {d.height}" role="img" '
        f'aria-label="{_e(d.title)}" font-family="{_e(_FONT)}"><title>{_e(d.title)}</title>'
    )


def map_svg(
    places: Sequence[MapPlace],
    routes: Sequence[MapRoute],
    checkpoints: Sequence[MapCheckpoint] = (),
    **options: Any,
) -> str:
    """The map as one SVG document, labels as SVG text (each name its own ``<tspan>``)."""
    d = map_drawing(places, routes, checkpoints, **options)
    texts = []
    for lab in d.labels:
        body = _names(lab.names)
        if lab.extra:
            body += f'<tspan fill="#444"> · {_e(lab.extra)}</tspan>'
        texts.append(
            f'<text class="place-label" data-place="{_e(lab.place)}" x="{_n(lab.x)}" '
            f'y="{_n(lab.y)}" font-size="{LABEL_FONT:g}" text-anchor="{lab.anchor}">'
            f"{body}</text>"
        )
    return _svg_open(d) + d.shapes + "".join(texts) + "</svg>"


def html_names(names: Sequence[tuple[str, str | None]], *, sep: str = " / ") -> str:
    """Every name in use as HTML: each isolated in a ``<bdi>`` with its language (and
    ``dir="rtl"`` for a right-to-left one), so that names in different scripts keep their
    order."""
    out: list[str] = []
    seen: list[str] = []
    for name, lang in names:
        if name in seen:
            continue
        seen.append(name)
        attrs = f' lang="{_e(lang)}"' if lang else ""
        attrs += ' dir="rtl"' if is_rtl(name) else ' dir="ltr"'
        out.append(f"<bdi{attrs}>{_e(name)}</bdi>")
    return _e(sep).join(out)


def map_html(
    places: Sequence[MapPlace],
    routes: Sequence[MapRoute],
    checkpoints: Sequence[MapCheckpoint] = (),
    **options: Any,
) -> str:
    """The map for an HTML page: the SVG's shapes, and the labels as HTML positioned over it.

    Labels are HTML because an SVG renderer may lay text out letter by letter (WeasyPrint
    does), which breaks Arabic joining and right-to-left order; HTML text is shaped and
    ordered by the page's text engine in browsers and in the PDF alike."""
    d = map_drawing(places, routes, checkpoints, **options)
    spans = []
    for lab in d.labels:
        top = lab.y - LABEL_FONT
        side = (f"left:{_n(lab.x)}px" if lab.anchor == "start"
                else f"right:{_n(d.width - lab.x)}px")  # fmt: skip
        extra = f' <span class="extra">· {_e(lab.extra)}</span>' if lab.extra else ""
        spans.append(
            f'<span class="map-label" data-place="{_e(lab.place)}" '
            f'style="{side};top:{_n(top)}px">{html_names(lab.names)}{extra}</span>'
        )
    return (
        f'<div class="map-frame" style="width:{d.width}px;height:{d.height}px">'
        + _svg_open(d) + d.shapes + "</svg>" + "".join(spans) + "</div>"
    )


# -- crossings per day ------------------------------------------------------------------------
def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    exp = 10.0 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp  # pragma: no cover - the loop always returns


def _fmt(v: float | int | None) -> str:
    if v is None:
        return "?"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:g}"
    return str(int(v))


def _figures(figures: Sequence[Mapping[str, Any]], measure: str) -> str:
    out = []
    for f in figures:
        value = f.get("count") if measure == "count" else f.get("tonnes")
        whose = ", ".join(f.get("claim_of") or []) or f"reported by {f.get('reporter')}"
        out.append(f"{_fmt(value)} ({whose}; {str(f.get('id'))[:12]})")
    return "; ".join(out)


def daily_svg(
    series: Mapping[str, Any],
    start: date,
    end: date,
    *,
    title: str,
    tz: tzinfo | None = None,
    width: int = MAP_WIDTH,
    height: int = 150,
) -> str:
    """One series of crossings per day (a ``series`` item of
    :func:`corridor.app.shapes.daily_crossings`) over the days [start, end) of ``tz`` (spans'
    times are read in it; None: as written). ``title`` is the SVG's accessible name; the page
    writes the caption (names in any script) as HTML."""
    days = max((end - start).days, 1)
    cells = list(series.get("days") or [])
    spans = list(series.get("spans") or [])
    counted = any(c.get("low") is not None for c in cells) or any(
        s.get("low") is not None for s in spans
    )
    measure = "count" if counted or not (cells or spans) else "tonnes"
    lo_key, hi_key = ("low", "high") if measure == "count" else ("tonnes_low", "tonnes_high")
    unit = "" if measure == "count" else " t"

    def per_day(s: Mapping[str, Any], key: str) -> float | None:
        v = s.get(key)
        if v is None:
            return None
        first, last = _span_days(s, start, end, tz)
        return float(v) / max(last - first, 1)

    top = 0.0
    for c in cells:
        top = max(top, float(c.get(hi_key) or 0))
    for s in spans:
        top = max(top, per_day(s, hi_key) or 0.0)
    top = _nice_max(top)
    left, right, upper, lower = 46.0, 10.0, 14.0, 22.0
    plot_w, plot_h = width - left - right, height - upper - lower
    bar_w = plot_w / days
    base = upper + plot_h

    def y(v: float) -> float:
        return base - v / top * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="daily" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(title)}" font-family="{_e(_FONT)}" font-size="9">',
        f"<title>{_e(title)}</title>",
        '<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="4" height="4" fill="#fde2c8"/>'
        '<line x1="0" y1="0" x2="0" y2="4" stroke="#d97706" stroke-width="2"/></pattern></defs>',
    ]
    for i in range(3):
        v = top * i / 2
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y(v))}" x2="{_n(left + plot_w)}" y2="{_n(y(v))}" '
            f'stroke="#ddd"/><text x="{_n(left - 4)}" y="{_n(y(v) + 3)}" '
            f'text-anchor="end">{_e(_fmt(v))}{unit}</text>'
        )
    step = max(1, math.ceil(days / 8))
    for i in range(0, days, step):
        d = start + timedelta(days=i)
        parts.append(
            f'<text x="{_n(left + (i + 0.5) * bar_w)}" y="{_n(base + 13)}" '
            f'text-anchor="middle">{d.isoformat()[5:]}</text>'
        )
    for s in spans:
        first, last = _span_days(s, start, end, tz)
        lo, hi = s.get(lo_key), s.get(hi_key)
        hi_d = per_day(s, hi_key)
        x0, x1 = left + first * bar_w, left + last * bar_w
        total = _fmt(lo) if lo == hi else f"{_fmt(lo)}–{_fmt(hi)}"
        n_days = last - first
        tip = f"{total}{unit} over {s.get('start')} – {s.get('end')} (one report spanning " \
              f"{n_days} days)"
        if s.get("figures"):
            tip += ": " + _figures(s["figures"], measure)
        yy = y(hi_d or 0.0)
        parts.append(
            f'<g class="span" data-start="{_e(s.get("start"))}" data-end="{_e(s.get("end"))}" '
            f'data-low="{_e(_fmt(lo))}" data-high="{_e(_fmt(hi))}"><title>{_e(tip)}</title>'
            f'<rect x="{_n(x0)}" y="{_n(yy)}" width="{_n(x1 - x0)}" '
            f'height="{_n(base - yy)}" fill="#9ecae1" fill-opacity="0.35" stroke="#3182bd" '
            f'stroke-dasharray="3 2"/>'
            f'<text x="{_n((x0 + x1) / 2)}" y="{_n(yy - 3)}" text-anchor="middle" '
            f'fill="#08519c">{_e(total)}{unit} in {n_days} d</text></g>'
        )
    for c in cells:
        d = date.fromisoformat(str(c["day"]))
        i = (d - start).days
        if not 0 <= i < days:
            continue
        lo = float(c.get(lo_key) or 0)
        hi = float(c.get(hi_key) or 0)
        x0 = left + i * bar_w + bar_w * 0.15
        w = bar_w * 0.7
        disputed = hi > lo
        klass = "bar zero" if hi == 0 else ("bar range" if disputed else "bar")
        tip = f"{d.isoformat()}: {_fmt(c.get(lo_key))}"
        if disputed:
            tip += f"–{_fmt(c.get(hi_key))}{unit}, figures disagree: " + _figures(
                c.get("figures") or [], measure
            )
        else:
            tip += f"{unit} ({c.get('reports', 0)} report{'s' if c.get('reports') != 1 else ''})"
        parts.append(
            f'<g class="{klass}" data-day="{d.isoformat()}" data-low="{_e(_fmt(c.get(lo_key)))}"'
            f' data-high="{_e(_fmt(c.get(hi_key)))}"><title>{_e(tip)}</title>'
            f'<rect x="{_n(x0)}" y="{_n(y(lo))}" width="{_n(w)}" height="{_n(base - y(lo))}" '
            f'fill="#2b6cb0"/>'
        )
        if disputed:
            parts.append(
                f'<rect class="range" x="{_n(x0)}" y="{_n(y(hi))}" width="{_n(w)}" '
                f'height="{_n(y(lo) - y(hi))}" fill="url(#hatch)" stroke="#d97706"/>'
            )
        if hi == 0:  # a zero is a report of zero: a mark on the baseline, never a gap
            parts.append(
                f'<line x1="{_n(x0)}" y1="{_n(base - 1)}" x2="{_n(x0 + w)}" '
                f'y2="{_n(base - 1)}" stroke="#111" stroke-width="2"/>'
            )
        parts.append("</g>")
    parts.append(
        f'<line x1="{_n(left)}" y1="{_n(base)}" x2="{_n(left + plot_w)}" y2="{_n(base)}" '
        f'stroke="#555"/></svg>'
    )
    return "".join(parts)


def _span_days(
    s: Mapping[str, Any], start: date, end: date, tz: tzinfo | None
) -> tuple[int, int]:
    """The span's period as day offsets [first, last) from ``start``, clipped to the chart
    (times are in the chart's zone: their calendar dates are the days)."""
    days = (end - start).days
    a = datetime.fromisoformat(str(s["start"]))
    b = datetime.fromisoformat(str(s["end"]))
    if tz is not None:
        a, b = a.astimezone(tz), b.astimezone(tz)
    first = (a.date() - start).days
    last_day = b.date() if b.time() == time() else b.date() + timedelta(days=1)
    last = (last_day - start).days
    return max(0, min(first, days)), max(0, min(max(last, first + 1), days))
