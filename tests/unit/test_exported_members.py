"""The public API re-exported from ``corridor`` is what ``__all__`` says (httpx's guard)."""

from __future__ import annotations

import corridor


class TestExports:
    def test_all_names_exist(self) -> None:
        """Every name in ``corridor.__all__`` is importable from the package."""
        for name in corridor.__all__:
            assert hasattr(corridor, name), name

    def test_public_names_are_listed(self) -> None:
        """Every public name the package offers at top level is in ``__all__``."""
        names = dir(corridor)
        public = {n for n in names if not n.startswith("_")}
        modules = {n for n in names if type(getattr(corridor, n)).__name__ == "module"}
        assert public - modules == set(corridor.__all__) - {"__version__"}

    def test_unknown_names_raise(self) -> None:
        """A name the package does not offer is an AttributeError, not an import."""
        import pytest

        with pytest.raises(AttributeError, match="no attribute"):
            _ = corridor.NoSuchThing
