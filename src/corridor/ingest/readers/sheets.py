"""Workbooks: XLSX (and XLSM), XLS (Excel 97-2003) and ODS, read through python-calamine.

A cell arrives as Python sees it in the sheet: text as ``str``, numbers as ``int`` (when
integral) or ``float``, a number formatted as a date as a ``date`` or ``datetime`` (calamine
reads the number format and the workbook's 1900 or 1904 date system), a time of day as
``time``, a duration as ``timedelta``, an empty cell as ``None``. Row and column numbers are
those of the sheet: rows and columns left empty above and left of the data still count.

A workbook is recognised by its content (a ZIP or OLE container) whatever its name. Before
calamine reads a ZIP workbook, the sizes its entries unpack to are summed and refused over
:data:`MAX_UNPACKED_BYTES` (a "zip bomb").
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from corridor.errors import InputError
from corridor.ingest.readers import Opened, Options, Records

__all__ = ["FORMATS", "MAX_UNPACKED_BYTES", "ODS", "XLS", "XLSX", "read_sheets"]

MAX_UNPACKED_BYTES = 1024 * 1024 * 1024

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
# An encrypted XLSX is an OLE container holding this stream (its name in UTF-16).
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

Cell = int | float | str | bool | date | datetime | time | timedelta | None


@dataclass(frozen=True)
class _Sheets:
    kind: str
    label: str
    extensions: tuple[str, ...]
    has_sheets: bool = True

    def claims(self, path: Path, head: bytes) -> bool:
        if head.startswith(_ZIP):
            is_ods = _ODS_MIME in head[:120]
            return self.kind == ("ods" if is_ods or path.suffix.lower() == ".ods" else "xlsx")
        if head.startswith(_OLE):
            return self.kind == "xls"
        return path.suffix.lower() in self.extensions

    def sheet_names(self, path: Path) -> list[str]:
        return [name for name, _rows in read_sheets(path)]

    def open(self, path: Path, options: Options) -> Opened:
        values = _read_sheet(path, self.label, options.sheet)
        name, rows = values

        def records() -> Records:
            return enumerate(rows, start=1)

        return Opened(records, sheet=name, estimated_rows=len(rows))


XLSX = _Sheets("xlsx", "XLSX", (".xlsx", ".xlsm"))
XLS = _Sheets("xls", "XLS", (".xls",))
ODS = _Sheets("ods", "ODS", (".ods",))
FORMATS = (XLSX, XLS, ODS)


def _unreadable(path: Path, label: str, detail: str) -> InputError:
    return InputError(f"not a readable {label} workbook ({detail})", where=path.name)


def _check_unpacked(path: Path, label: str) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            size = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable(path, label, f"the file is truncated or damaged: {exc}") from None
    if size > MAX_UNPACKED_BYTES:
        raise InputError(
            f"the workbook unpacks to {size / 2**20:,.0f} MiB, more than the "
            f"{MAX_UNPACKED_BYTES // 2**20} MiB corridor reads; save the sheet as CSV",
            where=path.name,
        )


def _password_protected(path: Path) -> bool:
    with path.open("rb") as f:
        return _ENCRYPTED in f.read(4 * 1024 * 1024)


def _read_sheet(path: Path, label: str, sheet: str | None) -> tuple[str, list[list[Cell]]]:
    """(sheet name, its rows from row 1 with cells from column A) of ``path``."""
    return _read(path, label, sheet, every=False)[0]


def read_sheets(path: Path) -> list[tuple[str, list[list[Cell]]]]:
    """Every sheet of a workbook, in order: (name, its rows from row 1, cells from column A)."""
    with path.open("rb") as f:
        head = f.read(8)
    label = "XLS" if head.startswith(_OLE) else "XLSX"
    return _read(path, label, None, every=True)


def _read(
    path: Path, label: str, sheet: str | None, *, every: bool
) -> list[tuple[str, list[list[Cell]]]]:
    import python_calamine as pc

    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(_ZIP):
        _check_unpacked(path, label)
    try:
        with path.open("rb") as f:
            book = pc.CalamineWorkbook.from_filelike(f)
            try:
                names = list(book.sheet_names)
                if sheet is not None and sheet not in names:
                    raise InputError(
                        f"no sheet {sheet!r} (sheets: {', '.join(names)})", where=path.name
                    )
                if not names:
                    raise _unreadable(path, label, "it has no sheets")
                wanted = names if every else [sheet if sheet is not None else names[0]]
                out = []
                for name in wanted:
                    ws = book.get_sheet_by_name(name)
                    out.append((ws.name, _rows(ws)))
            finally:
                book.close()
    except pc.PasswordError:
        raise InputError(
            "the workbook is password-protected; save an unprotected copy to import",
            where=path.name,
        ) from None
    except (pc.CalamineError, OSError, ValueError, OverflowError) as exc:
        if head.startswith(_OLE) and _password_protected(path):
            raise InputError(
                "the workbook is password-protected; save an unprotected copy to import",
                where=path.name,
            ) from None
        detail = str(exc).strip() or type(exc).__name__
        raise _unreadable(path, label, detail[:200]) from None
    return out


def _rows(ws: Any) -> list[list[Cell]]:
    """The sheet's rows from row 1. calamine's rows begin at row 1 but at the first column
    that holds data; put back the empty columns to the left so column numbers are the sheet's."""
    start = ws.start
    lead: list[Cell] = [None] * (start[1] if start else 0)
    out: list[list[Cell]] = []
    it: Iterator[list[Any]] = ws.iter_rows()
    for row in it:
        out.append([*lead, *(_cell(v) for v in row)])
    return out


def _cell(v: Any) -> Cell:
    if isinstance(v, str):
        return v if v else None
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v  # type: ignore[no-any-return]
