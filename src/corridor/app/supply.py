"""Supply: needs, stocks and shortfalls per commodity under scenarios, one central run or a
Monte Carlo fan; as-recorded scenarios read the record's deliveries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.errors import CorridorError, InputError, ScenarioError
from corridor.model import Observation

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor
    from corridor.supply import Scenario

__all__ = ["CASES", "RECORD_TYPES", "SupplyCases", "SupplyRun", "builtin_scenarios", "cells"]

CASES = ("lachin-2023",)

#: The observation types an as-recorded scenario reads (supply/record.py): deliveries by convoy
#: and crossing, departures as persons crossings, population counts. No other type matters.
RECORD_TYPES = ("convoy", "crossing", "population")

#: (scenario name, days) -> a callback told (days done, days in all) as a run proceeds
ProgressFactory = Callable[[str, int], Callable[[int, int], None]]


def builtin_scenarios(case: str) -> list[tuple[str, str]]:
    """(source name, YAML text) of a case's built-in scenarios, in the order its case file
    lists them."""
    from corridor.source import parse_yaml

    if case not in CASES:
        raise InputError(f"unknown case {case!r}; built-in cases: {', '.join(CASES)}")
    root = resources.files("corridor").joinpath("cases", case.replace("-", "_"))
    folder = root.joinpath("scenarios")
    names = sorted(f.name for f in folder.iterdir() if f.name.endswith(".yaml"))
    try:  # the case file lists its scenarios in the order to show them
        listed = parse_yaml(root.joinpath("case.yaml").read_text(encoding="utf-8")).data
        order = [str(p).removeprefix("scenarios/") for p in listed.get("scenarios") or []]
    except (OSError, InputError, AttributeError, TypeError):
        order = []
    names = [n for n in order if n in names] + [n for n in names if n not in order]
    return [
        (f"{case}/scenarios/{n}", folder.joinpath(n).read_text(encoding="utf-8")) for n in names
    ]


def _matches(wanted: str, source: str) -> bool:
    stem = source.rsplit("/", 1)[-1].removesuffix(".yaml")
    short = stem.split("-", 1)[1] if stem[:2].isdigit() else stem
    return wanted in {stem, short, source}


def scenario_sources(
    case: str | None, scenarios: Sequence[str], *, files: bool = True
) -> list[tuple[str, str, bool]]:
    """(source name, text, explicitly asked for) for each scenario to run: files (unless
    ``files`` is false, as for a server reading on a client's behalf), or a case's built-in
    scenarios (all of them, or those named)."""
    from corridor.source import read_source

    builtin = builtin_scenarios(case) if case else []
    if not scenarios:
        if not builtin:
            raise InputError("give a scenario file or a case")
        return [(name, text, False) for name, text in builtin]
    out = []
    for s in scenarios:
        path = Path(s)
        if files and path.exists() and not path.is_dir():  # read_source refuses devices and FIFOs
            out.append((s, read_source(path, ScenarioError), True))
            continue
        match = [(n, t) for n, t in builtin if _matches(s, n)]
        if not match:
            if not files:
                hint = f"of {case}" if case else "(give a case)"
                raise ScenarioError(f"not a built-in scenario {hint}", where=s)
            hint = f" and not a built-in scenario of {case}" if case else ""
            raise ScenarioError(f"no such file{hint}", where=s)
        out.append((match[0][0], match[0][1], True))
    return out


def with_horizon(sc: Scenario, source: str, start: date | None, end: date | None) -> Scenario:
    """The scenario ending on ``end`` (exclusive) and checked to contain ``start``."""
    from corridor.supply.scenario import MAX_DAYS

    if end is not None:
        if end <= sc.start:
            raise ScenarioError(
                f"the end {end} is not after the scenario's first day {sc.start}", where=source
            )
        if (end - sc.start).days > MAX_DAYS:
            raise ScenarioError(f"the end makes it longer than {MAX_DAYS} days", where=source)
        sc = sc.with_end(end)
    if start is not None and not sc.start <= start < sc.end:
        raise ScenarioError(
            f"the report start {start} is outside the scenario ({sc.start}..{sc.end})",
            where=source,
        )
    return sc


@dataclass
class SupplyRun:
    """Per scenario its summary (see :mod:`corridor.supply.summary`), and the scenarios that
    could not run with why."""

    results: list[dict[str, Any]]
    skipped: list[dict[str, str]] = field(default_factory=list)


def cells(loaded: Sequence[tuple[str, Scenario, bool]], runs: int) -> int:
    """Runs × days × commodities over the scenarios: the size of the work."""
    return sum(runs * sc.days * len(sc.ration) for _, sc, _ in loaded)


class SupplyCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def record_observations(
        self, *, as_of: int | None = None
    ) -> tuple[list[Observation] | None, str | None]:
        """The record's observations (their current versions, as of a tree size) for
        as-recorded scenarios, or None and why not."""
        try:
            stored = self.app.store.overlapping(None, None, RECORD_TYPES, as_of=as_of)
            observations = [s.observation for s in stored]
        except CorridorError as exc:
            return None, f"it needs the record, and the database could not be read ({exc})"
        if not observations:
            return None, "it needs the record, and the database holds no observations"
        return observations, None

    def load(
        self,
        case: str | None,
        scenarios: Sequence[str],
        report_from: date | None = None,
        end: date | None = None,
        *,
        files: bool = True,
    ) -> list[tuple[str, Scenario, bool]]:
        """The scenarios to run, validated: (source, scenario, explicitly asked for). Without
        ``files`` a scenario is only ever a built-in one, never a path."""
        from corridor.supply import load_scenario

        return [
            (source, with_horizon(load_scenario(text, source), source, report_from, end), explicit)
            for source, text, explicit in scenario_sources(case, scenarios, files=files)
        ]

    def run(
        self,
        loaded: Sequence[tuple[str, Scenario, bool]],
        *,
        runs: int = 1,
        seed: int = 1,
        report_from: date | None = None,
        progress: ProgressFactory | None = None,
        as_of: int | None = None,
    ) -> SupplyRun:
        """Run each scenario (``runs`` = 1: one central run; more: Monte Carlo). A scenario
        that needs the record and cannot have it is an error when asked for by name, else it
        is skipped with the reason. As-recorded scenarios read the record's current state, as
        of the tree size ``as_of`` (the size of a signed checkpoint) when given."""
        from corridor.supply import (
            compile_problem,
            montecarlo_summary,
            run_single,
            scenario_info,
            simulate,
            single_summary,
        )

        todo = list(loaded)
        observations: list[Observation] | None = None
        skipped: list[dict[str, str]] = []
        if as_of is not None:
            self.app.log.basis(as_of)
        if any(sc.record is not None for _, sc, _ in todo):
            observations, why = self.record_observations(as_of=as_of)
            if observations is None:
                for source, sc, explicit in todo:
                    if sc.record is not None and explicit:
                        raise ScenarioError(
                            f"cannot run the {sc.name!r} scenario: {why}", where=source
                        )
                skipped = [
                    {"scenario": sc.name, "source": source, "reason": str(why)}
                    for source, sc, _ in todo
                    if sc.record is not None
                ]
                todo = [item for item in todo if item[1].record is None]
        results: list[dict[str, Any]] = []
        for source, sc, _ in todo:
            problem = compile_problem(
                sc, runs=runs, seed=seed, observations=observations if sc.record else None
            )
            info = scenario_info(sc, source)
            if runs == 1:
                summary = single_summary(run_single(problem), report_from=report_from)
            else:
                tick = progress(sc.name, sc.days) if progress is not None else None
                res = simulate(problem, seed=seed, progress=tick)
                summary = montecarlo_summary(res, report_from=report_from)
            results.append({**info, **summary})
        return SupplyRun(results, skipped)

    def demo_lines(self, *, runs: int = 1000, seed: int = 1) -> list[str]:
        """For the demo: per built-in Lachin scenario, when cereal runs out (p5–p95) and kcal
        coverage, on 1 October 2023."""
        from corridor.supply import demo_lines

        observations, _ = self.record_observations()
        return demo_lines(
            builtin_scenarios("lachin-2023"), observations, runs=runs, seed=seed,
            on=date(2023, 10, 1),
        )
