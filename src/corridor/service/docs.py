"""The ``/docs`` page: Swagger UI served from the copies vendored in ``service/static/swagger/``
(``tools/vendor-swagger-ui.sh``), never from a CDN: the service fetches nothing at run time, and a
browser reading the docs asks no other host for anything (the validator badge is off too)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["ASSETS", "SWAGGER", "install_docs"]

SWAGGER = Path(__file__).resolve().parent / "static" / "swagger"
ASSETS = "/docs/assets"


def install_docs(api: FastAPI, *, openapi_url: str = "/openapi.json") -> None:
    """Serve Swagger UI at ``/docs`` over ``openapi_url``, its files under ``/docs/assets``."""
    api.mount(ASSETS, StaticFiles(directory=SWAGGER), name="swagger-assets")

    @api.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{api.title} — API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )
