"""The log's own witness state: the latest checkpoint it signed, kept outside the database.

The database can be rewritten by whoever can write to it; the log's signing key cannot be used
without the key folder. So, like a witness (:mod:`corridor.ledger.cosignature`), the log keeps
beside its key, in ``log.state``, per origin, the size and root of the latest checkpoint it
signed and the key it signed with::

    {"logs": {"<origin>": {"root": "<base64>", "size": n, "vkey": "<log vkey>"}}}

Before signing a new checkpoint the log proves it consistent with this state, and verification
requires the database to hold that checkpoint and entries that hash to its root: deleting the
checkpoints table, rolling the database back to an older copy or rewriting its history is then
caught. The file is replaced atomically and only ever advances; signers in several processes
take a lock (``log.state.lock``) around checking, signing, storing and advancing.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.errors import InputError
from corridor.ledger.hashing import HASH_SIZE

__all__ = ["STATE_FILE", "LogState", "SignedHead"]

STATE_FILE = "log.state"
MAX_STATE_BYTES = 1 << 20


@dataclass(frozen=True)
class SignedHead:
    """The latest checkpoint the log signed for one origin."""

    size: int
    root: bytes
    vkey: str


class LogState:
    """The state file in a key folder (read on each use; nothing is cached)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / STATE_FILE

    def exists(self) -> bool:
        return self.path.exists()

    def _read_all(self) -> dict[str, SignedHead]:
        try:
            with self.path.open("rb") as f:
                raw = f.read(MAX_STATE_BYTES + 1)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise InputError(
                f"cannot read the log state: {exc.strerror}", where=str(self.path)
            ) from None
        if len(raw) > MAX_STATE_BYTES:
            raise InputError("the log state is too large to be one", where=str(self.path))
        try:
            data: Any = json.loads(raw.decode("utf-8"))
            out = {}
            for origin, v in data["logs"].items():
                root = base64.b64decode(v["root"], validate=True)
                size, vkey = v["size"], v["vkey"]
                if (
                    type(size) is not int
                    or size < 0
                    or len(root) != HASH_SIZE
                    or not isinstance(vkey, str)
                ):
                    raise ValueError(origin)
                out[str(origin)] = SignedHead(size, root, vkey)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise InputError(f"the log state is malformed ({exc})", where=str(self.path)) from None
        return out

    def get(self, origin: str) -> SignedHead | None:
        """The latest signed head recorded for ``origin``, or None."""
        return self._read_all().get(origin)

    def advance(self, origin: str, head: SignedHead) -> None:
        """Record ``head`` for ``origin`` if it is newer than what is recorded (never regress).

        Written to a temporary file, flushed to disk, then renamed over the state.
        """
        logs = self._read_all()
        have = logs.get(origin)
        if have is not None and have.size >= head.size and have.vkey == head.vkey:
            return
        logs[origin] = head
        doc = {
            "logs": {
                o: {"root": base64.b64encode(h.root).decode(), "size": h.size, "vkey": h.vkey}
                for o, h in sorted(logs.items())
            }
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(STATE_FILE + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(doc, sort_keys=True, indent=1) + "\n")
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.path)
        dirfd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the state's lock (one signer at a time per key folder)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / (STATE_FILE + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
