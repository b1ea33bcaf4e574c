"""A C2SP tlog-tiles reader over HTTP, for the offline verifier.

:func:`http_reader` gives :func:`corridor.ledger.offline.verify_export` the ``read(path)`` it
needs, fetching ``<prefix>/checkpoint``, ``<prefix>/keys`` and ``<prefix>/tile/...`` from a log
served by ``corridor serve`` (prefix ``http://host:port/v1/log``) or from any static host of an
export. Like the folder reader it asks only for the paths an export has and reads no more than
the file can hold (a tile of width W is 32·W bytes, decompressed), so a hostile server can
neither make it fetch another path nor send it gigabytes; redirects are not followed.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from corridor.errors import InputError, VerificationError
from corridor.ledger.offline import max_file_size

__all__ = ["TIMEOUT", "http_reader", "tiles_prefix"]

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def tiles_prefix(url: str) -> str:
    """The tiles prefix of ``url``: as given, or ``/v1/log`` on a bare server address."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InputError(f"{url!r} is not an http:// or https:// URL")
    if parts.query or parts.fragment:
        raise InputError(f"{url!r}: a tiles prefix has no query or fragment")
    path = parts.path.rstrip("/") or "/v1/log"
    return f"{parts.scheme}://{parts.netloc}{path}"


def http_reader(prefix: str, client: httpx.Client) -> Callable[[str], bytes]:
    """A reader of the log at the tiles ``prefix``, over ``client`` (one keep-alive pool).

    ``read(rel)`` raises VerificationError naming the path and what the server did (missing,
    another status, too large, unreachable).
    """
    base = prefix.rstrip("/")

    def read(rel: str) -> bytes:
        limit = max_file_size(rel)  # VerificationError for a path that is not an export's
        url = f"{base}/{rel}"
        try:
            with client.stream("GET", url, follow_redirects=False) as r:
                if r.status_code == 404:
                    raise VerificationError(f"{rel} is missing ({url} answered 404)")
                if r.status_code != 200:
                    raise VerificationError(f"{rel}: {url} answered {r.status_code}")
                data = bytearray()
                for chunk in r.iter_bytes():
                    data += chunk
                    if len(data) > limit:
                        raise VerificationError(
                            f"{rel} is more than the {limit:,} bytes it can hold ({url})"
                        )
                return bytes(data)
        except httpx.HTTPError as exc:
            raise VerificationError(f"{rel} cannot be fetched from {url} ({exc})") from None

    return read
