"""YAML for mapping files: YAML 1.2-style scalars, and the position of every node.

In YAML 1.1 (PyYAML's default) ``no``, ``NO``, ``on`` and ``off`` are booleans and ``+4:00`` is a
number (sexagesimal): harmful in value tables (``map: {NO: outbound}``) and time zones. Here only
``true``/``false`` are booleans, integers are decimal, and everything else that is not clearly a
number, a date or null stays text.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["Marks", "YamlSyntaxError", "load_yaml12"]

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
