"""Output folders that corridor may replace, and only those.

A folder corridor writes (a log export, a demo folder) carries a marker file naming what wrote
it. Writing into a path is allowed when it does not exist, is an empty folder, or is a folder
that carries the same marker and holds nothing but what corridor writes there. Anything else is
refused with the reason, before a byte is written or removed: corridor never deletes what it did
not write. A symbolic link, a file or an unwritable place are refused too.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corridor.errors import InputError

__all__ = ["EXPORT_MARKER", "check_output_folder", "replace_folder"]

EXPORT_MARKER = ".corridor-export"


def _oserror(exc: OSError, where: Path) -> InputError:
    return InputError(f"cannot write here: {exc.strerror or exc}", where=str(where))


def check_output_folder(out: Path, marker: str, allowed: frozenset[str]) -> bool:
    """Check that ``out`` may be written as a folder carrying ``marker``.

    ``allowed`` lists the top-level names such a folder may hold besides the marker. Returns
    True when ``out`` holds a previous folder of this kind (to be replaced), False when it is
    absent or empty. Raises InputError naming the path and the reason otherwise.
    """
    try:
        st = out.lstat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _oserror(exc, out) from None
    if stat.S_ISLNK(st.st_mode):
        raise InputError(
            "is a symbolic link; give the folder itself, so that nothing is written elsewhere",
            where=str(out),
        )
    if not stat.S_ISDIR(st.st_mode):
        raise InputError("exists and is not a folder; choose a new or empty folder", where=str(out))
    try:
        names = {p.name for p in out.iterdir()}
    except OSError as exc:
        raise _oserror(exc, out) from None
    if not names:
        return False
    if marker not in names:
        raise InputError(
            f"the folder is not empty and was not written by corridor (no {marker} file); "
            "choose a new or empty folder: corridor never deletes what it did not write",
            where=str(out),
        )
    strange = sorted(names - allowed - {marker})
    if strange:
        raise InputError(
            f"the folder holds {strange[0]!r}, which corridor did not write there; move it away "
            "or choose another folder",
            where=str(out),
        )
    return True


@contextmanager
def replace_folder(out: Path, marker: str, allowed: frozenset[str]) -> Iterator[Path]:
    """Yield a fresh temporary folder beside ``out``; on success it becomes ``out``.

    The previous folder (checked by :func:`check_output_folder`) is swapped out only after
    everything was written, then removed. On failure nothing at ``out`` changes.
    """
    previous = check_output_folder(out, marker, allowed)
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise _oserror(exc, out) from None
    try:
        yield tmp
        (tmp / marker).write_text(
            "Written by corridor. The next run of the same command may replace this folder.\n"
        )
        old: Path | None = None
        if previous:
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            out.replace(old / "previous")
        elif out.exists():
            out.rmdir()  # empty, checked above
        tmp.replace(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _oserror(exc, out) from None
        raise
