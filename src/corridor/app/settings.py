"""Settings, read once when the application opens: where the record and the keys are, and how
many worker processes admit large submissions, and what published reads show.

Precedence: what the caller passes (a CLI option, a server's configuration), then the
environment (``CORRIDOR_DB``, ``CORRIDOR_KEYS``, ``CORRIDOR_VERIFY_WORKERS``,
``CORRIDOR_PUBLIC_VIEW``), then defaults (``./corridor.db``; ``corridor-keys/`` beside an SQLite
database, else ``./corridor-keys``; one worker per core for submissions of 8,000 entries or
more; published reads show every entry).

``CORRIDOR_PUBLIC_VIEW``: ``all`` (the default) or ``accepted``: the service's published reads
(no token) list only observations whose review state is ``accepted`` (docs/review.md); the log
itself, its tiles and proofs, stays complete.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from corridor.errors import InputError

__all__ = ["Settings"]


def database_url(db: str | None) -> str:
    """An SQLAlchemy URL for a path or URL (default ``./corridor.db``)."""
    from corridor.store.urls import database_url as _url

    return _url(db)


@dataclass(frozen=True)
class Settings:
    """Where the record lives and how the application runs; immutable once read."""

    db: str
    keys: Path
    workers: int
    public_view: str = "all"

    @classmethod
    def load(
        cls,
        db: str | None = None,
        keys: str | Path | None = None,
        *,
        workers: int | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ
        url = database_url(db or env.get("CORRIDOR_DB") or None)
        folder = keys or env.get("CORRIDOR_KEYS") or None
        if folder:
            key_dir = Path(folder).expanduser()
        elif url.startswith("sqlite:///"):
            key_dir = Path(url.removeprefix("sqlite:///")).parent / "corridor-keys"
        else:
            key_dir = Path("corridor-keys")
        if workers is None:
            raw = env.get("CORRIDOR_VERIFY_WORKERS", "")
            try:
                workers = int(raw) if raw else (os.cpu_count() or 1)
            except ValueError:
                raise InputError(
                    f"{raw!r} is not a number of worker processes", where="CORRIDOR_VERIFY_WORKERS"
                ) from None
        if not 0 <= workers <= 256:
            raise InputError(f"{workers} is not between 0 and 256", where="workers")
        view = (env.get("CORRIDOR_PUBLIC_VIEW") or "all").strip().lower()
        if view not in ("all", "accepted"):
            raise InputError(
                f"{view!r} is not a public view; expected all or accepted",
                where="CORRIDOR_PUBLIC_VIEW",
            )
        return cls(url, key_dir, workers, view)
