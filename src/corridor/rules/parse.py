"""Rule files: YAML text to a validated :class:`RuleSet`, every error at FILE:LINE:COLUMN.

The text is composed with ``yaml.compose`` so that every key and value keeps its position; the
plain data is validated by the Pydantic models of :mod:`corridor.rules.language`, then checked
for meaning (observation fields, registry ids, ``from`` before ``to``). The first problem is
raised as :class:`corridor.errors.RuleError` with ``where="FILE:LINE:COLUMN"``; nothing is
evaluated from a file that has one.
"""

from __future__ import annotations

import difflib
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from corridor.errors import RuleError
from corridor.model import Registry
from corridor.rules.checks import problems
from corridor.rules.language import KINDS, Path, RuleSet, Step

__all__ = ["parse_rules"]

_KEEP_AS_TEXT = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:str"}


class _Marks:
    """Positions of the nodes of one document, by YAML path."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.value: dict[Path, Mark] = {}
        self.key: dict[Path, Mark] = {}

    def where(self, path: Path, *, at_key: bool = False) -> str:
        """FILE:LINE:COLUMN of the deepest node on ``path`` (1-based line and column)."""
        p = tuple(path)
        while p:
            table = self.key if at_key else self.value
            if p in table:
                return self._fmt(table[p])
            if p in self.value:
                return self._fmt(self.value[p])
            p = p[:-1]
            at_key = False
        return self._fmt(self.value[()]) if () in self.value else f"{self.name}:1:1"

    def resolve(self, loc: tuple[Any, ...]) -> Path:
        """Map a Pydantic error location onto a YAML path, skipping the tags it inserts."""
        path: Path = ()
        for item in loc:
            cand = (*path, item)
            if cand in self.value:
                path = cand
        return path

    def _fmt(self, m: Mark) -> str:
        return f"{self.name}:{m.line + 1}:{m.column + 1}"


def _plain(node: Node, path: Path, marks: _Marks, ctor: SafeConstructor) -> Any:
    marks.value[path] = node.start_mark
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, ScalarNode):
                raise RuleError("keys must be plain words", where=marks._fmt(knode.start_mark))
            key = str(knode.value)
            if key == "<<":
                raise RuleError(
                    "merge keys (<<) are not supported", where=marks._fmt(knode.start_mark)
                )
            if key in out:
                raise RuleError(f"duplicate key {key!r}", where=marks._fmt(knode.start_mark))
            marks.key[(*path, key)] = knode.start_mark
            out[key] = _plain(vnode, (*path, key), marks, ctor)
        return out
    if isinstance(node, SequenceNode):
        return [_plain(n, (*path, i), marks, ctor) for i, n in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    if node.tag in _KEEP_AS_TEXT:
        return str(node.value)
    return ctor.construct_object(node, deep=True)


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
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        m = exc.problem_mark or exc.context_mark
        where = f"{name}:{m.line + 1}:{m.column + 1}" if m is not None else name
        raise RuleError(f"not valid YAML: {exc.problem or exc.context}", where=where) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every YAML error carries a mark
        raise RuleError(f"not valid YAML: {exc}", where=name) from None
    if node is None:
        raise RuleError(
            "the file is empty; expected a mapping with 'commitments'", where=f"{name}:1:1"
        )
    marks = _Marks(name)
    raw = _plain(node, (), marks, SafeConstructor())
    if not isinstance(raw, dict):
        raise RuleError("expected a mapping with 'commitments'", where=marks.where(()))
    try:
        rules = RuleSet.model_validate(raw)
    except ValidationError as exc:
        errs = exc.errors(include_url=False)
        # a misspelt key also makes a required one missing: name the misspelling first
        first = next((e for e in errs if e.get("type") == "extra_forbidden"), errs[0])
        # the deepest node on the error's path: an unknown key itself, a missing key's mapping
        target = marks.resolve(tuple(first.get("loc", ())))
        if first.get("type") == "union_tag_invalid":
            target = (*target, "kind")
        reason, at_key = _reason(dict(first), raw, target)
        raise RuleError(reason, where=marks.where(target, at_key=at_key)) from None
    found = problems(rules, registry)
    if found:
        p = found[0]
        raise RuleError(p.reason, where=marks.where(p.path, at_key=p.at_key))
    return rules
