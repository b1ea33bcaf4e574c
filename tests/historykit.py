"""Shared by the history tests: synthetic observations that correct, retract and attest each
other, and a reference model of the rules (docs/record.md) to check corridor against.

All data here is SYNTHETIC: two made-up monitors (ngo-x, ngo-y) at a made-up checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from corridor.model import Observation, parse_observation

ORGS = ("ngo-x", "ngo-y")
SOURCE = [{"title": "Daily counts (synthetic test data)"}]


def crossing(
    count: int,
    *,
    reporter: str = "ngo-x",
    day: int = 5,
    supersedes: str | None = None,
    reason: str = "corrected count",
) -> Observation:
    d: dict[str, Any] = {
        "type": "crossing",
        "observed": {
            "start": f"2024-01-{day:02d}T00:00:00+00:00",
            "end": f"2024-01-{day + 1:02d}T00:00:00+00:00",
        },
        "reporter": reporter,
        "sources": SOURCE,
        "body": {
            "checkpoint": "north-gate", "direction": "inbound", "category": "vehicles",
            "count": count,
        },
    }  # fmt: skip
    if supersedes is not None:
        d["supersedes"] = {"id": supersedes, "reason": reason}
    return parse_observation(d)


def claim(n: int, *, reporter: str = "ngo-x", supersedes: str | None = None) -> Observation:
    d: dict[str, Any] = {
        "type": "claim",
        "observed": "2024-01-05T12:00:00+00:00",
        "reporter": reporter,
        "sources": SOURCE,
        "body": {"party": reporter, "statement": f"statement {n}", "about": "the count"},
    }
    if supersedes is not None:
        d["supersedes"] = {"id": supersedes, "reason": "another type"}
    return parse_observation(d)


def retraction(target: str, *, reporter: str = "ngo-x", n: int = 0) -> Observation:
    return parse_observation(
        {
            "type": "retraction",
            "observed": f"2024-02-01T{n % 24:02d}:{n // 24 % 60:02d}:00+00:00",
            "reporter": reporter,
            "sources": SOURCE,
            "body": {"retracts": target, "reason": f"withdrawn ({n})"},
        }
    )


def attestation(
    about: str,
    *,
    reporter: str = "ngo-y",
    stance: str = "corroborates",
    n: int = 0,
    **body: Any,
) -> Observation:
    return parse_observation(
        {
            "type": "attestation",
            "observed": f"2024-02-02T{n % 24:02d}:{n // 24 % 60:02d}:00+00:00",
            "reporter": reporter,
            "sources": SOURCE,
            "body": {"about": about, "stance": stance, **body},
        }
    )


# -- random histories and the reference model ----------------------------------------------------

#: one step: (what, which earlier entry (index, wrapped), by whom, keep the type)
Step = tuple[str, int, str, bool]

steps = st.lists(
    st.tuples(
        st.sampled_from(["report", "correct", "correct", "retract", "attest"]),
        st.integers(0, 40),
        st.sampled_from(ORGS),
        st.booleans(),
    ),
    min_size=1,
    max_size=14,
)


@dataclass
class Model:
    """The rules of docs/record.md, written out plainly: which entries are valid, the current
    version of every chain, and who corroborates each current fact."""

    entries: list[Observation] = field(default_factory=list)  # every entry tried, in order
    valid: list[bool] = field(default_factory=list)
    on_record: dict[str, Observation] = field(default_factory=dict)
    successor: dict[str, str] = field(default_factory=dict)
    root: dict[str, str] = field(default_factory=dict)  # version -> first version
    stance: dict[tuple[str, str], str] = field(default_factory=dict)  # (org, about) -> id

    def head_of(self, root: str) -> str | None:
        """The last version of a chain (None when it ends in a retraction)."""
        v = root
        while v in self.successor:
            v = self.successor[v]
        return None if self.on_record[v].type == "retraction" else v

    def current_facts(self) -> set[str]:
        return {
            i for i, o in self.on_record.items()
            if o.type in ("crossing", "claim") and i not in self.successor
        }  # fmt: skip

    def chains(self) -> dict[str, str | None]:
        """First version -> current version, for every chain of a fact."""
        return {
            r: self.head_of(r) for r, o in self.on_record.items()
            if o.supersedes is None and o.type in ("crossing", "claim")
        }  # fmt: skip

    def corroborators(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for (org, about), aid in self.stance.items():
            if aid not in self.successor:
                out.setdefault(about, set()).add(org)
        return out

    def step(self, n: int, s: Step) -> Observation:
        """Build the entry of step ``n``, decide whether the rules accept it, record it."""
        what, k, by, keep = s
        target = self.entries[k % len(self.entries)] if self.entries else None
        if what == "report" or target is None:
            o, ok = crossing(1000 + n, reporter=by, day=1 + n % 20), True
        else:
            t = target.id
            live = t in self.on_record and t not in self.successor
            tt = self.on_record[t].type if t in self.on_record else None
            if what == "correct":
                kind = tt if tt in ("crossing", "claim") else target.type
                kind = kind if kind in ("crossing", "claim") else "crossing"
                if not keep:  # the other type: a correction that would change it
                    kind = "claim" if kind == "crossing" else "crossing"
                if kind == "crossing":
                    o = crossing(n, reporter=by, day=target.start.day, supersedes=t)
                else:
                    o = claim(n, reporter=by, supersedes=t)
                ok = live and tt == o.type and self._reporter(t) == by
            elif what == "retract":
                o = retraction(t, reporter=by, n=n)
                ok = live and tt != "retraction" and self._reporter(t) == by
            else:
                o = attestation(t, reporter=by, n=n)
                ok = (
                    live and tt in ("crossing", "claim") and self._reporter(t) != by
                    and (by, t) not in self.stance
                )  # fmt: skip
        self.entries.append(o)
        self.valid.append(ok)
        if ok:
            self._record(o)
        return o

    def _reporter(self, i: str) -> str:
        return self.on_record[i].reporter

    def _record(self, o: Observation) -> None:
        self.on_record[o.id] = o
        named = o.supersedes.id if o.supersedes else getattr(o.body, "retracts", None)
        if named is not None:
            self.successor[named] = o.id
            for key, aid in list(self.stance.items()):
                if aid == named:
                    del self.stance[key]
        if o.type == "attestation":
            self.stance[(o.reporter, o.body.about)] = o.id  # type: ignore[union-attr]


def build(steps_: list[Step]) -> Model:
    m = Model()
    for n, s in enumerate(steps_):
        m.step(n, s)
    return m
