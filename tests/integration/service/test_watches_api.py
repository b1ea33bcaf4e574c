"""Watches and embargo over HTTP against a real server (both backends): /v1/watches owned by
their token, the service's background thread delivering signed webhooks to a real receiver on
127.0.0.1 after a submission (retrying a 500), and sealed entries and reveals submitted as
client-signed entries through POST /v1/entries. SYNTHETIC data (the North Gate example)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from svc_core import CoreServer, crossing, entries_body, pg_schema, prepare_record, serve, sign

from corridor.model import parse_observation
from corridor.model.embargo import new_salt, reveal_content, sealed_content
from webhookkit import Receiver, receiver, verify


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def watch_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CoreServer]:
    """A server whose watcher runs every second and may deliver to 127.0.0.1."""
    tmp = tmp_path_factory.mktemp("svc-watch")
    keys = tmp / "keys"
    with contextlib.ExitStack() as stack:
        db = str(tmp / "corridor.db") if request.param == "sqlite" else stack.enter_context(
            pg_schema("svcwatch"))  # fmt: skip
        tokens, signers = prepare_record(db, keys)
        env = {"CORRIDOR_WATCH_PRIVATE": "1", "CORRIDOR_WATCH_INTERVAL": "1"}
        url = stack.enter_context(serve(db, keys, env=env, log=tmp / "server.log"))
        yield CoreServer(url, db, keys, tokens, signers)


@pytest.fixture
def rx() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def _until(check: Any, seconds: float = 60) -> Any:
    """Poll ``check`` until it returns something truthy (the background thread's work)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


_days = iter(range(20_000, 30_000, 10))


class TestWatchesApi:
    def test_entries_watch_delivers_after_a_submission(
        self, watch_server: CoreServer, rx: Receiver
    ) -> None:
        """A reader's watch on the checkpoint gets the entry a reporter submits, signed; a
        first 500 is retried; the deliveries list both attempts."""
        with watch_server.client("reader") as c:
            r = c.post("/v1/watches", json={"kind": "entries",
                                             "filter": {"checkpoint": "north-gate"},
                                             "url": rx.url})  # fmt: skip
            assert r.status_code == 201, r.text
            w = r.json()
        rx.answers = [500]
        entry = sign(crossing("ngo-x", next(_days)), watch_server.signers["ngo-x"])
        with watch_server.client("reporter") as c:
            accepted = c.post("/v1/entries", json=entries_body(entry)).json()["accepted"]
        with watch_server.client("reader") as c:

            def delivered() -> Any:
                items = c.get(f"/v1/watches/{w['id']}/deliveries").json()["items"]
                return items if items and items[0]["status"] == "delivered" else None

            items = _until(delivered)
            assert items, "not delivered"
            assert [t["http_status"] for t in items[0]["tries"]] == [500, 200]
            assert items[0]["payload"]["data"]["entry"]["id"] == accepted[0]
            assert len(rx.got) == 2 and all(verify(w["secret"], g) for g in rx.got)
            assert c.get("/v1/watches").json()["items"][0]["id"] == w["id"]
            assert "secret" not in c.get(f"/v1/watches/{w['id']}").json()
        with watch_server.client("reporter") as other:
            assert other.get(f"/v1/watches/{w['id']}").status_code == 403
            assert other.delete(f"/v1/watches/{w['id']}").status_code == 403
            assert other.get("/v1/watches").json()["items"] == []
        with watch_server.client("reader") as c:
            assert c.delete(f"/v1/watches/{w['id']}").status_code == 200
            assert c.get(f"/v1/watches/{w['id']}").status_code == 404

    def test_needs_a_token_and_an_http_url(self, watch_server: CoreServer) -> None:
        """Without a token 401; a file: URL is a 422 naming the url."""
        body = {"kind": "entries", "url": "file:///etc/passwd"}
        assert httpx.post(f"{watch_server.url}/v1/watches", json=body).status_code == 401
        with watch_server.client("reader") as c:
            r = c.post("/v1/watches", json=body)
        assert r.status_code == 422 and "http or https" in r.text
        with watch_server.client("reader") as c:
            r = c.post("/v1/watches", json={"kind": "verdict", "url": "https://example.org/",
                                             "filter": {"case": "/etc/passwd",
                                                        "commitment": "x"}})  # fmt: skip
        assert r.status_code == 404 and "no built-in case" in r.text, r.text


class TestEmbargoApi:
    def test_seal_then_reveal_as_signed_entries(self, watch_server: CoreServer) -> None:
        """A client seals (only the commitment is submitted), then reveals; a reveal with a
        changed count is a 422 naming the commitment; another organisation's reveal is
        refused."""
        x, y = watch_server.signers["ngo-x"], watch_server.signers["ngo-y"]
        hidden = parse_observation(crossing("ngo-x", next(_days)))
        salt = new_salt()
        sealed = parse_observation(sealed_content(hidden, salt))
        with watch_server.client("reporter") as c:
            r = c.post("/v1/entries", json=entries_body(sign(sealed.content(), x)))
            assert r.status_code == 200, r.text
            changed = json.loads(json.dumps(hidden.content()))
            changed["body"]["count"] += 1
            bad = sign(reveal_content(changed, sealed.id, salt), x)
            r = c.post("/v1/entries", json=entries_body(bad))
            assert r.status_code == 422 and "does not match the commitment" in r.text
        theirs = {**hidden.content(), "reporter": "ngo-y"}
        with watch_server.client("reporter-y") as c:
            r = c.post(
                "/v1/entries", json=entries_body(sign(reveal_content(theirs, sealed.id, salt), y))
            )
            assert r.status_code == 422 and "which sealed" in r.text
        reveal = sign(reveal_content(hidden.content(), sealed.id, salt), x)
        with watch_server.client("reporter") as c:
            r = c.post("/v1/entries", json=entries_body(reveal))
            assert r.status_code == 200, r.text
            (rid,) = r.json()["accepted"]
            sealed_now = c.get("/v1/observations", params={"type": "sealed"}).json()
            crossings = c.get("/v1/observations", params={"type": "crossing"}).json()
        assert sealed.id not in json.dumps(sealed_now)  # replaced by its reveal
        assert rid in json.dumps(crossings)


def test_the_cli_over_a_server(watch_server: CoreServer, rx: Receiver, cli: Any) -> None:
    """`corridor watch add|list|deliveries|remove --server`: a reader's watch made from the
    CLI (its secret printed once), delivered by the server's own watcher after a submission,
    listed without its secret, removed; without a token the server refuses in one line."""
    url, token = watch_server.url, ["--token", watch_server.tokens["reader"]]
    shape = cli.json("watch", "add", rx.url, "--checkpoint", "north-gate", "--label",
                     "from the CLI (synthetic)", "--server", url, *token)  # fmt: skip
    assert shape["secret"].startswith("whsec_") and shape["kind"] == "entries"
    listed = cli.json("watch", "list", "--server", url, *token)
    assert shape["id"] in [w["id"] for w in listed] and all("secret" not in w for w in listed)
    code, out, _ = cli("watch", "list", "--server", url, *token)
    assert code == 0 and f"{shape['id']}  entries (checkpoint=north-gate) → {rx.url}" in out
    entry = sign(crossing("ngo-x", next(_days)), watch_server.signers["ngo-x"])
    with watch_server.client("reporter") as c:
        accepted = c.post("/v1/entries", json=entries_body(entry)).json()["accepted"]

    def delivered() -> Any:
        rows = cli.json("watch", "deliveries", shape["id"], "--server", url, *token)
        return rows if rows and rows[0]["status"] == "delivered" else None

    rows = _until(delivered)
    assert rows, "the server's watcher did not deliver within a minute"
    assert rows[0]["payload"]["data"]["entry"]["id"] == accepted[0]
    code, out, _ = cli("watch", "remove", shape["id"], "--server", url, *token)
    assert (code, out) == (0, f"removed watch {shape['id']}\n")
    assert shape["id"] not in [w["id"] for w in cli.json("watch", "list", "--server", url, *token)]
    code, out, err = cli("watch", "list", "--server", url)
    assert (code, out) == (1, "") and len(err.splitlines()) == 1 and "token" in err
