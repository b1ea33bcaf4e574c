"""The CLI end to end on a SQLite record: record, list, show, status, case, keys, log, verify."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from corridor.testing import Cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CASE = ROOT / "examples" / "north-gate-case.yaml"




@pytest.fixture
def lachin(cli: Cli) -> Cli:
    code, _out, err = cli("case", "load", "lachin-2023")
    assert code == 0, err
    return cli


def crossing(**fields: str) -> list[str]:
    """`record crossing` arguments for one vehicle at North Gate; ``fields`` override options
    (a value of "" drops the option)."""
    opts = {
        "reporter": "ngo-x", "checkpoint": "north-gate", "direction": "inbound",
        "category": "vehicles", "count": "1", "observed": "2024-01-05T10:00:00+00:00",
    }  # fmt: skip
    opts.update(fields)
    return ["record", "crossing", *(x for k, v in opts.items() if v for x in (f"--{k}", v))]


class TestRecord:
    def test_negative_count_exits_1_and_writes_nothing(self, north: Cli) -> None:
        """`record crossing` with count -3 exits 1 naming count; the database is unchanged."""
        before = Path(north.db).read_bytes()
        code, _out, err = north(*crossing(count="-3"))
        assert code == 1
        assert "count" in err and "greater than or equal to 0" in err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert north.rows() == 0
        assert Path(north.db).read_bytes() == before

    def test_zero_count_recorded_once(self, north: Cli) -> None:
        """An explicit zero is recorded; recording it again adds nothing."""
        args = crossing(count="0", observed="2024-01-05", end="2024-01-06", tz="UTC")
        first = north.json(*args)
        again = north.json(*args)
        assert len(first["accepted"]) == 1 and again["duplicates"] == first["accepted"]  # type: ignore[index]
        listed = north.json("list", "crossing")
        assert [o["body"]["count"] for o in listed] == [0]  # type: ignore[index,union-attr]

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"checkpoint": "nowhere"}, "checkpoint"),
            ({"direction": "sideways"}, "direction"),
        ],
    )
    def test_bad_field_named(self, north: Cli, extra: dict[str, str], field: str) -> None:
        """Unknown references and enum values exit 1 naming the field."""
        code, _out, err = north(*crossing(**extra))
        assert code == 1 and field in err
        assert north.rows() == 0

    def test_naive_time_rejected(self, north: Cli) -> None:
        """A time without offset or --tz exits 1 saying so."""
        code, _out, err = north(*crossing(observed="2024-01-05T10:00:00"))
        assert code == 1 and "offset" in err

    def test_missing_key_explains(self, cli: Cli) -> None:
        """Recording for an organisation without a key says how to make one."""
        cli("case", "load", str(EXAMPLE_CASE))
        code, _out, err = cli(*crossing())
        assert code == 1 and "corridor keys new ngo-x" in err

    def test_key_file_is_private(self, north: Cli) -> None:
        """`keys new` writes the private key with mode 0600, outside the database."""
        mode = stat.S_IMODE((north.tmp / "corridor-keys" / "ngo-x.key").stat().st_mode)
        assert mode == 0o600
        with sqlite3.connect(north.db) as conn:
            assert b"PRIVATE" not in b"".join(
                str(r).encode() for r in conn.execute("SELECT * FROM org_keys")
            )


class TestLachin:
    def test_list_json_is_valid(self, lachin: Cli) -> None:
        """`list crossing --json` prints valid JSON with sources and signers."""
        rows = lachin.json("list", "crossing")
        assert isinstance(rows, list) and rows
        assert all(r["type"] == "crossing" and r["sources"] and r["signed_by"] for r in rows)

    def test_reload_adds_nothing(self, lachin: Cli) -> None:
        """Loading the case twice adds no observation."""
        again = lachin.json("case", "load", "lachin-2023")
        assert again["accepted"] == 0 and again["duplicates"] == again["tree_size"]  # type: ignore[index]

    def test_conflicting_tonnages_kept(self, lachin: Cli) -> None:
        """The convoy's three tonnages stay three observations, each with its source."""
        rows = lachin.json("list", "convoy")
        tonnes = sorted(
            r["body"]["cargo"][0]["tonnes"]
            for r in rows  # type: ignore[index]
            if r["body"]["convoy"] == "am-convoy-2023-07" and r["body"].get("cargo")  # type: ignore[index]
        )
        assert tonnes == [360, 361, 400]

    def test_status_waiting_convoy(self, lachin: Cli) -> None:
        """Status on 15 Aug 2023: Lachin road closed since 15 Jun, the convoy waiting 20 days."""
        s = lachin.json("status", "--at", "2023-08-15T12:00:00+04:00")
        routes = {r["route"]: r for r in s["routes"]}  # type: ignore[index]
        assert routes["lachin-road"]["status"] == "closed"
        assert routes["lachin-road"]["since"].startswith("2023-06-15")
        assert routes["aghdam-road"]["status"] is None  # no data, not "open"
        waiting = {w["convoy"]: w for w in s["convoys_waiting"]}  # type: ignore[index]
        assert round(waiting["am-convoy-2023-07"]["days_waiting"]) == 20

    def test_status_no_data_is_not_zero(self, lachin: Cli) -> None:
        """A checkpoint without reports in the window is listed as without reports, not as 0."""
        s = lachin.json("status", "--at", "2023-06-01T12:00:00+04:00")
        assert s["crossings_last_7_days"] == []  # type: ignore[index]
        assert "hakari-bridge" in s["checkpoints_without_reports"]  # type: ignore[index]

    def test_show_by_prefix(self, lachin: Cli) -> None:
        """`show` finds an observation by an id prefix."""
        first = lachin.json("list", "incident")[0]  # type: ignore[index]
        shown = lachin.json("show", first["id"][:10])
        assert shown["id"] == first["id"] and "DEMO" in shown["signature_note"]  # type: ignore[index]

    def test_log_tamper_names_entry(self, lachin: Cli) -> None:
        """An SQL UPDATE of one stored observation makes `log verify` exit 2 naming its index."""
        assert lachin("log", "verify")[0] == 0
        with sqlite3.connect(lachin.db) as conn:
            e = conn.execute("SELECT entry FROM observations WHERE log_index = 7").fetchone()[0]
            conn.execute(
                "UPDATE observations SET entry = ? WHERE log_index = 7",
                (e.replace(b"reporter", b"Reporter"),),
            )
        code, _out, err = lachin("log", "verify")
        assert code == 2 and "entry 7" in err

    def test_prove_and_consistency(self, lachin: Cli) -> None:
        """`log prove` and `log consistency` print the documented JSON shapes."""
        first = lachin.json("list", "claim")[0]  # type: ignore[index]
        proof = lachin.json("log", "prove", first["id"])
        assert set(proof) == {"log_index", "tree_size", "leaf_hash", "hashes", "checkpoint"}  # type: ignore[arg-type]
        cons = lachin.json("log", "consistency", "10")
        assert set(cons) == {"old_size", "new_size", "hashes"} and cons["old_size"] == 10  # type: ignore[arg-type,index]

    def test_export_verify_and_tamper(self, lachin: Cli) -> None:
        """An export verifies offline; a flipped byte in an entry bundle exits 2 naming it."""
        code, key, _ = lachin("log", "key")
        key = key.strip()
        assert lachin("log", "export", "site")[0] == 0
        ok = lachin.json("verify", "site", "--key", key)
        assert ok["ok"] is True  # type: ignore[index]
        bundle = next((lachin.tmp / "site" / "tile" / "entries").rglob("*"))
        while bundle.is_dir():
            bundle = next(bundle.iterdir())
        data = bytearray(bundle.read_bytes())
        data[500] ^= 0x01
        bundle.write_bytes(bytes(data))
        code, _out, err = lachin("verify", "site", "--key", key)
        assert code == 2 and "entry" in err

    def test_witness_cosigns(self, lachin: Cli) -> None:
        """A witness cosigns the checkpoint and verify counts it towards the quorum."""
        assert lachin("witness", "new", "w1.example")[0] == 0
        wkey = lachin("witness", "key", "w1.example")[1].strip()
        assert lachin("witness", "cosign", "--name", "w1.example", "--state", "w1.json")[0] == 0
        key = lachin("log", "key")[1].strip()
        lachin("log", "export", "site")
        ok = lachin.json("verify", "site", "--key", key, "--witness", wkey, "--quorum", "1")
        assert ok["cosignatures"] == 1  # type: ignore[index]

    def test_unknown_case_lists_builtin(self, cli: Cli) -> None:
        """Loading a case that is neither a file nor built-in exits 1 naming the built-in ones."""
        code, _out, err = cli("case", "load", "atlantis")
        assert code == 1 and "lachin-2023" in err

    def test_reading_without_database(self, cli: Cli) -> None:
        """Listing with no database exits 1 and says how to create one."""
        code, _out, err = cli("list")
        assert code == 1 and "corridor init" in err


class TestSplitView:
    def test_witness_catches_a_forked_log(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A log showing a witness two inconsistent checkpoints of one origin is refused."""
        from corridor.cases import load_case
        from corridor.recording import Recorder, init_log
        from corridor.recording.keyring import Keyring
        from corridor.store.sql import SqlStore

        monkeypatch.chdir(tmp_path)
        cli = Cli(tmp_path, capsys)
        a, b = tmp_path / "a" / "corridor.db", tmp_path / "b" / "corridor.db"
        a.parent.mkdir()
        b.parent.mkdir()
        assert cli("case", "load", "lachin-2023", "--db", str(a))[0] == 0
        assert cli("witness", "new", "w.example", "--keys", "wk")[0] == 0
        cosign = ("witness", "cosign", "--name", "w.example", "--state", "w.json", "--keys", "wk")
        assert cli(*cosign, "--db", str(a))[0] == 0
        # the same origin and DEMO log key, but the same observations appended in another order
        case = load_case("lachin-2023")
        store = SqlStore.open(str(b), create=True)
        store.put_entities(case.organisations, case.places, case.routes, case.checkpoints)
        init_log(store, Keyring(b.parent / "keys"), demo=True)
        orgs = frozenset(o.id for o in case.organisations)
        rec = Recorder(store, Keyring(b.parent / "keys"), demo_orgs=orgs)
        from corridor.recording.keyring import demo_signer

        for org in sorted({o.reporter for o in case.observations}):
            rec.log.register(org, demo_signer(org), demo=True)
        # the case's reports reversed, then the attestations (which follow what they are about)
        reports = [o for o in case.observations if o.type != "attestation"]
        statements = [o for o in case.observations if o.type == "attestation"]
        rec.submit([*reversed(reports), *statements])
        store.close()
        code, _out, err = cli(*cosign, "--db", str(b))
        assert code == 2 and "split view" in err


class TestBothBackends:
    """The main commands against SQLite and against the PostgreSQL server."""

    def test_case_status_import_and_log(
        self,
        db_url: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Load the case, ask for status, import a CSV, then verify and export the log."""
        monkeypatch.chdir(tmp_path)
        cli = Cli(tmp_path, capsys)
        db = ("--db", db_url)
        assert cli.json("case", "load", "lachin-2023", *db)["tree_size"] == 104  # type: ignore[index]
        s = cli.json("status", "--at", "2023-08-15T12:00:00+04:00", *db)
        assert {r["route"]: r["status"] for r in s["routes"]} == {  # type: ignore[index]
            "aghdam-road": None,
            "lachin-road": "closed",
        }
        assert cli("case", "load", str(EXAMPLE_CASE), *db)[0] == 0
        assert cli("keys", "new", "ngo-x", *db)[0] == 0
        ex = ROOT / "examples"
        code, out, err = cli("import", str(ex / "daily-counts.csv"), "--map",
                             str(ex / "daily-counts.map.yaml"), "--json", *db)
        assert code == 0, err
        assert json.loads(out)["accepted"] > 0
        assert cli.json("log", "verify", *db)["ok"] is True  # type: ignore[index]
        key = cli("log", "key", *db)[1].strip()
        assert cli("log", "export", "site", *db)[0] == 0
        assert cli.json("verify", "site", "--key", key)["ok"] is True  # type: ignore[index]


class TestStartUp:
    """What a command loads before it does anything (bench cli measures the time; this guards
    what is loaded, so a top-level import cannot quietly slow every command)."""

    HEAVY = frozenset({
        "sqlalchemy", "alembic", "numpy", "matplotlib", "pydantic", "msgspec", "nacl", "fastapi",
        "httpx", "jinja2", "yaml", "rich", "json", "tempfile",
    })  # fmt: skip

    @pytest.mark.parametrize("args", [["--help"], ["keys", "list"]])
    def test_help_and_keys_list_load_no_heavy_library(
        self, args: list[str], north: Cli, tmp_path: Path
    ) -> None:
        """On a record (the North Gate example, with a key), as bench cli runs them."""
        import subprocess
        import sys

        r = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "corridor.cli.app", *args],
            capture_output=True, text=True, cwd=tmp_path, timeout=60,
        )  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr[-2000:]
        loaded = {
            line.split("|")[2].strip().split(".")[0]
            for line in r.stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2
        }
        assert "corridor" in loaded  # the import trace was read
        assert not loaded & self.HEAVY, sorted(loaded & self.HEAVY)
