"""The quarantine file: rejected rows, as they were, with where they came from and why.

A CSV (UTF-8 with a byte-order mark, so spreadsheet programs read it right) holding the original
columns, then ``_file``, ``_sheet`` (workbooks only), ``_row``, ``_mapping`` and ``_error``. Fix
the rows in place and import the file again with the same mapping: the rows keep their original
file and row, so they become the observations they would have been. The file is written whole
or not at all, and not at all when nothing was rejected. An existing file is replaced only if it
is itself a quarantine file (its header ends with the columns above) and is not the file being
imported: anything else at that path, or anything that is not a regular file, is refused before
the import writes anything. Cells a spreadsheet would run as a formula are prefixed with ``'``
(taken off again when the file is imported back), and columns that feed a field identifying a
person (a driver's name, a phone number) are left empty. Free text (a note) may still name
people: keep the file as private as the input. Rows of an HXL table are written under its
hashtag row, so a mapping that picks columns by tag pattern reads the fixed file too.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import tempfile
from pathlib import Path

from corridor.errors import InputError
from corridor.ingest.run import PROVENANCE_COLUMNS, ImportPlan, escape_cell
from corridor.ingest.values import cell_text

__all__ = ["check_quarantine_target", "default_quarantine_path", "write_quarantine"]

_HEAD = 64 * 1024


def default_quarantine_path(input_path: str | Path, directory: str | Path | None = None) -> Path:
    """``quarantine-<input name>.csv`` in ``directory`` (default: the working directory, as a
    relative path)."""
    name = f"quarantine-{Path(input_path).stem}.csv"
    return Path(directory) / name if directory is not None else Path(name)


def _is_quarantine_file(path: Path) -> bool:
    """Whether the file's header row is a quarantine file's (ends ``_row``, ``_mapping``,
    ``_error`` after ``_file``)."""
    try:
        with path.open("rb") as f:
            head = f.read(_HEAD)
    except OSError:
        return False
    text = head.decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        return False
    return "_file" in header and header[-3:] == ["_row", "_mapping", "_error"]


def check_quarantine_target(path: str | Path, inputs: tuple[Path, ...] = ()) -> None:
    """Refuse a quarantine path that would replace something other than a quarantine file.

    ``inputs`` are the files the import reads (the data and the mapping file): never replaced.
    """
    target = Path(path)
    try:
        st = target.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(
            f"cannot use as the quarantine file: {exc.strerror or exc}", where=str(target)
        ) from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
        raise InputError(
            f"is {kind}; the quarantine file must be a new path or a previous quarantine file",
            where=str(target),
        )
    for other in inputs:
        try:
            same = other.exists() and target.samefile(other)
        except OSError:
            same = False
        if same:
            raise InputError(
                "is a file this import reads; give the quarantine file a path of its own",
                where=str(target),
            )
    if not _is_quarantine_file(target):
        raise InputError(
            "exists and is not a quarantine file (its header lacks _file, _row, _mapping, "
            "_error); corridor replaces only its own quarantine files: choose another path",
            where=str(target),
        )


def write_quarantine(
    plan: ImportPlan, path: str | Path, inputs: tuple[Path, ...] = ()
) -> Path | None:
    """Write the plan's rejected rows to ``path`` atomically; return the path, or None (and
    write nothing) when no row was rejected. ``path`` is checked by
    :func:`check_quarantine_target` first."""
    target = Path(path)
    check_quarantine_target(target, inputs)
    if not plan.rejected:
        return None
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
            if plan.hashtags:  # an HXL table: the hashtags too, so tag patterns still match
                w.writerow([plan.hashtags.get(c, "") for c in original] + [""] * len(extra))
            for r in plan.rejected:
                withheld = [c for c in original if c in plan.personal_columns and r.values.get(c)]
                row = [
                    "" if c in plan.personal_columns else escape_cell(cell_text(r.values.get(c)))
                    for c in original
                ]
                row += [r.file, *([r.sheet or ""] if plan.has_sheets else []), str(r.row)]
                error = r.error
                if withheld:
                    error += f" (personal values left out of this file: {', '.join(withheld)})"
                row += [r.mapping or "", escape_cell(error)]
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
