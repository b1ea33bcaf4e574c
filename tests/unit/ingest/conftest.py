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


def _ods_cell(value: Any) -> str:
    from datetime import date, datetime
    from xml.sax.saxutils import escape

    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        raise TypeError("no booleans in these fixtures")
    if isinstance(value, int | float):
        return f'<table:table-cell office:value-type="float" office:value="{value}"/>'
    if isinstance(value, datetime | date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"/>'
        )
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def ods_bytes(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    """A minimal OpenDocument spreadsheet (mimetype, manifest, content) from {sheet: rows}."""
    import io
    import zipfile
    from xml.sax.saxutils import quoteattr

    tables = "".join(
        f"<table:table table:name={quoteattr(name)}>"
        + "".join(
            "<table:table-row>" + ("".join(_ods_cell(v) for v in row) or "<table:table-cell/>")
            + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


@pytest.fixture
def write_ods(tmp_path: Path) -> Callable[..., Path]:
    """Write an ODS workbook from {sheet name: rows} and return its path."""

    def write(sheets: dict[str, Sequence[Sequence[Any]]], name: str = "book.ods") -> Path:
        p = tmp_path / name
        p.write_bytes(ods_bytes(sheets))
        return p

    return write


@pytest.fixture
def write_xls(tmp_path: Path) -> Callable[..., Path]:
    """Write an Excel 97-2003 workbook (xlwt) from {sheet name: rows}; dates get a date format."""

    def write(sheets: dict[str, Sequence[Sequence[Any]]], name: str = "book.xls") -> Path:
        from datetime import date, datetime

        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        dated = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM")
        for title, rows in sheets.items():
            ws = wb.add_sheet(title)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, datetime | date):
                        ws.write(r, c, value, dated)
                    else:
                        ws.write(r, c, value)
        p = tmp_path / name
        wb.save(str(p))
        return p

    return write
