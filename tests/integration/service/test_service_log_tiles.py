"""The log over HTTP (C2SP tlog-tiles under /v1/log/), against a real ``corridor serve``: every
file of ``corridor log export`` is served byte for byte at the same path, with the spec's
content types and caching; nothing beyond the latest signed checkpoint is served; proofs."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from svc_log import LogSite, append, ok  # type: ignore[import-not-found]

from corridor.ledger.bundle import decode_bundle
from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.merkle import verify_consistency, verify_inclusion
from corridor.ledger.note import Verifier


@pytest.fixture(scope="module")
def exported(svclog_site: LogSite) -> Path:
    out = svclog_site.tmp / "export"
    ok("log", "export", str(out), "--db", svclog_site.db)
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


class TestTiles:
    def test_every_exported_file_is_served_byte_for_byte(
        self, svclog_site: LogSite, exported: Path
    ) -> None:
        """checkpoint, keys, the tiles and the entry bundles: the same bytes at the same paths."""
        files = _files(exported)
        expected = {"checkpoint", "keys", "tile/0/000", "tile/0/001", "tile/0/002.p/88",
                    "tile/1/000.p/2", "tile/entries/000", "tile/entries/002.p/88"}  # fmt: skip
        assert expected <= set(files)
        with httpx.Client(base_url=svclog_site.prefix) as http:
            for rel, data in files.items():
                r = http.get("/" + rel)
                assert r.status_code == 200, (rel, r.text)
                assert r.content == data, rel

    def test_content_types_and_caching(self, svclog_site: LogSite) -> None:
        with httpx.Client(base_url=svclog_site.prefix) as http:
            cp = http.get("/checkpoint")
            assert cp.headers["content-type"] == "text/plain; charset=utf-8"
            assert cp.headers["cache-control"] == "no-cache"
            full = http.get("/tile/0/001")
            assert full.headers["content-type"] == "application/octet-stream"
            assert "immutable" in full.headers["cache-control"]
            assert len(full.content) == 8192
            partial = http.get("/tile/0/002.p/88")
            assert partial.headers["cache-control"] == "public, max-age=60"
            assert len(partial.content) == 88 * 32
            bundle = http.get("/tile/entries/001", headers={"Accept-Encoding": "gzip"})
            assert bundle.headers["content-encoding"] == "gzip"
            assert len(decode_bundle(bundle.content)) == 256
            plain = http.get("/tile/entries/001", headers={"Accept-Encoding": "identity"})
            assert "content-encoding" not in plain.headers
            assert plain.content == bundle.content

    def test_the_bundle_hashes_to_the_tile(self, svclog_site: LogSite) -> None:
        with httpx.Client(base_url=svclog_site.prefix) as http:
            entries = decode_bundle(http.get("/tile/entries/002.p/88").content)
            tile = http.get("/tile/0/002.p/88").content
        assert b"".join(leaf_hash(e) for e in entries) == tile

    def test_narrower_partial_tiles_are_prefixes(self, svclog_site: LogSite) -> None:
        """A partial tile of an older checkpoint's width is the prefix of the current one."""
        with httpx.Client(base_url=svclog_site.prefix) as http:
            wide = http.get("/tile/0/002.p/88").content
            narrow = http.get("/tile/0/002.p/5")
            assert narrow.status_code == 200
            assert narrow.content == wide[: 5 * 32]
            assert http.get("/tile/entries/000.p/3").content == _prefix_bundle(
                http.get("/tile/entries/000").content, 3
            )

    @pytest.mark.parametrize(
        "path",
        [
            "/tile/0/003",  # beyond the tree
            "/tile/0/002",  # full, but the tree has only 88 hashes there
            "/tile/0/002.p/89",  # wider than the tree
            "/tile/1/000",
            "/tile/2/000.p/1",
            "/tile/entries/002",
            "/tile/entries/002.p/89",
            "/tile/0/x000/001",  # a redundant leading group
            "/tile/0/1",  # not three digits
            "/tile/00/000",  # a level with a leading zero
            "/tile/64/000",  # a level above 63
            "/tile/0/000.p/256",
            "/tile/0/000.p/0",
            "/tile/0/000.p/05",
            "/tile/entries/000.p/",
            "/tile/x/000",
            "/tile/0/x999/x999/x999/x999/x999/x999/x999/999",  # far beyond any tree
            "/tile/entries/x999/x999/x999/x999/x999/x999/x999/999",
        ],
    )
    def test_not_in_the_tree_is_404_in_the_envelope(self, svclog_site: LogSite, path: str) -> None:
        r = httpx.get(svclog_site.prefix + path)
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] == "not-found"

    def test_only_what_the_latest_checkpoint_covers(self, svclog_site: LogSite) -> None:
        """Entries appended without signing a checkpoint are not served (tiles, bundles,
        proofs) until a checkpoint covers them; then they are."""
        size = append(svclog_site.db, svclog_site.keys, range(3), sign=False)
        assert size == 603
        with httpx.Client(base_url=svclog_site.prefix) as http:
            assert b"\n600\n" in http.get("/checkpoint").content
            for path in ("/tile/0/002.p/89", "/tile/entries/002.p/91", "/proof/inclusion?index=601",
                         "/proof/consistency?old=600&new=603"):  # fmt: skip
                r = http.get(path)
                assert r.status_code == 404, path
                assert "size 600" in r.json()["error"]["message"]
            ok("log", "checkpoint", "--db", svclog_site.db, "--keys", str(svclog_site.keys))
            assert b"\n603\n" in http.get("/checkpoint").content
            assert len(http.get("/tile/0/002.p/91").content) == 91 * 32
            assert http.get("/proof/inclusion?index=601").json()["tree_size"] == 603


def _prefix_bundle(bundle: bytes, n: int) -> bytes:
    from corridor.ledger.bundle import encode_bundle

    return encode_bundle(decode_bundle(bundle)[:n])


class TestProofs:
    def test_inclusion_by_index_and_by_id(self, svclog_site: LogSite) -> None:
        v = Verifier.from_vkey(svclog_site.vkey)
        with httpx.Client(base_url=svclog_site.prefix) as http:
            note = http.get("/checkpoint").content
            cp = verify_checkpoint(note, v.name, v)
            bundle = decode_bundle(http.get("/tile/entries/001").content)
            for index in (0, 257, 599):
                p = http.get("/proof/inclusion", params={"index": index}).json()
                assert p["log_index"] == index
                assert p["tree_size"] == cp.size >= 600
                hashes = [base64.b64decode(h) for h in p["hashes"]]
                verify_inclusion(index, cp.size, base64.b64decode(p["leaf_hash"]), hashes, cp.root)
            assert base64.b64decode(
                http.get("/proof/inclusion", params={"index": 257}).json()["leaf_hash"]
            ) == leaf_hash(bundle[1])
            first = httpx.get(svclog_site.server.url + "/v1/log/proof/inclusion?index=3").json()
            from corridor.app import Corridor

            with Corridor.open(svclog_site.db) as app:
                oid = next(i for i, *_ in [(r[3],) for r in app.store.entries(3, 4)])
            by_id = http.get("/proof/inclusion", params={"id": oid}).json()
            assert by_id == first

    def test_consistency(self, svclog_site: LogSite) -> None:
        v = Verifier.from_vkey(svclog_site.vkey)
        from corridor.app import Corridor

        with Corridor.open(svclog_site.db) as app:
            tree = app.transparency_log().tree()
            old_root = tree.root(100)
        with httpx.Client(base_url=svclog_site.prefix) as http:
            cp = verify_checkpoint(http.get("/checkpoint").content, v.name, v)
            p = http.get("/proof/consistency", params={"old": 100}).json()
            assert (p["old_size"], p["new_size"]) == (100, cp.size)
            hashes = [base64.b64decode(h) for h in p["hashes"]]
            verify_consistency(100, cp.size, old_root, cp.root, hashes)
            same = http.get("/proof/consistency", params={"old": 5, "new": 5}).json()
            assert same["hashes"] == []

    @pytest.mark.parametrize(
        ("query", "status"),
        [
            ("/proof/inclusion", 422),
            ("/proof/inclusion?index=1&id=abcdef", 422),
            ("/proof/inclusion?index=-1", 422),
            ("/proof/inclusion?index=6000", 404),
            ("/proof/inclusion?index=9223372036854775807", 404),
            ("/proof/inclusion?index=9223372036854775808", 422),
            ("/proof/consistency?old=1&new=9223372036854775808", 422),
            ("/proof/inclusion?id=ffffffffffff", 404),
            ("/proof/consistency", 422),
            ("/proof/consistency?old=7&new=3", 422),
            ("/proof/consistency?old=1&new=6000", 404),
        ],
    )
    def test_bad_proof_requests(self, svclog_site: LogSite, query: str, status: int) -> None:
        r = httpx.get(svclog_site.prefix + query)
        assert r.status_code == status, r.text
        assert set(r.json()["error"]) >= {"status", "code", "message"}


class TestKeys:
    def test_key(self, svclog_site: LogSite) -> None:
        body = httpx.get(svclog_site.prefix + "/key").json()
        assert body["vkey"] == svclog_site.vkey
        assert body["origin"] == svclog_site.vkey.split("+")[0]
        assert body["demo"] is False

    def test_keys_file(self, svclog_site: LogSite) -> None:
        r = httpx.get(svclog_site.prefix + "/keys")
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        assert any(line.startswith("ngo-x+") for line in r.text.splitlines())
