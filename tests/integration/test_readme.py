"""The README stays true: its CLI reference matches the commands, its set-up commands are the
ones CI runs, and every document it links exists."""

from __future__ import annotations

import re
from pathlib import Path

from corridor.cli.reference import BEGIN, END, reference

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


class TestReadme:
    def test_cli_reference_in_step(self) -> None:
        """The README's CLI reference is exactly what the commands' --help says."""
        inner = README.split(BEGIN, 1)[1].split(END, 1)[0].strip()
        assert inner == reference().strip(), (
            "run: python -m corridor.cli.reference --update README.md"
        )

    def test_two_setup_commands(self) -> None:
        """The README gives the install-and-demo and install-and-test commands."""
        assert ".venv/bin/pip install -e . && .venv/bin/corridor demo" in README
        assert ".venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest" in README

    def test_ci_runs_the_readme_test_command(self) -> None:
        """.ci/run installs from the checkout and runs python -m pytest with PostgreSQL required."""
        ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
        assert "pip\" install -q -e '.[test]'" in ci
        assert "-m pytest" in ci and "CORRIDOR_REQUIRE_PG=1" in ci

    def test_linked_docs_exist(self) -> None:
        """Every docs/ link in the README points at a file in the repository."""
        for link in re.findall(r"\]\((docs/[^)]+)\)", README):
            assert (ROOT / link).exists(), link
