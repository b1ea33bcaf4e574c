"""Embargo: commit to an observation now, reveal it later (docs/embargo.md).

A **sealed** entry holds only a commitment to the hidden observation::

    commitment = hex SHA-256( b"corridor-seal-v1\\n" || salt || RFC8785(hidden content) )

where ``salt`` is 32 random bytes and the hidden content is the observation's public content
(``Observation.content()``: what its id hashes). Without the salt, a small, guessable body (one
checkpoint, a direction, a count below a thousand) could be found by trying every candidate;
with 256 random bits, nothing can be learnt from the commitment.

A **reveal** is the hidden observation itself, logged with ``reveals: {sealed, salt}``: a valid
observation of its own type signed by the same organisation. Admission recomputes the commitment
from the salt and the reveal's content without ``reveals`` and compares
(:func:`corridor.model.history.check_entry`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from corridor.ledger.canonical import canonical
from corridor.model.observation import Observation

__all__ = [
    "GRAINS",
    "SALT_BYTES",
    "SEAL_DOMAIN",
    "coarse_period",
    "commitment",
    "hidden_content",
    "new_salt",
    "reveal_commitment",
    "reveal_content",
    "sealed_content",
]

SEAL_DOMAIN = b"corridor-seal-v1\n"
SALT_BYTES = 32


def new_salt() -> bytes:
    """32 bytes from the operating system's cryptographic random source."""
    return secrets.token_bytes(SALT_BYTES)


def hidden_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """An observation's content without ``reveals``: what was sealed."""
    return {k: v for k, v in content.items() if k != "reveals"}


def commitment(salt: bytes, content: Mapping[str, Any]) -> str:
    """The hex commitment to an observation's public ``content`` under ``salt``."""
    if len(salt) != SALT_BYTES:
        raise ValueError(f"a seal's salt is {SALT_BYTES} bytes, not {len(salt)}")
    return hashlib.sha256(SEAL_DOMAIN + salt + canonical(hidden_content(content))).hexdigest()


def reveal_commitment(obs: Observation) -> str | None:
    """The commitment a reveal opens (from its salt and its content), None if not a reveal."""
    if obs.reveals is None:
        return None
    return commitment(bytes.fromhex(obs.reveals.salt), obs.content())


GRAINS = ("day", "month", "year")
"""How coarsely a sealed entry discloses the hidden observation's time (docs/embargo.md)."""


def coarse_period(start: datetime, grain: str) -> dict[str, str]:
    """The ``grain`` (day, month or year, in ``start``'s own offset) that holds ``start``, as an
    observed period: what a sealed entry discloses of when."""
    if grain not in GRAINS:
        raise ValueError(f"{grain!r} is not one of {', '.join(GRAINS)}")
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if grain == "day":
        lo, hi = day, day + timedelta(days=1)
    elif grain == "month":
        lo = day.replace(day=1)
        hi = (
            lo.replace(year=lo.year + 1, month=1)
            if lo.month == 12
            else lo.replace(month=lo.month + 1)
        )
    else:
        lo = day.replace(month=1, day=1)
        hi = lo.replace(year=lo.year + 1)
    return {"start": lo.isoformat(), "end": hi.isoformat()}


def sealed_content(
    hidden: Observation,
    salt: bytes,
    *,
    grain: str = "day",
    disclose_type: bool = True,
    source: str | None = None,
) -> dict[str, Any]:
    """The sealed entry committing to ``hidden`` under ``salt``: by the same reporter, observed
    over the ``grain`` that holds the hidden observation's start, naming its type unless
    ``disclose_type`` is False, with one source (``source``, default "sealed by REPORTER")."""
    body: dict[str, Any] = {"commitment": commitment(salt, hidden.content())}
    if disclose_type:
        body["hides"] = hidden.type
    return {
        "type": "sealed",
        "observed": coarse_period(hidden.start, grain),
        "reporter": hidden.reporter,
        "sources": [{"title": source or f"sealed by {hidden.reporter}"}],
        "body": body,
    }


def reveal_content(hidden: Mapping[str, Any], sealed_id: str, salt: bytes) -> dict[str, Any]:
    """The reveal of ``hidden`` (its content, personal values included) opening ``sealed_id``."""
    return {**hidden_content(hidden), "reveals": {"sealed": sealed_id, "salt": salt.hex()}}
