"""CSV and other delimited text: ',', ';', tab or '|' between fields, in any encoding that
:mod:`corridor.ingest.readers.encoding` can tell or the mapping names.

A record the csv module cannot read (a quote that never closes, a field over the csv module's
``field_size_limit``) becomes an UnreadableRow with its row number, and reading goes on after it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.errors import InputError
from corridor.ingest.readers import Opened, Options, Records, UnreadableRow
from corridor.ingest.readers.encoding import choose_encoding

__all__ = ["CSV"]

_SNIFF = 16 * 1024
_DELIMITERS = ",;\t|"
# Bytes the encoding could not read, as the surrogateescape error handler leaves them.
_UNDECODED = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class _Csv:
    kind: str = "csv"
    has_sheets: bool = False

    def claims(self, path: Path, head: bytes) -> bool:
        return True  # the fallback: any file no other format claims

    def open(self, path: Path, options: Options) -> Opened:
        enc, source = choose_encoding(path, options.encoding)
        delim = options.delimiter or _sniff_delimiter(path, enc)

        def records() -> Records:
            return _records(path, enc, delim, checked=source == "utf-8")

        return Opened(
            records,
            estimated_rows=_count_lines(path),
            encoding=enc,
            encoding_source=source,
            delimiter=delim,
        )


CSV = _Csv()


def _sniff_delimiter(path: Path, encoding: str) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    try:
        with path.open(encoding=encoding, errors="replace", newline="") as f:
            sample = f.read(_SNIFF)
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


def _first_fields(line: str, delimiter: str) -> list[str]:
    """A line split at the delimiter without quote handling (what an unreadable row shows)."""
    line = line.rstrip("\r\n")
    return line.split(delimiter) if line else []


def _rest_of_record(raw: list[str], lines: Iterator[str]) -> list[str]:
    """After the csv module gave up inside a record: the lines that still belong to it (while
    an odd number of quotes has been seen, the record goes on)."""
    quotes = sum(line.count('"') for line in raw)
    rest: list[str] = []
    while quotes % 2:
        line = next(lines, None)
        if line is None:
            break
        rest.append(line)
        quotes += line.count('"')
    return rest


def _csv_parse(
    lines: Iterator[str], delimiter: str, first: int
) -> Generator[tuple[int, Sequence[Any] | UnreadableRow], None, None]:
    """Records from ``lines``, numbered from ``first``. A quote that opens and never closes
    would swallow the rest of the file into one field: that record is yielded as an
    UnreadableRow (its first line split without quote handling) and reading goes on from the
    line after it. A record the csv module refuses (a field over its size limit) is yielded as
    an UnreadableRow too, and reading goes on after the record."""
    pending: Iterator[str] = lines
    number = first - 1
    while True:
        src = _Lines(pending)
        reader = csv.reader(src, delimiter=delimiter, strict=False)
        restart: Iterator[str] | None = None
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                number += 1
                raw = src.take()
                _rest_of_record(raw, src.lines)  # skipped: part of the refused record
                yield (
                    number,
                    UnreadableRow(
                        f"{exc}; quarantined, and reading goes on after it",
                        [v[:200] for v in _first_fields(raw[0] if raw else "", delimiter)],
                    ),
                )
                restart = src.lines
                break
            number += 1
            raw = src.take()
            if src.ended and _unclosed(raw, delimiter):
                swallowed = (
                    f" and swallows the {len(raw) - 1} lines after it" if len(raw) > 1 else ""
                )
                yield (
                    number,
                    UnreadableRow(
                        "a quoted field opens in this row and is never closed (a missing '\"')"
                        f"{swallowed}; quarantined, and reading goes on after it",
                        _first_fields(raw[0], delimiter),
                    ),
                )
                restart = iter(raw[1:])
                break
            yield number, record
        if restart is None:
            return
        pending = restart


def _records(path: Path, encoding: str, delimiter: str, *, checked: bool) -> Records:
    """The records of ``path``. Unless the whole file is known to decode (``checked``), bytes
    the encoding cannot read stop the import at the row that holds them."""
    try:
        with path.open(encoding=encoding, errors="surrogateescape", newline="") as f:
            for number, record in _csv_parse(iter(f), delimiter, 1):
                if not checked and _UNDECODED.search(
                    "".join(record.values if isinstance(record, UnreadableRow) else record)
                ):
                    raise InputError(
                        f"row {number} is not valid {encoding} text; set 'encoding:' in the "
                        "mapping file (e.g. encoding: cp1252)",
                        where=path.name,
                    )
                yield number, record
    except UnicodeError as exc:  # a decoder that cannot step over bad bytes (UTF-16)
        raise InputError(
            f"not valid {encoding} text ({exc}); set 'encoding:' in the mapping file",
            where=path.name,
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", where=str(path)) from None
