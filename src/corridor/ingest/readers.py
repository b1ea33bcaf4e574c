"""Read CSV and XLSX files as (row number, {column: value}) pairs.

Row numbers are the ones a spreadsheet user sees: the header is row 1 (or ``header_row``), the
first data row is the one after it. Entirely empty rows are passed over (they hold nothing to
import) but still count in the numbering. CSV text may come with a byte-order mark, in UTF-8,
UTF-16 or a legacy encoding, with ',', ';', tab or '|' between fields. XLSX files are streamed
read-only; date cells arrive as ``datetime`` objects, numbers as ``int`` or ``float``.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from corridor.errors import InputError
from corridor.ingest.values import cell_text, is_empty

__all__ = ["Table", "UnreadableRow", "file_kind", "open_table"]

FileKind = Literal["csv", "xlsx"]

_SAMPLE = 64 * 1024
_DELIMITERS = ",;\t|"


def file_kind(path: Path) -> FileKind:
    """'xlsx' for an Excel workbook (by extension or content), else 'csv'."""
    ext = path.suffix.lower()
    if ext == ".xls":
        raise InputError(
            "XLS (Excel 97-2003) files are not supported; save the sheet as XLSX or CSV",
            where=str(path),
        )
    if ext in {".xlsx", ".xlsm"}:
        return "xlsx"
    if ext in {".csv", ".tsv", ".txt"}:
        return "csv"
    try:
        with path.open("rb") as f:
            head = f.read(4)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", where=str(path)) from None
    return "xlsx" if head == b"PK\x03\x04" else "csv"


@dataclass(frozen=True)
class UnreadableRow:
    """A row the reader could not split into fields, with the reason and what it could read."""

    reason: str
    values: Any  # the raw fields as read; from Table.rows, a {column: value} dict


@dataclass
class Table:
    """One table of a file: a CSV file, or one sheet of a workbook, with its header."""

    path: Path
    kind: FileKind
    columns: tuple[str, ...]
    sheet: str | None = None
    header_row: int = 1
    estimated_rows: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    _raw_header: tuple[Any, ...] = field(default=(), repr=False)

    def rows(self) -> Iterator[tuple[int, dict[str, Any] | UnreadableRow]]:
        """Data rows after the header, as (1-based row number, {column: value}); a row that
        cannot be split into fields comes as an UnreadableRow (its values as a dict)."""
        raw = _csv_records(self) if self.kind == "csv" else _xlsx_records(self)
        for number, values in raw:
            if number <= self.header_row:
                continue
            if isinstance(values, UnreadableRow):
                yield number, UnreadableRow(values.reason, self._as_dict(values.values))
                continue
            if all(is_empty(v) for v in values):
                continue
            yield number, self._as_dict(values)

    def _as_dict(self, values: Sequence[Any]) -> dict[str, Any]:
        n = len(self.columns)
        row = {c: (values[i] if i < len(values) else None) for i, c in enumerate(self.columns)}
        for i in range(n, len(values)):
            if not is_empty(values[i]):
                row[f"column_{i + 1}"] = values[i]
        return row


def open_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    header_row: int = 1,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """Open a CSV file or an XLSX sheet (the first unless ``sheet`` names one) and read its header.

    Raises InputError if the file cannot be read, the sheet does not exist, or the header is
    missing or names a column twice.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file" if not p.exists() else "not a file", where=str(p))
    kind = file_kind(p)
    if kind == "csv":
        enc = encoding or _sniff_encoding(p)
        delim = delimiter or _sniff_delimiter(p, enc)
        table = Table(p, "csv", (), None, header_row, encoding=enc, delimiter=delim)
        table.estimated_rows = _count_lines(p) - header_row
    else:
        table = Table(p, "xlsx", (), sheet, header_row)
        with _Workbook(p) as wb:
            ws = _worksheet(wb, p, sheet)
            table.sheet = ws.title
            table.estimated_rows = (ws.max_row - header_row) if ws.max_row else None
    header: Sequence[Any] | UnreadableRow | None = None
    records: Generator[tuple[int, Sequence[Any] | UnreadableRow], None, None]
    records = _csv_records(table) if kind == "csv" else _xlsx_records(table)
    try:
        for number, values in records:
            if number == header_row:
                header = values
                break
    finally:
        records.close()
    where = _where(table)
    if isinstance(header, UnreadableRow):
        raise InputError(f"header row {header_row}: {header.reason}", where=where)
    if header is None or all(is_empty(v) for v in header):
        raise InputError(
            f"no header in row {header_row} (the file or sheet is empty there)", where=where
        )
    table.columns = _header(header, where)
    return table


def _where(table: Table) -> str:
    return f"{table.path.name}, sheet {table.sheet}" if table.sheet else table.path.name


def _header(values: Sequence[Any], where: str) -> tuple[str, ...]:
    names: list[str] = []
    # Trailing empty header cells are formatting, not columns.
    last = max(i for i, v in enumerate(values) if not is_empty(v))
    for i, v in enumerate(values[: last + 1]):
        name = cell_text(v) or f"column_{i + 1}"
        if name in names:
            raise InputError(
                f"the header names column {name!r} twice (columns {names.index(name) + 1} and "
                f"{i + 1}); give each column its own name",
                where=where,
            )
        names.append(name)
    return tuple(names)


# -- CSV ----------------------------------------------------------------------------------------


def _sniff_encoding(path: Path) -> str:
    with path.open("rb") as f:
        sample = f.read(_SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < _SAMPLE)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _sniff_delimiter(path: Path, encoding: str) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    try:
        with path.open(encoding=encoding, errors="replace", newline="") as f:
            sample = f.read(_SAMPLE // 4)
    except (OSError, LookupError):
        return ","
    first = next((line for line in sample.splitlines() if line.strip()), "")
    try:
        found = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
        if found in first:
            return found
    except csv.Error:
        pass
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n


class _Lines:
    """A text file's lines for the csv module, keeping the lines of the record being read."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.taken: list[str] = []
        self.ended = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self.lines)
        except StopIteration:
            self.ended = True
            raise
        self.taken.append(line)
        return line

    def take(self) -> list[str]:
        taken, self.taken = self.taken, []
        return taken


def _unclosed(raw: list[str], delimiter: str) -> bool:
    """Whether ``raw`` (one record's lines) ends inside a quoted field."""
    try:
        for _ in csv.reader(io.StringIO("".join(raw)), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _csv_parse(
    lines: Iterator[str], delimiter: str, first: int
) -> Generator[tuple[int, Sequence[Any] | UnreadableRow], None, None]:
    """Records from ``lines``, numbered from ``first``. A quote that opens and never closes
    would swallow the rest of the file into one field: that record is yielded as an
    UnreadableRow (its first line split without quote handling) and reading goes on from the
    line after it."""
    pending: Iterator[str] = lines
    number = first - 1
    while True:
        src = _Lines(pending)
        restart: list[str] | None = None
        for record in csv.reader(src, delimiter=delimiter, strict=False):
            number += 1
            raw = src.take()
            if src.ended and _unclosed(raw, delimiter):
                values = next(csv.reader([raw[0]], delimiter=delimiter, quoting=csv.QUOTE_NONE))
                swallowed = (
                    f" and swallows the {len(raw) - 1} lines after it" if len(raw) > 1 else ""
                )
                yield (
                    number,
                    UnreadableRow(
                        "a quoted field opens in this row and is never closed (a missing '\"')"
                        f"{swallowed}; quarantined, and reading goes on after it",
                        values,
                    ),
                )
                restart = raw[1:]
                break
            yield number, record
        if restart is None:
            return
        pending = iter(restart)


def _csv_records(
    table: Table,
) -> Generator[tuple[int, Sequence[Any] | UnreadableRow], None, None]:
    enc = table.encoding or "utf-8"
    number = 0
    try:
        with table.path.open(encoding=enc, newline="") as f:
            for number, record in _csv_parse(iter(f), table.delimiter or ",", 1):
                yield number, record
    except UnicodeDecodeError:
        raise InputError(
            f"row {number + 1} is not valid {enc} text; set 'encoding:' in the mapping file "
            "(e.g. encoding: cp1252)",
            where=table.path.name,
        ) from None
    except csv.Error as exc:
        raise InputError(f"row {number + 1}: {exc}", where=table.path.name) from None
    except OSError as exc:
        raise InputError(
            f"cannot read the file: {exc.strerror or exc}", where=str(table.path)
        ) from None


# -- XLSX ---------------------------------------------------------------------------------------


class _Workbook:
    """Open a workbook read-only, translating openpyxl's errors into InputError."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Any:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            # A file object, so that a workbook is read whatever its file name ends with.
            self.fh = self.path.open("rb")
        except OSError as exc:
            raise InputError(
                f"cannot read the file: {exc.strerror or exc}", where=str(self.path)
            ) from None
        try:
            self.wb = openpyxl.load_workbook(self.fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            self.fh.close()
            raise InputError(
                f"not a readable XLSX workbook ({exc})", where=self.path.name
            ) from None
        return self.wb

    def __exit__(self, *exc: object) -> None:
        self.wb.close()
        self.fh.close()


def _worksheet(wb: Any, path: Path, sheet: str | None) -> Any:
    if sheet is None:
        return wb.worksheets[0]
    if sheet in wb.sheetnames:
        return wb[sheet]
    raise InputError(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})", where=path.name)


def _xlsx_records(table: Table) -> Generator[tuple[int, Sequence[Any]], None, None]:
    with _Workbook(table.path) as wb:
        ws = _worksheet(wb, table.path, table.sheet)
        # Some writers record wrong sheet dimensions; read every row there is.
        ws.reset_dimensions()
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
