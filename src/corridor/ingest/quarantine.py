"""The quarantine file: rejected rows, as they were, with where they came from and why.

A CSV (UTF-8 with a byte-order mark, so spreadsheet programs read it right) holding the original
columns, then ``_file``, ``_sheet`` (workbooks only), ``_row``, ``_mapping`` and ``_error``. Fix
the rows in place and import the file again with the same mapping: the rows keep their original
file and row, so they become the observations they would have been. The file is written whole or
not at all, and not at all when nothing was rejected. It may hold personal data from the input
(names, phone numbers): keep it as private as the input.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from corridor.errors import InputError
from corridor.ingest.run import PROVENANCE_COLUMNS, ImportPlan
from corridor.ingest.values import cell_text

__all__ = ["default_quarantine_path", "write_quarantine"]


def default_quarantine_path(input_path: str | Path, directory: str | Path | None = None) -> Path:
    """``quarantine-<input name>.csv`` in ``directory`` (default: the working directory, as a
    relative path)."""
    name = f"quarantine-{Path(input_path).stem}.csv"
    return Path(directory) / name if directory is not None else Path(name)


def write_quarantine(plan: ImportPlan, path: str | Path) -> Path | None:
    """Write the plan's rejected rows to ``path`` atomically; return the path, or None (and
    write nothing) when no row was rejected."""
    if not plan.rejected:
        return None
    target = Path(path)
    original = [c for c in plan.columns if c not in PROVENANCE_COLUMNS]
    extra = ["_file", *(["_sheet"] if plan.has_sheets else []), "_row", "_mapping", "_error"]
    header = original + extra
    directory = target.parent if str(target.parent) else Path()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(
            f"cannot write the quarantine file: {exc.strerror or exc}", where=str(target)
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            for r in plan.rejected:
                row = [cell_text(r.values.get(c)) for c in original]
                row += [r.file, *([r.sheet or ""] if plan.has_sheets else []), str(r.row)]
                row += [r.mapping or "", r.error]
                w.writerow(row)
        Path(tmp).replace(target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(
                f"cannot write the quarantine file: {exc.strerror or exc}", where=str(target)
            ) from None
        raise
    return target
