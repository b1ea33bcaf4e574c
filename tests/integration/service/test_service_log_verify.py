"""`corridor verify URL --key VKEY`: the offline verifier reading a log over HTTP, from a real
``corridor serve`` and from a plain static host of an export; a tampered tile or entry, a
missing or oversized file, each fails with one line naming it (exit 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from svc_log import (  # type: ignore[import-not-found]
    LogSite,
    build_log,
    corridor,
    free_port,
    ok,
    serve,
    server_env,
    synthetic_csv,
)


def verify(url: str, vkey: str, *extra: str) -> tuple[int, str, str]:
    return corridor("verify", url, "--key", vkey, *extra)


class TestVerifyServed:
    def test_the_served_log_verifies(self, svclog_site: LogSite) -> None:
        code, out, err = verify(svclog_site.prefix, svclog_site.vkey)
        assert code == 0, err
        assert out.startswith("verified: size 600, root ")

    def test_a_bare_server_address_means_its_log(self, svclog_site: LogSite) -> None:
        code, out, err = verify(svclog_site.server.url, svclog_site.vkey, "--json", "--jobs", "2")
        assert code == 0, err
        assert json.loads(out)["size"] == 600

    def test_the_same_as_the_export(self, svclog_site: LogSite) -> None:
        folder = svclog_site.tmp / "export"
        ok("log", "export", str(folder), "--db", svclog_site.db)
        over_http = json.loads(verify(svclog_site.prefix, svclog_site.vkey, "--json")[1])
        offline = json.loads(verify(str(folder), svclog_site.vkey, "--json")[1])
        assert over_http == offline

    def test_another_log_key_fails(self, svclog_site: LogSite) -> None:
        from corridor.ledger.note import Signer

        other = Signer.generate(svclog_site.vkey.split("+")[0]).vkey
        code, _out, err = verify(svclog_site.prefix, other)
        assert code == 2
        assert err.startswith("error: checkpoint: not signed by the log key")

    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("http://127.0.0.1:1/v1/log", "checkpoint: checkpoint cannot be fetched"),
            ("ftp://example.org/log", "is not an http:// or https:// URL"),
            ("http://127.0.0.1:1/v1/log?x=1", "no query"),
        ],
    )
    def test_unusable_urls(self, svclog_site: LogSite, url: str, reason: str) -> None:
        code, _out, err = verify(url, svclog_site.vkey)
        assert code in (1, 2)
        assert reason in err, err
        assert "Traceback" not in err


@pytest.fixture
def fresh_site(db_url: str, tmp_path: Path) -> Iterator[LogSite]:
    """A log of its own (tampered with by the test), served by a server of its own."""
    keys = tmp_path / "keys"
    vkey = build_log(db_url, keys, synthetic_csv(tmp_path / "counts.csv"))
    server = serve(["serve", "--db", db_url, "--keys", str(keys), "--log-level", "warning"],
                   server_env(db_url, keys), "/v1/health", tmp_path / "server.log")  # fmt: skip
    try:
        yield LogSite(db_url, keys, vkey, server, tmp_path)
    finally:
        server.stop()


def _flip_last_byte(value: bytes) -> bytes:
    return value[:-1] + bytes([value[-1] ^ 0x01])


def _other_direction(entry: bytes) -> bytes:
    """The same entry, the crossing's direction changed (still well-formed, no longer signed)."""
    a, b = b'"direction":"inbound"', b'"direction":"outbound"'
    return entry.replace(a, b) if a in entry else entry.replace(b, a)


def _flip(db: str, sql: str, column: str, change: Callable[[bytes], bytes], **where: int) -> None:
    """Change one stored value, behind corridor's back."""
    from corridor.store.sql import SqlStore

    store = SqlStore.open(db)
    try:
        with store.engine.begin() as conn:
            value = change(bytes(conn.execute(text(sql.format(col=column)), where).scalar_one()))
            table = sql.split(" FROM ")[1].split()[0]
            cond = " AND ".join(f"{k} = :{k}" for k in where)
            conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE {cond}"),
                         {"v": bytes(value), **where})  # fmt: skip
    finally:
        store.close()


class TestTamperedServer:
    def test_a_tampered_tile_row_fails_naming_the_tile(self, fresh_site: LogSite) -> None:
        _flip(fresh_site.db, "SELECT {col} FROM log_tiles WHERE level = :level AND idx = :idx",
              "data", _flip_last_byte, level=0, idx=1)  # fmt: skip
        code, _out, err = verify(fresh_site.prefix, fresh_site.vkey)
        assert code == 2
        assert err.strip() == (
            "error: tile 0/001: hash 255 differs from the recomputed tree (entry 511)"
        )

    def test_a_tampered_entry_row_fails_naming_the_entry(self, fresh_site: LogSite) -> None:
        _flip(fresh_site.db, "SELECT {col} FROM observations WHERE log_index = :log_index", "entry",
              _other_direction, log_index=300)  # fmt: skip
        code, _out, err = verify(fresh_site.prefix, fresh_site.vkey)
        assert code == 2
        assert err.strip() == "error: entry 300: signature by org ngo-x does not verify", err


@pytest.fixture
def static_host(svclog_site: LogSite, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An export served by Python's plain static file server under /site."""
    root = tmp_path / "www"
    root.mkdir()
    ok("log", "export", str(root / "site"), "--db", svclog_site.db)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/site"
    try:
        for _ in range(300):
            try:
                httpx.get(url + "/checkpoint", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url, root / "site"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class TestStaticHost:
    def test_an_export_on_any_static_host_verifies(
        self, svclog_site: LogSite, static_host: tuple[str, Path]
    ) -> None:
        url, _folder = static_host
        code, out, err = verify(url, svclog_site.vkey)
        assert code == 0, err
        assert out.startswith("verified: size 600")

    def test_a_tampered_file_fails(
        self, svclog_site: LogSite, static_host: tuple[str, Path]
    ) -> None:
        url, folder = static_host
        tile = folder / "tile" / "0" / "000"
        data = bytearray(tile.read_bytes())
        data[32 * 7] ^= 0x80
        tile.write_bytes(bytes(data))
        code, _out, err = verify(url, svclog_site.vkey)
        assert code == 2
        assert err.strip() == "error: tile 0/000: hash 7 differs from the recomputed tree (entry 7)"

    def test_a_missing_file_fails(
        self, svclog_site: LogSite, static_host: tuple[str, Path]
    ) -> None:
        url, folder = static_host
        (folder / "tile" / "entries" / "001").unlink()
        code, _out, err = verify(url, svclog_site.vkey)
        assert code == 2
        assert err.strip() == (
            f"error: entries 256–511: tile/entries/001 is missing ({url}/tile/entries/001 "
            "answered 404)"
        )

    def test_an_oversized_file_is_not_read_past_its_bound(
        self, svclog_site: LogSite, static_host: tuple[str, Path]
    ) -> None:
        url, folder = static_host
        with (folder / "tile" / "0" / "001").open("ab") as f:
            f.write(bytes(10 << 20))
        code, _out, err = verify(url, svclog_site.vkey)
        assert code == 2
        assert "tile/0/001 is more than the 8,192 bytes it can hold" in err

    def test_a_folder_replaced_by_another_log_fails(
        self, svclog_site: LogSite, static_host: tuple[str, Path], tmp_path: Path
    ) -> None:
        """The checkpoint of another log (another key) in place of this one's."""
        url, folder = static_host
        other = tmp_path / "other"
        other.mkdir()
        other_vkey = build_log(str(other / "corridor.db"), other / "keys",
                               synthetic_csv(tmp_path / "o.csv", rows=3))  # fmt: skip
        ok("log", "export", str(other / "site"), "--db", str(other / "corridor.db"))
        shutil.copy(other / "site" / "checkpoint", folder / "checkpoint")
        assert other_vkey != svclog_site.vkey
        code, _out, err = verify(url, svclog_site.vkey)
        assert code == 2
        assert "checkpoint: not signed by the log key" in err
