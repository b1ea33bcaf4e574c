"""A situation report as PDF: its HTML laid out by WeasyPrint (fonts from the system's
fontconfig: DejaVu covers Latin, Armenian, Cyrillic, Arabic and Hebrew).

Nothing is fetched: the HTML holds every image inline, and a URL it names anyway is refused.
The PDF's dates are the signed checkpoint's (the HTML's ``dcterms.created``), not the time it
was written, so the same report gives the same PDF.
"""

from __future__ import annotations

from typing import Any

from corridor.errors import InputError

__all__ = ["render_pdf"]


def _fetcher() -> Any:
    """A URL fetcher that reads ``data:`` URLs only."""
    try:  # WeasyPrint 66+
        from weasyprint.urls import URLFetcher

        return URLFetcher(allowed_protocols=("data",), fail_on_errors=True)
    except ImportError:  # pragma: no cover - older WeasyPrint: a function
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise InputError(f"a report fetches nothing, and its HTML names {url}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch


def render_pdf(html: str) -> bytes:
    """The PDF of a report's HTML."""
    import logging

    from weasyprint import HTML

    # WeasyPrint logs CSS it ignores at WARNING; a report is checked by its tests instead
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    pdf = HTML(string=html, url_fetcher=_fetcher()).write_pdf()
    assert pdf is not None
    return bytes(pdf)
