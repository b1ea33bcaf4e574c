"""/docs: Swagger UI from the vendored files, asking no other host for anything (the project
fetches nothing from a CDN at run time); /openapi.json documents the log's routes."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import httpx
from svc_log import LogSite  # type: ignore[import-not-found]

from corridor.service.docs import SWAGGER


class TestDocsPage:
    def test_docs_reference_no_external_host(self, svclog_site: LogSite) -> None:
        base = svclog_site.server.url
        page = httpx.get(base + "/docs")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        html = page.text
        refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
        refs += re.findall(r"""url\s*:\s*["']([^"']+)["']""", html)
        assert refs, html
        for ref in refs:
            target = urlsplit(urljoin(base + "/docs", ref))
            assert target.netloc == urlsplit(base).netloc, ref
        assert not re.search(r"https?://", html), html
        assert '"validatorUrl": null' in html
        for ref in refs:
            r = httpx.get(urljoin(base + "/docs", ref))
            assert r.status_code == 200, ref

    def test_the_assets_are_the_vendored_files(self, svclog_site: LogSite) -> None:
        base = svclog_site.server.url
        for name in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
            r = httpx.get(f"{base}/docs/assets/{name}")
            assert r.content == (SWAGGER / name).read_bytes(), name
        assert "Apache License" in (SWAGGER / "LICENSE").read_text()
        assert "sourceMappingURL" not in (SWAGGER / "swagger-ui-bundle.js").read_text()

    def test_openapi_lists_the_log_routes(self, svclog_site: LogSite) -> None:
        paths = httpx.get(svclog_site.server.url + "/openapi.json").json()["paths"]
        for path in ("/v1/log/checkpoint", "/v1/log/tile/{level}/{index}",
                     "/v1/log/tile/entries/{index}", "/v1/log/proof/inclusion",
                     "/v1/log/proof/consistency", "/v1/log/key", "/v1/log/keys"):  # fmt: skip
            assert path in paths, sorted(paths)
        assert "/docs" not in paths
