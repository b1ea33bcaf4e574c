"""Preparing an entry (the one implementation the recorder and the HTTP client share), and the
key folder in the core."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.errors import SigningKeyError
from corridor.ledger.entry import check_personal, keyring, prepare_entry, verify_entry
from corridor.ledger.keyfile import Keyring, check_registered
from corridor.ledger.note import Signer

NGO = Signer.from_seed("ngo-x", bytes(range(32)))
CONTENT = {
    "type": "incident",
    "observed": {"start": "2023-07-25T10:00:00Z"},
    "reporter": "ngo-x",
    "sources": [{"title": "direct report (synthetic)"}],
    "body": {"type": "incident", "category": "detention"},
}


class TestPrepareEntry:
    def test_signed_by_the_reporter_and_verifies(self) -> None:
        entry, rows = prepare_entry(CONTENT, {}, NGO)
        verify_entry(entry, keyring([NGO.verifier]))
        assert rows == []
        assert json.loads(entry)["observation"] == CONTENT

    def test_personal_values_become_salted_commitments(self) -> None:
        entry, rows = prepare_entry(CONTENT, {"names": ["A. B."], "age": 40}, NGO)
        verify_entry(entry, keyring([NGO.verifier]))
        committed = json.loads(entry)["observation"]["personal"]
        assert [r[0] for r in rows] == ["age", "names"]
        for field, salt, value in rows:
            assert len(salt) == 32
            check_personal(committed[field], value, salt)
        assert "A. B." not in entry.decode()

    def test_fresh_salts_each_time(self) -> None:
        a, _ = prepare_entry(CONTENT, {"age": 40}, NGO)
        b, _ = prepare_entry(CONTENT, {"age": 40}, NGO)
        assert a != b

    def test_the_content_is_not_changed(self) -> None:
        before = json.dumps(CONTENT, sort_keys=True)
        prepare_entry(CONTENT, {"age": 40}, NGO)
        assert json.dumps(CONTENT, sort_keys=True) == before


class TestKeyfile:
    def test_a_registered_key_passes_another_is_refused(self, tmp_path: Path) -> None:
        ring = Keyring(tmp_path)
        ring.save(NGO)
        signer = ring.load("ngo-x")
        check_registered(signer, [NGO.vkey], ring.path("ngo-x"))
        other = Signer.from_seed("ngo-x", bytes(32))
        with pytest.raises(SigningKeyError, match="not registered for organisation 'ngo-x'") as e:
            check_registered(signer, [other.vkey], ring.path("ngo-x"))
        assert e.value.code == "key-not-registered"
        assert other.vkey.rsplit("+", 1)[0] in str(e.value)
        with pytest.raises(SigningKeyError, match="it has none"):
            check_registered(signer, [], ring.path("ngo-x"))

    def test_the_recording_adapter_names_the_same_objects(self) -> None:
        from corridor.recording import keyring as adapter

        assert adapter.Keyring is Keyring
        assert adapter.check_registered is check_registered

    def test_loading_keys_pulls_no_database_library(self) -> None:
        code = (
            "import sys, corridor.ledger.keyfile, corridor.ledger.entry, corridor.model\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'sqlalchemy', 'alembic', 'psycopg'}))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.stdout.strip() == "[]", out.stderr
