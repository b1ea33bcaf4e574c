"""HXL, the Humanitarian Exchange Language (https://hxlstandard.org): a row of hashtags such as
``#org+name`` or ``#affected+f+adult`` under (or instead of) a table's header row.

Any table corridor reads (CSV, XLSX, XLS, ODS) may carry one. The hashtag row is looked for in
the first :data:`SCAN_ROWS` rows: the first row whose every non-empty cell is a hashtag with its
attributes (at least two, or one in row 1 or 2) is it; data starts on the row after it. The row
just above names the columns when it names at least half of them; else the hashtags are the
names.

A mapping names a column by its header text as usual, or by a **tag pattern** (a column name
that starts with ``#``), matched as HXL tools do:

- ``#affected+f`` picks the first column tagged ``#affected`` whose attributes include ``f``
  (``#affected+f+adult`` and ``#affected+adult+f`` both match; order does not count);
- ``-attr`` excludes: ``#affected+f-refugees`` skips a column with ``+refugees``;
- a trailing ``!`` asks for exactly those attributes: ``#affected+f!`` does not match
  ``#affected+f+adult``;
- ``#*+code`` matches any hashtag with the ``code`` attribute.

Hashtags and attributes are compared ignoring case.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SCAN_ROWS",
    "HashtagRow",
    "Tag",
    "TagPattern",
    "find_hashtag_row",
    "parse_tag",
    "parse_tag_pattern",
]

#: How many rows from the top may hold the hashtag row (libhxl looks as far).
SCAN_ROWS = 25

_NAME = r"[A-Za-z][A-Za-z0-9_]*"
_TAG = re.compile(rf"^\s*#({_NAME})((?:\s*\+\s*{_NAME})*)\s*$")
_PATTERN = re.compile(rf"^\s*#({_NAME}|\*)((?:\s*[+-]\s*{_NAME})*)\s*(!?)\s*$")
_ATTR = re.compile(rf"([+-])\s*({_NAME})")


@dataclass(frozen=True)
class Tag:
    """A column's hashtag: ``#affected+f+adult`` is tag ``affected``, attributes f and adult."""

    tag: str
    attributes: tuple[str, ...] = ()

    @property
    def spec(self) -> str:
        return "#" + self.tag + "".join(f"+{a}" for a in self.attributes)


@dataclass(frozen=True)
class TagPattern:
    """A pattern that selects columns by hashtag (see the module docstring)."""

    tag: str  # '*' for any
    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    absolute: bool = False

    def matches(self, tag: Tag | None) -> bool:
        if tag is None or (self.tag != "*" and self.tag != tag.tag):
            return False
        attrs = set(tag.attributes)
        if not self.include <= attrs or self.exclude & attrs:
            return False
        return not self.absolute or attrs == set(self.include)


def parse_tag(text: Any) -> Tag | None:
    """The hashtag in a cell (``#org+name``), or None if the cell holds none."""
    if not isinstance(text, str):
        return None
    m = _TAG.match(text)
    if m is None:
        return None
    attrs = tuple(a.lower() for _sign, a in _ATTR.findall(m[2]))
    return Tag(m[1].lower(), tuple(dict.fromkeys(attrs)))


def parse_tag_pattern(text: str) -> TagPattern:
    """A tag pattern such as ``#affected+f-refugees``; ValueError if it is not one."""
    m = _PATTERN.match(text)
    if m is None:
        raise ValueError(
            f"{text[:60]!r} is not an HXL tag pattern (e.g. #org+name, #affected+f-adult)"
        )
    inc = {a.lower() for sign, a in _ATTR.findall(m[2]) if sign == "+"}
    exc = {a.lower() for sign, a in _ATTR.findall(m[2]) if sign == "-"}
    return TagPattern(m[1].lower(), frozenset(inc), frozenset(exc), bool(m[3]))


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _is_hashtag_row(values: Sequence[Any], number: int) -> bool:
    """Every non-empty cell a hashtag; a lone one only in row 1 or 2 (further down, a single
    '#aid' is more likely a value than a one-column HXL table)."""
    cells = [v for v in values if not _empty(v)]
    if not cells or (len(cells) == 1 and number > 2):
        return False
    return all(parse_tag(v) is not None for v in cells)


@dataclass(frozen=True)
class HashtagRow:
    """Where a table's hashtag row is, the column names and each column's tag."""

    row: int  # its 1-based row number
    names: tuple[str, ...]
    tags: tuple[Tag | None, ...]


def find_hashtag_row(records: Sequence[tuple[int, Any]]) -> HashtagRow | None:
    """The hashtag row among the first rows of a table (``(row number, cells)`` pairs, as a
    reader yields them), or None. Rows a reader could not split are passed over."""
    previous: Sequence[Any] | None = None
    for number, values in records[:SCAN_ROWS]:
        if not isinstance(values, list | tuple):
            previous = None
            continue
        if _is_hashtag_row(values, number):
            return _named(number, values, previous)
        previous = values
    return None


def _named(number: int, values: Sequence[Any], above: Sequence[Any] | None) -> HashtagRow:
    tags = [parse_tag(v) for v in values]
    header = list(above or ())
    texts = [str(h).strip() if not _empty(h) else "" for h in header]
    use_header = sum(1 for t in texts if t) * 2 >= sum(1 for t in tags if t is not None)
    width = max(i for i, t in enumerate(tags) if t is not None) + 1
    if use_header and any(texts):  # the header may name untagged columns after the last tag
        width = max(width, max(i for i, t in enumerate(texts) if t) + 1)
    tags = (tags + [None] * width)[:width]
    texts = (texts + [""] * width)[:width]
    names: list[str] = []
    for i, tag in enumerate(tags):
        name = texts[i] if use_header and texts[i] else (tag.spec if tag else f"column_{i + 1}")
        base, k = name, 2
        while name in names:
            name, k = f"{base} ({k})", k + 1
        names.append(name)
    return HashtagRow(number, tuple(names), tuple(tags))
