"""Commitments compiled for evaluation: predicates, keys, windows, and the decision functions
that turn what was counted into a verdict. Batch (:mod:`.evaluate`) and online (:mod:`.online`)
evaluation accumulate differently and decide through these same functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import tzinfo

from corridor.model import BODY_TYPES
from corridor.rules.checks import enum_values, normalise
from corridor.rules.events import Event
from corridor.rules.filters import (
    Pred,
    compile_spec,
    coverage_spec,
    has_field,
    types_of,
)
from corridor.rules.language import (
    STATE_SUBJECTS,
    Absence,
    Commitment,
    Concurrent,
    Filter,
    Response,
    Standing,
    State,
    Threshold,
    alternatives,
)
from corridor.rules.language import Sequence as SequenceRule
from corridor.rules.verdict import Verdict, format_time
from corridor.rules.windows import Windows, anchor_for

__all__ = [
    "ConcurrentPlan",
    "Plan",
    "ResponsePlan",
    "SequencePlan",
    "StatePlan",
    "WindowPlan",
    "compile_commitment",
    "decide_bounds",
    "decide_state",
]

INF = math.inf
ALL = object()  # key of a coverage report that covers every key of a for_each split


@dataclass
class Plan:
    """What every compiled commitment has."""

    c: Commitment
    start: float  # -inf without from
    stop: float  # +inf without to
    tz: tzinfo
    standing: Standing
    continuous: bool
    types: frozenset[str]

    def in_period(self, t: float) -> bool:
        return self.start <= t < self.stop

    def not_begun(self, at: float) -> bool:
        return self.start > at


# -- threshold and absence --------------------------------------------------------------------


@dataclass
class WindowPlan(Plan):
    """Threshold (and absence: a threshold of ``count`` ``at_most: 0``) per window and key."""

    meas: Pred
    cov: Pred
    measure_field: str | None
    key_field: str | None
    key_domain: tuple[Hashable, ...] | None  # None: the values seen
    keyless: frozenset[str]  # coverage types without the key field: they cover every key
    at_least: float | None
    at_most: float | None
    step: int | None
    fit_within: bool  # threshold: a report counts in the window its period lies within
    measure_text: str

    def windows(self, first: float) -> Windows:
        if self.start > -INF:
            anchor = self.start
        elif self.step is None:
            anchor = first
        else:
            anchor = anchor_for(first, self.step, self.tz)
        return Windows(anchor, self.step, self.tz, None if self.stop == INF else self.stop)

    def key_label(self, key: Hashable, label: str) -> str:
        return label if self.key_field is None else f"{key}@{label}"


def decide_bounds(
    value: float, covered: bool, closed: bool, lo: float | None, hi: float | None
) -> Verdict:
    """Verdict of a window: measures only grow as reports arrive, so exceeding ``at_most`` is
    final, and so is reaching ``at_least`` without an upper bound; anything else waits for the
    window to close, and then needs a report covering it."""
    if hi is not None and value > hi:
        return Verdict.violated
    lo_ok = lo is None or value >= lo
    if covered and lo_ok and hi is None:
        return Verdict.satisfied
    if not closed:
        return Verdict.pending
    if not covered:
        return Verdict.undetermined
    return Verdict.satisfied if lo_ok else Verdict.violated


def why_bounds(
    p: WindowPlan, verdict: Verdict, value: float, covered: bool, measured: list[Event]
) -> str:
    m = p.measure_text
    v = _fmt_num(value)
    n_meas = len(measured)
    if isinstance(p.c, Absence):
        if verdict is Verdict.violated:
            when = format_time(measured[0].start, p.tz)[:10] if measured else ""
            return f"{n_meas} matching observation{'s' if n_meas != 1 else ''}, the first on {when}"
        if verdict is Verdict.satisfied:
            return "covered by reports, none matching"
        if verdict is Verdict.pending:
            return "period not over, nothing matching yet"
        return "no report covers this period"
    bounds = " and ".join(
        b for b in (
            None if p.at_least is None else f"at least {_fmt_num(p.at_least)}",
            None if p.at_most is None else f"at most {_fmt_num(p.at_most)}",
        ) if b
    )
    if verdict is Verdict.undetermined:
        return f"no report for this window (needed: {m} {bounds})"
    if verdict is Verdict.pending:
        return f"window not over: {m} = {v} so far (needed: {bounds})"
    zero = ""
    if covered and value == 0:
        zero = " (an explicit zero)" if n_meas else " (reports cover it, none counted)"
    rel = "meets" if verdict is Verdict.satisfied else "breaks"
    return f"{m} = {v}{zero} {rel} {bounds}"


def _fmt_num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _window_plan(c: Threshold | Absence, base: dict[str, object]) -> WindowPlan:
    if isinstance(c, Threshold):
        mf = c.measure_field
        meas = compile_spec(c.of, need=mf)
        keep = [c.for_each] if c.for_each else []
        cov_spec = c.covered_by if c.covered_by is not None else coverage_spec(c.of, keep)
        cov = compile_spec(cov_spec, need=mf if c.covered_by is None else None)
        kf = c.for_each
        domain: tuple[Hashable, ...] | None = None
        if kf is not None:
            listed: list[Hashable] = []
            for f in alternatives(c.of):
                vals = f.values(kf)
                if vals is None:
                    listed = []
                    break
                listed += [normalise(f.type, kf, v) for v in vals]
            if listed:
                domain = tuple(sorted(set(listed), key=str))
            else:
                enums = {enum_values(f.type, kf) for f in alternatives(c.of)} - {None}
                if len(enums) == 1:
                    domain = next(iter(enums))
        keyless = frozenset(
            f.type for f in alternatives(cov_spec) if kf is not None and not has_field(f.type, kf)
        )
        return WindowPlan(
            **base,  # type: ignore[arg-type]
            types=types_of(c.of, cov_spec),
            meas=meas, cov=cov, measure_field=mf, key_field=kf, key_domain=domain,
            keyless=keyless, at_least=c.at_least, at_most=c.at_most, step=c.every,
            fit_within=True, measure_text=c.measure,
        )
    cov_spec = c.covered_by if c.covered_by is not None else coverage_spec(c.of)
    return WindowPlan(
        **base,  # type: ignore[arg-type]
        types=types_of(c.of, cov_spec),
        meas=compile_spec(c.of), cov=compile_spec(cov_spec), measure_field=None, key_field=None,
        key_domain=None, keyless=frozenset(), at_least=None, at_most=0, step=c.every,
        fit_within=False, measure_text="matches",
    )


# -- response ---------------------------------------------------------------------------------


@dataclass
class ResponsePlan(Plan):
    when: Pred
    then: Pred
    cov: Pred
    key: Callable[[Event], Hashable]
    within: float

    def label(self, k: Hashable) -> str:
        if not isinstance(self.c, Response) or not self.c.same:
            return "*"
        if len(self.c.same) == 1:
            return str(k)
        assert isinstance(k, tuple)
        return "/".join(str(x) for x in k)


def _keyf(same: tuple[str, ...]) -> Callable[[Event], Hashable]:
    if not same:
        return lambda e: None
    if len(same) == 1:
        (f,) = same
        return lambda e: e.fields.get(f)
    fs = same
    return lambda e: tuple(e.fields.get(f) for f in fs)


# -- concurrent and sequence --------------------------------------------------------------------


@dataclass
class ConcurrentPlan(Plan):
    preds: tuple[Pred, ...]
    covs: tuple[Pred, ...]
    within: float


@dataclass
class SequencePlan(Plan):
    preds: tuple[Pred, ...]
    covs: tuple[Pred, ...]
    withins: tuple[float | None, ...]

    def deadline(self, i: int, prev: float | None) -> float:
        """When step ``i`` is due: ``within`` after the step before, else ``to`` (or never)."""
        w = self.withins[i]
        if i > 0 and w is not None and prev is not None:
            return prev + w
        return self.stop


# -- state --------------------------------------------------------------------------------------


@dataclass
class StatePlan(Plan):
    subject: Pred
    holds: Pred
    at_least: float
    step: int | None
    stale: float  # how long a report speaks for the state (inf: until the next report)

    def windows(self, first: float) -> Windows:
        if self.start > -INF:
            anchor = self.start
        elif self.step is None:
            anchor = first
        else:
            anchor = anchor_for(first, self.step, self.tz)
        return Windows(anchor, self.step, self.tz, None if self.stop == INF else self.stop)


def decide_state(held: float, unknown: float, total: float, closed: bool, q: float) -> Verdict:
    """Verdict of a state window: held time already enough -> satisfied; even if every unknown
    and future moment held it would fall short -> violated; else undetermined once the window
    is over, pending before."""
    need = q * total
    if held >= need:
        return Verdict.satisfied
    if held + unknown < need:
        return Verdict.violated
    return Verdict.undetermined if closed else Verdict.pending


def why_state(
    p: StatePlan, verdict: Verdict, held: float, no: float, total: float, seen: list[str]
) -> str:
    """``open 0% of the window (reported: restricted); needed 100%``."""
    f = p.c.of if isinstance(p.c, State) else None
    subject = (*STATE_SUBJECTS.get(f.type, ()), "reporter") if f is not None else ()
    what = " ".join(
        "/".join(str(v) for v in vals) for k, vals in (f.where if f is not None else ())
        if k not in subject
    ) or "the state"
    if total == INF:
        return f"period without end; {what} so far: {_share(held, 1)}"
    unknown = max(0.0, total - held - no)
    parts = [f"{what} {held / total:.0%} of the window"]
    if seen:
        parts.append(f"(reported: {', '.join(seen)})")
    if unknown > 0:
        parts.append(f"unreported {unknown / total:.0%}")
    text = " ".join(parts) + f"; needed {p.at_least:.0%}"
    return f"window not over: {text}" if verdict is Verdict.pending else text


def _share(x: float, of: float) -> str:
    return f"{x / of:.0%}" if of else "0%"


def state_values(p: StatePlan, events: list[Event]) -> list[str]:
    """The values the reports give for the fields the rule conditions on (e.g. the statuses)."""
    f = p.c.of if isinstance(p.c, State) else None
    if f is None:
        return []
    subject = STATE_SUBJECTS.get(f.type, ())
    names = [k for k, _ in f.where if k not in subject and k != "reporter"]
    out: list[str] = []
    for e in events:
        v = "/".join(str(e.fields.get(k)) for k in names)
        if v and v not in out:
            out.append(v)
    return out


# -- compile ------------------------------------------------------------------------------------


def _state_plan(c: State, base: dict[str, object]) -> StatePlan:
    # the reports that speak for the subject: its id, and the reporter when the rule names one
    subj = (*STATE_SUBJECTS[c.of.type], "reporter")
    sf = Filter(type=c.of.type, where=tuple((k, v) for k, v in c.of.where if k in subj))
    return StatePlan(
        **base,  # type: ignore[arg-type]
        types=frozenset({c.of.type}),
        subject=compile_spec(sf), holds=compile_spec(c.of), at_least=c.at_least, step=c.every,
        stale=INF if c.stale_after is None else float(c.stale_after),
    )


def compile_commitment(c: Commitment) -> Plan:
    """Compile a checked commitment (see :func:`corridor.rules.language.problems`)."""
    for f in _filters(c):
        if f.type not in BODY_TYPES:
            raise ValueError(f"{c.id}: unknown observation type {f.type!r}")
    base: dict[str, object] = {
        "c": c,
        "start": -INF if c.start is None else c.start,
        "stop": INF if c.stop is None else c.stop,
        "tz": c.zone,
        "standing": c.evidence,
        "continuous": c.continuous,
    }
    if isinstance(c, Threshold | Absence):
        return _window_plan(c, base)
    if isinstance(c, Response):
        cov_spec = c.covered_by if c.covered_by is not None else coverage_spec(c.then, c.same)
        return ResponsePlan(
            **base,  # type: ignore[arg-type]
            types=types_of(c.when, c.then, cov_spec),
            when=compile_spec(c.when), then=compile_spec(c.then), cov=compile_spec(cov_spec),
            key=_keyf(c.same), within=float(c.within),
        )
    if isinstance(c, Concurrent):
        return ConcurrentPlan(
            **base,  # type: ignore[arg-type]
            types=types_of(*c.of),
            preds=tuple(compile_spec(s) for s in c.of),
            covs=tuple(compile_spec(coverage_spec(s)) for s in c.of),
            within=float(c.within),
        )
    if isinstance(c, SequenceRule):
        return SequencePlan(
            **base,  # type: ignore[arg-type]
            types=types_of(*(s.filter for s in c.steps)),
            preds=tuple(compile_spec(s.filter) for s in c.steps),
            covs=tuple(compile_spec(coverage_spec(s.filter)) for s in c.steps),
            withins=tuple(None if s.within is None else float(s.within) for s in c.steps),
        )
    return _state_plan(c, base)


def _filters(c: Commitment) -> list[Filter]:
    if isinstance(c, Threshold | Absence):
        specs = [c.of, c.covered_by]
    elif isinstance(c, Response):
        specs = [c.when, c.then, c.covered_by]
    elif isinstance(c, Concurrent):
        specs = list(c.of)
    elif isinstance(c, SequenceRule):
        specs = [s.filter for s in c.steps]
    else:
        specs = [c.of]
    return [f for s in specs if s is not None for f in alternatives(s)]

