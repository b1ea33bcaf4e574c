"""Rule files: YAML text to a validated :class:`RuleSet`, every error at FILE:LINE:COLUMN.

The text is read in corridor's one YAML dialect (:mod:`corridor.source`: YAML 1.2 core-schema
scalars, so ``flag: no`` is the text "no"; nesting and aliases bounded), keeping every key's and
value's position; the plain data is validated by the Pydantic models of
:mod:`corridor.rules.language`, then checked for meaning (observation fields, registry ids,
``from`` before ``to``). The first problem is raised as :class:`corridor.errors.RuleError` with
``where="FILE:LINE:COLUMN"``; nothing is evaluated from a file that has one.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from corridor.errors import RuleError
from corridor.model import Registry
from corridor.rules.checks import problems
from corridor.rules.language import KINDS, Path, RuleSet, Step
from corridor.source import Marks, locate, parse_yaml

__all__ = ["parse_rules"]


def _resolve(marks: Marks, loc: tuple[Any, ...]) -> Path:
    """Map a Pydantic error location onto a YAML path, skipping the tags it inserts."""
    path: Path = ()
    for item in loc:
        cand = (*path, item)
        if cand in marks.node:
            path = cand
    return path


def _reason(err: dict[str, Any], raw: Any, path: Path) -> tuple[str, bool]:
    """A one-line reason for a Pydantic error, and whether the key (not the value) is at fault."""
    kind = err.get("type", "")
    loc = err.get("loc", ())
    name = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        known = _known_fields(raw, path)
        hint = difflib.get_close_matches(name, known, n=1)
        more = f"; did you mean {hint[0]!r}?" if hint else (
            f" (expected one of: {', '.join(sorted(known))})" if known else ""
        )
        return f"unknown field {name!r}{more}", True
    if kind == "missing":
        return f"missing field {name!r}", False
    if kind == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        return (f"unknown kind {ctx.get('tag')!r} (one of: {', '.join(KINDS)})", False)
    if kind == "union_tag_not_found":
        return f"missing field 'kind' (one of: {', '.join(KINDS)})", False
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if kind in {"literal_error", "enum"}:
        ctx = err.get("ctx") or {}
        msg = f"{err.get('input')!r} is not one of {ctx.get('expected', '?')}"
    if kind == "string_pattern_mismatch":
        msg = f"{err.get('input')!r} is not an id (lower-case a-z 0-9 . _ -)"
    return (f"{name}: {msg}" if name and not name.isdigit() and name not in msg else msg), False


def _known_fields(raw: Any, path: Path) -> list[str]:
    """Field names allowed in the mapping at ``path[:-1]`` (for 'did you mean')."""
    parent: Any = raw
    for item in path[:-1]:
        try:
            parent = parent[item]
        except (KeyError, IndexError, TypeError):
            return []
    if len(path) == 1:
        return ["version", "tz", "commitments"]
    if len(path) == 3 and path[0] == "commitments" and isinstance(parent, dict):
        model = KINDS.get(str(parent.get("kind")))
        if model is not None:
            return [f.alias or n for n, f in model.model_fields.items()]
    if len(path) >= 2 and path[-2] == "source":
        return ["instrument", "date", "url", "article"]
    if path and "steps" in path:
        return list(Step.model_fields)
    return []


def parse_rules(
    text: str, *, name: str = "rules.yaml", registry: Registry | None = None
) -> RuleSet:
    """Parse and check a rule file. ``name`` is the file name used in error positions;
    ``registry`` (the record's organisations, places, routes, checkpoints) enables id checks.

    Raises RuleError(reason, where="NAME:LINE:COLUMN") for the first problem found.
    """
    doc = parse_yaml(text, name, error=RuleError)
    marks = doc.marks
    if () not in marks.node:
        raise RuleError(
            "the file is empty; expected a mapping with 'commitments'", where=f"{name}:1:1"
        )
    raw = doc.data
    if not isinstance(raw, dict):
        raise RuleError("expected a mapping with 'commitments'", where=locate(name, marks))
    try:
        rules = RuleSet.model_validate(raw)
    except ValidationError as exc:
        errs = exc.errors(include_url=False)
        # a misspelt key also makes a required one missing: name the misspelling first
        first = next((e for e in errs if e.get("type") == "extra_forbidden"), errs[0])
        # the deepest node on the error's path: an unknown key itself, a missing key's mapping
        target = _resolve(marks, tuple(first.get("loc", ())))
        if first.get("type") == "union_tag_invalid":
            target = (*target, "kind")
        reason, at_key = _reason(dict(first), raw, target)
        raise RuleError(reason, where=locate(name, marks, target, at_key=at_key)) from None
    found = problems(rules, registry)
    if found:
        p = found[0]
        raise RuleError(p.reason, where=locate(name, marks, p.path, at_key=p.at_key))
    return rules
