"""Flat rows as CSV: a header row of column names, then one row per observation.

Text a spreadsheet would run as a formula is written with a leading ``'``
(:func:`corridor.model.flat.guard_cell`); corridor takes it off again when the file is imported.
Rows are written as they come, so an export of any size holds one row in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from corridor.model.flat import guard_cell

__all__ = ["write_csv"]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same double
    return guard_cell(value)


def write_csv(
    rows: Iterable[Mapping[str, Any]],
    out: IO[str],
    columns: Sequence[str],
    *,
    hashtags: Sequence[str] | None = None,
) -> int:
    """Write ``columns`` of each row to ``out`` (after a hashtag row, if given); return the
    number of data rows."""
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(columns)
    if hashtags is not None:
        w.writerow(hashtags)
    n = 0
    for row in rows:
        w.writerow([_cell(row.get(c)) for c in columns])
        n += 1
    return n
