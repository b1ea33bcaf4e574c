"""POST /v1/entries against a real server: entries signed by their reporters, verified and
appended; all or nothing; a reporter submits only its own organisation's entries."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from svc_core import CoreServer, b64, crossing, entries_body, sign

from corridor.ledger import entry as ledger_entry
from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.note import Signer, Verifier
from corridor.model import parse_observation

# each test uses its own day numbers, so that tests sharing one server never collide
_next = iter(range(10_000, 60_000, 100))


def days() -> int:
    return next(_next)


def _size(server: CoreServer) -> int:
    with server.client() as c:
        return int(c.get("/v1/health").json()["size"])


class TestSubmit:
    def test_one_then_the_same_again(self, core_server: CoreServer) -> None:
        """Accepted, then a duplicate (not an error); the checkpoint covers it and verifies
        with the log's key."""
        entry = sign(crossing("ngo-x", days()), core_server.signers["ngo-x"])
        with core_server.client("reporter") as c:
            first = c.post("/v1/entries", json=entries_body(entry))
            again = c.post("/v1/entries", json=entries_body(entry))
            vkey = c.get("/v1").json()["log"]["vkey"]
        assert first.status_code == 200, first.text
        doc = first.json()
        assert len(doc["accepted"]) == 1 and doc["duplicates"] == []
        assert again.status_code == 200
        assert again.json()["accepted"] == [] and again.json()["duplicates"] == doc["accepted"]
        v = Verifier.from_vkey(vkey)
        cp = verify_checkpoint(doc["checkpoint"].encode(), v.name, v)
        assert cp.size >= doc["tree_size"]

    def test_a_batch(self, core_server: CoreServer) -> None:
        d = days()
        batch = [sign(crossing("ngo-x", d + i), core_server.signers["ngo-x"]) for i in range(25)]
        before = _size(core_server)
        with core_server.client("reporter") as c:
            r = c.post("/v1/entries", json=entries_body(*batch, batch[0]))
        assert r.status_code == 200, r.text
        assert len(r.json()["accepted"]) == 25 and len(r.json()["duplicates"]) == 1
        assert _size(core_server) == before + 25

    def test_a_bad_entry_names_its_index_and_nothing_is_written(
        self, core_server: CoreServer
    ) -> None:
        """Entry 2 of 4 signed by a key the log does not know: 422 naming entry 2; entries 0,
        1 and 3 are not written either."""
        d = days()
        good = [sign(crossing("ngo-x", d + i), core_server.signers["ngo-x"]) for i in range(4)]
        stranger = Signer.generate("ngo-x")  # named ngo-x, not registered
        good[2] = sign(crossing("ngo-x", d + 2), stranger)
        before = _size(core_server)
        with core_server.client("reporter") as c:
            r = c.post("/v1/entries", json=entries_body(*good))
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["subject"] == "2" and "entry 2 of the submission" in err["message"]
        assert "no known key" in err["message"]
        assert _size(core_server) == before

    @pytest.mark.parametrize(
        ("mangle", "reason"),
        [
            (lambda e: e[:-2], "entry 1 of the submission"),  # truncated framing
            (lambda e: e.replace(b'"count":', b'"count": '), "entry 1 of the submission"),
            (lambda e: e.replace(b"north-gate", b"north-gat3"), "does not verify"),
        ],
    )
    def test_tampered_entries(self, core_server: CoreServer, mangle: Any, reason: str) -> None:
        d = days()
        a = sign(crossing("ngo-x", d), core_server.signers["ngo-x"])
        b = mangle(sign(crossing("ngo-x", d + 1), core_server.signers["ngo-x"]))
        with core_server.client("reporter") as c:
            r = c.post("/v1/entries", json=entries_body(a, b))
        assert r.status_code == 422 and reason in r.json()["error"]["message"]
        assert r.json()["error"]["subject"] == "1"

    def test_an_unknown_checkpoint_is_422(self, core_server: CoreServer) -> None:
        raw = crossing("ngo-x", days(), checkpoint="nowhere")
        with core_server.client("reporter") as c:
            r = c.post("/v1/entries", json=entries_body(sign(raw, core_server.signers["ngo-x"])))
        assert r.status_code == 422 and "unknown checkpoint" in r.json()["error"]["message"]

    def test_another_organisations_entry_is_403_naming_it(self, core_server: CoreServer) -> None:
        """ngo-x's reporter token sends an entry first-signed by ngo-y (whose key is
        registered, so the entry itself is valid): 403 naming entry 1; nothing written."""
        d = days()
        mine = sign(crossing("ngo-x", d), core_server.signers["ngo-x"])
        theirs = sign(crossing("ngo-y", d), core_server.signers["ngo-y"])
        before = _size(core_server)
        with core_server.client("reporter") as c:
            r = c.post("/v1/entries", json=entries_body(mine, theirs))
        assert r.status_code == 403
        assert r.json()["error"]["subject"] == "1" and "ngo-y" in r.json()["error"]["message"]
        assert _size(core_server) == before
        with core_server.client("reporter-y") as c:
            assert c.post("/v1/entries", json=entries_body(theirs)).status_code == 200

    def test_an_admin_submits_for_any_organisation(self, core_server: CoreServer) -> None:
        d = days()
        x = sign(crossing("ngo-x", d), core_server.signers["ngo-x"])
        y = sign(crossing("ngo-y", d), core_server.signers["ngo-y"])
        with core_server.client("admin") as c:
            r = c.post("/v1/entries", json=entries_body(x, y))
        assert r.status_code == 200 and len(r.json()["accepted"]) == 2

    def test_bad_requests(self, core_server: CoreServer) -> None:
        with core_server.client("reporter") as c:
            not_b64 = c.post("/v1/entries", json={"entries": [{"entry": "%%%"}]})
            empty = c.post("/v1/entries", json={"entries": []})
            too_many = c.post("/v1/entries", json={"entries": [{"entry": "AA=="}] * 2001})
            not_json = c.post("/v1/entries", content=b"{", headers={"content-type":
                                                                     "application/json"})
        assert not_b64.status_code == 422 and not_b64.json()["error"]["subject"] is not None
        assert "entries[0].entry" in not_b64.json()["error"]["message"]
        assert empty.status_code == 422 and too_many.status_code == 422
        assert not_json.status_code == 422


class TestPersonal:
    def _entry(self, signer: Signer, n: int) -> tuple[bytes, bytes, str]:
        """An entry committing to a driver's name (synthetic), with its salt."""
        raw = crossing("ngo-x", n, driver_name="A. Driver (synthetic)")
        obs = parse_observation(raw)
        content = obs.content()
        salt = os.urandom(32)
        value = obs.personal()["driver_name"]
        content["personal"] = {"driver_name": ledger_entry.commit_personal(value, salt)}
        entry = ledger_entry.make_entry(content, [ledger_entry.sign_observation(content, signer)])
        return entry, salt, value

    def test_values_that_open_their_commitment_are_kept(self, core_server: CoreServer) -> None:
        entry, salt, value = self._entry(core_server.signers["ngo-x"], days())
        body = {"entries": [{"entry": b64(entry), "personal": [
            {"field": "driver_name", "salt": b64(salt), "value": value}]}]}  # fmt: skip
        with core_server.client("reporter") as c:
            r = c.post("/v1/entries", json=body)
        assert r.status_code == 200, r.text
        oid = r.json()["accepted"][0]
        with core_server.app() as app:
            kept = app.store.personal_values(oid)
        assert [(f, bytes(s), v) for f, s, v, _e in kept] == [("driver_name", salt, value)]

    @pytest.mark.parametrize("what", ["value", "salt", "field"])
    def test_values_that_do_not_are_422(self, core_server: CoreServer, what: str) -> None:
        entry, salt, value = self._entry(core_server.signers["ngo-x"], days())
        item = {"field": "driver_name", "salt": b64(salt), "value": value}
        item[what] = {"value": "someone else", "salt": b64(os.urandom(32)),
                      "field": "driver_phone"}[what]  # fmt: skip
        before = _size(core_server)
        with core_server.client("reporter") as c:
            r = c.post("/v1/entries", json={"entries": [{"entry": b64(entry),
                                                         "personal": [item]}]})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["subject"] == "0"
        assert _size(core_server) == before


def test_the_entry_is_what_was_signed(core_server: CoreServer) -> None:
    """The stored entry is byte for byte the one the reporter signed (the server re-signs
    nothing): GET the observation back and compare its signature."""
    entry = sign(crossing("ngo-x", days()), core_server.signers["ngo-x"])
    with core_server.client("reporter") as c:
        oid = c.post("/v1/entries", json=entries_body(entry)).json()["accepted"][0]
    with core_server.app() as app:
        stored = app.store.entry_at(app.observations.show(oid).log_index)
    assert stored == entry
    assert base64.b64decode(b64(entry)) == entry
