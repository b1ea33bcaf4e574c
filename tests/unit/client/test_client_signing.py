"""Client-side signing: what leaves the client is the recorder's own entry, validated first;
what comes back is checked to hash to its id. The client pulls no database or server code."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from corridor.client import Prepared, SigningDesk, observation_from_shape
from corridor.client.signing import parse_observations
from corridor.errors import RecordError, SigningKeyError, VerificationError
from corridor.ledger.entry import keyring, verify_entry
from corridor.ledger.keyfile import Keyring
from corridor.ledger.note import Signer
from corridor.model import Checkpoint, Organisation, Place, Registry, Route

REGISTRY = Registry.of(
    [Organisation(id="ngo-x", name="NGO X (synthetic)", kind="monitor")],
    [Place(id="north-gate", names=["North Gate"]), Place(id="south-town", names=["South Town"])],
    [Route(id="north-road", name="North road", places=("north-gate", "south-town"))],
    [Checkpoint(id="north-gate", name="North Gate", place="north-gate", route="north-road")],
)
RAW: dict[str, Any] = {
    "type": "incident",
    "observed": "2024-03-01T10:00:00Z",
    "reporter": "ngo-x",
    "sources": [{"title": "synthetic test data"}],
    "body": {"category": "insecurity", "place": "north-gate", "victim_names": ["A. B."]},
}


@pytest.fixture
def desk(tmp_path: Path) -> SigningDesk:
    ring = Keyring(tmp_path)
    signer = Signer.generate("ngo-x")
    ring.save(signer)
    return SigningDesk(ring, {"ngo-x": [signer.vkey]})


class TestSigning:
    def test_the_entry_verifies_and_holds_no_personal_value(self, desk: SigningDesk) -> None:
        [obs] = parse_observations([RAW], REGISTRY)
        p = desk.prepare(obs)
        verify_entry(p.entry, keyring([desk.signer("ngo-x").verifier]))
        assert p.id == obs.id and b"A. B." not in p.entry
        wire = p.to_json()
        assert base64.b64decode(wire["entry"]) == p.entry
        assert [(x["field"], x["value"]) for x in wire["personal"]] == [("victim_names", ["A. B."])]
        assert json.loads(p.entry)["observation"]["personal"].keys() == {"victim_names"}

    def test_an_entry_without_personal_values_sends_none(self) -> None:
        assert Prepared("a", b"e").to_json() == {"entry": "ZQ=="}

    def test_a_key_not_registered_on_the_server_is_refused(self, tmp_path: Path) -> None:
        ring = Keyring(tmp_path)
        ring.save(Signer.generate("ngo-x"))
        with pytest.raises(SigningKeyError, match="it has none"):
            SigningDesk(ring, {}).check(["ngo-x"])

    def test_references_are_checked_against_the_registry(self) -> None:
        bad = {**RAW, "body": {**RAW["body"], "place": "nowhere"}}
        with pytest.raises(RecordError, match=r"item 2, body\.place: unknown place 'nowhere'"):
            parse_observations([RAW, RAW, bad], REGISTRY, where=lambda i: f"item {i}")


class TestShapes:
    def test_a_shape_comes_back_as_its_observation(self) -> None:
        [obs] = parse_observations([RAW], REGISTRY)
        shape = {"id": obs.id, "log_index": 4, **obs.content(), "signed_by": ["ngo-x"],
                 "proof": None}  # fmt: skip
        assert observation_from_shape(shape).id == obs.id

    def test_a_shape_whose_content_was_changed_is_refused(self) -> None:
        [obs] = parse_observations([RAW], REGISTRY)
        shape = {"id": obs.id, **obs.content()}
        shape["body"] = {**shape["body"], "category": "other"}
        with pytest.raises(VerificationError, match="does not hash to its id"):
            observation_from_shape(shape)


def test_the_client_pulls_no_database_or_server_code() -> None:
    code = (
        "import sys, corridor.client\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', "
        "'psycopg', 'fastapi', 'starlette', 'uvicorn', 'typer'}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] in (['corridor', 'app'], "
        "['corridor', 'store'], ['corridor', 'service'], ['corridor', 'cli'], "
        "['corridor', 'recording'])))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split("\n")[:2] == ["[]", "[]"], out.stderr
