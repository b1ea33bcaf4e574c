"""Source files as corridor reads them: one YAML dialect, one locator, bounded reading.

Cases, mapping files, scenarios and rule files all go through here:

* :func:`read_source` reads a regular file of at most :data:`MAX_BYTES` as UTF-8 text;
* :func:`parse_yaml` parses it in the one dialect (YAML 1.2 core-schema scalars, nesting and
  alias expansion bounded) into a :class:`YamlDoc` with the position of every node;
* :func:`locate` names any node as ``FILE:LINE:COLUMN``.

Pure: imports only PyYAML and :mod:`corridor.errors`.
"""

from __future__ import annotations

from corridor.source.locate import Marks, Path, Pos, locate
from corridor.source.read import MAX_BYTES, decode_source, read_source, read_source_bytes
from corridor.source.yaml import (
    LIBYAML,
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    YamlDoc,
    parse_yaml,
    resolve_plain,
)

__all__ = [
    "LIBYAML",
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "Marks",
    "Path",
    "Pos",
    "YamlDoc",
    "decode_source",
    "load_yaml_file",
    "locate",
    "parse_yaml",
    "read_source",
    "read_source_bytes",
    "resolve_plain",
]

from corridor.errors import InputError


def load_yaml_file(
    path: str, error: type[InputError] = InputError, *, what: str = "file", name: str | None = None
) -> YamlDoc:
    """Read (bounded) and parse a YAML source file; ``name`` is used in positions (the path by
    default). Every problem raises ``error`` naming the file."""
    return parse_yaml(read_source(path, error, what=what), name or str(path), error=error)
