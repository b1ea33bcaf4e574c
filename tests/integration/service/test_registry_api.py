"""The registry and keys over HTTP against a real server: public reads that rebuild the
record's Registry; admin writes validated with the model's entities, references checked."""

from __future__ import annotations

import pytest
from svc_core import CoreServer, crossing, entries_body, sign

from corridor.ledger.note import Signer
from corridor.model import Checkpoint, Organisation, Place, Registry, Route


class TestRead:
    def test_registry_rebuilds(self, core_server: CoreServer) -> None:
        with core_server.client() as c:
            doc = c.get("/v1/registry").json()
            orgs = c.get("/v1/organisations").json()["items"]
            cps = c.get("/v1/checkpoints").json()["items"]
        reg = Registry.of(
            [Organisation.model_validate(o) for o in doc["organisations"]],
            [Place.model_validate(p) for p in doc["places"]],
            [Route.model_validate(r) for r in doc["routes"]],
            [Checkpoint.model_validate(c) for c in doc["checkpoints"]],
        )
        with core_server.app() as app:
            local = app.store.registry()
        assert reg.checkpoints == local.checkpoints and reg.routes == local.routes
        assert set(reg.organisations) >= {"ngo-x", "ngo-y"}
        assert orgs == doc["organisations"] and cps == doc["checkpoints"]
        assert reg.organisations["ngo-x"].keys[0].vkey.startswith("ngo-x+")

    def test_keys(self, core_server: CoreServer) -> None:
        with core_server.client() as c:
            items = c.get("/v1/keys").json()["items"]
        assert {(k["org"], k["demo"]) for k in items} >= {("ngo-x", False), ("ngo-y", False)}


class TestWrite:
    def test_admin_adds_a_place_route_checkpoint_then_reports_there(
        self, core_server: CoreServer
    ) -> None:
        """A new checkpoint added over HTTP is usable at once by a reporter (every worker reads
        the registry afresh)."""
        with core_server.client("admin") as admin:
            p = admin.post("/v1/places", json={"id": "west-gate", "names": ["West Gate",
                           {"name": "Porta Ovest", "lang": "it"}], "lat": 31.4, "lon": 34.1})
            r = admin.post("/v1/routes", json={"id": "west-road", "name": "West road",
                                               "places": ["west-gate", "south-town"]})
            cp = admin.post("/v1/checkpoints", json={"id": "west-gate", "name": "West Gate",
                                                     "place": "west-gate", "route": "west-road"})
            again = admin.post("/v1/places", json={"id": "west-gate", "names": ["West Gate"],
                                                   "lat": 31.4, "lon": 34.1})
        assert (p.status_code, r.status_code, cp.status_code) == (201, 201, 201)
        assert p.json()["names"][1] == {"name": "Porta Ovest", "lang": "it", "used_by": None}
        assert again.status_code == 200 and len(again.json()["names"]) == 1
        entry = sign(crossing("ngo-x", 40_001, checkpoint="west-gate"),
                     core_server.signers["ngo-x"])  # fmt: skip
        with core_server.client("reporter") as c:
            assert c.post("/v1/entries", json=entries_body(entry)).status_code == 200

    @pytest.mark.parametrize(
        ("path", "body", "what"),
        [
            ("/v1/routes", {"id": "r2", "name": "R", "places": ["north-gate", "atlantis"]},
             "atlantis"),
            ("/v1/checkpoints", {"id": "c2", "name": "C", "place": "north-gate",
                                 "route": "nowhere-road"}, "nowhere-road"),
            ("/v1/checkpoints", {"id": "c3", "name": "C", "place": "north-gate",
                                 "route": "north-road", "operator": "nobody"}, "nobody"),
            ("/v1/places", {"id": "Bad Id", "names": ["x"]}, "id"),
            ("/v1/places", {"id": "p1", "names": ["x"], "lat": 99, "lon": 0}, "lat"),
            ("/v1/places", {"id": "p1", "names": ["x\u001b[31m"]}, "names"),
            ("/v1/organisations", {"id": "o1", "name": "O", "kind": "spy"}, "kind"),
            ("/v1/organisations", {"id": "o1", "name": "O", "kind": "monitor",
                                   "keys": [{"vkey": "o1+00000000+AA"}]}, "keys"),
            ("/v1/organisations", {"id": "o1", "name": "O", "kind": "monitor", "x": 1}, "x"),
        ],
    )  # fmt: skip
    def test_invalid_entities_are_422(
        self, core_server: CoreServer, path: str, body: dict[str, object], what: str
    ) -> None:
        with core_server.client("admin") as admin:
            r = admin.post(path, json=body)
            reg = admin.get("/v1/registry").json()
        assert r.status_code == 422, r.text
        assert what in r.json()["error"]["message"]
        ids = {e["id"] for items in reg.values() for e in items}
        assert body["id"] not in ids

    def test_writes_need_admin(self, core_server: CoreServer) -> None:
        body = {"id": "o9", "name": "O", "kind": "monitor"}
        with core_server.client() as anon, core_server.client("reporter") as rep:
            assert anon.post("/v1/organisations", json=body).status_code == 401
            assert rep.post("/v1/organisations", json=body).status_code == 403
            assert rep.post("/v1/keys", json={"vkey": "x"}).status_code == 403

    def test_register_a_key_then_rotation_needs_asking(self, core_server: CoreServer) -> None:
        """A new organisation's key, registered over HTTP; a second is a rotation."""
        with core_server.client("admin") as admin:
            assert admin.post("/v1/organisations", json={"id": "ngo-z", "name": "NGO Z",
                                                         "kind": "media"}).status_code == 201
            one, two = Signer.generate("ngo-z"), Signer.generate("ngo-z")
            a = admin.post("/v1/keys", json={"vkey": one.vkey})
            same = admin.post("/v1/keys", json={"vkey": one.vkey})
            refused = admin.post("/v1/keys", json={"vkey": two.vkey})
            rotated = admin.post("/v1/keys", json={"vkey": two.vkey, "rotate": True})
            unknown = admin.post("/v1/keys", json={"vkey": Signer.generate("nobody").vkey})
            junk = admin.post("/v1/keys", json={"vkey": "not a key"})
        assert a.status_code == 201 and a.json() == {"org": "ngo-z", "vkey": one.vkey,
                                                     "demo": False, "added": True}
        assert same.status_code == 200 and same.json()["added"] is False
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "key-rotation"
        assert rotated.status_code == 201
        assert unknown.status_code == 404 and junk.status_code == 422
        # the new organisation's entries are accepted at once, signed by its key
        with core_server.client("admin") as admin:
            entry = sign(crossing("ngo-z", 40_100), two)
            assert admin.post("/v1/entries", json=entries_body(entry)).status_code == 200
