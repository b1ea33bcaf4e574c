"""Files an export writes: written whole through a temporary file beside the target, or to
standard output; an existing file is replaced only when asked to."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from corridor.errors import InputError

__all__ = ["check_output_file", "output_file", "temporary_beside"]


def check_output_file(out: Path, *, force: bool = False) -> None:
    """Refuse a target that exists (unless ``force``) or is not a regular file, naming it."""
    try:
        st = out.lstat()
    except FileNotFoundError:
        if not out.parent.is_dir() and str(out.parent):
            raise InputError("its folder does not exist", where=str(out)) from None
        return
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror or exc}", where=str(out)) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError("exists and is not a regular file; choose another path", where=str(out))
    if not force:
        raise InputError("exists; give --force to replace it", where=str(out))


@contextmanager
def temporary_beside(out: Path, *, force: bool = False) -> Iterator[Path]:
    """A temporary path beside ``out`` that becomes ``out`` when the block ends without error
    (removed otherwise)."""
    check_output_file(out, force=force)
    directory = out.parent if str(out.parent) else Path()
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror or exc}", where=str(out)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.replace(out)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write: {exc.strerror or exc}", where=str(out)) from None
        raise


@contextmanager
def output_file(
    out: Path | None, *, binary: bool = False, force: bool = False
) -> Iterator[IO[Any]]:
    """A stream to write an export to: standard output when ``out`` is None, else a file
    written whole (see :func:`temporary_beside`). Text is UTF-8 with ``\\n`` line ends."""
    if out is None:
        stream: IO[Any] = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    with temporary_beside(out, force=force) as tmp:
        if binary:
            with tmp.open("wb") as f:
                yield f
        else:
            with tmp.open("w", encoding="utf-8", newline="") as f:
                yield f
