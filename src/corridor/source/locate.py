"""The one locator: the FILE:LINE:COLUMN of a node of a source file, by path.

A path is a tuple of mapping keys (their text as written) and list indexes, from the root:
``("observations", 3, "body", "count")``. :class:`Marks` keeps two 1-based positions per path:
where the node starts, and, for a mapping entry, where its key is. Every file kind (cases,
mapping files, scenarios, rule files) names its errors with :func:`locate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Marks", "Path", "Pos", "locate"]

Path = tuple[str | int, ...]
#: (line, column), both 1-based.
Pos = tuple[int, int]


@dataclass
class Marks:
    """Positions of the nodes of one document: ``node`` where each starts, ``key`` where each
    mapping entry's key is."""

    node: dict[Path, Pos] = field(default_factory=dict)
    key: dict[Path, Pos] = field(default_factory=dict)

    def pos(self, path: Path, *, at_key: bool = True) -> Pos | None:
        """The position of the deepest known node on ``path``: a mapping entry at its key with
        ``at_key`` (where a misspelt or misplaced key is), else at its value; None if none."""
        p = tuple(path)
        while True:
            if at_key and p in self.key:
                return self.key[p]
            if p in self.node:
                return self.node[p]
            if not p:
                return None
            p = p[:-1]

    def lines(self) -> dict[Path, int]:
        """The line of every path, as :meth:`pos` with ``at_key`` gives it."""
        out = {p: line for p, (line, _col) in self.node.items()}
        out.update({p: line for p, (line, _col) in self.key.items()})
        return out


def locate(name: str, marks: Marks | None, path: Path = (), *, at_key: bool = True) -> str:
    """``NAME:LINE:COLUMN`` of the deepest known node on ``path``; ``NAME:1:1`` when the file
    has no node (empty), ``NAME`` alone when no positions are known at all."""
    if marks is None:
        return name
    pos = marks.pos(path, at_key=at_key)
    line, col = pos if pos is not None else (1, 1)
    return f"{name}:{line}:{col}"
