"""Imports point inward: faces → app → adapters → core (docs/architecture.md). Every import in
src/corridor, at module level or inside a function, is checked."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "corridor"

LAYERS = {
    # core: pure, no I/O frameworks
    "errors": "core",
    "model": "core",
    "ledger": "core",
    "rules": "core",
    "supply": "core",
    "situation": "core",
    "source": "core",
    # adapters
    "store": "adapter",
    "ingest": "adapter",
    "export": "adapter",
    "cases": "adapter",
    "recording": "adapter",
    # the application
    "app": "app",
    # faces
    "cli": "face",
    "service": "face",
    "web": "face",
    "report": "face",
    "client": "adapter",
    # tools outside the layering
    "bench": "tool",
    "testing": "tool",
    "__init__": "tool",
    "__main__": "tool",
}
RANK = {"core": 0, "adapter": 1, "app": 2, "face": 3}
FRAMEWORKS = {"sqlalchemy", "alembic", "psycopg", "typer", "rich", "fastapi", "starlette",
              "httpx", "uvicorn", "click", "jinja2", "weasyprint"}  # fmt: skip


def _modules(src: Path) -> list[Path]:
    return sorted(p for p in src.rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return out


def _violations(src: Path = SRC) -> list[str]:
    bad: list[str] = []
    for path in _modules(src):
        rel = path.relative_to(src)
        part = rel.parts[0].removesuffix(".py")
        layer = LAYERS.get(part)
        if layer is None:
            bad.append(f"{rel}: top-level module {part!r} has no layer in this test")
            continue
        if layer == "tool":
            continue
        for line, name in _imports(path):
            top = name.split(".")[0]
            if layer == "core" and top in FRAMEWORKS:
                bad.append(f"{rel}:{line}: the core imports {name}")
            if top != "corridor" or name == "corridor":
                continue
            target = name.split(".")[1]
            tlayer = LAYERS.get(target, "tool")
            if tlayer == "tool":
                continue
            if RANK[tlayer] > RANK[layer]:
                bad.append(f"{rel}:{line}: {layer} module imports {tlayer} {name}")
            if part == "export" and target in {"store", "app", "recording"}:
                bad.append(f"{rel}:{line}: export/ depends on {name}")
    return bad


def _cli_commands() -> list[Path]:
    shared = {"__init__.py", "app.py", "context.py", "reference.py", "remote.py"}
    return [p for p in (SRC / "cli").glob("*.py") if p.name not in shared]


class TestImportDirection:
    def test_imports_point_inward(self) -> None:
        """No module imports a layer outside its own (core < adapters < app < faces)."""
        assert _violations() == []

    @pytest.mark.parametrize("path", _cli_commands(), ids=lambda p: p.name)
    def test_cli_commands_import_no_other_command(self, path: Path) -> None:
        """A CLI command module imports only the shared context and renderers, no other
        command module."""
        commands = {p.stem for p in _cli_commands()}
        others = [
            (line, name) for line, name in _imports(path)
            if name.startswith("corridor.cli.") and name.split(".")[2] in commands
        ]
        assert others == []

    @pytest.mark.parametrize("path", _cli_commands(), ids=lambda p: p.name)
    def test_cli_commands_keep_real_annotations(self, path: Path) -> None:
        """No ``from __future__ import annotations`` in a command module: Typer reads every
        command's annotations, and strings cost a compile() each at every start (about 20 ms
        of ``corridor --help``, measured by ``python -m corridor.bench cli``)."""
        assert "__future__" not in {name for _line, name in _imports(path)}

    def test_the_check_can_fail(self, tmp_path: Path) -> None:
        """The scanner sees a function-level import of a face, and of SQLAlchemy, in the core."""
        (tmp_path / "model").mkdir()
        (tmp_path / "model" / "probe.py").write_text(
            "import sqlalchemy\n\ndef f():\n    from corridor.cli.app import main\n"
        )
        assert _violations(tmp_path) == [
            "model/probe.py:1: the core imports sqlalchemy",
            "model/probe.py:4: core module imports face corridor.cli.app",
        ]
