"""YAML loading that remembers where things are, so errors can name FILE:LINE:COLUMN."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from corridor.errors import InputError

__all__ = ["YamlDoc", "load_yaml"]


@dataclass
class YamlDoc:
    """Parsed YAML plus the position of every node, by path (tuple of keys and indexes)."""

    name: str
    data: Any
    marks: dict[tuple[Any, ...], tuple[int, int]] = field(default_factory=dict)

    def where(self, *path: Any) -> str:
        """``name:line:column`` of the deepest known node on ``path``."""
        p = tuple(path)
        while p and p not in self.marks:
            p = p[:-1]
        line, col = self.marks.get(p, (1, 1))
        return f"{self.name}:{line}:{col}"


def _walk(
    node: yaml.Node, path: tuple[Any, ...], marks: dict[tuple[Any, ...], tuple[int, int]]
) -> None:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k)
            marks[(*path, key, "__key__")] = (k.start_mark.line + 1, k.start_mark.column + 1)
            _walk(v, (*path, key), marks)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, (*path, i), marks)


def load_yaml(text: str, name: str) -> YamlDoc:
    """Parse YAML text; a syntax error becomes an InputError at its line and column."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        raise InputError(f"not valid YAML: {exc.problem}", where=where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", where=name) from None
    marks: dict[tuple[Any, ...], tuple[int, int]] = {}
    if node is not None:
        _walk(node, (), marks)
    return YamlDoc(name, data, marks)
