"""YAML sources (cases, mapping files, scenarios): YAML 1.2-style scalars and the position of
every node, so errors can name FILE:LINE:COLUMN.

In YAML 1.1 (PyYAML's default) ``no``, ``NO``, ``on`` and ``off`` are booleans and ``+4:00`` is a
number (sexagesimal): harmful in value tables (``map: {NO: outbound}``), names and time zones.
Here only ``true``/``false`` are booleans, integers are decimal, and everything else that is not
clearly a number, a date or null stays text.

Positions are kept by path (a tuple of keys and list indexes): a mapping entry's path points at
its key (where a misspelt or misplaced key is), a list item's at the item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corridor.errors import InputError

__all__ = ["Marks", "YamlDoc", "YamlSyntaxError", "load_yaml", "load_yaml12", "read_source"]

Marks = dict[tuple[str | int, ...], tuple[int, int]]
_REDEFINED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class YamlSyntaxError(ValueError):
    """Text that is not YAML; ``line`` and ``column`` are 1-based (0 when unknown)."""

    def __init__(self, problem: str, line: int = 0, column: int = 0) -> None:
        super().__init__(problem)
        self.problem, self.line, self.column = problem, line, column


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-style booleans and numbers."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in _REDEFINED]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def _collect(node: yaml.Node, path: tuple[str | int, ...], out: Marks) -> None:
    out.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k.value)
            # a key's own position: where a misspelt or misplaced key is
            out[(*path, key)] = (k.start_mark.line + 1, k.start_mark.column + 1)
            _collect(v, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _collect(v, (*path, i), out)


def load_yaml12(text: str) -> tuple[Any, Marks]:
    """Parse YAML text into data and the (line, column) of every key and item, by path."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if mark is None:
            raise YamlSyntaxError(problem) from None
        raise YamlSyntaxError(problem, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc)) from None
    marks: Marks = {}
    if node is not None:
        _collect(node, (), marks)
    return data, marks


@dataclass
class YamlDoc:
    """Parsed YAML plus the position of every node, by path."""

    name: str
    data: Any
    marks: Marks = field(default_factory=dict)

    def where(self, *path: str | int) -> str:
        """``name:line:column`` of the deepest known node on ``path``."""
        p = tuple(path)
        while p and p not in self.marks:
            p = p[:-1]
        line, col = self.marks.get(p, (1, 1))
        return f"{self.name}:{line}:{col}"


def load_yaml(text: str, name: str) -> YamlDoc:
    """Parse YAML text; a syntax error becomes an InputError at its line and column."""
    try:
        data, marks = load_yaml12(text)
    except YamlSyntaxError as exc:
        where = f"{name}:{exc.line}:{exc.column}" if exc.line else name
        raise InputError(f"not valid YAML: {exc.problem}", where=where) from None
    return YamlDoc(name, data, marks)


def read_source(path: Path, error: type[InputError] = InputError) -> str:
    """A source file's text (UTF-8, a BOM allowed), or ``error`` naming the file and why."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error("no such file", where=str(path)) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", where=str(path)) from None
    except UnicodeDecodeError:
        raise error("not UTF-8 text", where=str(path)) from None
