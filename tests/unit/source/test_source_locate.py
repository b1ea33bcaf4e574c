"""The one locator: FILE:LINE:COLUMN of the deepest known node on a path."""

from __future__ import annotations

from corridor.source import Marks, locate


class TestLocate:
    MARKS = Marks(node={(): (1, 1), ("a",): (1, 4), ("a", 0): (2, 5)}, key={("a",): (1, 1)})

    def test_entry_at_key_or_value(self) -> None:
        """A mapping entry is at its key by default and at its value with at_key=False."""
        assert locate("f", self.MARKS, ("a",)) == "f:1:1"
        assert locate("f", self.MARKS, ("a",), at_key=False) == "f:1:4"

    def test_deepest_known_ancestor(self) -> None:
        """An unknown path falls back to its deepest known ancestor."""
        assert locate("f", self.MARKS, ("a", 0, "x")) == "f:2:5"
        assert locate("f", self.MARKS, ("zz",)) == "f:1:1"

    def test_no_positions(self) -> None:
        """Without marks the locator names the file alone; with empty marks, line 1."""
        assert locate("f", None, ("a",)) == "f"
        assert locate("f", Marks(), ("a",)) == "f:1:1"

    def test_lines(self) -> None:
        """``lines`` gives each path's line as ``pos`` locates it."""
        assert self.MARKS.lines() == {(): 1, ("a",): 1, ("a", 0): 2}
