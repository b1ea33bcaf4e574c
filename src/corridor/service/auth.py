"""Who a request acts as, what it may do, and how often.

Every request passes :func:`identify` (installed on every route by
:func:`corridor.service.app.create_app`): an ``Authorization: Bearer <token>`` header is
checked (401 when the token is malformed, unknown, expired or revoked, with
``WWW-Authenticate``), then the request is counted against its token's rate limit, or its
client address's when it carries no token (429 with ``Retry-After``). A route then asks for
what it needs:

    principal: Principal = Depends(require("admin"))          # 401 without a token, 403 short
    principal: Principal | None = Depends(public)             # published reads

``require(role)`` accepts the roles that include ``role`` (an admin token does everything; a
reader route accepts every role) holding the role's scope; ``require(role, scope)`` names the
scope. ``public`` lets anyone read unless the deployment's reads are token-only
(``CORRIDOR_PUBLIC_READS=0``), where it needs a token of any role.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from corridor.app import Corridor
from corridor.app.access import SATISFIES, Principal
from corridor.errors import AuthenticationError
from corridor.service.config import ServiceConfig
from corridor.service.deps import corridor_app
from corridor.service.errors import ApiError
from corridor.service.limits import RateLimiter

__all__ = ["Principal", "bearer", "identify", "public", "require"]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token, `ctk_<id>_<secret>` (`corridor token create`).",
)


def _limit(request: Request, key: str) -> None:
    limiter: RateLimiter | None = getattr(request.app.state, "limiter", None)
    if limiter is None:
        return
    wait = limiter.take(key)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            f"too many requests; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


def _address(request: Request) -> str:
    return f"addr:{request.client.host if request.client else 'unknown'}"


async def identify(
    request: Request, app: Corridor = Depends(corridor_app)
) -> Principal | None:
    """The principal of the request's bearer token (None without one), counted against its
    rate limit. Runs once per request, before the route's own dependencies: on the event loop
    (no thread-pool hop for a request without a token), the token looked up in the database
    in the thread pool."""
    header = request.headers.get("authorization")
    principal: Principal | None = None
    if header is not None:
        scheme, _, credentials = header.strip().partition(" ")
        try:
            if scheme.lower() != "bearer" or not credentials.strip():
                raise AuthenticationError("the Authorization header is not 'Bearer <token>'")
            principal = await run_in_threadpool(app.access.authenticate, credentials.strip())
        except AuthenticationError:
            _limit(request, _address(request))  # guesses count against the address
            raise
    _limit(request, f"token:{principal.token_id}" if principal else _address(request))
    request.state.principal = principal
    return principal


def require(role: str, scope: str | None = None) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the request's principal, which must hold ``role`` (and ``scope``)."""
    if role not in SATISFIES:
        raise ValueError(f"unknown role {role!r}")

    async def dependency(
        principal: Principal | None = Depends(identify),
        _credentials: HTTPAuthorizationCredentials | None = Security(bearer),
    ) -> Principal:
        if principal is None:
            raise ApiError(401, f"this needs a token with the {role} role")
        if not principal.allows(role, scope):
            what = f"the {role} role" + (f" and the {scope} scope" if scope else "")
            raise ApiError(
                403,
                f"token {principal.token_id} ({principal.role}, scopes "
                f"{', '.join(principal.scopes) or 'none'}) does not allow this: it needs {what}",
                subject=principal.token_id,
            )
        return principal

    dependency.__name__ = f"require_{role}"
    return dependency


async def published_figures(
    request: Request, principal: Principal | None = Depends(identify)
) -> Principal | None:
    """A dependency for published figures computed from the record (the situation, crossings
    per day, verdicts, supply runs, reports): as :func:`public`, and where the deployment
    publishes accepted entries only (CORRIDOR_PUBLIC_VIEW=accepted), a token: these figures
    are computed from every entry, so they are not part of a view limited to accepted ones
    (docs/review.md)."""
    principal = await public(request, principal)
    if principal is None and request.app.state.settings.public_view == "accepted":
        raise ApiError(
            401,
            "this deployment publishes accepted entries only; figures computed from the "
            "whole record (situation, crossings, verdicts, supply, reports) need a token",
        )
    return principal


async def public(
    request: Request, principal: Principal | None = Depends(identify)
) -> Principal | None:
    """A dependency for published reads: anyone, unless reads are token-only."""
    config: ServiceConfig = request.app.state.config
    if not config.public_reads:
        if principal is None:
            raise ApiError(401, "this deployment's reads need a token")
        if not principal.allows("reader"):
            raise ApiError(403, f"token {principal.token_id} has no read scope",
                           subject=principal.token_id)  # fmt: skip
    return principal
