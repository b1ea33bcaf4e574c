"""Reading a source file (case, mapping, scenario, rule file) within bounds.

Only regular files are read (a device such as ``/dev/zero``, a FIFO or a socket is refused before
anything is read from it), at most :data:`MAX_BYTES`, and the bytes must be UTF-8 (a BOM is
allowed). Every refusal is an :class:`~corridor.errors.InputError` (or the caller's subclass)
naming the file and the reason.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from corridor.errors import InputError

__all__ = ["MAX_BYTES", "decode_source", "read_source", "read_source_bytes"]

#: The largest source file read, in bytes (64 MiB). Larger files are refused, not truncated.
MAX_BYTES = 64 * 1024 * 1024


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g} MiB"


def read_source_bytes(
    path: str | os.PathLike[str],
    error: type[InputError] = InputError,
    *,
    what: str = "file",
    max_bytes: int = MAX_BYTES,
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, or ``error`` naming it and why."""
    where = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error(f"no such {what}", where=where) from None
    except IsADirectoryError:
        raise error(f"is a folder, not a {what}", where=where) from None
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}", where=where) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise error(f"is a folder, not a {what}", where=where)
        if not stat.S_ISREG(st.st_mode):
            raise error(
                f"not a regular file (a device, FIFO or socket); give a {what}", where=where
            )
        if st.st_size > max_bytes:
            raise error(
                f"the {what} is {_mib(st.st_size)}, larger than the limit of {_mib(max_bytes)}",
                where=where,
            )
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}", where=where) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew while being read
        raise error(f"the {what} is larger than the limit of {_mib(max_bytes)}", where=where)
    return data


def decode_source(data: bytes, name: str, error: type[InputError] = InputError) -> str:
    """UTF-8 bytes (a BOM allowed) as text, or ``error`` naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            f"not UTF-8 text (byte {exc.start} on line {line}; save the file as UTF-8)",
            where=name,
        ) from None


def read_source(
    path: str | os.PathLike[str],
    error: type[InputError] = InputError,
    *,
    what: str = "file",
    max_bytes: int = MAX_BYTES,
) -> str:
    """A source file's text (UTF-8, a BOM allowed), or ``error`` naming the file and why."""
    data = read_source_bytes(path, error, what=what, max_bytes=max_bytes)
    return decode_source(data, str(Path(path)), error)
