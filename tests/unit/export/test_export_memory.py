"""Exports stream: the memory an export holds does not grow with the number of observations
(each format writes rows as they are read, a page at a time)."""

from __future__ import annotations

import itertools
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corridor.app.exports import ExportCases
from corridor.cases import load_case
from corridor.store.api import Query, StoredObservation

CASE = load_case("lachin-2023")


class _Store:
    """A store whose scan yields ``n`` observations lazily (the case's, over and over, each
    with an id of its own)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def scan(self, q: Query | None = None, *, page: int = 1000) -> Iterator[StoredObservation]:
        cycle = itertools.cycle(CASE.observations)
        for i in range(self.n):
            obs = next(cycle).model_copy()
            obs.__dict__["id"] = f"{i:064x}"  # distinct ids, as a record's are
            yield StoredObservation(obs, i, ("corridor-case",))

    def registry(self) -> Any:
        return CASE.registry

    def size(self) -> int:
        return self.n


class _App:
    def __init__(self, n: int) -> None:
        self.store = _Store(n)


def _peak(fmt: str, n: int, out: Path) -> int:
    cases = ExportCases(_App(n))  # type: ignore[arg-type]
    tracemalloc.start()
    try:
        result = cases.write(fmt, out, force=True)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.count == n
    return peak


@pytest.mark.parametrize("fmt", ["csv", "hxl", "xlsx", "json", "ndjson", "geojson", "sqlite"])
def test_memory_does_not_grow_with_rows(fmt: str, tmp_path: Path) -> None:
    """Ten times the rows, not ten times the memory (at most 1.5 times: caches warming)."""
    out = tmp_path / f"out.{fmt}"
    _peak(fmt, 100, out)  # warm module-level caches (imports, pydantic, XlsxWriter)
    small = _peak(fmt, 400, out)
    large = _peak(fmt, 3000, out)
    assert large < 1.5 * small + 200_000, (small, large)
