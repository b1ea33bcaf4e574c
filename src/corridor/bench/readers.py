"""``python -m corridor.bench readers [--quick] [--json]``: reading tables through open_table.

Measures, in one process, on files it writes to a temporary folder:

* ``xlsx_calamine_s``: a 50,000-row XLSX (``--quick``: 10,000) of daily counts (a date-time, a
  checkpoint, a direction, two numbers, a note) read through ``open_table(...).rows()``, which
  uses python-calamine;
* ``xlsx_openpyxl_s``: the same file read the old way, measured in the same run: openpyxl in
  read-only mode (``reset_dimensions``, ``iter_rows(values_only=True)``) into the same
  {column: value} rows; ``ratio_openpyxl_vs_calamine`` is the one over the other;
* ``csv_rows_per_s``: the same rows as a UTF-8 CSV through ``open_table(...).rows()``, and the
  same CSV read by plain ``csv.DictReader`` (``csv_ratio_vs_dictreader``, the floor a Python
  CSV reader can reach).

Both paths must yield the same rows (``agree``). Each figure is the best of the repeats.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from corridor.ingest.readers import UnreadableRow, open_table

HEADER = ("observed", "checkpoint", "direction", "trucks", "tonnes", "note")


def _rows(n: int) -> Iterator[list[Any]]:
    t0 = datetime(2023, 1, 1, 6, 0)
    for i in range(n):
        yield [
            t0 + timedelta(hours=i),
            "north-gate" if i % 3 else "lachin-corridor",
            "inbound" if i % 2 else "outbound",
            i % 40,
            round((i % 400) * 0.25, 2),
            "" if i % 5 else f"convoy {i} held at the bridge",
        ]


def write_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("counts")
    ws.append(list(HEADER))
    for row in _rows(n):
        ws.append([v if v != "" else None for v in row])
    wb.save(path)


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for row in _rows(n):
            row[0] = row[0].isoformat()
            w.writerow(row)


def read_new(path: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _n, row in open_table(path).rows():
        if isinstance(row, UnreadableRow):
            raise AssertionError(row.reason)
        out.append(row)
    return out


def read_openpyxl(path: Path) -> list[dict[str, Any]]:
    """The reader before python-calamine: openpyxl read-only, rows as {column: value}."""
    import openpyxl

    with path.open("rb") as fh:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            ws.reset_dimensions()
            it = ws.iter_rows(values_only=True)
            columns = [str(c) for c in next(it)]
            out = []
            for values in it:
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                out.append({c: (values[i] if i < len(values) else None)
                            for i, c in enumerate(columns)})
            return out
        finally:
            wb.close()


def read_dictreader(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _best(fn: Callable[[Path], list[dict[str, Any]]], path: Path, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn(path)
        best = min(best, time.perf_counter() - t)
    return best, result


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    def norm(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, date) and not isinstance(v, datetime):
            return datetime(v.year, v.month, v.day)  # calamine: a date-time at midnight
        return None if v == "" else v

    return len(a) == len(b) and all(
        {k: norm(v) for k, v in x.items()} == {k: norm(v) for k, v in y.items()}
        for x, y in zip(a, b, strict=True)
    )


def run(n: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="corridor-bench-readers-") as tmp:
        xlsx, csvp = Path(tmp) / "counts.xlsx", Path(tmp) / "counts.csv"
        write_xlsx(xlsx, n)
        write_csv(csvp, n)
        new_s, new_rows = _best(read_new, xlsx, repeat)
        old_s, old_rows = _best(read_openpyxl, xlsx, max(1, repeat - 1))
        csv_s, csv_rows = _best(read_new, csvp, repeat)
        dict_s, _ = _best(read_dictreader, csvp, repeat)
    return {
        "rows": n,
        "xlsx_calamine_s": round(new_s, 3),
        "xlsx_openpyxl_s": round(old_s, 3),
        "ratio_openpyxl_vs_calamine": round(old_s / new_s, 1),
        "agree": _same(new_rows, old_rows) and len(csv_rows) == n,
        "csv_s": round(csv_s, 3),
        "csv_rows_per_s": round(n / csv_s),
        "csv_ratio_vs_dictreader": round(csv_s / dict_s, 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corridor.bench readers", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10,000 rows instead of 50,000")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--rows", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    n = args.rows or (10_000 if args.quick else 50_000)
    fig = run(n, repeat=3)
    if args.json:
        print(json.dumps(fig, sort_keys=True))
        return 0
    w = sys.stdout.write
    w(f"XLSX, {fig['rows']:,} rows through open_table().rows()\n")
    w(f"  python-calamine  {fig['xlsx_calamine_s']:>8.3f} s\n")
    w(f"  openpyxl (old)   {fig['xlsx_openpyxl_s']:>8.3f} s\n")
    w(f"  openpyxl / calamine = {fig['ratio_openpyxl_vs_calamine']:.1f}x; same rows: "
      f"{fig['agree']}\n")
    w(f"CSV, same rows: {fig['csv_rows_per_s']:,} rows/s ({fig['csv_s']:.3f} s), "
      f"{fig['csv_ratio_vs_dictreader']:.2f}x plain csv.DictReader\n")
    return 0
