"""A witness's state file: per log origin, the size and root it last cosigned
(:class:`corridor.ledger.cosignature.WitnessState` as JSON), read and replaced under one lock.

C2SP tlog-witness requires checking the old size against the state and persisting the new
checkpoint atomically, before answering: otherwise two requests racing could roll the state
back. :meth:`WitnessStateFile.update` holds an exclusive lock (a thread lock, and ``flock`` on
``FILE.lock`` for other processes, e.g. ``corridor witness cosign`` beside a served witness),
reads the state afresh, and, when the body succeeded and changed it, writes it to a temporary
file, flushes it to disk and renames it over the state.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corridor.errors import InputError
from corridor.ledger.cosignature import WitnessState

__all__ = ["WitnessStateFile"]

MAX_STATE_BYTES = 1 << 20

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def _thread_lock(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


class WitnessStateFile:
    """The state of one witness in ``path`` (absent: it has cosigned nothing yet)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).absolute()
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def read(self) -> WitnessState:
        """The state as stored now (no lock: for showing it)."""
        try:
            with self.path.open("rb") as f:
                raw = f.read(MAX_STATE_BYTES + 1)
        except FileNotFoundError:
            return WitnessState()
        except OSError as exc:
            raise InputError(
                f"cannot read the witness state: {exc.strerror}", where=str(self.path)
            ) from None
        if len(raw) > MAX_STATE_BYTES:
            raise InputError("the witness state is too large to be one", where=str(self.path))
        try:
            return WitnessState.from_json(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise InputError("the witness state is not UTF-8", where=str(self.path)) from None
        except InputError as exc:
            raise InputError(exc.reason, where=str(self.path)) from None

    def _write(self, state: WitnessState) -> None:
        folder = self.path.parent
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(state.to_json() + "\n")
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.path)
        dirfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)

    @contextmanager
    def update(self) -> Iterator[WitnessState]:
        """Yield the state under the lock; write it back if the body changed it and did not
        raise. One update at a time, across threads and processes."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"cannot create the witness state's folder: {exc.strerror}", where=str(self.path)
            ) from None
        with _thread_lock(self.path):
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                state = self.read()
                before = state.to_json()
                yield state
                if state.to_json() != before:
                    try:
                        self._write(state)
                    except OSError as exc:
                        raise InputError(
                            f"cannot write the witness state: {exc.strerror}",
                            where=str(self.path),
                        ) from None
            finally:
                os.close(fd)
