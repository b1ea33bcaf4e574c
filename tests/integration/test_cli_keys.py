"""Keys that must be refused, through the CLI: a replaced log or organisation key file, a second
key registered without asking for a rotation, a key file of junk or readable by others."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from corridor.ledger.note import Signer
from corridor.testing import Cli as BaseCli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CASE = ROOT / "examples" / "north-gate-case.yaml"
RECORD = [
    "record", "crossing", "--reporter", "ngo-x", "--checkpoint", "north-gate",
    "--direction", "inbound", "--category", "vehicles", "--count", "1",
]  # fmt: skip


class Cli(BaseCli):
    def __init__(self, tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
        super().__init__(tmp, capsys)
        self.keys = tmp / "corridor-keys"

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code, out, err = super().__call__(*args)
        assert "Traceback" not in err
        return code, out, err

    def record(self, hour: int) -> tuple[int, str, str]:
        return self(*RECORD, "--observed", f"2024-01-05T{hour:02d}:00:00+00:00")

    def org_keys(self, org: str) -> int:
        with sqlite3.connect(self.db) as conn:
            q = "SELECT count(*) FROM org_keys WHERE org_id = ?"
            return int(conn.execute(q, (org,)).fetchone()[0])

    def write_key(self, name: str, content: bytes, mode: int = 0o600) -> Path:
        p = self.keys / f"{name}.key"
        p.unlink(missing_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT, mode)
        os.write(fd, content)
        os.close(fd)
        p.chmod(mode)
        return p


@pytest.fixture
def north(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORRIDOR_DB", raising=False)
    monkeypatch.delenv("CORRIDOR_KEYS", raising=False)
    cli = Cli(tmp_path, capsys)
    assert cli("case", "load", str(EXAMPLE_CASE))[0] == 0
    assert cli("keys", "new", "ngo-x")[0] == 0
    assert cli.record(1)[0] == 0
    return cli


def _origin(cli: Cli) -> str:
    with sqlite3.connect(cli.db) as conn:
        return str(conn.execute("SELECT value FROM meta WHERE key = 'log_origin'").fetchone()[0])


class TestLogKey:
    def test_replaced_log_key_is_refused(self, north: Cli) -> None:
        """A different valid key of the same origin in log.key signs nothing; nothing is
        written, and the error names the file and the expected key id."""
        with sqlite3.connect(north.db) as conn:
            vkey = str(conn.execute("SELECT value FROM meta WHERE key = 'log_vkey'").fetchone()[0])
        other = Signer.generate(_origin(north))
        path = north.write_key("log", (other.skey + "\n").encode())
        code, _out, err = north.record(2)
        assert code == 1 and str(path) in err and vkey.split("+")[1] in err
        assert north.rows() == 1
        code, _out, err = north("log", "verify")
        assert code == 2 and str(path) in err

    def test_world_readable_log_key_is_refused(self, north: Cli) -> None:
        """A log key file readable by others is refused, naming chmod 600."""
        (north.keys / "log.key").chmod(0o644)
        code, _out, err = north.record(2)
        assert code == 1 and "log.key" in err and "chmod 600" in err
        assert north.rows() == 1


class TestOrganisationKey:
    def test_replaced_org_key_is_refused(self, north: Cli) -> None:
        """Another valid key for ngo-x that was never registered signs nothing and is not
        registered as a side effect."""
        path = north.write_key("ngo-x", (Signer.generate("ngo-x").skey + "\n").encode())
        code, _out, err = north.record(2)
        assert code == 1 and str(path) in err and "ngo-x" in err and "not registered" in err
        assert north.rows() == 1 and north.org_keys("ngo-x") == 1

    def test_replaced_org_key_refused_for_import(self, north: Cli) -> None:
        """An import with an unregistered key file stops before writing anything."""
        north.write_key("ngo-x", (Signer.generate("ngo-x").skey + "\n").encode())
        ex = ROOT / "examples"
        code, _out, err = north(
            "import", str(ex / "daily-counts.csv"), "--map", str(ex / "daily-counts.map.yaml")
        )
        assert code == 1 and "not registered" in err
        assert north.rows() == 1 and north.org_keys("ngo-x") == 1

    def test_binary_junk_key_file(self, north: Cli) -> None:
        """A key file of binary junk is a one-line SigningKeyError naming the file."""
        path = north.write_key("ngo-x", bytes(range(128, 256)) * 4)
        code, _out, err = north.record(2)
        assert code == 1 and str(path) in err and err.count("\n") == 1
        assert north.rows() == 1

    def test_text_junk_key_file(self, north: Cli) -> None:
        """A key file of one malformed line names the file."""
        path = north.write_key("ngo-x", b"PRIVATE+KEY+ngo-x+zzzz+AAAA\n")
        code, _out, err = north.record(2)
        assert code == 1 and str(path) in err

    def test_oversized_key_file(self, north: Cli) -> None:
        """A key file larger than any key is refused unread past its bound."""
        path = north.write_key("ngo-x", b"#" * 5000)
        code, _out, err = north.record(2)
        assert code == 1 and str(path) in err and "over 4096 bytes" in err

    def test_fifo_key_file(self, north: Cli) -> None:
        """A FIFO in place of a key file is refused at once, not waited on."""
        path = north.keys / "ngo-x.key"
        path.unlink()
        os.mkfifo(path, 0o600)
        code, _out, err = north.record(2)
        assert code == 1 and str(path) in err and "not a regular file" in err

    @pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
    def test_key_readable_by_others_is_refused(self, north: Cli, mode: int) -> None:
        """A private key file readable or writable by group or others is refused."""
        path = north.keys / "ngo-x.key"
        path.chmod(mode)
        code, _out, err = north.record(2)
        assert code == 1 and str(path) in err and "chmod 600" in err
        assert north.rows() == 1


class TestRotation:
    def test_keys_new_elsewhere_needs_rotate(self, north: Cli) -> None:
        """`keys new ORG --keys other` for an org with a registered key refuses without
        --rotate, and with it registers a second key, saying so."""
        code, _out, err = north("keys", "new", "ngo-x", "--keys", "other")
        assert code == 1 and "ngo-x" in err and "--rotate" in err
        assert north.org_keys("ngo-x") == 1 and not (north.tmp / "other" / "ngo-x.key").exists()
        code, out, err = north("keys", "new", "ngo-x", "--keys", "other", "--rotate")
        assert code == 0, err
        assert "rotation" in out and north.org_keys("ngo-x") == 2

    def test_keys_add_second_key_needs_rotate(self, north: Cli) -> None:
        """`keys add` of another key for an org that has one refuses without --rotate."""
        vkey = Signer.generate("ngo-x").vkey
        code, _out, err = north("keys", "add", vkey)
        assert code == 1 and "--rotate" in err and north.org_keys("ngo-x") == 1
        code, out, err = north("keys", "add", vkey, "--rotate")
        assert code == 0 and "registered" in out and "rotation" in out
        assert north.org_keys("ngo-x") == 2

    def test_keys_add_registered_key_again(self, north: Cli) -> None:
        """Adding the key already registered is not a rotation: exit 0, nothing added."""
        vkey = Signer.from_skey(
            (north.keys / "ngo-x.key").read_text().splitlines()[-1]
        ).vkey
        code, out, _err = north("keys", "add", vkey)
        assert code == 0 and "already registered" in out and north.org_keys("ngo-x") == 1

    def test_rotated_key_signs_and_old_entries_verify(self, north: Cli) -> None:
        """After an explicit rotation the new key file signs and the whole log verifies."""
        new = Signer.generate("ngo-x")
        assert north("keys", "add", new.vkey, "--rotate")[0] == 0
        north.write_key("ngo-x", (new.skey + "\n").encode())
        assert north.record(2)[0] == 0
        code, out, err = north("log", "verify")
        assert code == 0, err
        assert "2 entries" in out
