"""``python -m corridor.bench rules [--quick] [--json]``: commitment evaluation against reelay.

A trace of N events (1,000,000; 100,000 with --quick), one per hour: convoys are dispatched,
most are inspected within a day, some later, some never; other events are convoys waiting. The
rule is a parametric response: every ``dispatched`` convoy is ``inspected`` within 24 h, per
convoy (``same: [convoy]``, ``continuous: true``).

reelay (a C++ past-time first-order monitor; the ``bench`` extra) runs on the same trace with
the property written as its past-time equivalent, checked at every hourly step::

    exists[c]. ((once[24:24]{ev: dispatched, convoy: *c})
                and (not (once[:24]{ev: inspected, convoy: *c})))

true at step j exactly when the convoy dispatched at step j-24 saw no inspection in steps
[j-24, j]: the trigger violated at its deadline. With one event per step, each violation step
names one (convoy, dispatch step), so the two violation sets are compared exactly.

Figures (each the best of a few runs, measured in this run): batch and online events per second
and their ratios to reelay's throughput; a threshold rule (daily sums of crossings per
direction) over N crossings, batch and online.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from corridor.rules import Event, OnlineEvaluator, Verdict, evaluate, parse_rules

T0 = 1_672_531_200.0  # 2023-01-01T00:00:00Z
HOUR = 3600.0
WITHIN_STEPS = 24

RESPONSE_RULE = """
commitments:
  - id: inspect-within-24h
    title: Every dispatched convoy is inspected within 24 hours
    party: bench
    source: {instrument: benchmark, date: "2023"}
    kind: response
    when: {type: convoy, state: dispatched}
    then: {type: convoy, state: inspected}
    same: [convoy]
    within: 24h
    continuous: true
"""

THRESHOLD_RULE = """
commitments:
  - id: daily-crossings
    title: At least the mean daily number of vehicles in each direction
    party: bench
    source: {instrument: benchmark, date: "2023"}
    kind: threshold
    tz: "+04:00"
    every: 1d
    measure: sum(count)
    of: {type: crossing, checkpoint: hakari-bridge, category: vehicles}
    for_each: direction
    at_least: AT_LEAST
"""

REELAY_PATTERN = (
    r"exists[c]. ((once[24:24]{ev: dispatched, convoy: *c}) "
    r"and (not (once[:24]{ev: inspected, convoy: *c})))"
)


def response_trace(n: int, seed: int = 7) -> tuple[list[Event], list[dict[str, str]]]:
    """The convoy trace, as corridor events and as reelay's records (one per hourly step)."""
    rng = random.Random(seed)
    slots: list[tuple[str, str] | None] = [None] * n
    convoys: list[str] = []
    for i in range(n):
        if slots[i] is not None:
            continue
        r = rng.random()
        if r < 0.3:
            c = f"c{len(convoys)}"
            convoys.append(c)
            slots[i] = ("dispatched", c)
            u = rng.random()
            if u < 0.85:
                delay: int | None = rng.randint(1, WITHIN_STEPS)
            elif u < 0.95:
                delay = rng.randint(WITHIN_STEPS + 1, 3 * WITHIN_STEPS)
            else:
                delay = None
            if delay is not None:
                j = i + delay
                while j < n and slots[j] is not None:
                    j += 1
                if j < n:
                    slots[j] = ("inspected", c)
        else:
            c = convoys[rng.randrange(len(convoys))] if convoys else "c-none"
            slots[i] = ("waiting", c)
    events: list[Event] = []
    records: list[dict[str, str]] = []
    for i, s in enumerate(slots):
        assert s is not None
        state, c = s
        t = T0 + i * HOUR
        events.append(Event(f"e{i}", "convoy", t, t, {"convoy": c, "state": state}, "bench"))
        records.append({"ev": state, "convoy": c})
    return events, records


def threshold_trace(n: int, seed: int = 11) -> list[Event]:
    """N vehicle crossings (counts 0-3) over about a year, in time order."""
    rng = random.Random(seed)
    span = 365 * 86400.0
    times = sorted(T0 + rng.random() * span for _ in range(n))
    dirs = ("inbound", "outbound")
    return [
        Event(f"x{i}", "crossing", t, t,
              {"checkpoint": "hakari-bridge", "direction": dirs[rng.getrandbits(1)],
               "category": "vehicles", "count": rng.randint(0, 3)}, "bench")
        for i, t in enumerate(times)
    ]


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _violations(results: list[Any]) -> set[tuple[str, int]]:
    (r,) = results
    return {
        (i.key, round((i.start - T0) / HOUR)) for i in r.instances if i.verdict is Verdict.violated
    }


def _reelay(records: list[dict[str, str]]) -> set[tuple[str, int]]:
    from reelay import discrete_timed_monitor  # the bench extra

    monitor = discrete_timed_monitor(pattern=REELAY_PATTERN, condense=False)
    update = monitor.update
    out: set[tuple[str, int]] = set()
    for j, rec in enumerate(records):
        if update(rec)["value"]:
            d = j - WITHIN_STEPS
            out.add((records[d]["convoy"], d))
    return out


def run(n: int, repeat: int) -> dict[str, Any]:
    events, records = response_trace(n)
    crossings = threshold_trace(n)
    # The traces are input data: move them out of the cyclic collector's view (as the store's
    # rows would be), so each contender's timing counts only its own work and allocations.
    gc.collect()
    gc.freeze()
    at = events[-1].start
    rules = parse_rules(RESPONSE_RULE, name="bench-response.yaml")

    def online() -> list[Any]:
        ev = OnlineEvaluator(rules)
        feed = ev.feed
        for e in events:
            feed(e)
        return ev.results(at)

    t_batch, batch_res = _best(lambda: evaluate(rules, events, at), repeat)
    t_online, online_res = _best(online, repeat)
    ours = _violations(batch_res)
    fig: dict[str, Any] = {
        "events": n,
        "triggers": len(batch_res[0].instances),
        "violations": len(ours),
        "batch_events_per_s": n / t_batch,
        "online_events_per_s": n / t_online,
        "online_agrees_with_batch": _violations(online_res) == ours,
    }
    try:
        import reelay  # noqa: F401
    except ImportError:
        fig.update(reelay_events_per_s=None, batch_ratio_vs_reelay=None,
                   online_ratio_vs_reelay=None, agrees_with_reelay=None,
                   note="reelay is not installed: pip install 'corridor[bench]'")
    else:
        t_reelay, theirs = _best(lambda: _reelay(records), repeat)
        fig.update(
            reelay_events_per_s=n / t_reelay,
            batch_ratio_vs_reelay=t_reelay / t_batch,
            online_ratio_vs_reelay=t_reelay / t_online,
            agrees_with_reelay=theirs == ours,
            reelay_violations=len(theirs),
        )
    # about half the days fall short of the mean (counts 0-3, mean 1.5, two directions)
    trules = parse_rules(THRESHOLD_RULE.replace("AT_LEAST", str(round(n / 365 / 2 * 1.5))),
                         name="bench-threshold.yaml")
    t_at = crossings[-1].start

    def t_online_run() -> list[Any]:
        ev = OnlineEvaluator(trules)
        for e in crossings:
            ev.feed(e)
        return ev.results(t_at)

    t_thr, thr = _best(lambda: evaluate(trules, crossings, t_at), repeat)
    t_thr_on, thr_on = _best(t_online_run, repeat)
    gc.unfreeze()
    fig.update(
        threshold_events_per_s=n / t_thr,
        threshold_online_events_per_s=n / t_thr_on,
        threshold_instances=len(thr[0].instances),
        threshold_counts=thr[0].counts,
        threshold_online_agrees=[r.to_json() for r in thr] == [r.to_json() for r in thr_on],
    )
    return fig


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corridor.bench rules", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100,000 events instead of 1,000,000")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--events", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    n = args.events or (100_000 if args.quick else 1_000_000)
    fig = run(n, repeat=3 if n <= 200_000 else 2)
    if args.json:
        print(json.dumps(fig, sort_keys=True))
        return 0
    w = sys.stdout.write
    w(f"response rule, per convoy, 24 h deadline: {fig['events']:,} events, "
      f"{fig['triggers']:,} triggers, {fig['violations']:,} violations\n")
    w(f"  batch   {fig['batch_events_per_s']:>12,.0f} events/s\n")
    w(f"  online  {fig['online_events_per_s']:>12,.0f} events/s\n")
    if fig.get("reelay_events_per_s"):
        w(f"  reelay  {fig['reelay_events_per_s']:>12,.0f} events/s (same trace, past-time form)\n")
        w(f"  batch  / reelay = {fig['batch_ratio_vs_reelay']:.2f}x  (bar: 1.0x)\n")
        w(f"  online / reelay = {fig['online_ratio_vs_reelay']:.2f}x  (bar: 0.5x)\n")
        w(f"  violation sets agree with reelay: {fig['agrees_with_reelay']}\n")
    else:
        w(f"  {fig['note']}\n")
    w(f"threshold rule, daily sums per direction: {fig['events']:,} crossings, "
      f"{fig['threshold_instances']:,} windows\n")
    w(f"  batch   {fig['threshold_events_per_s']:>12,.0f} events/s\n")
    w(f"  online  {fig['threshold_online_events_per_s']:>12,.0f} events/s\n")
    return 0
