"""Results as plain data (JSON-ready) and as short lines of text for the demo.

Stocks are reported in whole grams (``*_g``) in data and in tonnes in text. A first-shortfall
date of ``None`` means no unmet need before the end of the horizon. ``report_from`` restricts the
reported days; the engine always runs from the scenario's first day (stocks carry the history).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np

from corridor.model import Observation
from corridor.supply.montecarlo import (
    MonteCarloResult,
    SingleResult,
    compile_problem,
    simulate,
)
from corridor.supply.scenario import Scenario, load_scenario

__all__ = [
    "demo_lines",
    "format_date_range",
    "label",
    "montecarlo_summary",
    "scenario_info",
    "single_summary",
]

REPORTED = (0.05, 0.5, 0.95)


def label(q: float) -> str:
    """0.05 -> 'p5'."""
    return f"p{round(q * 100):d}"


def _float(x: float) -> float | None:
    return None if math.isnan(x) or math.isinf(x) else round(float(x), 6)


def scenario_info(sc: Scenario, source: str) -> dict[str, Any]:
    """What a reader needs to judge a result: assumptions, uncertain parameters, sources."""
    return {
        "scenario": sc.name,
        "source": source,
        "description": sc.description,
        "from": sc.start.isoformat(),
        "to": sc.end.isoformat(),
        "assumptions": list(sc.assumptions),
        "uncertain": [{"field": f, "distribution": d.describe()} for f, d in sc.uncertain()],
        "sources": list(sc.sources),
    }


def _offset(start: date, report_from: date | None) -> int:
    return 0 if report_from is None else max(0, (report_from - start).days)


def single_summary(res: SingleResult, *, report_from: date | None = None) -> dict[str, Any]:
    """One run: first shortfall, minimum days of supply, totals, kcal coverage, daily series."""
    p = res.problem
    r0 = _offset(p.start, report_from)
    dates = p.dates()
    stock, shortfall = res.series.stock, res.series.shortfall
    with np.errstate(divide="ignore", invalid="ignore"):
        dos = np.where(res.need > 0, stock[:, :-1] / np.maximum(res.need, 1), np.inf)
    rows = []
    series: dict[str, Any] = {
        "dates": [d.isoformat() for d in dates[r0:]],
        "population": res.population[r0:].tolist(),
    }
    for c, name in enumerate(p.commodities):
        short_days = np.flatnonzero(shortfall[c, r0:] > 0)
        first = dates[r0 + int(short_days[0])].isoformat() if short_days.size else None
        window = dos[c, r0:]
        rows.append(
            {
                "commodity": name,
                "first_shortfall": first,
                "min_days_of_supply": _float(float(window.min())) if window.size else None,
                "total_shortfall_g": int(shortfall[c, r0:].sum()),
                "stock_first_g": int(stock[c, r0]),
                "stock_last_g": int(stock[c, -1]),
            }
        )
        series[name] = {
            "stock_g": stock[c, r0:].tolist(),
            "need_g": res.need[c, r0:].tolist(),
            "inflow_g": res.inflow[c, r0:].tolist(),
            "local_g": res.local[c, r0:].tolist(),
            "shortfall_g": shortfall[c, r0:].tolist(),
            "days_of_supply": [_float(x) for x in dos[c, r0:].tolist()],
        }
    return {
        "mode": "single",
        "runs": 1,
        "kcal_coverage": _float(res.kcal_coverage),
        "commodities": rows,
        "series": series,
        "record": _record_info(res.problem),
    }


def montecarlo_summary(res: MonteCarloResult, *, report_from: date | None = None) -> dict[str, Any]:
    """Many runs: stockout-date quantiles, stockout probability by date, stock quantiles."""
    p = res.problem
    r0 = _offset(p.start, report_from)
    dates = p.dates()
    prob = res.stockout_probability()
    first_q = res.first_shortfall_quantiles(REPORTED)
    kcal_q = res.kcal_coverage_quantiles(REPORTED)
    rows = []
    series: dict[str, Any] = {"dates": [d.isoformat() for d in dates[r0:]]}
    for c, name in enumerate(p.commodities):
        rows.append(
            {
                "commodity": name,
                "stockout_date": {
                    label(q): (dates[int(v)].isoformat() if int(v) < p.days else None)
                    for q, v in zip(REPORTED, first_q[c], strict=True)
                },
                "stockout_probability_by_end": _float(float(prob[c, -1])) if p.days else 0.0,
                "stock_last_g": {
                    label(q): int(res.stock_quantiles[-1, c, i])
                    for i, q in enumerate(res.quantiles)
                },
            }
        )
        series[name] = {
            "stock_g": {
                label(q): res.stock_quantiles[r0:, c, i].tolist()
                for i, q in enumerate(res.quantiles)
            },
            "stockout_probability": [_float(x) for x in prob[c, r0:].tolist()],
        }
    return {
        "mode": "monte_carlo",
        "runs": res.runs,
        "seed": res.seed,
        "quantiles": list(res.quantiles),
        "kcal_coverage": {
            label(q): _float(float(v)) for q, v in zip(REPORTED, kcal_q, strict=True)
        },
        "commodities": rows,
        "series": series,
        "record": _record_info(p),
    }


def _record_info(p: Any) -> dict[str, Any] | None:
    d = p.deliveries
    if d is None:
        return None
    return {
        "deliveries": d.deliveries,
        "food_g": {c: int(sum(v)) for c, v in d.grams.items()},
        "non_food_tonnes": round(d.non_food_tonnes, 3),
        "unmapped_tonnes": {k: round(v, 3) for k, v in d.unmapped_tonnes.items()},
        "notes": list(d.notes),
    }


def format_date_range(lo: str | None, hi: str | None, end: date) -> str:
    """'2023-07-02 – 2023-09-14'; a None end reads 'none before <end>'."""
    last = (end - timedelta(days=1)).isoformat()

    def one(v: str | None) -> str:
        return v if v is not None else f"none by {last}"

    if lo == hi:
        return one(lo)
    return f"{one(lo)} – {one(hi)}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.0f}%"


def demo_lines(
    scenarios: Sequence[tuple[str, str]],
    observations: Sequence[Observation] | None = None,
    *,
    runs: int = 1000,
    seed: int = 1,
    commodity: str = "cereal",
    on: date | None = None,
) -> list[str]:
    """For each (source name, YAML text): when ``commodity`` stocks run out (p5–p95), the stock
    on the day ``on`` (p5–p95) and kcal coverage (p5–p95). Scenarios that need the record say
    so when ``observations`` is None."""
    lines: list[str] = []
    for source, text in scenarios:
        sc = load_scenario(text, source)
        if sc.record is not None and observations is None:
            lines.append(f"{sc.name}: needs the record (load the case into the store first)")
            continue
        problem = compile_problem(sc, runs=runs, seed=seed, observations=observations)
        res = simulate(problem, seed=seed)
        summary = montecarlo_summary(res)
        row = next((r for r in summary["commodities"] if r["commodity"] == commodity), None)
        kc = summary["kcal_coverage"]
        runs_out = (
            format_date_range(row["stockout_date"]["p5"], row["stockout_date"]["p95"], sc.end)
            if row is not None
            else f"{commodity} not in the ration"
        )
        stock_on = ""
        series = summary["series"]
        if on is not None and row is not None and on.isoformat() in series["dates"]:
            i = series["dates"].index(on.isoformat())
            q = series[commodity]["stock_g"]
            stock_on = (
                f"; stock on {on.isoformat()} {q['p5'][i] / 1e6:,.0f}–{q['p95'][i] / 1e6:,.0f} t"
                f" (median {q['p50'][i] / 1e6:,.0f} t)"
            )
        lines.append(
            f"{sc.name}: {commodity} runs out {runs_out} (p5–p95){stock_on}; "
            f"kcal coverage {_pct(kc['p5'])}–{_pct(kc['p95'])} of 2,100 (p5–p95), {runs} runs"
        )
    if lines:
        lines.append(
            "Initial stocks, local production and unrecorded deliveries are assumptions "
            "(ranges in the scenario files), not facts."
        )
    return lines
