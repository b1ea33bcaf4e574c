"""Verification in the browser (web/static/js/verify.js): the checkpoint's signature, inclusion
recomputed from the log's tiles and the reporters' signatures pass on the real log, fail with a
precise reason when a tile, an entry bundle, the checkpoint or the key is wrong, and match the
Python implementation byte for byte."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_harness import GuardedPage
from static_server import StaticServer

from corridor.cli.app import main
from corridor.ledger.bundle import decode_bundle
from corridor.ledger.canonical import canonical
from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint
from corridor.ledger.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    verify_cosignatures,
)
from corridor.ledger.entry import commit_personal, frame_entry, make_entry, sign_observation
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.merkle import LeafHashReader, consistency_proof, range_nodes, root_from_leaves
from corridor.ledger.note import Signer, Verifier, add_signatures, parse_note
from corridor.ledger.offline import export_files
from corridor.ledger.tiles import entries_path, tile_path
from corridor.testing import Server
from corridor.web import STATIC

# verify every index given, against the checkpoint verified with logKey (or the served key)
VERIFY = """async ({logBase, logKey, keysUrl, indexes, witnessKeys}) => {
  const m = await import('/js/verify.js');
  const cp = await m.verifyCheckpoint({logBase, logKey, witnessKeys: witnessKeys || []});
  const keys = await m.fetchKeys(keysUrl);
  const out = [];
  for (const index of indexes) {
    out.push(await m.verifyObservation({logBase, index, checkpoint: cp, keys}));
  }
  return {cp, out};
}"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def failed(result: dict[str, Any]) -> dict[str, str]:
    """The failed checks of a result: what → detail."""
    return {c["what"]: c["detail"] for c in result["checks"] if c["ok"] is False}


def verify(page: Any, url: str, *, log: str, keys: str, indexes: list[int], key: str | None = None,
           witnesses: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    page.goto(f"{url}/verify.html")
    arg = {"logBase": log, "logKey": key, "keysUrl": keys, "indexes": indexes,
           "witnessKeys": witnesses}  # fmt: skip
    result: dict[str, Any] = page.evaluate(VERIFY, arg)
    return result


@pytest.fixture(scope="module")
def export(lachin_site: Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``corridor log export`` of the served Lachin log."""
    out = tmp_path_factory.mktemp("lachin-export") / "log"
    assert main(["log", "export", str(out), "--db", lachin_site.db]) == 0
    return out


@pytest.fixture(scope="module")
def log_key(lachin_site: Server) -> str:
    vkey: str = httpx.get(f"{lachin_site.url}/v1/log/key").json()["vkey"]
    return vkey


@pytest.fixture
def site(export: Path, tmp_path: Path) -> Path:
    """A static site: the web folder with a copy of the export under ``log/``, to tamper with."""
    folder = tmp_path / "site"
    shutil.copytree(STATIC, folder)
    shutil.copytree(export, folder / "log")
    return folder


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    servers: list[StaticServer] = []

    def start(folder: Path) -> str:
        servers.append(StaticServer(folder).__enter__())
        return servers[-1].url

    yield start
    for s in servers:
        s.__exit__(None, None, None)


def entries_of(export: Path) -> list[bytes]:
    size = int((export / "checkpoint").read_text().split("\n")[1])
    out: list[bytes] = []
    for n in range(0, size, 256):
        out += decode_bundle((export / entries_path(n // 256, min(256, size - n))).read_bytes())
    return out


class TestServedLog:
    def test_the_checkpoint_verifies_with_the_served_key_and_says_so(
        self, page: Any, lachin_site: Server, export: Path, log_key: str
    ) -> None:
        """On `corridor serve` the checkpoint verifies with the key of /v1/log/key, named as such,
        with the Python side's size and root."""
        r = verify(page, lachin_site.url, log="/v1/log/", keys="/v1/keys", indexes=[])["cp"]
        body = parse_note((export / "checkpoint").read_bytes()).text
        cp = Checkpoint.parse(body)
        assert r["ok"] is True, r
        assert (r["size"], r["rootHash"], r["origin"]) == (cp.size, b64(cp.root), cp.origin)
        assert r["vkey"] == log_key and log_key.split("+")[1] == r["keyId"]
        assert "/v1/log/key" in r["keySource"]
        assert any("compare" in n and r["keyId"] in n for n in r["notChecked"])
        assert r["demo"] is True and "DEMO" in r["checked"][0]

    def test_every_observation_verifies_with_python_leaf_hashes_and_ids(
        self, page: Any, lachin_site: Server, export: Path
    ) -> None:
        """Every entry of the Lachin log verifies (inclusion and signatures); the leaf hashes
        equal Python's and the ids equal the API's."""
        entries = entries_of(export)
        r = verify(page, lachin_site.url, log="/v1/log/", keys="/v1/keys",
                   indexes=list(range(len(entries))))  # fmt: skip
        assert len(r["out"]) == len(entries) > 50
        bad = [(o["index"], o.get("error")) for o in r["out"] if not o["ok"]]
        assert not bad
        assert [o["leafHash"] for o in r["out"]] == [b64(leaf_hash(e)) for e in entries]
        api = httpx.get(f"{lachin_site.url}/v1/observations", params={"limit": 1000}).json()
        ids = {o["log_index"]: o["id"] for o in api["items"]}
        assert ids and all(r["out"][i]["id"] == oid for i, oid in ids.items())
        first = r["out"][0]
        assert first["signers"][0]["ok"] and first["signers"][0]["demo"]
        sig = next(c for c in first["checks"] if c["what"].startswith("signature by"))
        assert "registered in this log's registry" in sig["detail"] and "DEMO" in sig["detail"]

    def test_the_shown_observation_is_compared_with_the_log(
        self, page: Any, lachin_site: Server
    ) -> None:
        """Given the API's document, the page checks it is the entry's content; an altered
        document fails that check."""
        page1 = httpx.get(f"{lachin_site.url}/v1/observations", params={"limit": 1}).json()
        doc = page1["items"][0]
        full = httpx.get(f"{lachin_site.url}/v1/observations/{doc['id']}").json()
        page.goto(f"{lachin_site.url}/verify.html")
        script = """async ({doc}) => {
          const m = await import('/js/verify.js');
          const cp = await m.verifyCheckpoint({logBase: '/v1/log/'});
          const keys = await (await fetch('/v1/keys')).json();
          const args = {logBase: '/v1/log/', index: doc.log_index, checkpoint: cp, keys};
          const good = await m.verifyObservation({...args, observation: doc});
          const altered = {...doc, reporter: 'someone-else'};
          const bad = await m.verifyObservation({...args, observation: altered});
          return {good, bad};
        }"""
        r = page.evaluate(script, {"doc": full})
        assert r["good"]["ok"], r["good"]
        assert r["bad"]["ok"] is False
        assert failed(r["bad"]) == {
            "the observation shown is the one in the log":
                "the content shown differs from the signed content in the log"
        }  # fmt: skip

    def test_an_entry_beyond_the_checkpoint_is_not_yet_verifiable(
        self, page: Any, lachin_site: Server, export: Path
    ) -> None:
        """An index the latest signed checkpoint does not cover is reported as not checked."""
        size = len(entries_of(export))
        o = verify(page, lachin_site.url, log="/v1/log/", keys="/v1/keys", indexes=[size])["out"][0]
        assert o["ok"] is False and o["pending"] is True
        assert any("not yet covered" in c["detail"] for c in o["checks"] if c["ok"] is None)


class TestTampering:
    def test_the_export_verifies_on_a_static_host(
        self, page: Any, site: Path, serve: Callable[[Path], str], log_key: str
    ) -> None:
        """The untouched export verifies from a plain static server, keys from its keys file
        (DEMO keys labelled)."""
        r = verify(page, serve(site), log="/log/", keys="/log/keys", indexes=[0, 50], key=log_key)
        assert r["cp"]["ok"] and all(o["ok"] for o in r["out"]), r
        assert r["cp"]["keySource"] == "the log key given to this page"
        assert r["out"][0]["signers"][0]["demo"] is True

    def test_a_changed_byte_in_a_hash_tile_fails_inclusion(
        self, page: Any, site: Path, serve: Callable[[Path], str], log_key: str, export: Path
    ) -> None:
        """One byte changed in the leaf's sibling hash makes the inclusion check fail, naming the
        tiles and the wrong root."""
        size = len(entries_of(export))
        tile = site / "log" / tile_path(0, 0, size)
        data = bytearray(tile.read_bytes())
        data[11 * 32 + 5] ^= 0x01  # hash 11: the sibling of leaf 10
        tile.write_bytes(bytes(data))
        r = verify(page, serve(site), log="/log/", keys="/log/keys", indexes=[10, 11], key=log_key)
        assert r["cp"]["ok"]
        o10, o11 = r["out"]
        assert o10["ok"] is False
        bad = failed(o10)
        assert list(bad) == ["inclusion under the signed root"]
        assert tile_path(0, 0, size) in bad["inclusion under the signed root"]
        root = r["cp"]["rootHash"]
        assert f"not the signed root {root}" in bad["inclusion under the signed root"]
        # leaf 11 itself: its own hash in the tile no longer matches its entry
        assert "the leaf hash" in failed(o11)
        assert "the entry or the tile was altered" in failed(o11)["the leaf hash"]

    def test_a_changed_entry_bundle_fails_hash_and_signature(
        self, page: Any, site: Path, serve: Callable[[Path], str], log_key: str, export: Path
    ) -> None:
        """One character changed in an entry of the bundle fails its leaf hash, its inclusion and
        its reporter's signature; the other entries still verify."""
        size = len(entries_of(export))
        bundle = site / "log" / entries_path(0, size)
        entries = decode_bundle(bundle.read_bytes())
        target = 7
        changed = entries[target].replace(b"2023", b"2024", 1)
        assert changed != entries[target] and len(changed) == len(entries[target])
        data = bundle.read_bytes()
        bundle.write_bytes(data.replace(entries[target], changed, 1))
        r = verify(page, serve(site), log="/log/", keys="/log/keys", indexes=[target, 8],
                   key=log_key)  # fmt: skip
        o, other = r["out"]
        assert other["ok"] is True
        assert o["ok"] is False
        bad = failed(o)
        assert {"the leaf hash", "inclusion under the signed root"} <= set(bad)
        signature = bad["signature by corridor-case"]
        assert signature.endswith("does not verify over the observation: it was altered")
        assert o["error"].startswith("the leaf hash: the entry hashes to")

    def test_a_changed_checkpoint_signature_fails(
        self, page: Any, site: Path, serve: Callable[[Path], str], log_key: str
    ) -> None:
        """A checkpoint whose signature bytes were changed is rejected, and nothing rests on it."""
        path = site / "log" / "checkpoint"
        note = parse_note(path.read_bytes())
        sig = note.signatures[0]
        forged = bytearray(sig.signature)
        forged[0] ^= 0x80
        line = f"— {sig.name} {b64(sig.key_id + bytes(forged))}\n"
        path.write_text(note.text + "\n" + line)
        r = verify(page, serve(site), log="/log/", keys="/log/keys", indexes=[0], key=log_key)
        assert r["cp"]["ok"] is False
        assert "does not verify" in r["cp"]["error"]
        assert r["out"][0]["ok"] is False and "the checkpoint" in failed(r["out"][0])

    def test_a_changed_checkpoint_root_fails_the_signature(
        self, page: Any, site: Path, serve: Callable[[Path], str], log_key: str
    ) -> None:
        """A checkpoint whose root hash was replaced no longer carries a valid log signature."""
        path = site / "log" / "checkpoint"
        lines = path.read_text().split("\n")
        lines[2] = b64(bytes(32))
        path.write_text("\n".join(lines))
        cp = verify(page, serve(site), log="/log/", keys="/log/keys", indexes=[], key=log_key)["cp"]
        assert cp["ok"] is False and "does not verify" in cp["error"]

    def test_a_wrong_log_key_fails(
        self, page: Any, site: Path, serve: Callable[[Path], str], log_key: str
    ) -> None:
        """A key of the log's name but another secret finds no signature of its own: rejected,
        naming the key and who did sign."""
        name = log_key.split("+")[0]
        other = Signer.generate(name).vkey
        cp = verify(page, serve(site), log="/log/", keys="/log/keys", indexes=[], key=other)["cp"]
        assert cp["ok"] is False
        assert cp["error"] == (
            f"the checkpoint is not signed by the log key {name}+{other.split('+')[1]} "
            f"(signed by {name}+{log_key.split('+')[1]})"
        )

    def test_a_malformed_log_key_fails(
        self, page: Any, site: Path, serve: Callable[[Path], str], log_key: str
    ) -> None:
        """A log key whose key ID does not match its key is refused before anything is fetched."""
        name, kid, material = log_key.split("+", 2)
        bad = f"{name}+{'0' * 8 if kid != '0' * 8 else '1' * 8}+{material}"
        cp = verify(page, serve(site), log="/log/", keys="/log/keys", indexes=[], key=bad)["cp"]
        assert cp["ok"] is False and "the key ID does not match the key" in cp["error"]

    def test_a_static_host_without_a_log_key_asks_for_one(
        self, guarded: GuardedPage, site: Path, serve: Callable[[Path], str]
    ) -> None:
        """With no key given and none served beside the log, the checkpoint is not verified and
        the result says to give the page the log's key."""
        cp = verify(guarded.page, serve(site), log="/log/", keys="/log/keys", indexes=[])["cp"]
        assert cp["ok"] is False
        assert cp["error"].startswith("no usable log key: give the page the log's verifier key")
        assert [e for e in guarded.errors if "404" not in e] == []
        guarded.errors.clear()  # the 404 of /log/key, which this test wanted

    def test_witness_cosignatures_are_verified_when_their_key_is_known(
        self, page: Any, site: Path, serve: Callable[[Path], str], log_key: str
    ) -> None:
        """A cosignature/v1 by a known witness verifies; an unknown one is listed as not checked;
        a forged one fails the checkpoint."""
        path = site / "log" / "checkpoint"
        note = path.read_bytes()
        text = parse_note(note).text
        known = CosignatureSigner.generate("witness.example/one")
        unknown = CosignatureSigner.generate("witness.example/two")
        lines = [known.cosign(text, 1_700_000_000), unknown.cosign(text, 1_700_000_001)]
        path.write_bytes(add_signatures(note, lines))
        url = serve(site)
        cp = verify(page, url, log="/log/", keys="/log/keys", indexes=[], key=log_key,
                    witnesses=[known.vkey])["cp"]  # fmt: skip
        assert cp["ok"] is True, cp
        assert [(c["name"], c["verified"], c["timestamp"]) for c in cp["cosignatures"]] == [
            ("witness.example/one", True, 1_700_000_000),
            ("witness.example/two", None, 1_700_000_001),
        ]
        assert any("witness.example/two" in n for n in cp["notChecked"])
        good = known.cosign(text, 1_700_000_000)
        forged = type(good)(good.name, good.key_id, good.signature[:8] + bytes(64))
        path.write_bytes(add_signatures(note, [forged]))
        cp = verify(page, url, log="/log/", keys="/log/keys", indexes=[], key=log_key,
                    witnesses=[known.vkey])["cp"]  # fmt: skip
        assert cp["ok"] is False
        assert failed(cp) == {
            "cosignature by witness witness.example/one":
                f"the cosignature by witness.example/one+{known.key_id.hex()} does not verify"
        }  # fmt: skip


# the example of docs/log.md §3: a checkpoint with a witness cosignature, and their keys
DOC_CHECKPOINT = (
    "corridor.example/log/demo\n1\n5xaujMxezyCjexyKKfd7kn3q1NGeUq9odXSQaFc7No4=\n\n"
    "— corridor.example/log/demo AEY+iRKZin18rYn8eWv32gBW7K0mjWGHaHJ6CsqYcj/W6Jb3DFvIQsWpAhn2Ro0kN"
    "iaTe7OVqNG1pYNakxlH5lciuQ8=\n"
    "— witness.example/w1 o+1w0QAAAABll7cApKvADhEyHNhn0MUchhUj1ekmuJf1mk+nW3bGgQSUpBKMeOvYnfz1Zzue3"
    "Uo1esGSSxPx89k5IFIkKwZQVATOCw==\n"
)
DOC_LOG_KEY = "corridor.example/log/demo+00463e89+AbXmsV1rKEzv806HBQsZnbThtIuH1O6OE0aGfXMJ/shR"
DOC_WITNESS_KEY = "witness.example/w1+a3ed70d1+BFSQt4f+DIat0OrehhBO3vaPMyW1+ETfVfPU5rezyGUR"


class TestVectors:
    def test_the_documented_checkpoint_and_cosignature_verify_as_in_python(
        self, page: Any, tmp_path: Path, serve: Callable[[Path], str]
    ) -> None:
        """The checkpoint of docs/log.md verifies with its log key and its witness's
        cosignature/v1, in Python and in the browser alike."""
        note = DOC_CHECKPOINT.encode()
        cp = verify_checkpoint(note, "corridor.example/log/demo", Verifier.from_vkey(DOC_LOG_KEY))
        witness = CosignatureVerifier.from_vkey(DOC_WITNESS_KEY)
        assert verify_cosignatures(note, [witness], quorum=1) == 1
        shutil.copytree(STATIC, tmp_path / "site")
        (tmp_path / "site" / "log").mkdir()
        (tmp_path / "site" / "log" / "checkpoint").write_bytes(note)
        (tmp_path / "site" / "log" / "keys").write_text("")
        r = verify(page, serve(tmp_path / "site"), log="/log/", keys="/log/keys",
                   indexes=[], key=DOC_LOG_KEY, witnesses=[DOC_WITNESS_KEY])["cp"]  # fmt: skip
        assert r["ok"] is True, r
        assert (r["size"], r["rootHash"]) == (1, b64(cp.root))
        assert [(c["name"], c["verified"]) for c in r["cosignatures"]] == [
            ("witness.example/w1", True)
        ]


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[bytes]]:
    """A synthetic export of 66,309 entries (three tile levels, partial tiles at each) beside the
    web folder: (folder, log vkey, entries). Synthetic data, test keys."""
    org = Signer.generate("test-org")
    log = Signer.generate("corridor.example/log/synthetic")
    entries = []
    for i in range(65_536 + 3 * 256 + 5):
        content: dict[str, Any] = {"n": i, "reporter": "test-org", "synthetic": True}
        if i % 2 == 0:  # a salted commitment in place of a personal value (docs/log.md §7)
            content["personal"] = {"name": commit_personal(f"person {i}", bytes(16) + b"%16d" % i)}
        entries.append(make_entry(content, [sign_observation(content, org)]))
    root = root_from_leaves([leaf_hash(e) for e in entries])
    note = sign_checkpoint(Checkpoint(log.name, len(entries), root), log)
    folder = tmp_path_factory.mktemp("big") / "site"
    shutil.copytree(STATIC, folder)
    for rel, data in export_files(entries, note, [org.verifier]):
        path = folder / "log" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (folder / "log" / "keys").write_text(org.vkey + "\n")
    return folder, log.vkey, entries


class TestTiles:
    def test_tile_paths_and_ranges_match_python(self, page: Any, lachin_site: Server) -> None:
        """tilePath, entriesPath and rangeNodes give Python's answers."""
        cases = [(0, 0, None), (0, 1234067, None), (1, 5, 17), (3, 999, 255), (0, 1000, 1),
                 (63, 2**40 + 7, None), (2, 1000000, 256)]  # fmt: skip
        ranges = [(0, 1), (0, 104), (3, 77), (256, 70000), (65535, 65537)]
        page.goto(f"{lachin_site.url}/verify.html")
        got = page.evaluate(
            """async ({cases, ranges}) => { const m = await import('/js/tlog.js');
              return {tiles: cases.map(([l, n, w]) => m.tilePath(l, n, w ?? undefined)),
                      entries: cases.map(([l, n, w]) => m.entriesPath(n, w ?? undefined)),
                      ranges: ranges.map(([a, b]) => m.rangeNodes(a, b))}; }""",
            {"cases": cases, "ranges": ranges},
        )
        assert got["tiles"] == [tile_path(lv, n, w) for lv, n, w in cases]
        assert got["entries"] == [entries_path(n, w) for _, n, w in cases]
        assert got["ranges"] == [[list(x) for x in range_nodes(a, b)] for a, b in ranges]

    def test_canonical_json_and_base64_match_python(self, page: Any, lachin_site: Server) -> None:
        """canonicalJson is RFC 8785 as Python writes it; fromBase64 refuses what is not
        canonical base64."""
        values = [{"b": [1.5, 1e21, 1e-7, 0.1, 100, -0.0], "a": "é\u2028\"\\"},
                  {"\U0001f600": 1, "\uffff": 2, "a": {"z": None, "y": True}}]  # fmt: skip
        page.goto(f"{lachin_site.url}/verify.html")
        got = page.evaluate(
            """async ({texts}) => { const m = await import('/js/tlog.js');
              const bad = [];
              for (const t of ['AB==', 'AAA', 'A===', '', ' AAAA']) {
                try { m.fromBase64(t); if (t !== '') bad.push(t); } catch { /* refused */ } }
              return {canon: texts.map((t) => m.canonicalJson(JSON.parse(t))), bad}; }""",
            {"texts": [json.dumps(v) for v in values]},
        )
        assert got["canon"] == [canonical(v).decode() for v in values]
        assert got["bad"] == []

    def test_a_three_level_tree_verifies_at_its_edges(
        self, page: Any, big_site: tuple[Path, str, list[bytes]], serve: Callable[[Path], str]
    ) -> None:
        """In a tree of 66,309 entries the first, last and tile-edge entries verify through
        level-0, level-1 and level-2 tiles, partial and full, with Python's leaf hashes."""
        folder, vkey, entries = big_site
        indexes = [0, 255, 256, 65_535, 65_536, 66_303, 66_304, len(entries) - 1]
        r = verify(page, serve(folder), log="/log/", keys="/log/keys", indexes=indexes, key=vkey)
        assert r["cp"]["ok"] and r["cp"]["size"] == len(entries)
        assert [(o["index"], o.get("error")) for o in r["out"] if not o["ok"]] == []
        assert [o["leafHash"] for o in r["out"]] == [b64(leaf_hash(entries[i])) for i in indexes]
        ids = []
        for i in indexes:  # the id hashes the public content: commitments aside
            content = json.loads(frame_entry(entries[i])[0])
            content.pop("personal", None)
            ids.append(hashlib.sha256(canonical(content)).hexdigest())
        assert [o["id"] for o in r["out"]] == ids
        details = " ".join(c["detail"] for o in r["out"] for c in o["checks"])
        tiles = ("tile/0/000", "tile/0/259.p/5", "tile/1/000", "tile/1/001.p/3", "tile/2/000.p/1")
        for tile in tiles:
            assert f"{tile}," in details or f"{tile} " in details


CONSISTENCY = """async ({logBase, logKey, olds}) => {
  const m = await import('/js/verify.js');
  const out = [];
  for (const previous of olds) out.push(await m.verifyCheckpoint({logBase, logKey, previous}));
  return out;
}"""


class TestConsistency:
    def test_the_tree_extends_earlier_trees_with_pythons_proofs(
        self, page: Any, big_site: tuple[Path, str, list[bytes]], serve: Callable[[Path], str]
    ) -> None:
        """Given a checkpoint seen before, the page recomputes RFC 9162 consistency proofs from the
        tiles, equal to Python's, for old sizes at tile edges and within tiles."""
        folder, vkey, entries = big_site
        leaves = [leaf_hash(e) for e in entries]
        reader = LeafHashReader(leaves)
        olds = [1, 2, 255, 256, 1000, 65_536, 66_000, len(entries)]
        previous = [{"size": n, "rootHash": b64(root_from_leaves(leaves[:n]))} for n in olds]
        url = serve(folder)
        page.goto(f"{url}/verify.html")
        got = page.evaluate(CONSISTENCY, {"logBase": "/log/", "logKey": vkey, "olds": previous})
        assert [(r["ok"], r.get("error")) for r in got] == [(True, None)] * len(olds)
        proofs = [[b64(h) for h in consistency_proof(n, len(entries), reader)] for n in olds]
        assert [r["consistency"]["proof"] for r in got] == proofs
        assert all(r["checked"][1].startswith(f"the log's tree of size {len(entries)} extends")
                   for r in got)  # fmt: skip

    def test_a_rewritten_or_shrunk_history_fails(
        self, page: Any, big_site: tuple[Path, str, list[bytes]], serve: Callable[[Path], str]
    ) -> None:
        """An earlier checkpoint whose root is not a prefix of this tree, or whose size is larger,
        fails the checkpoint with the reason."""
        folder, vkey, entries = big_site
        leaves = [leaf_hash(e) for e in entries]
        other = b64(root_from_leaves(leaves[1:1001]))
        previous = [{"size": 1000, "rootHash": other},
                    {"size": len(entries) + 1, "rootHash": b64(bytes(32))},
                    {"size": len(entries), "rootHash": other}]  # fmt: skip
        page.goto(f"{serve(folder)}/verify.html")
        got = page.evaluate(CONSISTENCY, {"logBase": "/log/", "logKey": vkey, "olds": previous})
        assert [r["ok"] for r in got] == [False, False, False]
        what = "consistency with the checkpoint seen before"
        assert failed(got[0])[what].startswith(
            f"consistency from size 1000 to {len(entries)}: the log's tiles do not lead to the old "
            f"root hash: the tree of size 1000 seen before (root {other}) is not a prefix"
        )
        assert f"smaller than the size {len(entries) + 1} seen before" in failed(got[1])[what]
        assert "same size, different root hashes" in failed(got[2])[what]

    def test_the_browser_remembers_the_last_verified_checkpoint(
        self, page: Any, lachin_site: Server
    ) -> None:
        """With remember, a second visit checks the log against the checkpoint verified on the
        first; a remembered root the log does not have fails, naming the DEMO case."""
        page.goto(f"{lachin_site.url}/verify.html")
        script = """async () => {
          const m = await import('/js/verify.js');
          const first = await m.verifyCheckpoint({logBase: '/v1/log/', remember: true});
          const second = await m.verifyCheckpoint({logBase: '/v1/log/', remember: true});
          const key = `corridor.verified-checkpoint:${first.keyName}+${first.keyId}`;
          const kept = JSON.parse(localStorage.getItem(key));
          localStorage.setItem(key, JSON.stringify({...kept, rootHash: btoa('x'.repeat(32))}));
          const third = await m.verifyCheckpoint({logBase: '/v1/log/', remember: true});
          return {first, second, third, kept};
        }"""
        r = page.evaluate(script)
        assert r["first"]["ok"] and r["first"]["previous"] is None
        assert (r["kept"]["size"], r["kept"]["rootHash"]) == (r["first"]["size"],
                                                             r["first"]["rootHash"])  # fmt: skip
        assert r["second"]["ok"] and r["second"]["previous"]["size"] == r["first"]["size"]
        assert any(c["what"] == "consistency with the checkpoint seen before" and c["ok"]
                   for c in r["second"]["checks"])  # fmt: skip
        assert r["third"]["ok"] is False
        assert "a DEMO log made again from scratch does this too" in r["third"]["error"]


class TestVerifierPage:
    def test_the_verifier_page_verifies_an_observation_by_id(
        self, page: Any, lachin_site: Server, screenshot: Callable[[Any, str], Path]
    ) -> None:
        """verify.html?id=… shows every check passed in words, the log key and the signer's key,
        and what was not checked."""
        items = httpx.get(f"{lachin_site.url}/v1/observations", params={"limit": 3}).json()
        doc = items["items"][2]
        page.goto(f"{lachin_site.url}/verify.html?id={doc['id']}")
        page.wait_for_selector("body[data-state=done]")
        panel = page.locator("#verify-observation")
        assert panel.get_attribute("data-verified") == "ok"
        text = panel.inner_text()
        assert "Verified: entry" in text and "Failed" not in text
        assert text.count("Passed:") == panel.locator("li").count() >= 7
        assert "Checked:" in text and "Not checked:" in text and "DEMO key" in text
        screenshot(page, "verify-observation")

    def test_the_verifier_page_shows_a_failure_plainly(
        self, page: Any, site: Path, serve: Callable[[Path], str], log_key: str,
        screenshot: Callable[[Any, str], Path], export: Path,
    ) -> None:  # fmt: skip
        """On a static export with a tampered tile, entering a log index shows FAILED, the
        failing check in words and its reason."""
        size = len(entries_of(export))
        tile = site / "log" / tile_path(0, 0, size)
        data = bytearray(tile.read_bytes())
        data[3 * 32] ^= 0xFF
        tile.write_bytes(bytes(data))
        url = serve(site)
        page.goto(f"{url}/verify.html?log=/log/&api=&key={log_key.replace('+', '%2B')}")
        page.fill("#verify-what", "2")
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-state=done]")
        panel = page.locator("#verify-observation")
        assert panel.get_attribute("data-verified") == "fail"
        text = panel.inner_text()
        assert "Verification FAILED" in text and "Failed: inclusion under the signed root" in text
        screenshot(page, "verify-tampered")

    def test_the_verifier_page_has_no_serious_accessibility_issue(
        self, page: Any, lachin_site: Server
    ) -> None:
        """axe-core finds no serious or critical issue on verify.html with both panels shown."""
        from axe_playwright_python.sync_playwright import Axe

        page.goto(f"{lachin_site.url}/verify.html?index=3")
        page.wait_for_selector("body[data-state=done]")
        found = Axe().run(page).response["violations"]
        serious = [(v["id"], v["help"]) for v in found if v["impact"] in {"serious", "critical"}]
        assert serious == []
