"""Query parameters the routes share: an instant given as RFC 3339 text, and the instant a
view as of a signed checkpoint defaults to.

FastAPI's own datetime type accepts numbers and times without an offset; a record where every
time carries its offset takes neither. A bad value is a 422 in the one envelope naming the
parameter (``subject``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from corridor.errors import InputError
from corridor.service.errors import ApiError

if TYPE_CHECKING:
    from corridor.app import Corridor

__all__ = ["instant", "instant_or_basis"]


def instant(value: str | None, name: str) -> datetime | None:
    """``value`` (RFC 3339, with ``Z`` or an offset) as a UTC datetime; None when not given."""
    if value is None:
        return None
    from corridor.model import parse_instant

    try:
        when = parse_instant(value, None)
    except (InputError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, InputError) else str(exc)
        if "range" not in reason:
            reason += " (an RFC 3339 time such as 2023-08-15T12:00:00Z)"
        raise ApiError(422, f"{name}: {reason}", code="invalid-input", subject=name) from None
    return when.astimezone(UTC)


def instant_or_basis(app: Corridor, at: str | None, as_of: int | None) -> datetime:
    """The instant of a view: ``at``, else when the checkpoint ``as_of`` was signed (a 404 for
    a size no checkpoint was signed at), else now: what the CLI's ``--at`` defaults to."""
    given = instant(at, "at")
    if given is not None:
        return given
    if as_of is not None:
        return datetime.fromtimestamp(app.log.basis(as_of).signed_at, UTC)
    return datetime.now(UTC)
