"""The log as a static C2SP tlog-tiles tree on disk, and its offline verification.

``export_log`` writes ``checkpoint``, ``keys`` and ``tile/...`` into a temporary folder beside
the target and moves it into place only once every file is written and the recomputed root
matches the signed checkpoint. It replaces only a previous export (marked by a
``.corridor-export`` file and holding nothing else): any other non-empty folder is refused.
``verify_export`` checks such a folder with no database, reading it through
:func:`folder_reader`: only the regular files an export holds, never through a symbolic link,
never outside the folder, and never more bytes than the file can hold (a tile of width W is
32·W bytes), so a hostile folder cannot make the verifier read /etc/passwd or a file of
several gigabytes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from corridor.errors import InputError, VerificationError
from corridor.export.folder import EXPORT_MARKER, replace_folder
from corridor.ledger.cosignature import CosignatureVerifier
from corridor.ledger.note import Verifier
from corridor.ledger.offline import KEYS_PATH, VerifiedLog, export_files, max_file_size
from corridor.ledger.offline import verify_export as _verify

__all__ = ["EXPORT_NAMES", "export_log", "folder_reader", "keys_file", "verify_export"]

# What an export holds at its top level (besides its marker file).
EXPORT_NAMES = frozenset({"checkpoint", "keys", "tile"})


def keys_file(keys: Iterable[tuple[str, str, bool]]) -> bytes:
    """The export's ``keys`` file: each organisation's verifier key (org, vkey, is demo key),
    DEMO keys labelled."""
    lines = ["# Organisations' verifier keys (C2SP note vkeys): name+keyid+base64(0x01||key)\n"]
    for org, vkey, demo in keys:
        if demo:
            lines.append(f"# {org}: DEMO key, derived from a public seed (built-in case only)\n")
        lines.append(vkey + "\n")
    return "".join(lines).encode()


def export_log(
    entries: Iterable[bytes],
    checkpoint: bytes,
    vkeys: Sequence[str],
    keys: bytes,
    out: Path,
) -> tuple[int, int]:
    """Write ``entries`` (in log order, exactly the checkpoint's tree) as tiles beside the signed
    ``checkpoint`` and the ``keys`` file to ``out``; return (entries, files).

    ``vkeys`` are the organisations' verifier keys each entry is checked against on the way;
    ``out`` must be new, empty, or a previous export (which is replaced); InputError otherwise.
    """
    files = 0
    with replace_folder(Path(out), EXPORT_MARKER, EXPORT_NAMES) as tmp:
        verifiers = [Verifier.from_vkey(v) for v in vkeys]
        for rel, data in export_files(entries, checkpoint, verifiers):
            if rel == KEYS_PATH:
                data = keys
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            files += 1
    size = int(checkpoint.decode().split("\n")[1])
    return size, files


_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


def _kind(mode: int, folder: bool) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link; an export holds only regular files and folders"
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if folder and stat.S_ISREG(mode):
        return "a file, not a folder"
    return "not a regular file"


def folder_reader(folder: Path) -> Callable[[str], bytes]:
    """A reader of the export at ``folder`` for :func:`corridor.ledger.offline.verify_export`.

    ``read(rel)`` accepts only the paths an export has (``checkpoint``, ``keys``,
    ``tile/...``: never ``..``), refuses a symbolic link at any step below ``folder`` and
    anything but a regular file, and reads at most the bytes the file can hold
    (:func:`corridor.ledger.offline.max_file_size`). It raises VerificationError naming the path.
    """
    root = Path(folder)

    def read(rel: str) -> bytes:
        limit = max_file_size(rel)  # VerificationError for any other path
        parts = rel.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise VerificationError(f"{rel!r} is not the path of a file of an export")
        path = root
        try:
            for n, part in enumerate(parts, 1):
                path = path / part
                mode = path.lstat().st_mode
                folder = n < len(parts)
                if not (stat.S_ISDIR(mode) if folder else stat.S_ISREG(mode)):
                    raise VerificationError(f"{'/'.join(parts[:n])} is {_kind(mode, folder)}")
            fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_BINARY)
        except FileNotFoundError:
            raise VerificationError(f"{rel} is missing") from None
        except OSError as exc:
            raise VerificationError(f"{rel} cannot be read ({exc.strerror or exc})") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):  # replaced since the check above
                raise VerificationError(f"{rel} is not a regular file")
            if st.st_size > limit:
                raise VerificationError(
                    f"{rel} is {st.st_size:,} bytes, more than the {limit:,} it can hold"
                )
            with os.fdopen(fd, "rb", closefd=False) as f:
                data = f.read(limit + 1)
        except OSError as exc:
            raise VerificationError(f"{rel} cannot be read ({exc.strerror or exc})") from None
        finally:
            os.close(fd)
        if len(data) > limit:  # grew while read
            raise VerificationError(f"{rel} is more than the {limit:,} bytes it can hold")
        return data

    return read


def verify_export(
    folder: Path,
    vkey: str,
    *,
    witnesses: list[str] = (),  # type: ignore[assignment]
    quorum: int = 0,
    org_keys: list[str] | None = None,
    jobs: int = 1,
) -> VerifiedLog:
    """Verify an exported folder offline against the log's verifier key (from a trusted source)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("not a folder", where=str(folder))
    log_verifier = Verifier.from_vkey(vkey)
    return _verify(
        folder_reader(folder),
        log_verifier.name,
        log_verifier,
        org_keys=[Verifier.from_vkey(k) for k in org_keys] if org_keys is not None else None,
        witnesses=[CosignatureVerifier.from_vkey(w) for w in witnesses],
        quorum=quorum,
        jobs=jobs,
    )
