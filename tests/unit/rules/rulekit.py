"""Builders for rule tests: a small registry, observations, rule files from snippets."""

from __future__ import annotations

from typing import Any

from corridor.model import (
    Checkpoint,
    Observation,
    Organisation,
    Place,
    Registry,
    Route,
    parse_observation,
)
from corridor.model.entities import OrgKind

HEAD = """
tz: "+04:00"
commitments:
"""
META = """
  - id: {id}
    title: a commitment
    party: az-gov
    source: {{instrument: test instrument, date: "2023-02-22"}}
"""


def rules_text(*bodies: str, ids: list[str] | None = None) -> str:
    """A rule file from commitment bodies (each indented by 4 spaces, without id/title/...)."""
    out = HEAD
    for n, body in enumerate(bodies):
        cid = ids[n] if ids else f"c{n}"
        out += META.format(id=cid) + body
    return out


def make_registry() -> Registry:
    orgs = [Organisation(id=o, name=o, kind=OrgKind.monitor)
            for o in ("az-gov", "icrc", "euma", "ngo-x", "corridor-case")]
    places = [Place(id=p, names=(p,)) for p in ("goris", "kornidzor", "hakari-bridge", "khankendi",
                                               "aghdam")]
    routes = [Route(id="lachin-road", name="Lachin road", places=("goris", "khankendi")),
              Route(id="aghdam-road", name="Aghdam road", places=("aghdam", "khankendi"))]
    cps = [
        Checkpoint(id="hakari-bridge", name="Hakari", place="hakari-bridge", route="lachin-road"),
        Checkpoint(id="aghdam-post", name="Aghdam post", place="aghdam", route="aghdam-road"),
    ]
    return Registry.of(orgs, places, routes, cps)


def obs(type_: str, observed: Any, reporter: str = "icrc", **body: Any) -> Observation:
    """One observation; ``observed`` is an ISO instant or a (start, end) pair."""
    if isinstance(observed, tuple):
        observed = {"start": observed[0], "end": observed[1]}
    return parse_observation({
        "type": type_, "observed": observed, "reporter": reporter,
        "sources": [{"title": f"test source {reporter}"}], "body": body,
    })


def day(d: str) -> tuple[str, str]:
    """The local (+04:00) day D as a period [D 00:00, D+1 00:00)."""
    from datetime import date, timedelta

    nxt = date.fromisoformat(d) + timedelta(days=1)
    return (f"{d}T00:00:00+04:00", f"{nxt.isoformat()}T00:00:00+04:00")


def judge(
    text: str, observations: list[Any], at: str, registry: Registry | None = None
) -> list[Any]:
    """Evaluate a rule file over observations at ``at``, batch and online; they must agree."""
    from corridor.model import parse_instant
    from corridor.rules import OnlineEvaluator, evaluate, events_from, parse_rules, results_to_json

    rules = parse_rules(text, registry=registry)
    events = events_from(observations)
    t = parse_instant(at)
    batch = evaluate(rules, events, t)
    online = OnlineEvaluator(rules)
    online.feed_many(events)
    assert results_to_json(online.results(t)) == results_to_json(batch)
    return batch


def verdicts(result: Any) -> dict[str, str]:
    """Instance key -> verdict."""
    return {i.key: i.verdict.value for i in result.instances}
