"""The log as a static C2SP tlog-tiles tree on disk, and its offline verification.

``export_log`` writes ``checkpoint``, ``keys`` and ``tile/...`` into a temporary folder beside
the target and moves it into place only once every file is written and the recomputed root
matches the signed checkpoint. It replaces only a previous export (marked by a
``.corridor-export`` file and holding nothing else): any other non-empty folder is refused.
``verify_export`` checks such a folder with no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from corridor.errors import InputError, VerificationError
from corridor.export.folder import EXPORT_MARKER, replace_folder
from corridor.ledger.cosignature import CosignatureVerifier
from corridor.ledger.note import Verifier
from corridor.ledger.offline import KEYS_PATH, VerifiedLog, export_files
from corridor.ledger.offline import verify_export as _verify

__all__ = ["EXPORT_NAMES", "export_log", "keys_file", "verify_export"]

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
    root = folder.resolve()

    def read(rel: str) -> bytes:
        p = (root / rel).resolve()
        if root not in p.parents:
            raise VerificationError(f"{rel}: path outside the export")
        return p.read_bytes()  # OSError: the verifier names the missing file and entry

    return _verify(
        read,
        log_verifier.name,
        log_verifier,
        org_keys=[Verifier.from_vkey(k) for k in org_keys] if org_keys is not None else None,
        witnesses=[CosignatureVerifier.from_vkey(w) for w in witnesses],
        quorum=quorum,
        jobs=jobs,
    )
