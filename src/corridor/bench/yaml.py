"""``python -m corridor.bench yaml [--quick] [--json] [FILE]``: parsing a YAML source file.

Measures, in one process, on the largest built-in case file
(``cases/lachin_2023/observations.yaml``) or FILE:

* ``old_seconds``: the loader corridor used before :mod:`corridor.source` (PyYAML's pure-Python
  ``SafeLoader`` with YAML 1.2-style resolvers: ``yaml.compose`` for the positions, then
  ``yaml.load`` for the data, then a walk collecting positions), kept here as the baseline;
* ``new_seconds``: :func:`corridor.source.parse_yaml` (libyaml's event stream when installed,
  one pass building data and positions); ``new_pure_seconds``: the same on PyYAML's
  pure-Python parser (the fallback where libyaml is missing);
* ``ratio_old_over_new``: how many times faster the new loader is, in the same run;
* ``same_data`` and ``same_positions``: both loaders give equal data and the same
  (line, column) for every path (a mapping entry at its key, a list item at the item).

Each time is the best of several repeats.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

import corridor.source.yaml as source_yaml
from corridor.source import LIBYAML, Marks, parse_yaml

FILE = Path(__file__).resolve().parent.parent / "cases" / "lachin_2023" / "observations.yaml"

# -- the old loader, as corridor/yamlsrc.py had it -------------------------------------------

_REDEFINED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class _OldLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-style booleans and numbers (the old yamlsrc dialect)."""


_OldLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in _REDEFINED]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_OldLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_OldLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_OldLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def _collect(node: Any, path: tuple[str | int, ...], out: dict[Any, tuple[int, int]]) -> None:
    out.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k.value)
            out[(*path, key)] = (k.start_mark.line + 1, k.start_mark.column + 1)
            _collect(v, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _collect(v, (*path, i), out)


def old_load(text: str) -> tuple[Any, dict[Any, tuple[int, int]]]:
    """The old ``load_yaml12``: data and the position of every key and item, by path."""
    node = yaml.compose(text, Loader=_OldLoader)
    data = yaml.load(text, Loader=_OldLoader)
    marks: dict[Any, tuple[int, int]] = {}
    if node is not None:
        _collect(node, (), marks)
    return data, marks


# -- measuring --------------------------------------------------------------------------------


def _flat(marks: Marks) -> dict[Any, tuple[int, int]]:
    """The old view of positions: a mapping entry at its key, anything else at its node."""
    out = dict(marks.node)
    out.update(marks.key)
    return out


def _best(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _pure_parse(text: str) -> Any:
    saved = source_yaml._Loader
    source_yaml._Loader = yaml.SafeLoader
    try:
        return parse_yaml(text, "pure")
    finally:
        source_yaml._Loader = saved


def run(path: Path, repeats: int) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    old_data, old_marks = old_load(text)
    new = parse_yaml(text, str(path))
    pure = _pure_parse(text)
    old_s = _best(lambda: old_load(text), repeats)
    new_s = _best(lambda: parse_yaml(text, "x"), repeats * 3)
    pure_s = _best(lambda: _pure_parse(text), repeats)
    return {
        "file": str(path),
        "bytes": len(text.encode("utf-8")),
        "nodes": len(new.marks.node),
        "libyaml": LIBYAML,
        "old_seconds": round(old_s, 6),
        "new_seconds": round(new_s, 6),
        "new_pure_seconds": round(pure_s, 6),
        "ratio_old_over_new": round(old_s / new_s, 1),
        "ratio_old_over_new_pure": round(old_s / pure_s, 2),
        "same_data": new.data == old_data and pure.data == old_data,
        "same_positions": _flat(new.marks) == old_marks and _flat(pure.marks) == old_marks,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    as_json = "--json" in args
    files = [a for a in args if not a.startswith("--")]
    path = Path(files[0]) if files else FILE
    out = run(path, 3 if quick else 7)
    if as_json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k:26} {v}")
    return 0 if out["same_data"] and out["same_positions"] else 1


if __name__ == "__main__":
    sys.exit(main())
