"""Read tabular files as (row number, {column: value}) pairs, one module per format.

Row numbers are the ones a spreadsheet user sees: the header is row 1 (or ``header_row``), the
first data row is the one after it. Entirely empty rows are passed over (they hold nothing to
import) but still count in the numbering.

Formats: CSV and other delimited text (:mod:`.csv`; encodings in :mod:`.encoding`), and XLSX,
XLS and ODS workbooks (:mod:`.sheets`, through python-calamine). The kind of a file is told by
its content first (a ZIP or OLE workbook whatever its name), then by its extension.

Formats: CSV and other delimited text (:mod:`.csv`), workbooks (:mod:`.sheets`), GeoJSON
(:mod:`.geojson`), KoBoToolbox and ODK Central submission exports (:mod:`.forms`, chosen by a
mapping's ``format: form``). Any table may carry an HXL hashtag row (:mod:`.hxl`), found
wherever it is in the first rows. Adding a format is one more module with one object that
satisfies :class:`Format`, listed in ``_formats`` below (before ``CSV``, which takes any file
nobody else claims):

- ``kind``: the name shown to users and in :attr:`Table.kind` (e.g. ``"geojson"``);
- ``has_sheets``: whether the file holds several named tables (``--sheet`` applies);
- ``claims(path, head)``: True if this format reads the file, from its first bytes ``head``
  (content, the stronger sign) or its extension;
- ``open(path, options)``: an :class:`Opened` whose ``records()`` yields
  ``(row number, cells)`` for every row from row 1, header included, numbered as the user
  sees them; a row that cannot be split into cells comes as an :class:`UnreadableRow`, and
  reading goes on. Files that cannot be read at all raise :class:`InputError` naming the file.
  A format that knows its own header (GeoJSON properties, a form export's joined tables) sets
  ``Opened.header`` and ``Opened.header_row`` and yields only data rows;
- ``sheet_names(path)`` (formats with sheets): the names of its tables.

Header handling, empty rows, the column names and the field-size limit are common to all
formats and live here, in :class:`Table`. Every file is bounded before it is read: it must be a
regular file of at most :data:`MAX_FILE_BYTES`; a cell over :data:`MAX_FIELD_CHARS` makes its
row an UnreadableRow (quarantined with the row named) without stopping the import.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from corridor.errors import InputError
from corridor.ingest.readers import hxl
from corridor.ingest.values import cell_text, is_empty

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "Format",
    "Opened",
    "Options",
    "Table",
    "UnreadableRow",
    "file_kind",
    "has_sheets",
    "open_table",
    "sheet_names",
]

# A file larger than this is refused before anything is read (a mistaken path, /dev/zero's
# cousins, a dump of something else). 256 MiB is about 2.5 million rows of a wide CSV.
MAX_FILE_BYTES = 256 * 1024 * 1024
# The most characters one cell may hold: Excel's own limit. A longer field (a pasted document, a
# runaway quote) makes its row unreadable, not the file.
MAX_FIELD_CHARS = 32_767
# How much of an over-long field is kept in the quarantine file.
_PREVIEW_CHARS = 200

Records = Iterator[tuple[int, "Sequence[Any] | UnreadableRow"]]


@dataclass(frozen=True)
class UnreadableRow:
    """A row the reader could not split into fields, with the reason and what it could read."""

    reason: str
    values: Any  # the raw fields as read; from Table.rows, a {column: value} dict


@dataclass(frozen=True)
class Options:
    """What the caller (the mapping file, the command line) says about how to read a file."""

    sheet: str | None = None
    header_row: int = 1
    encoding: str | None = None
    delimiter: str | None = None
    format: str | None = None  # a format named by the mapping file (e.g. 'form'), not sniffed


@dataclass
class Opened:
    """A table a format has opened: its rows from row 1 (``records``) and what it found out."""

    records: Callable[[], Records]
    sheet: str | None = None
    estimated_rows: int | None = None  # rows in the file or sheet, header included
    encoding: str | None = None
    encoding_source: str | None = None  # 'bom', 'utf-8', 'mapping' or 'detected'
    delimiter: str | None = None
    header: tuple[str, ...] | None = None  # the format's own column names (no header row)
    header_row: int = 0  # with ``header``: data rows are numbered after this
    aliases: dict[str, str] = field(default_factory=dict)  # other names -> column


class Format(Protocol):
    """One file format; see the module docstring."""

    @property
    def kind(self) -> str: ...

    @property
    def has_sheets(self) -> bool: ...

    def claims(self, path: Path, head: bytes) -> bool: ...

    def open(self, path: Path, options: Options) -> Opened: ...


def _formats() -> tuple[Format, ...]:
    from corridor.ingest.readers import csv, forms, geojson, sheets

    return (forms.FORM, *sheets.FORMATS, geojson.GEOJSON, csv.CSV)


#: Formats a mapping file may name with ``format:`` (the others are told from the file).
NAMED_FORMATS = ("form",)


def has_sheets(kind: str) -> bool:
    """Whether files of ``kind`` hold named sheets (``--sheet`` and a mapping's ``sheet:``)."""
    return any(f.kind == kind and f.has_sheets for f in _formats())


def sheet_names(path: str | Path, format: str | None = None) -> list[str]:
    """The sheets (tables) of a file, in order; [] for a format without sheets."""
    p = Path(path)
    fmt = _format_of(p, format)
    names = getattr(fmt, "sheet_names", None)
    return list(names(p)) if names is not None and fmt.has_sheets else []


def check_file(path: Path) -> None:
    """Refuse what is not a regular file of at most MAX_FILE_BYTES, naming it."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError("no such file", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", where=str(path)) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError("not a regular file (a folder, device or pipe)", where=str(path))
    if st.st_size > MAX_FILE_BYTES:
        raise InputError(
            f"the file is {st.st_size / 2**20:,.0f} MiB, more than the "
            f"{MAX_FILE_BYTES // 2**20} MiB corridor reads at once; split it into smaller files",
            where=str(path),
        )


def _format_of(path: Path, named: str | None = None) -> Format:
    check_file(path)
    if named is not None:
        for fmt in _formats():
            if fmt.kind == named:
                return fmt
        raise InputError(f"unknown format {named!r}", where=str(path))
    try:
        with path.open("rb") as f:
            head = f.read(512)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", where=str(path)) from None
    for fmt in _formats():
        if fmt.kind not in NAMED_FORMATS and fmt.claims(path, head):
            return fmt
    raise AssertionError("the CSV format claims every file")  # pragma: no cover


def file_kind(path: Path, format: str | None = None) -> str:
    """The format of ``path``: 'xlsx', 'xls', 'ods' (by content, else extension), 'geojson',
    else 'csv'; ``format`` names one instead (``form``).

    Raises InputError if the path is not a readable regular file within MAX_FILE_BYTES.
    """
    return _format_of(path, format).kind


@dataclass
class Table:
    """One table of a file: a CSV file, or one sheet of a workbook, with its header."""

    path: Path
    kind: str
    columns: tuple[str, ...]
    sheet: str | None = None
    header_row: int = 1
    estimated_rows: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    encoding_source: str | None = None
    tags: tuple[Any, ...] = ()  # each column's HXL hashtag (hxl.Tag) or None; () without HXL
    aliases: dict[str, str] = field(default_factory=dict)  # other names a column answers to
    _records: Callable[[], Records] | None = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, dict[str, Any] | UnreadableRow]]:
        """Data rows after the header, as (1-based row number, {column: value}); a row that
        cannot be split into fields, or holds a field over MAX_FIELD_CHARS, comes as an
        UnreadableRow (its values as a dict)."""
        if self._records is None:
            return
        for number, values in self._records():
            if number <= self.header_row:
                continue
            if isinstance(values, UnreadableRow):
                yield number, UnreadableRow(values.reason, self._as_dict(values.values))
                continue
            if all(is_empty(v) for v in values):
                continue
            row = self._as_dict(values)
            long = _too_long(row)
            if long is not None:
                yield number, long
                continue
            yield number, row

    def _as_dict(self, values: Sequence[Any]) -> dict[str, Any]:
        n = len(self.columns)
        row = {c: (values[i] if i < len(values) else None) for i, c in enumerate(self.columns)}
        for i in range(n, len(values)):
            if not is_empty(values[i]):
                row[f"column_{i + 1}"] = values[i]
        return row


def _too_long(row: dict[str, Any]) -> UnreadableRow | None:
    """The row as an UnreadableRow if a field is over MAX_FIELD_CHARS (its value cut short)."""
    long = [c for c, v in row.items() if isinstance(v, str) and len(v) > MAX_FIELD_CHARS]
    if not long:
        return None
    c = long[0]
    size = len(row[c])
    cut = {k: (_preview(v) if k in long else v) for k, v in row.items()}
    return UnreadableRow(
        f"column {c} holds {size:,} characters, more than the {MAX_FIELD_CHARS:,} a cell may "
        "hold; quarantined (the value is cut short there), and reading goes on",
        cut,
    )


def _preview(text: str) -> str:
    return f"{text[:_PREVIEW_CHARS]}… [{len(text) - _PREVIEW_CHARS:,} more characters cut]"


def open_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    header_row: int = 1,
    encoding: str | None = None,
    delimiter: str | None = None,
    format: str | None = None,
) -> Table:
    """Open a CSV file or a workbook sheet (the first unless ``sheet`` names one) and read its
    header: the ``header_row``, or an HXL hashtag row wherever it is in the first rows
    (:mod:`.hxl`) when ``header_row`` is 1.

    Raises InputError if the file cannot be read, is not a regular file, is over MAX_FILE_BYTES,
    its text encoding cannot be told, the sheet does not exist, or the header is missing or
    names a column twice.
    """
    p = Path(path)
    fmt = _format_of(p, format)
    opened = fmt.open(p, Options(sheet, header_row, encoding, delimiter, format))
    if opened.header is not None:
        header_row = opened.header_row
    table = Table(
        p,
        fmt.kind,
        (),
        opened.sheet,
        header_row,
        estimated_rows=(
            max(opened.estimated_rows - header_row, 0)
            if opened.estimated_rows is not None
            else None
        ),
        encoding=opened.encoding,
        delimiter=opened.delimiter,
        encoding_source=opened.encoding_source,
        aliases=dict(opened.aliases),
        _records=opened.records,
    )
    if opened.header is not None:
        table.columns = opened.header
        return table
    header: Sequence[Any] | UnreadableRow | None = None
    first: list[tuple[int, Any]] = []
    records = opened.records()
    try:
        for number, values in records:
            if len(first) < hxl.SCAN_ROWS and header_row == 1:
                first.append((number, values))
            if number == header_row:
                header = values
            if number >= header_row and (header_row != 1 or len(first) >= hxl.SCAN_ROWS):
                break
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()
    where = _where(table)
    tagged = hxl.find_hashtag_row(first) if header_row == 1 else None
    if tagged is not None:
        table.header_row = tagged.row
        table.columns, table.tags = tagged.names, tagged.tags
        if table.estimated_rows is not None:
            table.estimated_rows = max(table.estimated_rows - tagged.row + 1, 0)
        return table
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
        if len(name) > MAX_FIELD_CHARS:
            raise InputError(
                f"header cell {i + 1} holds {len(name):,} characters; a column name must be "
                "short",
                where=where,
            )
        if name in names:
            raise InputError(
                f"the header names column {name!r} twice (columns {names.index(name) + 1} and "
                f"{i + 1}); give each column its own name",
                where=where,
            )
        names.append(name)
    return tuple(names)
