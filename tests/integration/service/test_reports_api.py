"""``GET /v1/reports/situation`` over the built-in Lachin case: the report ``corridor report``
writes, as HTML or PDF, as of a signed checkpoint."""

from __future__ import annotations

import httpx

from corridor.testing import Server

AT = "2023-08-15T12:00:00+04:00"


class TestSituationReport:
    def test_the_html_is_the_cli_s_byte_for_byte(self, client_lachin: Server) -> None:
        """The HTML answer names checkpoint 93 and is what `corridor report` writes with the
        same --at and --as-of over the same database."""
        from corridor.cli.app import main

        url = f"{client_lachin.url}/v1/reports/situation"
        r = httpx.get(url, params={"at": AT, "as_of": 93}, timeout=60)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/html")
        assert "signed checkpoint 93" in r.text
        again = httpx.get(url, params={"at": AT, "as_of": 93}, timeout=60)
        assert again.content == r.content
        out = client_lachin.log.parent / "cli.html"
        assert main(["report", "--at", AT, "--as-of", "93", "--db", client_lachin.db,
                     "--out", str(out)]) == 0  # fmt: skip
        assert out.read_bytes() == r.content

    def test_a_pdf(self, client_lachin: Server) -> None:
        """format=pdf answers a PDF."""
        r = httpx.get(f"{client_lachin.url}/v1/reports/situation",
                      params={"at": AT, "format": "pdf"}, timeout=120)  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/pdf"
        assert r.content.startswith(b"%PDF-")

    def test_bad_input_is_the_error_envelope(self, client_lachin: Server) -> None:
        """An unsigned size and a case that is not built in are 404s, a bad instant a 422
        naming it; a case given as a path is never read."""
        url = f"{client_lachin.url}/v1/reports/situation"
        r = httpx.get(url, params={"as_of": 97})
        assert r.status_code == 404 and "93 and 104" in r.json()["error"]["message"]
        # bug guarded: a size beyond any database integer was a 500 (found by schemathesis)
        r = httpx.get(url, params={"as_of": 32589158477190044730})
        assert r.status_code == 404 and r.json()["error"]["code"] == "not-found"
        r = httpx.get(url, params={"case": "/etc/passwd"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "not-found"
        r = httpx.get(url, params={"at": "yesterday"})
        assert r.status_code == 422 and r.json()["error"]["subject"] == "at"
        r = httpx.get(url, params={"format": "docx"})
        assert r.status_code == 422


class TestReportCommandOverAServer:
    """`corridor report --server`: the server renders the report and the CLI writes it, the
    same bytes and the same line as over the database."""

    def run(self, *args: str) -> tuple[int, str]:
        import contextlib
        import io

        from corridor.cli.app import main

        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(list(args))
        return code, err.getvalue()

    def test_the_same_html_and_the_same_line(self, client_lachin: Server) -> None:
        folder = client_lachin.log.parent
        common = ["report", "--at", "2023-08-15T12:00+04:00", "--as-of", "93", "--case",
                  "lachin-2023", "--runs", "20", "--tz", "Asia/Yerevan"]  # fmt: skip
        local = self.run(*common, "--out", str(folder / "l.html"), "--db", client_lachin.db)
        remote = self.run(*common, "--out", str(folder / "r.html"), "--server", client_lachin.url)
        assert local[0] == 0 and remote[0] == 0, remote[1]
        assert (folder / "r.html").read_bytes() == (folder / "l.html").read_bytes()
        assert remote[1].replace("r.html", "l.html") == local[1]
        assert "as of signed checkpoint 93" in remote[1]

    def test_a_pdf_and_the_refusals(self, client_lachin: Server) -> None:
        folder = client_lachin.log.parent
        code, err = self.run("report", "--out", str(folder / "r.pdf"), "--server",
                             client_lachin.url)  # fmt: skip
        assert code == 0, err
        assert (folder / "r.pdf").read_bytes().startswith(b"%PDF-") and "(pdf, " in err
        code, err = self.run("report", "--case", "mine.yaml", "--out", str(folder / "x.html"),
                             "--server", client_lachin.url)  # fmt: skip
        assert code == 1 and err.startswith("error: --case: mine.yaml: over a server")
        code, err = self.run("report", "--as-of", "100000", "--out", str(folder / "x.html"),
                             "--server", client_lachin.url)  # fmt: skip
        assert code == 1 and "100000" in err and len(err.splitlines()) == 1
        assert not (folder / "x.html").exists()
