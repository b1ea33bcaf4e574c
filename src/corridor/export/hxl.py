"""HXL: the flat CSV with a hashtag row under the header (https://hxlstandard.org).

Each column of :data:`corridor.model.flat.FLAT_COLUMNS` carries a hashtag with attributes
(``#date+start``, ``#loc+checkpoint+code``, ``#affected+killed+num``), so HXL tools (libhxl, the
HXL Proxy, HDX) can filter and join corridor's record like any other humanitarian dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from corridor.export.csv import write_csv
from corridor.model.flat import FLAT_COLUMNS

__all__ = ["hashtags", "write_hxl"]


def hashtags(columns: Sequence[str]) -> list[str]:
    """The hashtag of each flat column (an unknown column gets none)."""
    tags = {c.name: c.tag for c in FLAT_COLUMNS}
    return [tags.get(c, "") for c in columns]


def write_hxl(
    rows: Iterable[Mapping[str, Any]], out: IO[str], columns: Sequence[str], *, tagged: bool = True
) -> int:
    """Write the rows as CSV with a hashtag row (``tagged``) or without one."""
    return write_csv(rows, out, columns, hashtags=hashtags(columns) if tagged else None)
