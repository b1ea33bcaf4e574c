"""Sending Standard Webhooks (https://www.standardwebhooks.com/, docs/watches.md).

A delivery is an HTTP POST of a JSON body with three headers: ``webhook-id`` (the same for
every attempt at one event, so a receiver can drop repeats), ``webhook-timestamp`` (Unix
seconds of this attempt) and ``webhook-signature`` (``v1,`` then the base64 HMAC-SHA256, keyed
with the base64-decoded part of the ``whsec_`` secret, of ``id.timestamp.body``).

Destinations: only ``http`` and ``https`` URLs; redirects are not followed; unless private
destinations are allowed, a host that resolves to a loopback, private, link-local, reserved or
multicast address is refused before anything is sent (checked at each attempt, so a name that
later resolves elsewhere is caught).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

__all__ = [
    "SECRET_PREFIX",
    "destination_problem",
    "new_secret",
    "post",
    "sign",
    "url_problem",
]

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A new signing secret: ``whsec_`` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value: ``v1,<base64 HMAC-SHA256>``."""
    mac = hmac.new(_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook destination (None if it can): http or https only,
    with a host, no credentials in it."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"{url[:80]!r} is not a URL"
    if parts.scheme not in ("http", "https"):
        return f"a webhook URL is http or https, not {parts.scheme or 'no scheme'}"
    if not host:
        return f"{url[:80]!r} has no host"
    if parts.username or parts.password:
        return "a webhook URL carries no user name or password (the signature authenticates)"
    return None


def destination_problem(url: str, *, allow_private: bool) -> str | None:
    """:func:`url_problem`, then (unless ``allow_private``) whether the host resolves to an
    address that is not public."""
    problem = url_problem(url)
    if problem or allow_private:
        return problem
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as exc:
        return f"cannot resolve {host}: {exc.strerror or exc}"
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not ip.is_global or ip.is_multicast:
            return f"{host} resolves to {ip}, not a public address (private destinations are off)"
    return None


def post(
    url: str, *, secret: str, msg_id: str, timestamp: int, body: bytes, timeout: float = 10.0
) -> tuple[int | None, str | None]:
    """POST one signed delivery; (HTTP status, None) when the receiver answered, (None,
    reason) when it could not be reached. Redirects are not followed."""
    import httpx

    headers = {
        "content-type": "application/json",
        "user-agent": "corridor-webhooks",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }
    try:
        r = httpx.post(url, content=body, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    return r.status_code, None
