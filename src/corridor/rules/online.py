"""Online evaluation: feed events in time order, ask for verdicts at any time.

Each commitment keeps incremental state: per (key, window) accumulators for thresholds and
absences; per-key open triggers, the first response of the current instant and the latest
covering report for responses, with a deadline heap that moves expired triggers out of the open
set as time passes; segment accumulators for states; one event per filter for concurrent and
sequence rules. ``results(at)`` equals :func:`corridor.rules.evaluate.evaluate` on the events
fed so far, at every prefix (a property test holds the two together).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime

from corridor.model.gcpause import gc_paused
from corridor.rules.events import Event, FactSelector
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
from corridor.rules.windows import Windows

__all__ = ["OnlineEvaluator"]


class _Windows:
    __slots__ = ("W", "creps", "mreps", "p", "seen", "value")

    def __init__(self, p: WindowPlan) -> None:
        self.p = p
        self.W: Windows | None = None if p.start == -float("inf") else p.windows(p.start)
        self.value: dict[tuple[Hashable, int], float] = {}
        self.mreps: dict[tuple[Hashable, int], list[Event]] = {}
        self.creps: dict[tuple[Hashable, int], list[Event]] = {}
        self.seen: set[Hashable] = set()

    def feed(self, e: Event) -> None:
        p = self.p
        if e.type not in p.types or not p.in_period(e.start):
            return
        measured = p.meas(e)
        if not measured and not p.cov(e):
            return
        if self.W is None:
            self.W = p.windows(e.start)
        W = self.W
        i = W.index(e.start)
        if i < 0 or (p.fit_within and e.end > W.end(i)):
            return
        k: Hashable = None
        if p.key_field is not None:
            if e.type in p.keyless:
                k = ALL
            else:
                k = e.fields.get(p.key_field)
                if k is None or (p.key_domain is not None and k not in p.key_domain):
                    return
                self.seen.add(k)
        slot = (k, i)
        if measured:
            mf = p.measure_field
            add = 1 if mf is None else e.fields[mf]
            self.value[slot] = self.value.get(slot, 0) + add  # type: ignore[operator]
            self.mreps.setdefault(slot, []).append(e)
        else:
            self.creps.setdefault(slot, []).append(e)

    def instances(self, at: float, sel: FactSelector) -> list[Instance]:
        if self.W is None:
            return []
        return window_instances(self.p, self.W, self.value, self.mreps, self.creps, self.seen,
                                at, sel)


class _Response:
    __slots__ = ("done", "expired", "first_then", "heap", "last_cov", "open", "p", "seq")

    def __init__(self, p: ResponsePlan) -> None:
        self.p = p
        self.open: dict[Hashable, deque[tuple[Event, float]]] = {}
        self.expired: dict[Hashable, list[tuple[Event, float]]] = {}
        self.done: list[tuple[Hashable, Event, float, Event]] = []
        self.first_then: dict[Hashable, Event] = {}  # first response at its instant
        self.last_cov: dict[Hashable, Event] = {}
        self.heap: list[tuple[float, int, Hashable, Event]] = []
        self.seq = 0

    def _expire(self, t: float) -> None:
        heap = self.heap
        while heap and heap[0][0] < t:
            d, _, k, w = heapq.heappop(heap)
            q = self.open.get(k)
            if q and q[0][0] is w:
                q.popleft()
                self.expired.setdefault(k, []).append((w, d))

    def feed(self, e: Event) -> None:
        p = self.p
        if e.type not in p.types:
            return
        t = e.start
        if self.heap and self.heap[0][0] < t:
            self._expire(t)
        is_then = p.then(e)
        is_when = p.when(e) and p.start <= t < p.stop
        is_cov = is_then or p.cov(e)
        if not (is_when or is_cov):
            return
        k = p.key(e)
        if is_then:
            q = self.open.get(k)
            if q:
                for w, d in q:
                    self.done.append((k, w, d, e))
                q.clear()
            ft = self.first_then.get(k)
            if ft is None or ft.start != t:
                self.first_then[k] = e
        if is_cov:
            self.last_cov[k] = e
        if is_when:
            d = t + p.within
            ft = self.first_then.get(k)
            if ft is not None and ft.start == t:
                self.done.append((k, e, d, ft))
            else:
                q = self.open.get(k)
                if q is None:
                    q = self.open[k] = deque()
                q.append((e, d))
                self.seq += 1
                heapq.heappush(self.heap, (d, self.seq, k, e))

    def instances(self, at: float, sel: FactSelector) -> list[Instance]:
        p = self.p
        out = [response_instance(p, p.label(k), w, d, hit, None, at, sel)
               for k, w, d, hit in self.done]
        for source in (self.expired, self.open):
            for k, items in source.items():
                lc = self.last_cov.get(k)
                label = p.label(k)
                for w, d in items:
                    out.append(response_instance(p, label, w, d, None, lc, at, sel))
        return sort_instances(out)


class _State:
    __slots__ = ("acc", "cur", "p")

    def __init__(self, p: StatePlan) -> None:
        self.p = p
        self.acc: StateAcc | None = StateAcc(p, None) if p.start > -float("inf") else None
        self.cur: tuple[float, bool | None, list[Event]] | None = None

    def feed(self, e: Event) -> None:
        p = self.p
        if e.type not in p.types or not p.subject(e) or e.start >= p.stop:
            return
        if self.acc is None:
            self.acc = StateAcc(p, e.start)
        h: bool | None = p.holds(e)
        cur = self.cur
        if cur is not None and cur[0] == e.start:
            t0, h0, rs = cur
            rs.append(e)
            self.cur = (t0, h if h == h0 else None, rs)
        else:
            if cur is not None:
                self.acc.close(cur[0], e.start, cur[1], cur[2])
            self.cur = (e.start, h, [e])
        self.acc.open(*self.cur)

    def instances(self, at: float, sel: FactSelector) -> list[Instance]:
        return [] if self.acc is None else self.acc.instances(at, sel)


class _Run:
    """Concurrent and sequence rules: the shared state machine."""

    __slots__ = ("run",)

    def __init__(self, run: ConcurrentRun | SequenceRun) -> None:
        self.run = run

    def feed(self, e: Event) -> None:
        self.run.feed(e)

    def instances(self, at: float, sel: FactSelector) -> list[Instance]:
        return self.run.instances(at, sel)


_Tracker = _Windows | _Response | _State | _Run


def _tracker(p: Plan) -> _Tracker:
    if isinstance(p, WindowPlan):
        return _Windows(p)
    if isinstance(p, ResponsePlan):
        return _Response(p)
    if isinstance(p, StatePlan):
        return _State(p)
    if isinstance(p, ConcurrentPlan):
        return _Run(ConcurrentRun(p))
    assert isinstance(p, SequencePlan)
    return _Run(SequenceRun(p))


class OnlineEvaluator:
    """Incremental verdicts. Feed events in time order (non-decreasing start); ask
    :meth:`results` at any time at or after the last event fed."""

    def __init__(self, rules: RuleSet | Sequence[Commitment]) -> None:
        commitments = rules.commitments if isinstance(rules, RuleSet) else tuple(rules)
        self._plans = [compile_commitment(c) for c in commitments]
        self._trackers = [_tracker(p) for p in self._plans]
        self._selectors: dict[Standing, FactSelector] = {}
        groups: dict[Standing, list[_Tracker]] = {}
        for p, tr in zip(self._plans, self._trackers, strict=True):
            self._selectors.setdefault(p.standing, FactSelector(p.standing))
            groups.setdefault(p.standing, []).append(tr)
        self._groups = [
            (self._selectors[s].feed, [t.feed for t in trs]) for s, trs in groups.items()
        ]
        self.last = -float("inf")
        self.fed = 0

    def feed(self, e: Event) -> None:
        """Take one event; it must not start before the last one fed."""
        if e.start < self.last:
            raise ValueError(
                f"event {e.id} starts before the last event fed: feed events in time order"
            )
        self.last = e.start
        self.fed += 1
        for select, feeds in self._groups:
            rep = select(e)
            if rep is not None:
                for f in feeds:
                    f(rep)

    def feed_many(self, events: Iterable[Event]) -> None:
        for e in events:
            self.feed(e)

    def results(self, at: datetime | float | None = None) -> list[CommitmentResult]:
        """Verdicts as of ``at`` (default: the start of the last event fed)."""
        t = self.last if at is None else instant(at)
        if t < self.last:
            raise ValueError("ask for results at or after the last event fed")
        out = []
        with gc_paused():
            for p, tr in zip(self._plans, self._trackers, strict=True):
                out.append(result_of(p, tr.instances(t, self._selectors[p.standing]), t))
        return out
