"""Fixtures for the import tests: the North Gate example case, and writers of small files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from corridor.ingest import MappingFile, parse_mapping
from corridor.model import Checkpoint, Organisation, Place, Registry, Route

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"

SIMPLE = """\
mappings:
  - type: crossing
    reporter: ngo-x
    source: {title: Daily truck counts, url: https://example.org/counts}
    constants: {checkpoint: north-gate, direction: inbound, category: vehicles}
    skip_if_empty: [trucks_in]
    columns:
      observed: {column: date, format: "%Y-%m-%d", tz: UTC, period: day}
      count: {column: trucks_in}
"""


def case_registry() -> Registry:
    """The registry of examples/north-gate-case.yaml."""
    case = yaml.safe_load((EXAMPLES / "north-gate-case.yaml").read_text(encoding="utf-8"))
    return Registry.of(
        [Organisation(**o) for o in case["organisations"]],
        [Place(**p) for p in case["places"]],
        [Route(**r) for r in case["routes"]],
        [Checkpoint(**c) for c in case["checkpoints"]],
    )


@pytest.fixture
def registry() -> Registry:
    return case_registry()


def mapping(text: str, name: str = "test.map.yaml") -> MappingFile:
    """Parse a mapping file written in a test (dedented)."""
    return parse_mapping(textwrap.dedent(text), name)


@pytest.fixture
def make_mapping() -> Callable[..., MappingFile]:
    """Parse mapping-file text written in a test."""
    return mapping


@pytest.fixture
def simple_mapping() -> MappingFile:
    """The simplest mapping, as in the issue: daily inbound truck counts."""
    return mapping(SIMPLE)


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write CSV text (dedented) to a file and return its path."""

    def write(text: str, name: str = "counts.csv", encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.write_bytes(textwrap.dedent(text).encode(encoding))
        return p

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write a workbook from {sheet name: rows} and return its path."""

    def write(sheets: dict[str, Sequence[Sequence[Any]]], name: str = "book.xlsx") -> Path:
        from openpyxl import Workbook

        wb = Workbook()
        first = True
        for title, rows in sheets.items():
            ws = wb.active if first else wb.create_sheet()
            first = False
            ws.title = title
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row, start=1):
                    if value is not None:
                        ws.cell(row=r, column=c, value=value)
        p = tmp_path / name
        wb.save(p)
        return p

    return write
