"""Pieces shared by batch and online evaluation: the small state machines of ``concurrent`` and
``sequence`` commitments (they hold one event per filter, so batch evaluation is one pass of the
same machine), the per-window accumulator of ``state`` commitments, and instance building.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import UTC
from functools import lru_cache

from corridor.rules.events import Event, FactSelector
from corridor.rules.filters import describe
from corridor.rules.language import Response, format_duration
from corridor.rules.plan import (
    ALL,
    ConcurrentPlan,
    Plan,
    ResponsePlan,
    SequencePlan,
    StatePlan,
    WindowPlan,
    decide_bounds,
    decide_state,
    state_values,
    why_bounds,
    why_state,
)
from corridor.rules.verdict import CommitmentResult, Instance, Verdict, format_time, worst
from corridor.rules.windows import Windows

__all__ = [
    "ConcurrentRun",
    "SequenceRun",
    "StateAcc",
    "response_instance",
    "result_of",
    "sort_instances",
    "window_instances",
]


def _ids(sel: FactSelector, *events: Event | None) -> tuple[str, ...]:
    return tuple(x for e in events if e is not None for x in sel.ids(e))


@lru_cache(maxsize=4096)
def _dur(seconds: float) -> str:
    return format_duration(int(seconds)) if seconds >= 1 else "0s"


def _when(t: float, p: Plan) -> str:
    return format_time(t, p.tz)


def sort_instances(inst: list[Instance]) -> list[Instance]:
    inst.sort(key=lambda i: (i.start, i.key, i.evidence[:1]))
    return inst


_NOTHING = {
    "threshold": "no report in the period",
    "absence": "no report in the period",
    "state": "no report on it in the period",
    "response": "nothing in the record triggers it (no 'when' in the period)",
}


def result_of(plan: Plan, instances: list[Instance], at: float) -> CommitmentResult:
    """The commitment's verdict: the worst of its instances, with the first such instance's
    reason; undetermined when there is no instance (pending before the period begins)."""
    c = plan.c
    empty = Verdict.pending if plan.not_begun(at) else Verdict.undetermined
    verdict = worst((i.verdict for i in instances), empty=empty)
    if instances:
        first = next(i for i in instances if i.verdict is verdict)
        n = sum(1 for i in instances if i.verdict is verdict)
        many = f" (and {n - 1} more {verdict.value})" if n > 1 else ""
        why = (f"{first.key}: " if first.key not in {"all", "steps", "period"} else "")
        why += first.why + many
    elif plan.not_begun(at):
        why = f"its period begins {format_time(plan.start, plan.tz)}"
    elif isinstance(plan, ResponsePlan) and isinstance(c, Response):
        why = f"nothing in the period triggers it (no {describe(c.when)})"
    else:
        why = _NOTHING.get(c.kind, "nothing in the record")
    return CommitmentResult(
        id=c.id,
        title=c.title,
        kind=c.kind,
        party=c.party,
        verdict=verdict,
        instances=tuple(instances),
        tz=plan.tz if c.tz is not None else UTC,
        source=c.source.model_dump(exclude_none=True),
        why=why,
    )


# -- windows ----------------------------------------------------------------------------------


def window_instances(
    p: WindowPlan,
    W: Windows,
    value: dict[tuple[Hashable, int], float],
    mreps: dict[tuple[Hashable, int], list[Event]],
    creps: dict[tuple[Hashable, int], list[Event]],
    seen: set[Hashable],
    at: float,
    sel: FactSelector,
) -> list[Instance]:
    """One instance per key and per window begun by ``at``, from what was accumulated."""
    keys: Sequence[Hashable] = (
        [None] if p.key_field is None
        else (p.key_domain if p.key_domain is not None else sorted(seen, key=str))
    )
    out: list[Instance] = []
    for i in range(W.last(at) + 1):
        ws, we = W.start(i), W.end(i)
        closed = we <= at
        label = W.label(i)
        every = creps.get((ALL, i), [])
        for k in keys:
            slot = (k, i)
            mr = mreps.get(slot, [])
            cr = creps.get(slot, [])
            v = value.get(slot, 0)
            covered = p.continuous or bool(mr) or bool(cr) or bool(every)
            verdict = decide_bounds(v, covered, closed, p.at_least, p.at_most)
            ev = mr or (cr + every)
            out.append(Instance(
                key=p.key_label(k, label), start=ws, end=None if we == float("inf") else we,
                verdict=verdict, value=v if covered else None,
                evidence=tuple(x for e in ev for x in sel.ids(e)),
                why=why_bounds(p, verdict, v, covered, mr),
            ))
    return out


# -- response ---------------------------------------------------------------------------------


def response_instance(
    p: ResponsePlan,
    label: str,
    w: Event,
    deadline: float,
    hit: Event | None,
    last_cov: Event | None,
    at: float,
    sel: FactSelector,
) -> Instance:
    """The verdict on one trigger ``w``: answered by ``hit``; else pending before the deadline;
    after it violated when the record covers the deadline (continuous monitoring, or a later
    report on the same subject), undetermined when it does not."""
    within = _dur(p.within)
    if hit is not None:
        delay = hit.start - w.start
        return Instance(label, w.start, deadline, Verdict.satisfied, delay, _ids(sel, w, hit),
                        f"answered after {_dur(delay)} (within {within})")
    if deadline > at:
        return Instance(label, w.start, deadline, Verdict.pending, None, _ids(sel, w),
                        f"no answer yet; due by {_when(deadline, p)}")
    if last_cov is not None and last_cov.start >= deadline:
        return Instance(label, w.start, deadline, Verdict.violated, None, _ids(sel, w, last_cov),
                        f"no answer within {within}; a report of {_when(last_cov.start, p)} on "
                        "the same subject shows none came")
    if p.continuous:
        return Instance(label, w.start, deadline, Verdict.violated, None, _ids(sel, w),
                        f"no answer within {within} (monitoring continuous)")
    last = "" if last_cov is None else f" (latest report on it: {_when(last_cov.start, p)[:10]})"
    return Instance(label, w.start, deadline, Verdict.undetermined, None, _ids(sel, w, last_cov),
                    f"no answer within {within}, and nothing reported on it after the "
                    f"deadline{last}")


# -- concurrent -------------------------------------------------------------------------------


class ConcurrentRun:
    """First occurrence of each filter in the period, and the latest report covering each."""

    __slots__ = ("covs", "firsts", "p")

    def __init__(self, p: ConcurrentPlan) -> None:
        self.p = p
        self.firsts: list[Event | None] = [None] * len(p.preds)
        self.covs: list[Event | None] = [None] * len(p.preds)

    def feed(self, e: Event) -> None:
        p = self.p
        if e.type not in p.types:
            return
        for i, pred in enumerate(p.preds):
            if pred(e):
                self.covs[i] = e
                if self.firsts[i] is None and p.in_period(e.start):
                    self.firsts[i] = e
            elif p.covs[i](e):
                self.covs[i] = e

    def instances(self, at: float, sel: FactSelector) -> list[Instance]:
        p = self.p
        got = [f for f in self.firsts if f is not None]
        within = _dur(p.within)
        if len(got) == len(self.firsts):
            t0 = min(f.start for f in got)
            t1 = max(f.start for f in got)
            spread = t1 - t0
            ok = spread <= p.within
            v = Verdict.satisfied if ok else Verdict.violated
            why = (f"all occurred within {_dur(spread)} of each other"
                   f"{'' if ok else f', more than {within}'}")
            return [Instance("all", t0, t1, v, spread, _ids(sel, *got), why)]
        if not got:
            begin = p.start if p.start > -float("inf") else at
            known = [c for c in self.covs if c is not None]
            last = (f"; latest reports on them: "
                    f"{', '.join(_when(c.start, p)[:10] for c in known)}" if known else "")
            if p.stop <= at:
                return [Instance("all", begin, p.stop, Verdict.undetermined, None,
                                 _ids(sel, *known),
                                 f"none of the {len(self.firsts)} occurred in the period{last}")]
            end = None if p.stop == float("inf") else p.stop
            return [Instance("all", begin, end, Verdict.pending, None, _ids(sel, *known),
                             f"none of the {len(self.firsts)} has occurred yet{last}")]
        t0 = min(f.start for f in got)
        deadline = t0 + p.within
        missing = [i for i, f in enumerate(self.firsts) if f is None]
        if deadline > at:
            return [Instance("all", t0, deadline, Verdict.pending, None, _ids(sel, *got),
                             f"{len(missing)} still to occur by {_when(deadline, p)}")]
        late = [self.covs[i] for i in missing
                if (c := self.covs[i]) is not None and c.start >= deadline]
        if late or p.continuous:
            return [Instance("all", t0, deadline, Verdict.violated, None,
                             _ids(sel, *got, *late),
                             f"{len(missing)} did not occur within {within} of the first")]
        return [Instance("all", t0, deadline, Verdict.undetermined, None, _ids(sel, *got),
                         f"{len(missing)} not reported within {within} of the first, and "
                         "nothing reported on it after that")]


# -- sequence ---------------------------------------------------------------------------------


class SequenceRun:
    """Matches the steps in order: the first occurrence of each step after the step before."""

    __slots__ = ("covs", "late", "matched", "p")

    def __init__(self, p: SequencePlan) -> None:
        self.p = p
        self.matched: list[Event] = []
        self.late: Event | None = None
        self.covs: list[Event | None] = [None] * len(p.preds)

    def feed(self, e: Event) -> None:
        p = self.p
        if e.type not in p.types:
            return
        for j, pred in enumerate(p.preds):
            if pred(e) or p.covs[j](e):
                self.covs[j] = e
        i = len(self.matched)
        if self.late is not None or i == len(p.preds):
            return
        if p.preds[i](e) and p.in_period(e.start):
            prev = self.matched[-1].start if self.matched else None
            if e.start > p.deadline(i, prev):
                self.late = e
            else:
                self.matched.append(e)

    def instances(self, at: float, sel: FactSelector) -> list[Instance]:
        p = self.p
        m = self.matched
        n = len(p.preds)
        begin = m[0].start if m else (p.start if p.start > -float("inf") else at)
        if self.late is not None:
            i = len(m)
            w = p.withins[i] or 0.0
            return [Instance("steps", begin, self.late.start, Verdict.violated, None,
                             _ids(sel, *m, self.late),
                             f"step {i + 1} came {_dur(self.late.start - m[-1].start)} after "
                             f"step {i}, later than {_dur(w)}")]
        if len(m) == n:
            return [Instance("steps", begin, m[-1].start, Verdict.satisfied,
                             m[-1].start - m[0].start, _ids(sel, *m),
                             f"all {n} steps in order")]
        i = len(m)
        deadline = p.deadline(i, m[-1].start if m else None)
        end = None if deadline == float("inf") else deadline
        if deadline > at:
            due = "" if end is None else f" (due by {_when(deadline, p)})"
            return [Instance("steps", begin, end, Verdict.pending, None, _ids(sel, *m),
                             f"{i} of {n} steps done; waiting for step {i + 1}{due}")]
        c = self.covs[i]
        if c is not None and c.start >= deadline:
            return [Instance("steps", begin, end, Verdict.violated, None, _ids(sel, *m, c),
                             f"step {i + 1} did not occur by {_when(deadline, p)}")]
        if p.continuous:
            return [Instance("steps", begin, end, Verdict.violated, None, _ids(sel, *m),
                             f"step {i + 1} did not occur by {_when(deadline, p)} "
                             "(monitoring continuous)")]
        last = "" if c is None else f" (latest report on it: {_when(c.start, p)[:10]})"
        return [Instance("steps", begin, end, Verdict.undetermined, None, _ids(sel, *m, c),
                         f"step {i + 1} not reported by {_when(deadline, p)}, and nothing "
                         f"reported on it after that{last}")]


# -- state ------------------------------------------------------------------------------------

Group = list[Event]


class StateAcc:
    """Held / not-held time per window from the state segments of one subject.

    A report (or the reports of one instant) starts a segment that lasts until the next report
    of the subject (at most ``stale_after``); reports of one instant that disagree make their
    segment unknown. A report's observed period says when it was made, not when the state
    ended. Time not in any segment is unknown.
    """

    __slots__ = ("W", "ev", "held", "no", "open_seg", "p")

    def __init__(self, p: StatePlan, first: float | None) -> None:
        self.p = p
        self.W: Windows | None = None
        if p.start > -float("inf"):
            self.W = p.windows(p.start)
        elif first is not None:
            self.W = p.windows(first)
        self.held: dict[int, float] = {}
        self.no: dict[int, float] = {}
        self.ev: dict[int, list[Group]] = {}
        self.open_seg: tuple[float, bool | None, Group] | None = None

    def _spread(
        self,
        a: float,
        b: float,
        h: bool | None,
        rs: Group,
        held: dict[int, float],
        no: dict[int, float],
        ev: dict[int, list[Group]],
    ) -> None:
        W = self.W
        assert W is not None
        b = min(b, a + self.p.stale, self.p.stop)
        a = max(a, W.anchor)
        if b <= a:
            return
        i = W.index(a)
        while W.start(i) < b:
            ws, we = W.start(i), W.end(i)
            overlap = min(b, we) - max(a, ws)
            if overlap > 0:
                if h is True:
                    held[i] = held.get(i, 0.0) + overlap
                elif h is False:
                    no[i] = no.get(i, 0.0) + overlap
                gs = ev.setdefault(i, [])
                if not gs or gs[-1] is not rs:
                    gs.append(rs)
            i += 1

    def close(self, a: float, b: float, h: bool | None, rs: Group) -> None:
        """A finished segment: reports at ``a``, the next report at ``b``."""
        self._spread(a, b, h, rs, self.held, self.no, self.ev)
        self.open_seg = None

    def open(self, t: float, h: bool | None, rs: Group) -> None:
        """The current segment, from ``t`` until the next report."""
        self.open_seg = (t, h, rs)

    def instances(self, at: float, sel: FactSelector) -> list[Instance]:
        W = self.W
        if W is None:
            return []
        held, no = dict(self.held), dict(self.no)
        ev = {i: list(g) for i, g in self.ev.items()}
        if self.open_seg is not None:
            t, h, rs = self.open_seg
            self._spread(t, at, h, rs, held, no, ev)
        out: list[Instance] = []
        for i in range(W.last(at) + 1):
            ws, we = W.start(i), W.end(i)
            total = we - ws
            hv, nv = held.get(i, 0.0), no.get(i, 0.0)
            verdict = decide_state(hv, total - hv - nv, total, we <= at, self.p.at_least)
            reports = [e for g in ev.get(i, ()) for e in g]
            ids = tuple(x for e in reports for x in sel.ids(e))
            out.append(Instance(W.label(i), ws, we if we != float("inf") else None, verdict,
                                hv / total if total != float("inf") else None, ids,
                                why_state(self.p, verdict, hv, nv, total,
                                          state_values(self.p, reports))))
        return out
