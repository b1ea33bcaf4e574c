"""Releases, the review queue and the record's history over HTTP, on both backends: GET/POST
/v1/releases, GET /v1/review with client-signed review statements through POST /v1/entries,
GET /v1/observations with history, as_of and the statement types, the chain of one
observation, and a deployment publishing accepted entries only. SYNTHETIC data (the North Gate
example, ngo-x reports, ngo-y reviews)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from svc_core import CoreServer, crossing, entries_body, sign

from corridor.testing import Server


def _review(about: str, status: str, n: int) -> dict[str, Any]:
    return {
        "type": "attestation", "observed": f"2026-01-01T00:{n:02d}:00Z", "reporter": "ngo-y",
        "sources": [{"title": "review (synthetic)"}],
        "body": {"about": about, "stance": "reviewed", "review": status},
    }  # fmt: skip


@pytest.fixture(scope="module")
def fed(core_server: CoreServer) -> tuple[CoreServer, list[str]]:
    """Three crossings by ngo-x, one corrected; ngo-y accepts the first and disputes the
    second, client-signed through POST /v1/entries."""
    x, y = core_server.signers["ngo-x"], core_server.signers["ngo-y"]
    raws = [crossing("ngo-x", 900 + i) for i in range(3)]
    ids = []
    with core_server.client("reporter") as c:
        for raw in raws:
            r = c.post("/v1/entries", json=entries_body(sign(raw, x)))
            assert r.status_code == 200, r.text
            ids += r.json()["accepted"]
        fixed = {**raws[2], "body": {**raws[2]["body"], "count": 5},
                 "supersedes": {"id": ids[2], "reason": "recounted (synthetic)"}}  # fmt: skip
        r = c.post("/v1/entries", json=entries_body(sign(fixed, x)))
        assert r.status_code == 200, r.text
        ids += r.json()["accepted"]
    with core_server.client("reporter-y") as c:
        for n, (about, status) in enumerate([(ids[0], "accepted"), (ids[1], "disputed")]):
            r = c.post("/v1/entries", json=entries_body(sign(_review(about, status, n), y)))
            assert r.status_code == 200, r.text
    return core_server, ids


def test_the_review_queue(fed: tuple[CoreServer, list[str]]) -> None:
    """GET /v1/review gives each current observation its state, filtered by state."""
    server, ids = fed
    with server.client() as c:
        doc = c.get("/v1/review", params={"reporter": "ngo-x"}).json()
        states = {i["id"]: i["review"]["status"] for i in doc["items"]}
        assert states[ids[0]] == "accepted" and states[ids[1]] == "disputed"
        assert states[ids[3]] == "submitted" and ids[2] not in states  # superseded
        acc = c.get("/v1/review", params={"state": "accepted"}).json()["items"]
        assert [i["id"] for i in acc] == [ids[0]] and acc[0]["review"]["by"] == "ngo-y"
        assert c.get("/v1/review", params={"as_of": 10**9}).json()["error"]["code"] == (
            "no-checkpoint"
        )


def test_observations_history_as_of_and_chain(fed: tuple[CoreServer, list[str]]) -> None:
    """history=false keeps the current state, history=true gives statuses, statement types
    filter, as_of bounds the page and names its checkpoint, chain=true lists the versions."""
    server, ids = fed
    with server.client() as c:
        feed = [i["id"] for i in c.get("/v1/observations", params={"limit": 1000}).json()["items"]]
        assert ids[2] in feed  # the change feed: every entry
        cur = c.get("/v1/observations", params={"history": "false", "limit": 1000}).json()
        cur_ids = [i["id"] for i in cur["items"]]
        assert ids[2] not in cur_ids and ids[3] in cur_ids
        assert all(i["type"] != "attestation" for i in cur["items"])
        hist = c.get("/v1/observations", params={"history": "true", "limit": 1000}).json()
        old = next(i for i in hist["items"] if i["id"] == ids[2])
        assert old["status"] == "superseded" and old["superseded_by"] == ids[3]
        lines = c.get("/v1/observations", params={"history": "true", "format": "ndjson"}).text
        streamed = [json.loads(x) for x in lines.splitlines()]
        assert [d["id"] for d in streamed] == [d["id"] for d in hist["items"]]
        assert {d["id"]: d["status"] for d in streamed}[ids[2]] == "superseded"
        cur_stream = c.get("/v1/observations", params={"history": "false", "format": "ndjson"})
        assert [json.loads(x)["id"] for x in cur_stream.text.splitlines()] == cur_ids
        att = c.get("/v1/observations", params={"type": "attestation"}).json()["items"]
        assert len(att) == 2
        cps = server.app()
        with cps:
            size = cps.store.size()
        page = c.get("/v1/observations", params={"as_of": size - 1}).json()
        assert page["as_of"]["tree_size"] == size - 1
        assert all(i["log_index"] < size - 1 for i in page["items"])
        one = c.get(f"/v1/observations/{ids[2]}", params={"chain": "true"}).json()
        assert [v["id"] for v in one["chain"]["versions"]] == [ids[2], ids[3]]
        assert one["chain"]["current"] == ids[3]


def test_releases(fed: tuple[CoreServer, list[str]]) -> None:
    """POST /v1/releases needs an admin, refuses an unwitnessed checkpoint unless asked, and
    the release is listed, shown with its citation, and in the admin record."""
    server, _ids = fed
    with server.client() as c:
        assert c.post("/v1/releases", json={"notes": "n"}).status_code == 401
    with server.client("reader") as c:
        assert c.post("/v1/releases", json={"notes": "n"}).status_code == 403
    with server.client("admin") as c:
        r = c.post("/v1/releases", json={"notes": "first (synthetic)"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "not-witnessed"
        r = c.post("/v1/releases", json={"notes": "first (synthetic)", "unwitnessed": True})
        assert r.status_code == 201, r.text
        made = r.json()
        assert made["witnessed"] is False and "NOT witnessed" in made["citation"]
        assert c.post("/v1/releases", json={"notes": "again", "unwitnessed": True}).status_code \
            == 409  # fmt: skip
        actions = c.get("/v1/admin/actions", params={"limit": 1000}).json()["items"]
        assert any(a["action"] == "release.create" for a in actions)
    with server.client() as c:
        listed = c.get("/v1/releases").json()["items"]
        assert listed[-1]["number"] == made["number"]
        shown = c.get(f"/v1/releases/{made['number']}").json()
        assert shown["citation"] == made["citation"]
        assert c.get("/v1/releases/999").status_code == 404


def test_a_deployment_publishing_accepted_entries_only(
    fed: tuple[CoreServer, list[str]], tmp_path: Path
) -> None:
    """With CORRIDOR_PUBLIC_VIEW=accepted a published read lists only accepted facts and
    answers 404 for the others; a reader token sees everything; the queue needs a token; the
    log stays complete."""
    server, ids = fed
    extra = {"CORRIDOR_PUBLIC_VIEW": "accepted"}
    with Server(server.db, server.keys, tmp_path / "serve.log", extra_env=extra) as s:
        import httpx

        with httpx.Client(base_url=s.url, timeout=30) as anon:
            items = anon.get("/v1/observations", params={"limit": 1000}).json()["items"]
            assert [i["id"] for i in items] == [ids[0]]
            assert anon.get(f"/v1/observations/{ids[1]}").status_code == 404
            assert anon.get(f"/v1/observations/{ids[0]}").status_code == 200
            assert anon.get("/v1/review").status_code == 401
            assert anon.get("/v1/log/checkpoint").status_code == 200
            # figures computed from every entry are not part of the accepted-only view
            for path, params in (("/v1/situation", {}),
                                 ("/v1/crossings/daily", {"start": "2026-01-01"})):  # fmt: skip
                r = anon.get(path, params=params)
                assert r.status_code == 401, (path, r.text)
                assert "accepted entries only" in r.json()["error"]["message"]
        token = {"Authorization": f"Bearer {server.tokens['reader']}"}
        with httpx.Client(base_url=s.url, timeout=30, headers=token) as reader:
            every = reader.get("/v1/observations", params={"limit": 1000}).json()["items"]
            assert len(every) > 1
            assert reader.get("/v1/review").status_code == 200
            assert reader.get("/v1/situation").status_code == 200


def test_the_cli_remote_mode(fed: tuple[CoreServer, list[str]], cli: Any) -> None:
    """`corridor release list|show` and `corridor review list` with --server print what the
    server answers, as they print a database's."""
    server, ids = fed
    with server.client("admin") as c:
        made = c.post("/v1/releases", json={"notes": "remote (synthetic)", "unwitnessed": True})
        number = made.json()["number"] if made.status_code == 201 else c.get(
            "/v1/releases").json()["items"][-1]["number"]  # fmt: skip
    listed = cli.json("release", "list", "--server", server.url)["items"]
    assert number in [r["number"] for r in listed]
    code, out, _ = cli("release", "show", str(number), "--server", server.url)
    assert code == 0 and out.startswith(f"release {number}, tree size ")
    doc = cli.json("review", "list", "--server", server.url, "--state", "accepted")
    assert [i["id"] for i in doc["items"]] == [ids[0]]
    code, out, _ = cli("review", "list", "--server", server.url, "--reporter", "ngo-x")
    assert code == 0 and "accepted by ngo-y" in out and "disputed by ngo-y" in out


def test_release_create_over_a_server(fed: tuple[CoreServer, list[str]], cli: Any) -> None:
    """`corridor release create --server` asks the server (an admin token's right): the
    release it prints is the one the server then lists; a reader's token is refused in one
    line, and a checkpoint no witness cosigned is refused without --unwitnessed."""
    server, _ids = fed
    url = server.url
    code, _, err = cli("release", "create", "--notes", "n", "--unwitnessed", "--server", url,
                       "--token", server.tokens["reader"])  # fmt: skip
    assert code == 1 and err.startswith("error: ") and len(err.splitlines()) == 1
    before = cli.json("release", "list", "--server", url)["items"]
    with server.client() as c:
        signed = [k["tree_size"] for k in c.get("/v1/summary").json()["checkpoints"]]
    free = [n for n in signed if n not in {r["tree_size"] for r in before}]
    assert free, "the fixture's log has no signed checkpoint left to release"
    size = ["--size", str(free[0])]
    code, _, err = cli("release", "create", "--notes", "n", *size, "--server", url,
                       "--token", server.tokens["admin"])  # fmt: skip
    assert code == 1 and "no checkpoint is witnessed" in err and "HTTP 422" in err
    assert len(err.splitlines()) == 1
    doc = cli.json("release", "create", "--notes", "by the CLI (synthetic)", "--unwitnessed",
                   *size, "--server", url, "--token", server.tokens["admin"])  # fmt: skip
    assert doc["notes"] == "by the CLI (synthetic)" and doc["witnessed"] is False
    assert doc["tree_size"] == free[0]
    listed = cli.json("release", "list", "--server", url)["items"]
    assert listed == [*before, doc]
    assert cli.json("release", "show", str(doc["number"]), "--server", url) == doc


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_a_stream_as_of_an_unsigned_size_is_refused_before_any_byte(
    fed: tuple[CoreServer, list[str]], fmt: str
) -> None:
    """A CSV or NDJSON stream as of a size no checkpoint was signed at is a whole error
    answer, not a stream cut off after its headers (found by schemathesis)."""
    server, _ids = fed
    with server.client() as c:
        r = c.get("/v1/observations", params={"as_of": 10**9, "format": fmt})
        assert r.status_code >= 400
        assert r.json()["error"]["code"] == "no-checkpoint"


def test_review_set_over_a_server(fed: tuple[CoreServer, list[str]], cli: Any) -> None:
    """`corridor review set --server` plans on the server's queue as over its database (a dry
    run prints the same JSON both ways), signs the statements with the local key of --by and
    sends them in one submission; the queue then shows the new state. A set holding the
    reviewer's own reports is refused, and nothing is written. (Last in the module: it adds
    review statements to the shared record.)"""
    server, _ids = fed
    url, keys = server.url, ["--keys", str(server.keys)]
    token = ["--token", server.tokens["reporter-y"]]
    args = ["review", "set", "under-review", "--by", "ngo-y", "--reporter", "ngo-x"]
    local = cli.json(*args, "--dry-run", "--db", server.db, *keys)
    remote = cli.json(*args, "--dry-run", "--server", url, *keys, *token)
    assert remote == local and remote["dry_run"] is True and remote["statements"] == []
    assert len(remote["entries"]) >= 2 and remote["tree_size"] is None
    with server.client() as c:
        size = c.get("/v1/summary").json()["size"]
    code, _, err = cli("review", "set", "accepted", "--by", "ngo-x", "--server", url, *keys,
                       "--token", server.tokens["reporter"])  # fmt: skip
    assert code == 1 and "does not review its own reports" in err and len(err.splitlines()) == 1
    done = cli.json(*args, "--reason", "checking (synthetic)", "--server", url, *keys, *token)
    assert done["entries"] == remote["entries"] and len(done["statements"]) == len(
        done["entries"]
    )
    assert done["tree_size"] == size + len(done["entries"])
    queue = cli.json("review", "list", "--state", "under-review", "--server", url)["items"]
    assert [i["id"] for i in queue] == done["entries"]
    assert {(i["review"]["by"], i["review"]["reason"]) for i in queue} == {
        ("ngo-y", "checking (synthetic)")
    }
    again = cli.json(*args, "--server", url, *keys, *token)
    assert again["entries"] == [] and again["unchanged"] == done["entries"]
