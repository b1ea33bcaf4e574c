"""``python -m corridor.bench supply [--quick] [--json]``: Monte Carlo supply runs.

Measures, in one process pinned to one core:

* ``seconds``: a full Monte Carlo of 10,000 runs × 365 days × 6 commodities (``--quick``: 1,000
  runs): sampling every parameter (:func:`compile_problem`), the batched engine with per-day stock
  quantiles (p5, p25, p50, p75, p95) and each run's first shortfall and total shortfall
  (:func:`simulate`), and the stockout probability by date;
* the baseline: one ``np.cumsum`` over an int64 array of the same shape (runs, commodities,
  days), a single vectorised pass, measured in the same run; ``ratio_vs_single_pass`` is
  ``seconds`` over it. Each figure is the best of several repeats;
* ``agrees_with_scalar``: the batched engine against the plain scalar reference of the contract,
  exactly, on sampled runs of the timed problem and on every run of a smaller one (quantiles
  included).

Bars (issue 5): ``seconds`` ≤ 1 and ``ratio_vs_single_pass`` ≤ 5.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from corridor.supply import (
    Problem,
    compile_problem,
    quantile_index,
    run_scalar,
    scenario_from_mapping,
    simulate,
)
from corridor.supply.scenario import Scenario

SECONDS_BAR = 1.0
RATIO_BAR = 5.0


def bench_scenario(days: int = 365) -> Scenario:
    """A Lachin-like scenario: WFP ration, uncertain stocks, local production, two routes with
    windows, a population change; every run differs."""
    return scenario_from_mapping(
        {
            "name": "bench",
            "from": "2023-01-01",
            "to": str(np.datetime64("2023-01-01") + np.timedelta64(days, "D")),
            "population": {
                "initial": {"uniform": [110000, 130000]},
                "changes": [{"date": "2023-09-24", "delta": {"uniform": [-100000, -80000]}}],
            },
            "ration": "wfp",
            "stocks": {
                "cereal": {"uniform": [1000, 5000]},
                "pulses": {"uniform": [100, 600]},
                "oil": {"triangular": [50, 100, 300]},
                "blended_food": {"uniform": [0, 100]},
                "sugar": {"normal": {"mean": 150, "sd": 50, "min": 50, "max": 250}},
                "salt": {"uniform": [20, 150]},
            },
            "local": [{"commodity": "cereal", "tonnes_per_day": {"triangular": [0, 8, 25]}}],
            "inflows": [{"commodity": "cereal", "tonnes": 66, "date": "2023-09-23"}],
            "routes": [
                {
                    "name": "lachin",
                    "windows": [
                        {"from": "2023-01-01", "to": "2023-06-15", "state": "restricted",
                         "trucks_per_day": {"uniform": [0.5, 4]}},
                        {"from": "2023-09-02", "trucks_per_day": {"uniform": [3, 10]}},
                    ],
                },
                {"name": "aghdam", "trucks_per_day": 3, "windows": [{"from": "2023-09-01"}]},
            ],
        },
        "bench",
    )


def _best(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _pin_one_core() -> int | None:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return cpu
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return None


def _baselines(shape: tuple[int, int, int], repeats: int) -> tuple[float, float]:
    """One cumulative sum over an int64 array of ``shape``: allocating, and into a buffer."""
    x = np.random.default_rng(0).integers(-(10**9), 10**9, size=shape, dtype=np.int64)
    out = np.empty_like(x)
    allocating = _best(lambda: np.cumsum(x, axis=-1), repeats)
    preallocated = _best(lambda: np.cumsum(x, axis=-1, out=out), repeats)
    return allocating, preallocated


def agrees(problem: Problem, runs: Sequence[int], *, check_quantiles: bool) -> bool:
    """The batched engine equals the scalar reference, run by run (and in quantiles)."""
    res = simulate(problem)
    stock0, inflow, local, need = problem.expand(runs)
    T = problem.days
    stocks = []
    for j, r in enumerate(runs):
        ref = run_scalar(stock0[j].tolist(), inflow[j].tolist(), local[j].tolist(),
                         need[j].tolist())
        stocks.append(ref.stock)
        for c in range(len(problem.commodities)):
            short = ref.shortfall[c]
            first = next((t for t, v in enumerate(short) if v > 0), T)
            if first != res.first_shortfall[c, r] or sum(short) != res.total_shortfall[c, r]:
                return False
    if check_quantiles:
        arr = np.array(stocks, dtype=np.int64)  # (R, C, T+1)
        arr.sort(axis=0)
        for i, q in enumerate(res.quantiles):
            k = quantile_index(q, len(runs))
            if not np.array_equal(arr[k].T, res.stock_quantiles[:, :, i]):
                return False
    return True


def main(argv: Sequence[str]) -> int:
    quick = "--quick" in argv
    as_json = "--json" in argv
    runs = 1_000 if quick else 10_000
    repeats = 3 if quick else 5
    cpu = _pin_one_core()
    sc = bench_scenario(365)
    commodities = len(sc.ration)

    baseline, baseline_prealloc = _baselines((runs, commodities, 365), repeats)

    def monte_carlo() -> None:
        problem = compile_problem(sc, runs=runs, seed=1)
        res = simulate(problem, seed=1)
        res.stockout_probability()

    monte_carlo()  # warm up
    seconds = _best(monte_carlo, repeats)
    sampling = _best(lambda: compile_problem(sc, runs=runs, seed=1), repeats)

    big = compile_problem(sc, runs=runs, seed=1)
    sample = sorted(np.random.default_rng(2).choice(runs, size=min(50, runs), replace=False))
    small = compile_problem(sc, runs=300, seed=7)
    ok = agrees(big, [int(r) for r in sample], check_quantiles=False) and agrees(
        small, list(range(300)), check_quantiles=True
    )

    ratio = seconds / baseline
    result = {
        "benchmark": "supply",
        "quick": quick,
        "runs": runs,
        "days": 365,
        "commodities": commodities,
        "cpu": cpu,
        "repeats": repeats,
        "seconds": round(seconds, 6),
        "seconds_sampling": round(sampling, 6),
        "baseline": "np.cumsum(int64 array (runs, commodities, days), axis=-1)",
        "baseline_seconds": round(baseline, 6),
        "ratio_vs_single_pass": round(ratio, 3),
        "baseline_preallocated_seconds": round(baseline_prealloc, 6),
        "ratio_vs_preallocated_pass": round(seconds / baseline_prealloc, 3),
        "agrees_with_scalar": ok,
        "bars": {"seconds": SECONDS_BAR, "ratio_vs_single_pass": RATIO_BAR},
        "meets_bars": bool(seconds <= SECONDS_BAR and ratio <= RATIO_BAR),
        "bars_apply": not quick,  # the bars are for 10,000 runs; --quick is a smoke run
    }
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        print(f"supply Monte Carlo: {runs:,} runs × 365 days × {commodities} commodities"
              f"{' (quick)' if quick else ''}, one core (cpu {cpu}), best of {repeats}")
        print(f"  full Monte Carlo (sampling, engine, quantiles, stockout odds): {seconds:.4f} s"
              f"  (bar {SECONDS_BAR:g} s; sampling alone {sampling:.4f} s)")
        print(f"  one np.cumsum over the same shape:                            {baseline:.4f} s"
              f"  (into a preallocated array: {baseline_prealloc:.4f} s)")
        print(f"  ratio vs one pass: {ratio:.2f}× (bar {RATIO_BAR:g}×); vs preallocated pass: "
              f"{seconds / baseline_prealloc:.2f}×")
        print(f"  agrees exactly with the scalar reference: {'yes' if ok else 'NO'}")
        verdict = "met" if result["meets_bars"] else "MISSED"
        print(f"  bars {verdict}" + ("" if not quick else " (the bars apply to the full run)"))
    return 0 if ok else 1
