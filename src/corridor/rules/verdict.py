"""Three-valued verdicts (plus pending), instances, commitment results and their JSON shape.

Ordering, worst first: violated > undetermined > pending > satisfied. A commitment's verdict is the
worst of its instances; a commitment with no instance at all is undetermined (pending if its
period has not begun): nothing is ever called satisfied for lack of data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any

from corridor.model.history import Attested, summaries_json

__all__ = [
    "CommitmentResult",
    "Instance",
    "Verdict",
    "format_time",
    "results_to_json",
    "with_attestations",
    "worst",
]


class Verdict(StrEnum):
    satisfied = "satisfied"
    violated = "violated"
    undetermined = "undetermined"
    pending = "pending"

    @property
    def rank(self) -> int:
        """Severity: 3 violated, 2 undetermined, 1 pending, 0 satisfied."""
        return _RANK[self]


_RANK = {
    Verdict.satisfied: 0,
    Verdict.pending: 1,
    Verdict.undetermined: 2,
    Verdict.violated: 3,
}
ORDER: tuple[Verdict, ...] = (
    Verdict.satisfied,
    Verdict.violated,
    Verdict.undetermined,
    Verdict.pending,
)


def worst(verdicts: Iterable[Verdict], *, empty: Verdict = Verdict.undetermined) -> Verdict:
    """The worst verdict (violated > undetermined > pending > satisfied); ``empty`` if none."""
    best: Verdict | None = None
    for v in verdicts:
        if best is None or _RANK[v] > _RANK[best]:
            best = v
            if _RANK[v] == 3:
                break
    return empty if best is None else best


@dataclass(frozen=True, slots=True)
class Instance:
    """One judged unit of a commitment: a window, a trigger, a run of steps.

    ``start``/``end`` are UTC epoch seconds (``end`` None when open-ended); ``value`` is the
    measured figure (a count or sum, a delay in seconds, a held fraction); ``evidence`` lists the
    observation ids the verdict rests on; ``why`` says in one line why the verdict is what it is.
    """

    key: str
    start: float
    end: float | None
    verdict: Verdict
    value: float | int | None
    evidence: tuple[str, ...]
    why: str

    def to_json(self, tz: tzinfo = UTC) -> dict[str, Any]:
        return {
            "key": self.key,
            "start": format_time(self.start, tz),
            "end": None if self.end is None else format_time(self.end, tz),
            "verdict": self.verdict.value,
            "value": _num(self.value),
            "evidence": list(self.evidence),
            "why": self.why,
        }


@dataclass(frozen=True)
class CommitmentResult:
    """The verdict on one commitment, with every instance it was judged on."""

    id: str
    title: str
    kind: str
    party: tuple[str, ...]
    verdict: Verdict
    instances: tuple[Instance, ...]
    tz: tzinfo = UTC
    source: dict[str, Any] = field(default_factory=dict)
    why: str = ""
    # per evidence id that carries any, who corroborated and who disputed it
    attestations: Mapping[str, Attested] = field(default_factory=dict)

    @property
    def evidence(self) -> list[str]:
        """Every observation the verdict rests on, once each, in the order first named."""
        seen: dict[str, None] = {}
        for i in self.instances:
            seen.update(dict.fromkeys(i.evidence))
        return list(seen)

    @property
    def counts(self) -> dict[str, int]:
        out = {v.value: 0 for v in ORDER}
        for i in self.instances:
            out[i.verdict.value] += 1
        return out

    def first(self, verdict: Verdict, n: int = 3) -> list[Instance]:
        """The first ``n`` instances with this verdict, in time order."""
        return [i for i in self.instances if i.verdict is verdict][:n]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "party": list(self.party),
            "source": self.source,
            "verdict": self.verdict.value,
            "why": self.why,
            "counts": self.counts,
            "instances": [i.to_json(self.tz) for i in self.instances],
            "attestations": summaries_json(self.attestations),
        }


def with_attestations(
    results: Iterable[CommitmentResult], attestations: Mapping[str, Attested]
) -> list[CommitmentResult]:
    """The results, each with the attestations about the observations it rests on."""
    if not attestations:
        return list(results)
    return [
        replace(r, attestations={i: attestations[i] for i in r.evidence if i in attestations})
        for r in results
    ]


def results_to_json(results: Sequence[CommitmentResult]) -> list[dict[str, Any]]:
    """The JSON document of ``corridor check --json``: one object per commitment."""
    return [r.to_json() for r in results]


def format_time(t: float, tz: tzinfo = UTC) -> str:
    """ISO 8601 in ``tz``, seconds precision unless the instant has a fraction."""
    dt = datetime.fromtimestamp(t, tz)
    return dt.isoformat(timespec="seconds" if dt.microsecond == 0 else "microseconds")


def _num(v: float | int | None) -> float | int | None:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v
