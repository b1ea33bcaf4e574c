"""Reading observations over HTTP against a real server: cursor pages in log order (the change
feed), the Link header, NDJSON and CSV streams with no row cap, one observation with its proof.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
from svc_core import CoreServer, crossing, entries_body, sign

from corridor.ledger.hashing import leaf_hash
from corridor.ledger.merkle import verify_inclusion
from corridor.store.api import Query

N = 30


@pytest.fixture(scope="module")
def fed(core_server: CoreServer) -> CoreServer:
    """N observations, appended in an order that is not their time order."""
    signer = core_server.signers["ngo-x"]
    entries = [sign(crossing("ngo-x", (i * 7) % N, direction="outbound" if i % 3 else "inbound"),
                    signer) for i in range(N)]  # fmt: skip
    with core_server.client("reporter") as c:
        r = c.post("/v1/entries", json=entries_body(*entries))
        assert r.status_code == 200 and len(r.json()["accepted"]) == N, r.text
    return core_server


def _pages(c: httpx.Client, **params: Any) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    pages = 0
    url: str | None = "/v1/observations"
    while url is not None:
        r = c.get(url, params=params if pages == 0 else None)
        assert r.status_code == 200, r.text
        doc = r.json()
        items += doc["items"]
        pages += 1
        if doc["next_after"] is None:
            assert "link" not in r.headers
            url = None
        else:
            assert r.headers["x-next-after"] == str(doc["next_after"])
            link = r.headers["link"]
            assert link.endswith('>; rel="next"') and f"after={doc['next_after']}" in link
            url = link[1 : link.index(">")]
    return items, pages


class TestPages:
    def test_cursor_pages_visit_every_entry_once_in_log_order(self, fed: CoreServer) -> None:
        with fed.client() as c:
            items, pages = _pages(c, limit=7)
        indexes = [o["log_index"] for o in items]
        assert indexes == list(range(N)) and pages == -(-N // 7)

    def test_after_is_the_change_feed(self, fed: CoreServer) -> None:
        with fed.client() as c:
            doc = c.get("/v1/observations", params={"after": N - 4}).json()
            empty = c.get("/v1/observations", params={"after": 10**9}).json()
        assert [o["log_index"] for o in doc["items"]] == [N - 3, N - 2, N - 1]
        assert doc["next_after"] is None and empty == {"items": [], "next_after": None}

    def test_filters_and_cursor(self, fed: CoreServer) -> None:
        with fed.client() as c:
            items, _ = _pages(c, direction="inbound", limit=4)
            period = c.get("/v1/observations", params={
                "start": "2024-01-02T00:00:00Z", "end": "2024-01-04T00:00:00+00:00"}).json()
        assert [o["log_index"] for o in items] == [i for i in range(N) if i % 3 == 0]
        assert all(o["body"]["direction"] == "inbound" for o in items)
        # days 1..3 of the synthetic counts, overlapping [Jan 2, Jan 4)
        starts = sorted(o["observed"]["start"] for o in period["items"])
        assert starts == ["2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"]

    @pytest.mark.parametrize(
        "params",
        [{"limit": 0}, {"limit": 1001}, {"after": -2}, {"after": "x"}, {"type": "nope"},
         {"start": "yesterday"}, {"start": "2024-01-01T00:00:00"}, {"format": "xml"}],
    )  # fmt: skip
    def test_bad_parameters_are_422(self, fed: CoreServer, params: dict[str, Any]) -> None:
        with fed.client() as c:
            r = c.get("/v1/observations", params=params)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "invalid-input"


class TestStreams:
    def test_ndjson_by_accept_and_by_format(self, fed: CoreServer) -> None:
        with fed.client() as c:
            a = c.get("/v1/observations", headers={"Accept": "application/x-ndjson"})
            b = c.get("/v1/observations", params={"format": "ndjson", "after": 4, "limit": 1})
            page = c.get("/v1/observations", params={"limit": 1000}).json()["items"]
        assert a.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(x) for x in a.text.splitlines()]
        assert lines == page  # the same shapes, every entry
        assert [o["log_index"] for o in map(json.loads, b.text.splitlines())] == list(
            range(5, N)
        )  # no row cap: limit applies to JSON pages only

    def test_csv(self, fed: CoreServer) -> None:
        with fed.client() as c:
            r = c.get("/v1/observations", headers={"Accept": "text/csv"})
        assert r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [int(row["log_index"]) for row in rows] == list(range(N))
        first = json.loads(rows[0]["observation"])
        assert first["reporter"] == rows[0]["reporter"] == "ngo-x"
        assert rows[0]["start"] == first["observed"]["start"]

    def test_the_feed_reads_a_page_at_a_time(self, fed: CoreServer) -> None:
        """The stream's reader pages through the database with the cursor: with pages of 4 it
        still yields every entry once, in log order."""
        with fed.app() as app:
            got = [s.log_index for s in app.observations.feed(Query(), page=4)]
            after = [s.log_index for s in app.observations.feed(Query(after=N - 6), page=4)]
        assert got == list(range(N)) and after == list(range(N - 5, N))


class TestOne:
    def test_with_its_proof(self, fed: CoreServer) -> None:
        with fed.client() as c:
            listed = c.get("/v1/observations", params={"after": 2, "limit": 1}).json()["items"][0]
            r = c.get(f"/v1/observations/{listed['id'][:10]}")
        assert r.status_code == 200
        doc = r.json()
        assert {k: v for k, v in doc.items() if k != "proof"} == listed
        proof = doc["proof"]
        assert proof["log_index"] == 3 and doc["signed_by"] == ["ngo-x"]
        import base64

        from corridor.ledger.checkpoint import verify_checkpoint
        from corridor.ledger.note import Verifier

        with fed.client() as c:
            v = Verifier.from_vkey(c.get("/v1").json()["log"]["vkey"])
        cp = verify_checkpoint(proof["checkpoint"].encode(), v.name, v)
        with fed.app() as app:
            entry = app.store.entry_at(3)
        assert base64.b64decode(proof["leaf_hash"]) == leaf_hash(entry)
        verify_inclusion(3, cp.size, leaf_hash(entry),
                         [base64.b64decode(h) for h in proof["hashes"]], cp.root)  # fmt: skip

    @pytest.mark.parametrize("oid", ["0" * 64, "abc", "not-hex-at-all"])
    def test_not_found(self, fed: CoreServer, oid: str) -> None:
        with fed.client() as c:
            r = c.get(f"/v1/observations/{oid}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not-found"
