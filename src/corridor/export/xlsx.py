"""Flat rows as an XLSX workbook, written by XlsxWriter in its constant-memory mode: each row
goes to the file as it comes, so an export of any size holds one row in memory.

A sheet holds at most 1,048,576 rows (Excel's limit): a larger export goes on in sheets
``observations-2``, ``observations-3`` ..., each with its own header, and corridor reads them
all back. Text is written as text, never as a formula; times stay ISO 8601 text with their UTC
offset (an Excel date has no offset). A text longer than a cell may hold (32,767 characters) is
refused naming the observation, rather than cut short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from corridor.errors import InputError
from corridor.export.hxl import hashtags as hashtag_row

__all__ = ["MAX_CELL_CHARS", "SHEET_ROWS", "write_xlsx"]

SHEET_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767


def write_xlsx(
    rows: Iterable[Mapping[str, Any]],
    path: Path,
    columns: Sequence[str],
    *,
    tagged: bool = False,
    sheet_rows: int = SHEET_ROWS,
) -> int:
    """Write the rows to a new workbook at ``path`` (a hashtag row under the header when
    ``tagged``); return the number of data rows."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False,
                    "strings_to_urls": False, "strings_to_numbers": False}
    )  # fmt: skip
    bold = book.add_format({"bold": True})
    head = [list(columns)] + ([hashtag_row(columns)] if tagged else [])
    n = 0
    sheets = 0
    ws: Any = None
    r = 0
    try:
        for row in rows:
            if ws is None or r >= sheet_rows:
                sheets += 1
                ws = book.add_worksheet("observations" if sheets == 1 else f"observations-{sheets}")
                ws.freeze_panes(len(head), 0)
                for r, values in enumerate(head):
                    ws.write_row(r, 0, values, bold)
                r = len(head)
            for col, name in enumerate(columns):
                value = row.get(name)
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    text = str(value)
                    if len(text) > MAX_CELL_CHARS:
                        raise InputError(
                            f"observation {row.get('id')}: {name} holds {len(text):,} characters, "
                            f"more than an XLSX cell's {MAX_CELL_CHARS:,}; export it as CSV or "
                            "JSON",
                            where=path.name,
                        )
                    ws.write_string(r, col, text)
                else:
                    ws.write_number(r, col, value)
            r += 1
            n += 1
        if ws is None:  # no rows: a sheet with the header only
            ws = book.add_worksheet("observations")
            for i, values in enumerate(head):
                ws.write_row(i, 0, values, bold)
    finally:
        book.close()
    return n
