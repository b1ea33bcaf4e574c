"""Charts for reports: the supply fan chart (matplotlib, Agg backend, PNG or SVG).

Input is the JSON-ready summary of :mod:`corridor.supply.summary` (one per scenario), so a chart
can be redrawn from ``corridor supply --json`` output. One panel per commodity shows each
scenario's stock in tonnes: the p5–p95 band, the p25–p75 band and the median (a single run is a
line). A last panel shows the probability that the first commodity (cereal in the WFP ration) has
run short by each date.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from corridor.errors import InputError

__all__ = ["FORMATS", "fan_chart", "fan_chart_svg"]

FORMATS = {".png": "png", ".svg": "svg"}
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
_GRAMS_PER_TONNE = 1_000_000


def _tonnes(values: Sequence[int]) -> list[float]:
    return [v / _GRAMS_PER_TONNE for v in values]


#: SVG ids derived from this salt, and no date in the metadata: the same summaries give the
#: same SVG bytes (a situation report is reproducible to the byte).
_SVG_SALT = "corridor"


def fan_chart(summaries: Sequence[Mapping[str, Any]], path: Path, *, title: str = "") -> Path:
    """Draw the fan chart of one or more scenario summaries to ``path`` (.png or .svg)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"a chart is written as {' or '.join(FORMATS)}", where=str(path))
    if not summaries:
        raise InputError("nothing to plot", where=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        _draw(summaries, title, out, fmt)
    return path


def fan_chart_svg(summaries: Sequence[Mapping[str, Any]], *, title: str = "") -> str:
    """The fan chart as an SVG document (text drawn as paths), the same bytes for the same
    summaries."""
    if not summaries:
        raise InputError("nothing to plot")
    out = io.BytesIO()
    _draw(summaries, title, out, "svg")
    # path data to a tenth of a point, one line a path: a third smaller, the same drawing
    return _PATH_DATA.sub(_shorter_path, out.getvalue().decode())


_PATH_DATA = re.compile(r'(?<= d=")[^"]*')
_DECIMAL = re.compile(r"-?\d+\.\d{2,}")


def _shorter_path(m: re.Match[str]) -> str:
    d = _DECIMAL.sub(lambda n: f"{float(n.group()):.1f}", m.group())
    return re.sub(r"\s*\n\s*", " ", d).strip()


def _draw(summaries: Sequence[Mapping[str, Any]], title: str, out: IO[bytes], fmt: str) -> None:
    commodities = [row["commodity"] for row in summaries[0]["commodities"]]
    with_probability = any(s["mode"] == "monte_carlo" for s in summaries)
    panels = len(commodities) + (1 if with_probability else 0)
    ncols = 2 if panels > 1 else 1
    nrows = math.ceil(panels / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(7.0 * ncols, 3.2 * nrows), sharex=True, squeeze=False
    )
    flat = [ax for row in axes for ax in row]
    for i, s in enumerate(summaries):
        colour = _COLOURS[i % len(_COLOURS)]
        label = str(s.get("scenario", f"scenario {i + 1}"))
        dates = [date.fromisoformat(d) for d in s["series"]["dates"]]
        for ax, name in zip(flat, commodities, strict=False):
            series = s["series"].get(name)
            if series is None:
                continue
            stock = series["stock_g"]
            if isinstance(stock, Mapping):
                if "p5" in stock and "p95" in stock:
                    ax.fill_between(
                        dates, _tonnes(stock["p5"]), _tonnes(stock["p95"]),
                        color=colour, alpha=0.15, linewidth=0,
                    )
                if "p25" in stock and "p75" in stock:
                    ax.fill_between(
                        dates, _tonnes(stock["p25"]), _tonnes(stock["p75"]),
                        color=colour, alpha=0.3, linewidth=0,
                    )
                ax.plot(dates, _tonnes(stock["p50"]), color=colour, linewidth=1.6, label=label)
            else:
                ax.plot(dates, _tonnes(stock), color=colour, linewidth=1.6, label=label)
        if with_probability and s["mode"] == "monte_carlo":
            ax = flat[len(commodities)]
            prob = s["series"][commodities[0]]["stockout_probability"]
            ax.step(dates[1:], [p * 100 for p in prob], where="pre", color=colour, label=label)
    for ax, name in zip(flat, commodities, strict=False):
        ax.set_title(f"{name.replace('_', ' ')}: stock (t), median, p25–p75, p5–p95", fontsize=9)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    if with_probability:
        ax = flat[len(commodities)]
        ax.set_title(f"{commodities[0]}: probability of unmet need by date (%)", fontsize=9)
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
    for ax in flat[panels:]:
        ax.set_visible(False)
    for ax in flat[:panels]:
        locator = mdates.AutoDateLocator(maxticks=8)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(
            mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        )
        ax.tick_params(labelbottom=True, labelsize=8)
    handles, labels = flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=9,
                   frameon=False)
    runs = summaries[0].get("runs", 1)
    fig.suptitle(title or f"Stocks by scenario ({runs} run{'s' if runs != 1 else ''})", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {}
    with matplotlib.rc_context({"svg.hashsalt": _SVG_SALT}):
        fig.savefig(out, format=fmt, dpi=110, metadata=metadata)
    plt.close(fig)
