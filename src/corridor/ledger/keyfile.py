"""Private signing keys on disk: one file per key, mode 0600, never in the database.

The one module of the ledger core that touches the file system: the recorder (beside a database)
and the HTTP client (beside no database) both sign with these files, and only the core is shared
by both.

A key file holds one signer key in the C2SP/Go note format
``PRIVATE+KEY+<name>+<key ID hex>+base64(0x01 ‖ seed)``; its name is the organisation id (or
``log`` for the log's own checkpoint key). Built-in cases use DEMO keys derived from a public
seed: anyone can recompute them, so they prove integrity of the shipped record, not authorship,
and they are labelled as demo keys wherever they appear.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from corridor.errors import SigningKeyError
from corridor.ledger.note import Signer

__all__ = ["DEMO_SEED_PREFIX", "Keyring", "check_registered", "demo_signer"]

S = TypeVar("S", bound=Signer)

MAX_KEY_FILE = 4096  # a key file is one line of about 100 characters and a comment

DEMO_SEED_PREFIX = b"corridor DEMO key v1 (public seed, not secret): "


def demo_signer(name: str) -> Signer:
    """The deterministic DEMO signer for ``name`` (its seed is public: not a secret key)."""
    return Signer.from_seed(name, hashlib.sha256(DEMO_SEED_PREFIX + name.encode()).digest())


def check_registered(signer: Signer, registered: Sequence[str], path: Path | str) -> None:
    """Refuse a signer whose key is not one of ``registered`` (the verifier keys on the record
    for its organisation): registration is on purpose, never a side effect of signing."""
    if signer.vkey in registered:
        return
    ids = ", ".join(v.rsplit("+", 1)[0] for v in registered)
    raise SigningKeyError(
        f"{path}: key {signer.name}+{signer.key_id.hex()} is not registered for organisation "
        f"{signer.name!r} " + (f"(its registered keys: {ids})" if registered else "(it has none)"),
        code="key-not-registered",
        subject=signer.name,
    )


class Keyring:
    """A folder of private key files, ``<name>.key``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.key"

    def has(self, name: str) -> bool:
        return self.path(name).exists()

    def load(self, name: str) -> Signer:
        """The signer for organisation ``name`` (its key file is ``<name>.key``)."""
        signer: Signer = self.load_file(name)
        if signer.name != name:
            raise SigningKeyError(
                f"{self.path(name)}: the key is named {signer.name!r}, not {name!r}"
            )
        return signer

    def load_log(self) -> Signer:
        """The log's checkpoint signer (file ``log.key``; its key name is the log's origin)."""
        return self.load_file("log")

    def load_file(self, filename: str, cls: type[S] = Signer) -> S:  # type: ignore[assignment]
        """The signer in ``<filename>.key``, parsed as ``cls`` (e.g. a cosignature signer)."""
        p = self.path(filename)
        line = self._read(p, filename)
        try:
            signer = cls.from_skey(line)
        except SigningKeyError as exc:
            raise SigningKeyError(f"{p}: {exc}") from None
        if not isinstance(signer, cls):  # pragma: no cover - from_skey builds a cls
            raise SigningKeyError(f"{p}: not a {cls.__name__} key")
        return signer

    def _read(self, p: Path, name: str) -> str:
        """The one PRIVATE+KEY line of a key file, refused if others may read the file."""
        try:
            mode = p.stat().st_mode
            if not stat.S_ISREG(mode):  # checked before opening: a FIFO would block
                raise SigningKeyError(f"{p}: not a regular file")
            with p.open("rb") as f:
                mode = os.fstat(f.fileno()).st_mode
                raw = f.read(MAX_KEY_FILE + 1)
        except FileNotFoundError:
            raise SigningKeyError(
                f"no signing key for {name!r} in {self.folder}/",
                code="no-signing-key",
                subject=name,
            ) from None
        except OSError as exc:
            raise SigningKeyError(f"cannot read {p}: {exc.strerror}") from None
        if not stat.S_ISREG(mode):
            raise SigningKeyError(f"{p}: not a regular file")
        if mode & 0o077:
            raise SigningKeyError(
                f"{p}: the private key is readable by others (mode {stat.S_IMODE(mode):04o}); "
                f"refusing to use it: restrict it with chmod 600 {p}"
            )
        if len(raw) > MAX_KEY_FILE:
            raise SigningKeyError(f"{p}: not a key file (over {MAX_KEY_FILE} bytes)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SigningKeyError(f"{p}: not a key file (not UTF-8 text)") from None
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        if len(lines) != 1:
            raise SigningKeyError(f"{p}: expected one PRIVATE+KEY line")
        return lines[0]

    def save(
        self,
        signer: Signer,
        *,
        filename: str | None = None,
        demo: bool = False,
        overwrite: bool = False,
    ) -> Path:
        """Write the key with mode 0600 (created so, never widened); refuse to overwrite."""
        self.folder.mkdir(parents=True, exist_ok=True)
        p = self.path(filename or signer.name)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
        try:
            fd = os.open(p, flags, 0o600)
        except FileExistsError:
            raise SigningKeyError(f"{p} exists; not overwriting a private key") from None
        header = (
            "# DEMO KEY: derived from a public seed; anyone can sign with it. Not a secret.\n"
            if demo
            else "# corridor private signing key. Keep it secret; never share or commit it.\n"
        )
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(header + signer.skey + "\n")
        p.chmod(0o600)
        return p
