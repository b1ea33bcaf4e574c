"""corridor.client against a real server (SQLite and PostgreSQL): the registry rebuilt, entries
signed on the client and verified by the server, the change feed page by page, proofs that
check, and every refusal a corridor error naming what it concerns."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from corridor.client import Client, Prepared
from corridor.errors import NotFoundError, RecordError, SigningKeyError, StoreError
from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.entry import check_personal, prepare_entry
from corridor.ledger.keyfile import Keyring
from corridor.ledger.merkle import verify_inclusion
from corridor.ledger.note import Signer, Verifier
from corridor.store.sql import SqlStore
from corridor.testing import Server

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def crossing(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "crossing",
        "observed": {"start": (T0 + timedelta(hours=i)).isoformat()},
        "reporter": "ngo-x",
        "sources": [{"title": "synthetic test data"}],
        "body": {
            "checkpoint": "north-gate", "direction": "inbound", "category": "vehicles",
            "count": i, **extra,
        },
    }  # fmt: skip


@pytest.fixture
def api(client_north: Server) -> Any:
    with Client(client_north.url, token=client_north.token) as c:
        yield c


@pytest.fixture
def ring(client_north: Server) -> Keyring:
    return Keyring(Path("org-keys"))


def size_of(served: Server) -> int:
    store = SqlStore.open(served.db)
    try:
        return store.size()
    finally:
        store.close()


class TestReadsAndRegistry:
    def test_about_health_and_registry(self, api: Client, client_north: Server) -> None:
        """The registry comes back as the database's own Registry; the keys as registered."""
        assert api.about()["service"] == "corridor"
        assert api.health()["size"] == 0
        store = SqlStore.open(client_north.db)
        try:
            assert api.registry() == store.registry()
            want = [(o, v) for o, v, *_ in store.org_keys()]
        finally:
            store.close()
        registered = api.keys()
        assert [(k["org"], k["vkey"]) for k in registered] == want
        assert [o["id"] for o in api.entities("organisations")] == ["ngo-x"]


class TestSubmit:
    def test_recorded_verified_and_proved(
        self, api: Client, ring: Keyring, client_north: Server
    ) -> None:
        """record() signs with the local key; the server appends; the entry's inclusion proof
        checks against the log's signed checkpoint."""
        done = api.record(api.parse([crossing(1), crossing(2)]), ring)
        assert len(done.accepted) == 2 and done.duplicates == [] and done.tree_size == 2
        assert done.checkpoint is not None and "\n2\n" in done.checkpoint
        again = api.record(api.parse([crossing(1)]), ring)
        assert again.accepted == [] and again.duplicates == [done.accepted[0]]
        one = api.observation(done.accepted[1][:10])
        assert one["id"] == done.accepted[1] and one["signed_by"] == ["ngo-x"]
        proof = one["proof"]
        log = Verifier.from_vkey(api.about()["log"]["vkey"])
        cp = verify_checkpoint(proof["checkpoint"].encode(), log.name, log)
        store = SqlStore.open(client_north.db)
        try:
            from corridor.ledger.hashing import leaf_hash

            leaf = leaf_hash(store.entry_at(one["log_index"]))
        finally:
            store.close()
        assert base64.b64decode(proof["leaf_hash"]) == leaf
        verify_inclusion(one["log_index"], cp.size, leaf,
                         [base64.b64decode(h) for h in proof["hashes"]], cp.root)  # fmt: skip

    def test_personal_values_reach_the_server_beside_their_commitments(
        self, api: Client, ring: Keyring, client_north: Server
    ) -> None:
        """A personal field leaves the entry as a salted commitment; value and salt go beside
        it, and open it."""
        incident = {
            "type": "incident", "observed": T0.isoformat(), "reporter": "ngo-x",
            "sources": [{"title": "synthetic test data"}],
            "body": {"category": "insecurity", "victim_names": ["A. Synthetic"]},
        }  # fmt: skip
        done = api.record(api.parse([incident]), ring)
        store = SqlStore.open(client_north.db)
        try:
            rows = store.personal_values(done.accepted[0])
            entry = json.loads(store.entry_at(0))
        finally:
            store.close()
        assert "A. Synthetic" not in json.dumps(entry)
        [(field, salt, value, _erased)] = rows
        assert (field, value) == ("victim_names", ["A. Synthetic"])
        check_personal(entry["observation"]["personal"]["victim_names"], value, salt)

    def test_a_tampered_entry_is_refused_naming_it(
        self, api: Client, ring: Keyring, client_north: Server
    ) -> None:
        """One flipped byte of the observation after signing: the server refuses the batch,
        the error names the entry and the reason, and nothing is written."""
        desk = api.signing_desk(ring)
        good = [desk.prepare(o) for o in api.parse([crossing(3), crossing(4)])]
        bad = good[1].entry.replace(b'"count":4', b'"count":5')
        assert bad != good[1].entry
        with pytest.raises(RecordError) as e:
            api.submit([good[0], Prepared(good[1].id, bad)], where=lambda i: f"row {i + 2}")
        assert str(e.value).startswith("row 3: refused by the server")
        assert "does not verify" in str(e.value)
        assert size_of(client_north) == 0

    def test_an_unregistered_key_is_refused_here_and_there(
        self, api: Client, ring: Keyring, client_north: Server, tmp_path: Path
    ) -> None:
        """A key the server has not registered for the organisation is refused before anything
        is sent; an entry signed with it anyway is refused by the server."""
        other = Keyring(tmp_path / "other-keys")
        other.save(Signer.generate("ngo-x"))
        with pytest.raises(SigningKeyError, match="not registered for organisation 'ngo-x'"):
            api.record(api.parse([crossing(5)]), other)
        obs = api.parse([crossing(5)])[0]
        entry, _ = prepare_entry(obs.content(), {}, other.load("ngo-x"))
        with pytest.raises(RecordError, match=r"entry 0: refused by the server .*no known key"):
            api.submit([Prepared(obs.id, entry)])
        assert size_of(client_north) == 0

    def test_an_unknown_reference_never_leaves_the_client(self, api: Client) -> None:
        with pytest.raises(RecordError, match="unknown checkpoint 'south-gate'"):
            api.parse([{**crossing(1), "body": {**crossing(1)["body"],
                                                "checkpoint": "south-gate"}}])  # fmt: skip


class TestChangeFeed:
    def test_follow_page_by_page(self, api: Client, ring: Keyring) -> None:
        """follow() yields every entry after N in log order, whatever the page size; filters
        apply; observations() pages carry the cursor."""
        # appended out of time order, so log order and time order differ
        raw = [crossing(i) for i in (5, 1, 9, 3, 7, 2, 8, 4, 6, 0, 10, 11)]
        done = api.record(api.parse(raw), ring)
        everything = list(api.follow(page=5))
        assert [d["id"] for d in everything] == done.accepted
        assert [d["log_index"] for d in everything] == list(range(12))
        assert [d["id"] for d in api.follow(after=6, page=2)] == done.accepted[7:]
        page = api.observations(limit=4)
        assert page.next_after == 3 and len(page.items) == 4
        assert api.observations(after=11).items == []
        late = list(api.follow(start=T0 + timedelta(hours=6), type="crossing"))
        assert {d["body"]["count"] for d in late} == {6, 7, 8, 9, 10, 11}


class TestFailures:
    def test_not_found(self, api: Client) -> None:
        with pytest.raises(NotFoundError, match=r"no observation with id 'ffffffffff' \(server"):
            api.observation("ffffffffff")

    def test_an_unreachable_server_is_one_line_naming_it(self) -> None:
        from corridor.testing import free_port

        url = f"http://127.0.0.1:{free_port()}"
        with Client(url, token="ctk_test00000000_secretsecret") as c, pytest.raises(
            StoreError
        ) as e:
            c.situation()
        assert str(e.value).startswith(f"cannot reach the corridor server at {url}: ")
        assert "\n" not in str(e.value) and "secret" not in str(e.value)
        assert e.value.code == "server-unreachable"
