"""The CLI's remote mode against a real server: record from a second terminal, then list it and
verify the server's log; refusals exit 1 with one clear line; import keeps its quarantine and
summary; and every command prints what it prints over the database itself."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from corridor.cases import BUILTIN
from corridor.client.signing import Prepared, SigningDesk
from corridor.ledger.keyfile import Keyring
from corridor.ledger.note import Signer
from corridor.model import Observation
from corridor.store.sql import SqlStore
from corridor.testing import Cli, Server

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TOKEN = "ctk_remote000000_c2VjcmV0LXRva2VuLXZhbHVlLW5ldmVyLXNob3du"
RECORD = ["record", "crossing", "--checkpoint", "north-gate", "--direction", "inbound",
          "--category", "vehicles", "--count", "12", "--observed", "2024-03-01T10:00Z",
          "--reporter", "ngo-x"]  # fmt: skip


def terminal(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``corridor ARGS`` in a process of its own, as from a second terminal."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
    return subprocess.run(
        [sys.executable, "-m", "corridor.cli.app", *args], capture_output=True, text=True,
        timeout=120, env={**base, **(env or {})},
    )  # fmt: skip


def size_of(db: str) -> int:
    store = SqlStore.open(db)
    try:
        return store.size()
    finally:
        store.close()


@pytest.fixture
def cli(client_clean_env: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(client_clean_env, capsys)


def corrupt(monkeypatch: pytest.MonkeyPatch, which: Any = lambda o: True) -> None:
    """Entries of the observations ``which`` picks change after they are signed (a tampered
    submission, as a faulty or hostile client would send)."""
    prepare = SigningDesk.prepare

    def tampered(self: SigningDesk, obs: Observation) -> Prepared:
        p = prepare(self, obs)
        if not which(obs):
            return p
        return Prepared(p.id, p.entry.replace(b'"count":', b'"count":1', 1), p.personal)

    monkeypatch.setattr(SigningDesk, "prepare", tampered)


class TestSecondTerminal:
    def test_record_then_list_then_verify(self, client_north: Server) -> None:
        """record --server --token from another process; list --server shows it; the server's
        database verifies; the token is never printed."""
        token = client_north.token
        assert token is not None
        rec = terminal(*RECORD, "--server", client_north.url, "--token", token, "--keys",
                       "org-keys")  # fmt: skip
        assert rec.returncode == 0, rec.stderr
        assert rec.stdout.startswith("recorded ") and rec.stdout.endswith("(log size 1)\n")
        oid = rec.stdout.split()[1]
        listed = terminal("list", "--json", env={"CORRIDOR_SERVER": client_north.url,
                                                 "CORRIDOR_TOKEN": token})  # fmt: skip
        assert [d["id"] for d in json.loads(listed.stdout)] == [oid]
        shown = terminal("list", "--server", client_north.url)
        assert oid[:12] in shown.stdout
        verify = terminal("log", "verify", "--db", client_north.db, "--keys",
                          str(client_north.keys))  # fmt: skip
        assert verify.returncode == 0, verify.stderr
        assert "log verified: 1 entries" in verify.stdout
        for p in (rec, listed, shown):
            assert token not in p.stdout + p.stderr and token[17:] not in p.stdout + p.stderr

    def test_a_key_the_server_did_not_register_is_refused(
        self, client_north: Server, tmp_path: Path
    ) -> None:
        Keyring(tmp_path / "stolen").save(Signer.generate("ngo-x"))
        token = client_north.token
        assert token is not None
        rec = terminal(*RECORD, "--server", client_north.url, "--token", token, "--keys",
                       str(tmp_path / "stolen"))  # fmt: skip
        assert rec.returncode == 1
        [line] = rec.stderr.splitlines()
        assert line.startswith(f"error: {tmp_path / 'stolen' / 'ngo-x.key'}: key ngo-x+")
        assert "is not registered for organisation 'ngo-x'" in line
        assert token not in rec.stderr
        assert size_of(client_north.db) == 0

    def test_a_tampered_submission_is_refused_by_the_server(
        self, client_north: Server, cli: Cli, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        corrupt(monkeypatch)
        code, out, err = cli(*RECORD, "--server", client_north.url, "--keys", "org-keys")
        assert code == 1 and out == ""
        assert err.startswith(f"error: the observation: refused by the server {client_north.url}:")
        assert "signature by org ngo-x does not verify" in err and len(err.splitlines()) == 1
        assert size_of(client_north.db) == 0

    def test_an_unreachable_server(self, cli: Cli) -> None:
        from corridor.testing import free_port

        url = f"http://127.0.0.1:{free_port()}"
        code, _, err = cli("status", "--server", url, "--token", TOKEN)
        assert code == 1
        assert err.startswith(f"error: cannot reach the corridor server at {url}: ")
        assert len(err.splitlines()) == 1 and TOKEN not in err

    @pytest.mark.parametrize(
        "args", [["status"], ["list"], ["show", "abc"], ["crossings", "--from", "2024-01-01"]]
    )
    def test_as_of_a_size_never_signed_is_a_one_line_error(
        self, client_north: Server, cli: Cli, args: list[str]
    ) -> None:
        """--as-of with --server asks the server, which answers 404 for a tree size no
        checkpoint was signed at: one line naming the size, as over the database."""
        local = cli(*args, "--as-of", "987654", "--db", client_north.db)
        code, out, err = cli(*args, "--as-of", "987654", "--server", client_north.url)
        assert (code, out) == (1, "") and len(err.splitlines()) == 1
        assert "987654" in err and "987654" in local[2] and local[0] == 1

    def test_db_and_server_typed_together(self, client_north: Server, cli: Cli) -> None:
        code, _, err = cli("list", "--db", client_north.db, "--server", client_north.url)
        assert (code, err) == (1, "error: --server: give --db (a database) or --server (a "
                                  "server), not both\n")  # fmt: skip

    def test_a_typed_db_beats_the_environment(
        self, client_north: Server, cli: Cli, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CORRIDOR_SERVER", "http://127.0.0.1:9")  # unreachable
        assert cli("list", "--db", client_north.db)[0] == 0


class TestImport:
    CSV = EXAMPLES / "daily-counts.csv"
    MAP = EXAMPLES / "daily-counts.map.yaml"

    def _local(self, cli: Cli, *extra: str) -> dict[str, Any]:
        """The same import into a database of its own (the reference)."""
        opts = ["--db", str(cli.tmp / "local.db"), "--keys", str(cli.tmp / "local-keys")]
        if not (cli.tmp / "local.db").exists():
            assert cli("case", "load", str(EXAMPLES / "north-gate-case.yaml"), *opts)[0] == 0
            assert cli("keys", "new", "ngo-x", *opts)[0] == 0
        return dict(cli.json("import", str(self.CSV), "--map", str(self.MAP), *opts, *extra))

    def test_the_same_summary_and_quarantine(self, client_north: Server, cli: Cli) -> None:
        remote = cli.json("import", str(self.CSV), "--map", str(self.MAP), "--server",
                          client_north.url, "--keys", "org-keys", "--quarantine", "q-remote.csv")
        local = self._local(cli, "--quarantine", "q-local.csv")
        assert remote.pop("quarantine") == "q-remote.csv"
        assert local.pop("quarantine") == "q-local.csv"
        assert remote == local and remote["accepted"] == 17 and remote["rejected"] == 2
        assert Path("q-remote.csv").read_text() == Path("q-local.csv").read_text()
        assert size_of(client_north.db) == 17
        again = cli.json("import", str(self.CSV), "--map", str(self.MAP), "--server",
                         client_north.url, "--keys", "org-keys", "--quarantine", "q-remote.csv")
        assert (again["accepted"], again["duplicates"]) == (0, 17)

    def test_a_dry_run_writes_nothing_and_counts_the_same(
        self, client_north: Server, cli: Cli
    ) -> None:
        remote = cli.json("import", str(self.CSV), "--map", str(self.MAP), "--dry-run",
                          "--server", client_north.url)  # fmt: skip
        assert remote == self._local(cli, "--dry-run")
        assert size_of(client_north.db) == 0 and not list(cli.tmp.glob("quarantine-*"))

    def test_a_refused_batch_names_the_row(
        self, client_north: Server, cli: Cli, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Row 5 (4 July, inbound) signed, then changed: the server refuses the batch, the
        error names row 5; the rejected rows were quarantined before anything was sent."""
        corrupt(monkeypatch, lambda o: o.start.day == 4 and o.body.direction == "inbound")
        code, _, err = cli("import", str(self.CSV), "--map", str(self.MAP), "--server",
                           client_north.url, "--keys", "org-keys")  # fmt: skip
        assert code == 1, err
        assert err.startswith(f"error: row 5: refused by the server {client_north.url}: ")
        assert "signature by org ngo-x does not verify" in err
        assert size_of(client_north.db) == 0
        assert Path("quarantine-daily-counts.csv").exists()

    def test_a_missing_key_stops_it_before_anything_is_written(
        self, client_north: Server, cli: Cli
    ) -> None:
        code, _, err = cli("import", str(self.CSV), "--map", str(self.MAP), "--server",
                           client_north.url, "--keys", "no-keys")  # fmt: skip
        assert code == 1 and "no signing key for 'ngo-x'" in err
        assert not Path("quarantine-daily-counts.csv").exists()


AT = "2023-09-25T00:00Z"
RULES = str(BUILTIN["lachin-2023"] / "rules.yaml")


@pytest.fixture(scope="module")
def lachin_id(client_lachin: Server) -> Iterator[str]:
    store = SqlStore.open(client_lachin.db)
    try:
        yield next(iter(store.query())).id
    finally:
        store.close()


@pytest.fixture(scope="module")
def lachin_size(client_lachin: Server) -> int:
    """The tree size of a signed checkpoint of the Lachin log before its last one."""
    r = httpx.get(f"{client_lachin.url}/v1/summary", timeout=60)
    return int(r.json()["checkpoints"][1]["tree_size"])


SAME = [
    ["status", "--at", "2023-01-15T00:00Z"],
    ["status", "--at", "2023-08-20T12:00Z"],
    ["status", "--at", AT],
    ["list"],
    ["list", "route_status", "--from", "2023-06-01", "--to", "2023-09-01", "--tz", "UTC"],
    ["list", "--reporter", "corridor-case", "--limit", "7"],
    ["show", "ID"],
    ["check", "--case", "lachin-2023", "--at", AT],
    ["check", RULES, "--at", AT],
    ["check", RULES, "--case", "lachin-2023", "--at", AT, "--prove"],
    ["check", "--case", "lachin-2023", "--at", AT, "--as-of", "SIZE"],
    ["check", RULES, "--as-of", "SIZE", "--prove"],
    ["status", "--as-of", "SIZE"],
    ["status", "--at", "2023-08-20T12:00Z", "--as-of", "SIZE"],
    ["list", "--as-of", "SIZE"],
    ["list", "route_status", "--history", "--as-of", "SIZE"],
    ["show", "ID", "--as-of", "SIZE"],
    ["crossings", "--from", "2023-08-01", "--to", "2023-08-10"],
    ["crossings", "--from", "2023-08-01", "--to", "2023-08-10", "--as-of", "SIZE"],
    ["supply", "--case", "lachin-2023"],
    ["supply", "--case", "lachin-2023", "--runs", "30", "--seed", "7", "--from", "2023-06-01"],
    ["supply", "--case", "lachin-2023", "--as-of", "SIZE"],
    ["keys", "list"],
]


def both_ways(
    cli: Cli, served: Server, fill: dict[str, str], args: list[str]
) -> tuple[int, str, str]:
    """``args`` (ID and SIZE filled in) over the server's database and over the server: the
    two answers must be the same; the database's is returned."""
    args = [fill.get(a, a) for a in args]
    keys = ["--keys", str(served.keys)] if args[0] == "check" else []
    local = cli(*args, "--db", served.db, *keys)
    remote = cli(*args, "--server", served.url)
    assert local[0] == 0, local[2]
    assert remote == local
    return local


class TestSameOutput:
    @pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
    @pytest.mark.parametrize("args", SAME, ids=lambda a: " ".join(a)[:40])
    def test_remote_prints_what_local_prints(
        self,
        client_lachin: Server,
        lachin_id: str,
        lachin_size: int,
        cli: Cli,
        args: list[str],
        as_json: bool,
    ) -> None:
        fill = {"ID": lachin_id[:10], "SIZE": str(lachin_size)}
        local = both_ways(cli, client_lachin, fill, args + (["--json"] * as_json))
        assert len(local[1].splitlines()) > 3


class TestLogOverAServer:
    @pytest.mark.parametrize(
        "args",
        [["log", "prove", "ID"], ["log", "prove", "ID", "--json"], ["log", "consistency", "SIZE"],
         ["log", "consistency", "SIZE", "--json"], ["log", "key"]],
        ids=lambda a: " ".join(a),
    )  # fmt: skip
    def test_remote_prints_what_local_prints(
        self,
        client_lachin: Server,
        lachin_id: str,
        lachin_size: int,
        cli: Cli,
        args: list[str],
    ) -> None:
        """log prove, consistency and key over a server print what they print over its
        database (the server's proof checked here against its checkpoint's root)."""
        fill = {"ID": lachin_id[:10], "SIZE": str(lachin_size)}
        local = both_ways(cli, client_lachin, fill, args)
        assert local[1].strip()


class TestSupplyOverAServer:
    def test_the_fan_chart_is_the_same_drawing(
        self, client_lachin: Server, cli: Cli, tmp_path: Path
    ) -> None:
        """--plot over a server draws the server's answer: the same SVG bytes as a run over
        the database."""
        args = ["supply", "--case", "lachin-2023", "--runs", "20", "--seed", "2"]
        local = cli(*args, "--plot", str(tmp_path / "local.svg"), "--db", client_lachin.db)
        remote = cli(*args, "--plot", str(tmp_path / "remote.svg"), "--server", client_lachin.url)
        assert local[0] == remote[0] == 0, remote[2]
        assert (tmp_path / "remote.svg").read_bytes() == (tmp_path / "local.svg").read_bytes()

    def test_a_scenario_file_is_not_sent(self, client_lachin: Server, cli: Cli) -> None:
        code, out, err = cli("supply", "--case", "lachin-2023", "--scenario", "mine.yaml",
                             "--server", client_lachin.url)  # fmt: skip
        assert (code, out) == (1, "") and len(err.splitlines()) == 1
        assert err.startswith("error: --scenario: mine.yaml: over a server") and "--db" in err


class TestImportEntities:
    """An import that gives places and checkpoints (a GeoJSON crossings layer) adds them
    through the registry routes: an admin's right; a reporter's token is refused before any
    observation is sent."""

    def _server(self, tmp: Path) -> tuple[str, Path, Path]:
        from corridor.cli.app import main

        db, server_keys, org_keys = str(tmp / "c.db"), tmp / "server-keys", tmp / "org-keys"
        case = str(EXAMPLES / "corridors-case.yaml")
        assert main(["case", "load", case, "--db", db, "--keys", str(server_keys)]) == 0
        assert main(["keys", "new", "ngo-x", "--db", db, "--keys", str(org_keys)]) == 0
        return db, server_keys, org_keys

    def _token(self, db: str, *args: str) -> str:
        from corridor.cli.app import main

        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            assert main(["token", "create", *args, "--db", db]) == 0
        return out.getvalue().strip()

    def test_reporter_refused_admin_adds_them(self, client_clean_env: Path) -> None:
        tmp = client_clean_env
        db, server_keys, org_keys = self._server(tmp)
        reporter = self._token(db, "ngo-x", "--role", "reporter")
        admin = self._token(db, "--role", "admin")
        layer = [
            "import", str(EXAMPLES / "crossings.geojson"), "--map",
            str(EXAMPLES / "crossings.map.yaml"), "--keys", str(org_keys), "--json",
        ]  # fmt: skip
        with Server(db, server_keys, tmp / "serve.log") as served:
            refused = terminal(*layer, "--server", served.url, "--token", reporter)
            assert refused.returncode == 1
            [line] = refused.stderr.splitlines()
            assert "admin" in line and reporter not in line
            assert size_of(db) == 0  # nothing sent before the entities were refused
            done = terminal(*layer, "--server", served.url, "--token", admin)
            assert done.returncode == 0, done.stderr
            summary = json.loads(done.stdout)
            assert summary["tree_size"] == size_of(db) > 0
            again = terminal(*layer, "--server", served.url, "--token", admin)
            assert json.loads(again.stdout)["tree_size"] == summary["tree_size"]  # adds nothing


class TestKeysOverAServer:
    def test_an_admin_registers_a_key_a_reporter_may_not(self, client_clean_env: Path) -> None:
        """`keys add --server` registers an organisation's verifier key on the server (an
        admin's right: a reporter's token is refused, in one line that does not show it);
        `keys list --server` then lists it, as `keys list` over the database does."""
        tmp = client_clean_env
        helper = TestImportEntities()
        db, server_keys, _org_keys = helper._server(tmp)
        reporter = helper._token(db, "ngo-x", "--role", "reporter")
        admin = helper._token(db, "--role", "admin")
        from corridor.ledger.note import Signer

        vkey = Signer.generate("ngo-x").verifier.vkey  # a second key for ngo-x: a rotation
        with Server(db, server_keys, tmp / "serve.log") as served:
            refused = terminal("keys", "add", vkey, "--rotate", "--server", served.url,
                               "--token", reporter)  # fmt: skip
            assert refused.returncode == 1
            [line] = refused.stderr.splitlines()
            assert "admin" in line and reporter not in line
            done = terminal("keys", "add", vkey, "--rotate", "--server", served.url,
                            "--token", admin)  # fmt: skip
            assert done.returncode == 0, done.stderr
            assert done.stdout.splitlines()[0] == f"registered {vkey}"
            assert "ngo-x now has 2 registered keys" in done.stdout
            again = terminal("keys", "add", vkey, "--rotate", "--server", served.url,
                             "--token", admin)  # fmt: skip
            assert again.stdout.splitlines() == [f"already registered {vkey}"]
            listed = terminal("keys", "list", "--server", served.url)
        assert listed.returncode == 0 and vkey in listed.stdout
        assert listed.stdout == terminal("keys", "list", "--db", db).stdout


class TestEmbargoOverAServer:
    """`corridor seal` and `reveal` with --server: the same application functions as over a
    database (corridor.app.embargo.seal / reveal), with the server's registry and the
    observations signed here, with the organisation's own key folder."""

    HIDDEN: ClassVar[dict[str, Any]] = {
        "type": "crossing",
        "observed": {"start": "2024-03-01T00:00:00Z", "end": "2024-03-02T00:00:00Z"},
        "reporter": "ngo-x",
        "sources": [{"title": "Gate log (synthetic test data)"}],
        "body": {"checkpoint": "north-gate", "direction": "inbound", "category": "vehicles",
                 "count": 7, "driver_name": "A. Driver (synthetic)"},
    }  # fmt: skip

    def test_seal_then_reveal(self, client_north: Server, cli: Cli) -> None:
        url, keys = client_north.url, ["--keys", "org-keys"]
        obs = cli.tmp / "obs.json"
        obs.write_text(json.dumps(self.HIDDEN))
        code, out, err = cli("seal", str(obs), "--secret", "s.json", "--server", url, *keys,
                             "--json")  # fmt: skip
        assert code == 0, err
        sealed = json.loads(out)
        assert sealed["accepted"] == [sealed["id"]] and sealed["tree_size"] == 1
        secret = json.loads((cli.tmp / "s.json").read_text())
        assert secret["sealed"] == sealed["id"]
        assert secret["observation"]["body"]["driver_name"] == "A. Driver (synthetic)"
        code, out, _ = cli("sealed", "--db", client_north.db)
        assert "sealed a crossing by ngo-x" in out
        # a secret edited after sealing: the server's admission refuses the reveal, one line
        secret["observation"]["body"]["count"] = 70
        (cli.tmp / "t.json").write_text(json.dumps(secret))
        code, out, err = cli("reveal", sealed["id"][:10], "--secret", "t.json", "--server", url,
                             *keys)  # fmt: skip
        assert (code, out) == (1, "") and "does not match the commitment" in err
        assert len(err.splitlines()) == 1 and size_of(client_north.db) == 1
        code, out, err = cli("reveal", sealed["id"][:10], "--secret", "s.json", "--server", url,
                             *keys)  # fmt: skip
        assert code == 0 and out.startswith("revealed ") and "log size 2" in out, err
        code, out, _ = cli("sealed", "--db", client_north.db)
        assert "no sealed entries awaiting a reveal" in out
        code, out, _ = cli("status", "--at", "2024-03-05T00:00Z", "--server", url)
        assert "inbound    vehicles  7" in out and "not revealed" not in out
        code, out, _ = cli("reveal", sealed["id"], "--secret", "s.json", "--server", url, *keys)
        assert code == 0 and out.startswith("already recorded: ")

    def test_a_bad_secret_is_refused_before_the_server_is_asked(
        self, client_north: Server, cli: Cli
    ) -> None:
        (cli.tmp / "bad.json").write_text(json.dumps({"format": "something else"}))
        code, _, err = cli("reveal", "abcdef", "--secret", "bad.json", "--server",
                           "http://127.0.0.1:9", "--keys", "org-keys")  # fmt: skip
        assert code == 1 and "not a seal secret" in err and len(err.splitlines()) == 1
