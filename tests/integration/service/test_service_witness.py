"""Witnesses over HTTP (C2SP tlog-witness), against real processes: ``corridor witness serve``
answers add-checkpoint as the spec says; a served log sends each new checkpoint to its witnesses
and publishes the cosigned checkpoint; a witness that is down blocks nothing; a split view (a
second log with the same origin and key but another tree) is refused."""

from __future__ import annotations

import base64
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from svc_log import (  # type: ignore[import-not-found]
    LogSite,
    Served,
    append,
    build_log,
    corridor,
    ok,
    serve,
    server_env,
    synthetic_csv,
)

from corridor.ledger.cosignature import CosignatureVerifier, verify_cosignatures
from corridor.ledger.note import Signer, parse_note
from corridor.ledger.witnessing import AddCheckpoint

NAME = "w1.example"
ORIGIN = "corridor.example/log/svclog-witness"


@dataclass
class WitnessSite:
    keys: Path
    vkey: str
    state: Path
    log_vkey: str
    server: Served | None = None

    def start(self, tmp: Path) -> Served:
        """Start the witness (again on the same port, where the log expects it)."""
        port = int(self.server.url.rsplit(":", 1)[1]) if self.server else None
        self.server = serve(
            ["witness", "serve", NAME, "--log", self.log_vkey, "--keys", str(self.keys),
             "--state", str(self.state), "--log-level", "info"],
            dict(os.environ), "/", tmp / f"witness-{time.monotonic_ns()}.log", port,
        )  # fmt: skip
        return self.server

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url


def make_witness(tmp: Path, log_vkey: str) -> WitnessSite:
    keys = tmp / "witness-keys"
    out = ok("witness", "new", NAME, "--keys", str(keys))
    vkey = out.split("witness verifier key: ")[1].strip()
    return WitnessSite(keys, vkey, tmp / "w1.state", log_vkey)


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Iterator[tuple[LogSite, WitnessSite]]:
    """A log of 600 entries served with witness pushes every second, and a served witness
    following it (not yet configured as the log's witness)."""
    keys = tmp_path / "keys"
    vkey = build_log(db_url, keys, synthetic_csv(tmp_path / "counts.csv"), origin=ORIGIN)
    env = {**server_env(db_url, keys), "CORRIDOR_WITNESS_INTERVAL": "1"}
    server = serve(["serve", "--db", db_url, "--keys", str(keys), "--log-level", "info"],
                   env, "/v1/health", tmp_path / "server.log")  # fmt: skip
    witness = make_witness(tmp_path, vkey)
    witness.start(tmp_path)
    try:
        yield LogSite(db_url, keys, vkey, server, tmp_path), witness
    finally:
        server.stop()
        if witness.server is not None:
            witness.server.stop()


def post(witness: WitnessSite, body: bytes) -> httpx.Response:
    return httpx.post(witness.url + "/add-checkpoint", content=body, timeout=10)


def cosigned_size(prefix: str, witness_vkey: str) -> int:
    """The size of the served checkpoint if the witness cosigned it, else -1."""
    note = httpx.get(prefix + "/checkpoint").content
    try:
        verify_cosignatures(note, [CosignatureVerifier.from_vkey(witness_vkey)], 1)
    except Exception:
        return -1
    return int(parse_note(note).text.split("\n")[1])


def wait_cosigned(prefix: str, witness_vkey: str, size: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while cosigned_size(prefix, witness_vkey) != size:
        assert time.monotonic() < deadline, f"checkpoint {size} not cosigned in {timeout} s"
        time.sleep(0.2)


class TestWitnessProtocol:
    def test_add_checkpoint_answers(self, site: tuple[LogSite, WitnessSite]) -> None:
        """Each status of C2SP tlog-witness from the served witness, over HTTP."""
        log, w = site
        note = httpx.get(log.prefix + "/checkpoint").content
        about = httpx.get(w.url + "/").text
        assert about == f"witness {w.vkey}\nlog {log.vkey}\n"

        r = post(w, b"old x\n\n" + note)
        assert (r.status_code, r.headers["content-type"]) == (400, "text/plain; charset=utf-8")
        assert "line 1" in r.text

        stranger = Signer.generate("corridor.example/log/stranger")
        from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint

        cp = sign_checkpoint(Checkpoint(stranger.name, 0, bytes(32)), stranger)
        assert post(w, AddCheckpoint(0, (), cp).encode()).status_code == 404

        impostor = Signer.generate(ORIGIN)  # the right origin, another key
        forged = sign_checkpoint(Checkpoint(ORIGIN, 600, bytes(32)), impostor)
        assert post(w, AddCheckpoint(0, (), forged).encode()).status_code == 403

        r = post(w, AddCheckpoint(601, (), note).encode())
        assert r.status_code == 400

        r = post(w, AddCheckpoint(5, (), note).encode())
        assert (r.status_code, r.headers["content-type"], r.content) == (
            409, "text/x.tlog.size", b"0\n"
        )  # fmt: skip

        r = post(w, AddCheckpoint(0, (), note).encode())
        assert r.status_code == 200, r.text
        assert r.text.startswith(f"— {NAME} ") and r.text.endswith("\n")
        assert verify_cosignatures(note + r.content, [CosignatureVerifier.from_vkey(w.vkey)], 1)

        r = post(w, AddCheckpoint(0, (), note).encode())
        assert (r.status_code, r.content) == (409, b"600\n")
        assert post(w, AddCheckpoint(600, (), note).encode()).status_code == 200

        # a proof that does not verify: 422, and the state is unchanged
        append(log.db, log.keys, range(4), sign=True)
        new = httpx.get(log.prefix + "/checkpoint").content
        proof = httpx.get(log.prefix + "/proof/consistency", params={"old": 600}).json()
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        bad = (bytes(32), *hashes[1:])
        assert post(w, AddCheckpoint(600, bad, new).encode()).status_code == 422
        assert post(w, AddCheckpoint(600, (), new).encode()).status_code == 422
        assert post(w, AddCheckpoint(600, tuple(hashes), new).encode()).status_code == 200
        assert post(w, AddCheckpoint(600, (), note).encode()).content == b"604\n"

    def test_state_survives_a_restart(
        self, site: tuple[LogSite, WitnessSite], tmp_path: Path
    ) -> None:
        log, w = site
        note = httpx.get(log.prefix + "/checkpoint").content
        assert post(w, AddCheckpoint(0, (), note).encode()).status_code == 200
        assert w.server is not None
        w.server.stop()
        w.start(tmp_path)
        r = post(w, AddCheckpoint(0, (), note).encode())
        assert (r.status_code, r.content) == (409, b"600\n")


class TestLogSendsCheckpoints:
    def test_cosigned_checkpoint_is_published(self, site: tuple[LogSite, WitnessSite]) -> None:
        """The log sends its checkpoints to the witness; /v1/log/checkpoint carries the
        cosignature; a verifier that requires the witness accepts the log over HTTP."""
        log, w = site
        ok("log", "witness", "add", NAME, w.url, w.vkey, "--db", log.db)
        listed = corridor("log", "witness", "list", "--db", log.db, "--json")[1]
        # 0, or 600 already: the running service's publisher may have sent the checkpoint
        # between the two commands (a race this test lost once in CI)
        assert f'"url": "{w.url}"' in listed
        assert '"cosigned_size": 0' in listed or '"cosigned_size": 600' in listed

        # the CLI: sign (nothing new) and publish
        code, out, err = corridor("log", "checkpoint", "--db", log.db, "--keys", str(log.keys))
        assert code == 0, err
        assert f"\n— {NAME} " in out
        assert cosigned_size(log.prefix, w.vkey) == 600

        # the service: entries appended by another process, the service's publisher sends them
        size = append(log.db, log.keys, range(10), sign=True)
        assert size == 610
        wait_cosigned(log.prefix, w.vkey, 610)
        code, out, err = corridor("verify", log.prefix, "--key", log.vkey, "--witness", w.vkey,
                                  "--quorum", "1")  # fmt: skip
        assert code == 0, err
        assert out.strip().endswith("size 610, root " + out.split("root ")[1].split(",")[0]
                                    + ", 1 witness cosignatures")  # fmt: skip
        assert '"cosigned_size": 610' in corridor("log", "witness", "list", "--db", log.db,
                                                  "--json")[1]  # fmt: skip

    def test_a_witness_that_is_down_blocks_nothing(
        self, site: tuple[LogSite, WitnessSite], tmp_path: Path
    ) -> None:
        log, w = site
        ok("log", "witness", "add", NAME, w.url, w.vkey, "--db", log.db)
        assert w.server is not None
        w.server.stop()
        append(log.db, log.keys, range(3), sign=False)
        code, out, err = corridor("log", "checkpoint", "--db", log.db, "--keys", str(log.keys))
        assert code == 0, err
        assert "\n603\n" in out and f"— {NAME}" not in out
        assert f"witness {NAME}: unavailable: unreachable" in err
        # the served log keeps answering, and says in its log what happened
        assert cosigned_size(log.prefix, w.vkey) == -1
        said = f"WARNING:  witness {NAME} ({w.url}), checkpoint 603: unreachable"
        deadline = time.monotonic() + 60
        while said not in log.server.log.read_text():
            assert time.monotonic() < deadline, log.server.log.read_text()
            time.sleep(0.2)
        # back up: the service's publisher catches it up without another submission
        w.start(tmp_path)
        wait_cosigned(log.prefix, w.vkey, 603)
        assert f"INFO:     witness {NAME} ({w.url}), checkpoint 603: cosigned size 603" in (
            log.server.log.read_text()
        )

    def test_configuration_errors(self, site: tuple[LogSite, WitnessSite]) -> None:
        log, w = site
        db = ("--db", log.db)
        code, _o, err = corridor("log", "witness", "add", "other.example", w.url, w.vkey, *db)
        assert code == 1 and "the witness key is named 'w1.example', not 'other.example'" in err
        code, _o, err = corridor("log", "witness", "add", NAME, "ftp://x", w.vkey, *db)
        assert code == 1 and "is not an http:// or https:// URL" in err
        code, _o, err = corridor("log", "witness", "add", NAME, w.url, log.vkey, *db)
        assert code == 1 and "type 0x01, expected 0x04" in err
        ok("log", "witness", "add", NAME, w.url, w.vkey, *db)
        code, _o, err = corridor("log", "witness", "add", NAME, w.url, w.vkey, *db)
        assert code == 1 and "already has a witness named 'w1.example'" in err
        ok("log", "witness", "remove", NAME, *db)
        code, _o, err = corridor("log", "witness", "remove", NAME, *db)
        assert code == 1 and "no witness named 'w1.example'" in err
        assert ok("log", "witness", "list", *db).strip() == "no witnesses"


class TestSplitView:
    def test_a_second_log_with_the_same_key_and_another_tree_is_refused(
        self, site: tuple[LogSite, WitnessSite], tmp_path: Path
    ) -> None:
        """The operator runs a second log under the same origin and key, with other entries:
        the witness refuses it at the cosigned size (409) and beyond it (422), and stays with
        the first log."""
        log, w = site
        ok("log", "witness", "add", NAME, w.url, w.vkey, "--db", log.db)
        ok("log", "checkpoint", "--db", log.db, "--keys", str(log.keys))
        assert cosigned_size(log.prefix, w.vkey) == 600

        fork = tmp_path / "fork"
        (fork / "keys").mkdir(parents=True)
        shutil.copy(log.keys / "log.key", fork / "keys" / "log.key")  # the same log key
        fork_db = str(fork / "corridor.db")
        fork_vkey = build_log(fork_db, fork / "keys", synthetic_csv(fork / "counts.csv"),
                              origin=ORIGIN)  # fmt: skip
        assert fork_vkey == log.vkey
        ok("log", "witness", "add", NAME, w.url, w.vkey, "--db", fork_db)
        keys = ("--db", fork_db, "--keys", str(fork / "keys"))

        code, out, err = corridor("log", "checkpoint", *keys)  # size 600, another root
        assert code == 0, err
        assert f"witness {NAME}: refused: 409 Conflict: it cosigned size 600 with another " \
               "root (a split view)" in err  # fmt: skip
        assert f"— {NAME}" not in out

        append(fork_db, fork / "keys", range(5), sign=True)  # size 605
        code, out, err = corridor("log", "checkpoint", *keys)
        assert code == 0, err
        assert f"witness {NAME}: refused: 422: witness {NAME}: split view of {ORIGIN}" in err
        assert f"— {NAME}" not in out

        # the witness stays with the first log, which it goes on cosigning
        append(log.db, log.keys, range(2), sign=True)
        wait_cosigned(log.prefix, w.vkey, 602)
        assert w.server is not None
        witness_log = w.server.log.read_text()
        assert "422: witness w1.example: split view" in witness_log
