"""Batch evaluation: every commitment over a whole record as of an evaluation time ``at``.

The record is the events that start at or before ``at``. Hot paths are single tight loops over
the events: windows accumulate per (key, window); responses group triggers and responses per key
and match them with two pointers; states sweep the subject's reports once.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime

from corridor.model.gcpause import gc_paused
from corridor.rules.events import Event, FactSelector, select, sort_events
from corridor.rules.language import Commitment, RuleSet, Standing, instant
from corridor.rules.plan import (
    ALL,
    ConcurrentPlan,
    Plan,
    ResponsePlan,
    SequencePlan,
    StatePlan,
    WindowPlan,
    compile_commitment,
)
from corridor.rules.steps import (
    ConcurrentRun,
    SequenceRun,
    StateAcc,
    response_instance,
    result_of,
    sort_instances,
    window_instances,
)
from corridor.rules.verdict import CommitmentResult, Instance

__all__ = ["evaluate", "evaluate_plan"]


def evaluate(
    rules: RuleSet | Sequence[Commitment],
    events: Iterable[Event],
    at: datetime | float,
) -> list[CommitmentResult]:
    """Judge every commitment on the events that start at or before ``at``."""
    t_at = instant(at)
    commitments = rules.commitments if isinstance(rules, RuleSet) else tuple(rules)
    with gc_paused():
        evs = sort_events(list(events))
        selections: dict[Standing, tuple[list[Event], FactSelector]] = {}
        out: list[CommitmentResult] = []
        for c in commitments:
            plan = compile_commitment(c)
            if plan.standing not in selections:
                selections[plan.standing] = select(evs, t_at, plan.standing)
            reps, sel = selections[plan.standing]
            out.append(evaluate_plan(plan, reps, sel, t_at))
    return out




def evaluate_plan(plan: Plan, reps: list[Event], sel: FactSelector, at: float) -> CommitmentResult:
    """One compiled commitment over the qualifying facts (``reps``, in order)."""
    if isinstance(plan, WindowPlan):
        inst = _windows(plan, reps, sel, at)
    elif isinstance(plan, ResponsePlan):
        inst = _response(plan, reps, sel, at)
    elif isinstance(plan, ConcurrentPlan):
        run = ConcurrentRun(plan)
        for e in reps:
            run.feed(e)
        inst = run.instances(at, sel)
    elif isinstance(plan, SequencePlan):
        seq = SequenceRun(plan)
        for e in reps:
            seq.feed(e)
        inst = seq.instances(at, sel)
    else:
        assert isinstance(plan, StatePlan)
        inst = _state(plan, reps, sel, at)
    return result_of(plan, inst, at)


# -- windows (threshold, absence) ----------------------------------------------------------------


def _windows(p: WindowPlan, reps: list[Event], sel: FactSelector, at: float) -> list[Instance]:
    types, meas, cov, start, stop = p.types, p.meas, p.cov, p.start, p.stop
    kf, mf, keyless, domain = p.key_field, p.measure_field, p.keyless, p.key_domain
    fit = p.fit_within
    W = None if start == -float("inf") else p.windows(start)
    value: dict[tuple[Hashable, int], float] = {}
    mreps: dict[tuple[Hashable, int], list[Event]] = {}
    creps: dict[tuple[Hashable, int], list[Event]] = {}
    seen: set[Hashable] = set()
    for e in reps:
        if e.type not in types:
            continue
        t = e.start
        if t < start or t >= stop:
            continue
        m = meas(e)
        if not m and not cov(e):
            continue
        if W is None:
            W = p.windows(t)
        i = W.index(t)
        if i < 0 or (fit and e.end > W.end(i)):
            continue
        if kf is None:
            k: Hashable = None
        elif e.type in keyless:
            k = ALL
        else:
            k = e.fields.get(kf)
            if k is None or (domain is not None and k not in domain):
                continue
            seen.add(k)
        slot = (k, i)
        if m:
            value[slot] = value.get(slot, 0) + (1 if mf is None else e.fields[mf])  # type: ignore[operator]
            mreps.setdefault(slot, []).append(e)
        else:
            creps.setdefault(slot, []).append(e)
    if W is None:
        return []
    return window_instances(p, W, value, mreps, creps, seen, at, sel)


# -- response ----------------------------------------------------------------------------------


def _response(p: ResponsePlan, reps: list[Event], sel: FactSelector, at: float) -> list[Instance]:
    types, when, then, cov, keyf = p.types, p.when, p.then, p.cov, p.key
    start, stop, within = p.start, p.stop, p.within
    whens: dict[Hashable, list[Event]] = {}
    thens: dict[Hashable, list[Event]] = {}
    last_cov: dict[Hashable, Event] = {}
    for e in reps:
        if e.type not in types:
            continue
        is_then = then(e)
        is_when = when(e) and start <= e.start < stop
        is_cov = is_then or cov(e)
        if not (is_when or is_cov):
            continue
        k = keyf(e)
        if is_then:
            lst = thens.get(k)
            if lst is None:
                thens[k] = [e]
            else:
                lst.append(e)
        if is_when:
            lst = whens.get(k)
            if lst is None:
                whens[k] = [e]
            else:
                lst.append(e)
        if is_cov:
            last_cov[k] = e
    out: list[Instance] = []
    for k, ws in whens.items():
        ts = thens.get(k, ())
        n = len(ts)
        j = 0
        lc = last_cov.get(k)
        label = p.label(k)
        for w in ws:
            t = w.start
            while j < n and ts[j].start < t:
                j += 1
            deadline = t + within
            hit = ts[j] if j < n and ts[j].start <= deadline else None
            out.append(response_instance(p, label, w, deadline, hit, lc, at, sel))
    return sort_instances(out)


# -- state ---------------------------------------------------------------------------------------


def _state(p: StatePlan, reps: list[Event], sel: FactSelector, at: float) -> list[Instance]:
    # The subject's reports grouped by instant: (t, holds: True/False/None if they disagree)
    groups: list[tuple[float, bool | None, list[Event]]] = []
    for e in reps:
        if e.type not in p.types or not p.subject(e) or e.start >= p.stop:
            continue
        h: bool | None = p.holds(e)
        if groups and groups[-1][0] == e.start:
            t0, h0, rs = groups[-1]
            rs.append(e)
            groups[-1] = (t0, h if h == h0 else None, rs)
        else:
            groups.append((e.start, h, [e]))
    acc = StateAcc(p, groups[0][0] if groups else None)
    last = len(groups) - 1
    for n, (t, h, rs) in enumerate(groups):
        if n < last:
            acc.close(t, groups[n + 1][0], h, rs)
        else:
            acc.open(t, h, rs)
    return acc.instances(at, sel)
