"""Commitments: rule files judged against the record, verdicts with evidence (and proofs)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.cases import Case
from corridor.errors import InputError, NotFoundError, RuleError
from corridor.model import Observation, Registry
from corridor.model.history import Attested, attestation_summary, resolve
from corridor.rules import (
    CommitmentResult,
    RuleSet,
    evaluate,
    events_from,
    parse_rules,
    with_attestations,
)
from corridor.rules.filters import rule_types

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor
    from corridor.app.log import Basis

__all__ = ["CheckResult", "CommitmentCases", "evaluate_rules", "load_rules"]


def load_rules(path: Path, registry: Registry | None, *, name: str | None = None) -> RuleSet:
    """Read and check a rule file (errors name FILE:LINE:COLUMN)."""
    from corridor.source import read_source

    return parse_rules(read_source(path, RuleError), name=name or str(path), registry=registry)


@dataclass
class CheckResult:
    """Verdicts per commitment, when and over how many observations they were reached, the
    observations named as evidence, and (on request) an inclusion proof for each."""

    at: datetime
    results: list[CommitmentResult]
    observations: dict[str, Observation]
    events: int
    proofs: dict[str, dict[str, Any]] | None = None
    unproved: list[str] = field(default_factory=list)
    basis: Basis | None = None  # the signed checkpoint a check as of a tree size rests on

    def to_json(self) -> list[dict[str, Any]]:
        from corridor.app.shapes import verdicts_with_proofs
        from corridor.rules import results_to_json

        return verdicts_with_proofs(results_to_json(self.results), self.proofs)


def evidence_ids(results: Iterable[CommitmentResult]) -> list[str]:
    seen: dict[str, None] = {}
    for r in results:
        for inst in r.instances:
            for oid in inst.evidence:
                seen.setdefault(oid, None)
    return list(seen)


def load_rule_files(
    files: Sequence[Path | str], registry: Registry, *, short_names: bool = False
) -> list[RuleSet]:
    return [
        load_rules(Path(f), registry, name=Path(f).name if short_names else None) for f in files
    ]


def evaluate_rules(
    files: Sequence[Path | str] | Sequence[RuleSet],
    observations: Sequence[Observation],
    registry: Registry,
    at: datetime,
    *,
    short_names: bool = False,
    attestations: dict[str, Attested] | None = None,
) -> CheckResult:
    """Judge the rules (files, or rule sets already read) against ``observations`` (the
    current state) at ``at``, with the ``attestations`` about them (no database needed)."""
    rule_sets = [
        f if isinstance(f, RuleSet) else load_rule_files([f], registry, short_names=short_names)[0]
        for f in files
    ]
    events = events_from(observations, attestations)
    results = [r for rs in rule_sets for r in evaluate(rs, events, at)]
    results = with_attestations(results, attestations or {})
    return CheckResult(at, results, {o.id: o for o in observations}, len(events))


class CommitmentCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def check(
        self,
        files: Sequence[Path | str],
        at: datetime,
        *,
        prove: bool = False,
        case: Case | None = None,
        short_names: bool = False,
        as_of: int | None = None,
    ) -> CheckResult:
        """Judge the rules in ``files`` against the record's current state at ``at``, counting
        corroborations (``evidence: corroborated``) and naming who corroborated and who
        disputed each observation a verdict rests on.

        With ``case``, the record must hold it (NotFoundError otherwise: judging a case's
        commitments against a database without its observations would call everything
        undetermined). With ``as_of``, the record as it stood at that tree size (the size of a
        signed checkpoint). With ``prove``, every evidence entry gets an inclusion proof
        against the latest signed checkpoint (or that one); entries beyond it are listed in
        ``unproved``.
        """
        if not files:
            raise InputError("no rule files to check")
        self._require(case)
        rule_sets = load_rule_files(files, self.app.store.registry(), short_names=short_names)
        return self._judge(rule_sets, at, prove, as_of)

    def check_texts(
        self,
        texts: Sequence[tuple[str, str]],
        at: datetime,
        *,
        prove: bool = False,
        case: Case | None = None,
        as_of: int | None = None,
    ) -> CheckResult:
        """As :meth:`check`, for rule files given as (name, YAML text): what a client sends
        (errors name NAME:LINE:COLUMN)."""
        if not texts:
            raise InputError("no rules to check")
        self._require(case)
        registry = self.app.store.registry()
        rule_sets = [parse_rules(text, name=name, registry=registry) for name, text in texts]
        return self._judge(rule_sets, at, prove, as_of)

    def _require(self, case: Case | None) -> None:
        if case is not None and not self.app.cases.holds(case):
            raise NotFoundError(
                f"the database does not hold case {case.name!r} (its organisations and "
                "observations); load the case into it first"
            )

    def _judge(
        self, rule_sets: Sequence[RuleSet], at: datetime, prove: bool, as_of: int | None = None
    ) -> CheckResult:
        store = self.app.store
        basis = None if as_of is None else self.app.log.basis(as_of)
        # only the observation types the rules' filters name can matter to them, and only those
        # starting at or before ``at`` (the store's resolution is a microsecond): a check at an
        # earlier instant reads the history up to it, not the whole record
        until = at + timedelta(microseconds=1)
        stored = store.overlapping(None, until, sorted(rule_types(rule_sets)), as_of=as_of)
        ids = {s.id for s in stored}
        attested = attestation_summary(
            a.observation
            for a in store.attestations_about(None, as_of=as_of)
            if a.observation.body.about in ids  # type: ignore[union-attr]
        )
        result = evaluate_rules(
            rule_sets, [s.observation for s in stored], store.registry(), at,
            attestations=attested,
        )  # fmt: skip
        result.basis = basis
        if prove:
            index = {s.id: s.log_index for s in stored}
            result.proofs, result.unproved = self.app.log.prove_many(
                [(oid, index[oid]) for oid in evidence_ids(result.results) if oid in index],
                as_of=as_of,
            )
        return result

    @staticmethod
    def check_case(case: Case, at: datetime, files: Sequence[Path | str] = ()) -> CheckResult:
        """Judge a case's rules (or ``files``) against the case's own observations, in memory."""
        rule_files = list(files) or list(case.rules)
        if not rule_files:
            raise InputError(f"case {case.name!r} has no rules")
        current = resolve(case.observations)
        return evaluate_rules(
            rule_files, current.facts, case.registry, at, attestations=current.attestations
        )
