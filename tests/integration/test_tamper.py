"""Tampering with the database behind the log: `corridor log verify` catches each variant, on
both backends, and names the entry concerned (exit 2); a corrupted SQLite file is a clear
one-line error, never a traceback."""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from corridor.app import Corridor
from corridor.cli.app import main
from corridor.errors import TamperError
from corridor.ledger import entry as ledger_entry
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.note import Signer
from corridor.ledger.tiles import MemoryTileStore, TiledTree
from corridor.model import parse_observation
from corridor.store.sql import SqlStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CASE = ROOT / "examples" / "north-gate-case.yaml"


def crossing(i: int) -> Any:
    return parse_observation(
        {
            "type": "crossing",
            "observed": {
                "start": f"2024-01-05T{i:02d}:00:00Z",
                "end": f"2024-01-05T{i:02d}:30:00Z",
            },
            "reporter": "ngo-x",
            "sources": [{"title": "Synthetic tamper test"}],
            "body": {
                "checkpoint": "north-gate",
                "direction": "inbound",
                "category": "vehicles",
                "count": i + 1,
            },
        }
    )


class Log:
    """A log of six entries (signed checkpoints at 0, 3 and 6) and a way to run the CLI on it."""

    def __init__(self, db: str, tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db, self.tmp, self.capsys = db, tmp, capsys
        self.keys = tmp / "corridor-keys"

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([*args, "--db", self.db])  # the key folder: the default, self.keys
        out, err = self.capsys.readouterr()
        return code, out, err

    def verify(self) -> tuple[int, str]:
        code, out, err = self("log", "verify")
        assert "Traceback" not in err
        return code, out + err

    def sql(self, statement: str, **params: Any) -> None:
        store = SqlStore.open(self.db)
        try:
            with store.engine.begin() as conn:
                conn.execute(text(statement), params)
        finally:
            store.close()

    def rows(self) -> list[tuple[int, bytes]]:
        store = SqlStore.open(self.db)
        try:
            with store.engine.connect() as conn:
                got = conn.execute(text("SELECT log_index, entry FROM observations ORDER BY 1"))
                return [(int(i), bytes(e)) for i, e in got]
        finally:
            store.close()

    def set_entry(self, index: int, entry: bytes) -> None:
        """Replace entry ``index`` and its leaf hash (as an attacker who knows the format)."""
        self.sql(
            "UPDATE observations SET entry = :e, leaf_hash = :h WHERE log_index = :i",
            e=entry, h=leaf_hash(entry), i=index,
        )  # fmt: skip

    def rebuild_tiles(self) -> None:
        """Rewrite the tiles table from the stored entries, as they are now."""
        mem = MemoryTileStore()
        TiledTree(mem, 0).append([leaf_hash(e) for _i, e in self.rows()])
        self.sql("DELETE FROM log_tiles")
        for (level, idx), data in mem.tiles.items():
            self.sql(
                "INSERT INTO log_tiles (level, idx, data) VALUES (:l, :i, :d)",
                l=level, i=idx, d=data,
            )  # fmt: skip


@pytest.fixture
def log(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Log]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORRIDOR_DB", raising=False)
    monkeypatch.delenv("CORRIDOR_KEYS", raising=False)
    lg = Log(db_url, tmp_path, capsys)
    assert lg("case", "load", str(EXAMPLE_CASE))[0] == 0
    assert lg("keys", "new", "ngo-x")[0] == 0
    with Corridor.open(db_url, lg.keys, workers=0) as app:
        app.observations.record([crossing(i) for i in range(3)])
        app.observations.record([crossing(i) for i in range(3, 6)])
    code, out = lg.verify()
    assert code == 0, out
    yield lg


class TestTamperVariants:
    def test_clean_log_verifies_with_its_state(self, log: Log) -> None:
        """An untouched log verifies: six entries, three signed checkpoints, the state checked."""
        code, out, err = log("log", "verify", "--json")
        assert code == 0, err
        got = json.loads(out)
        assert (got["size"], got["checkpoints"], got["beyond_checkpoint"]) == (6, 3, 0)
        assert got["state_size"] == 6 and got["state"].endswith("log.state")

    def test_changed_value(self, log: Log) -> None:
        """A changed count (leaf hash recomputed) breaks the reporter's signature: entry 2."""
        entry = dict(log.rows())[2]
        log.set_entry(2, entry.replace(b'"count":3', b'"count":30'))
        code, out = log.verify()
        assert code == 2 and "entry 2" in out

    def test_deleted_row(self, log: Log) -> None:
        """A deleted row leaves a gap that is named."""
        log.sql("DELETE FROM observations WHERE log_index = 4")
        code, out = log.verify()
        assert code == 2 and "entry 4: missing" in out

    def test_two_rows_swapped(self, log: Log) -> None:
        """Two whole rows swapped keep valid signatures; the tree names the first misplaced."""
        log.sql("UPDATE observations SET log_index = -1 WHERE log_index = 1")
        log.sql("UPDATE observations SET log_index = 1 WHERE log_index = 2")
        log.sql("UPDATE observations SET log_index = 2 WHERE log_index = -1")
        code, out = log.verify()
        assert code == 2 and "entry 1" in out

    def test_changed_signature(self, log: Log) -> None:
        """A changed signature (leaf hash recomputed) does not verify: entry 3."""
        parsed = json.loads(dict(log.rows())[3])
        sig = bytearray(base64.b64decode(parsed["signatures"][0]["sig"]))
        sig[0] ^= 1
        parsed["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
        log.set_entry(3, ledger_entry.make_entry(parsed["observation"], parsed["signatures"]))
        code, out = log.verify()
        assert code == 2 and "entry 3" in out

    def test_forged_row_appended(self, log: Log) -> None:
        """A row appended by SQL, signed by a key never registered, is named."""
        obs = crossing(7)
        forged = Signer.generate("ngo-x")
        content = obs.content()
        entry = ledger_entry.make_entry(content, [ledger_entry.sign_observation(content, forged)])
        log.sql(
            "INSERT INTO observations (log_index, id, entry, leaf_hash, type, start_us, end_us, "
            "reporter, checkpoint, direction, category, signers, demo_signed, appended_at) "
            "VALUES (6, :id, :e, :h, 'crossing', 0, 0, 'ngo-x', 'north-gate', 'inbound', "
            "'vehicles', 'ngo-x', false, 0)",
            id=obs.id, e=entry, h=leaf_hash(entry),
        )  # fmt: skip
        code, out = log.verify()
        assert code == 2 and "entry 6" in out

    def test_forged_row_at_a_negative_index(self, log: Log) -> None:
        """A copy of a row at log index -1 (out of every proof, but listed) is named."""
        log.sql(
            "INSERT INTO observations (log_index, id, entry, leaf_hash, type, start_us, end_us, "
            "reporter, route, checkpoint, place, direction, category, signers, demo_signed, "
            "appended_at) SELECT -1, 'f' || substr(id, 2), entry, leaf_hash, type, "
            "start_us, end_us, reporter, route, checkpoint, place, direction, category, "
            "signers, demo_signed, appended_at FROM observations WHERE log_index = 0"
        )
        code, out = log.verify()
        assert code == 2 and "entry -1" in out

    def test_truncated_tiles(self, log: Log) -> None:
        """An emptied tiles table is named from its first entry."""
        log.sql("DELETE FROM log_tiles")
        code, out = log.verify()
        assert code == 2 and "entry 0" in out and "missing" in out

    def test_changed_tile(self, log: Log) -> None:
        """A changed tile hash names the entry under it."""
        store = SqlStore.open(log.db)
        data = bytearray(store.read_tiles([(0, 0)])[(0, 0)])
        store.close()
        data[5 * 32] ^= 1
        log.sql("UPDATE log_tiles SET data = :d WHERE level = 0 AND idx = 0", d=bytes(data))
        code, out = log.verify()
        assert code == 2 and "entry 5" in out

    def test_deleted_checkpoints(self, log: Log) -> None:
        """With every checkpoint deleted the log has no signed tree head: refused."""
        log.sql("DELETE FROM cosignatures")
        log.sql("DELETE FROM log_checkpoints")
        code, out = log.verify()
        assert code == 2 and "no signed checkpoint" in out

    def test_truncated_checkpoints(self, log: Log) -> None:
        """Checkpoints deleted down to the first one: the state names the missing checkpoint."""
        log.sql("DELETE FROM log_checkpoints WHERE size > 0")
        code, out = log.verify()
        assert code == 2 and "checkpoint 6" in out and "log.state" in out

    def test_rewritten_history_without_checkpoints(self, log: Log) -> None:
        """The issue's case: an entry deleted, later rows renumbered, tiles rebuilt and the
        checkpoints after the first deleted: the log's state file catches it."""
        log.sql("DELETE FROM observations WHERE log_index = 2")
        log.sql("UPDATE observations SET log_index = log_index - 1 WHERE log_index > 2")
        log.rebuild_tiles()
        log.sql("DELETE FROM log_checkpoints WHERE size > 0")
        code, out = log.verify()
        assert code == 2 and "checkpoint 6" in out
        # and the log refuses to sign over it (nothing written)
        with (
            Corridor.open(log.db, log.keys, workers=0) as app,
            pytest.raises(TamperError, match="checkpoint 6"),
        ):
            app.observations.record([crossing(9)])
        assert len(log.rows()) == 5

    def test_rewritten_history_keeping_checkpoints(self, log: Log) -> None:
        """Rows renumbered and tiles rebuilt, checkpoints kept: the signed checkpoints name the
        entries in doubt (from 3, the last checkpoint that still matches)."""
        log.sql("DELETE FROM observations WHERE log_index = 4")
        log.sql("UPDATE observations SET log_index = log_index - 1 WHERE log_index > 4")
        log.rebuild_tiles()
        code, out = log.verify()
        assert code == 2 and "entries 3 to 5" in out and "checkpoint 6" in out

    def test_changed_signers_column(self, log: Log) -> None:
        """A signers column claiming a co-signer who never signed is named."""
        log.sql("UPDATE observations SET signers = 'ngo-x,icrc' WHERE log_index = 1")
        code, out = log.verify()
        assert code == 2 and "entry 1" in out and "signers" in out

    def test_changed_demo_signed_column(self, log: Log) -> None:
        """A demo_signed column that differs from the entry's signatures is named."""
        log.sql("UPDATE observations SET demo_signed = true WHERE log_index = 5")
        code, out = log.verify()
        assert code == 2 and "entry 5" in out and "demo_signed" in out

    def test_changed_checkpoint_note(self, log: Log) -> None:
        """A checkpoint whose signature was altered is named."""
        log.sql("UPDATE log_checkpoints SET note = replace(note, '\n3\n', '\n4\n') WHERE size = 3")
        code, out = log.verify()
        assert code == 2 and "checkpoint 3" in out

    def test_replaced_log_key_in_database(self, log: Log) -> None:
        """The database's log key replaced and every checkpoint re-signed with it: the key
        folder's log key (and state) no longer match."""
        from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint

        store = SqlStore.open(log.db)
        origin = store.get_meta("log_origin")
        assert origin is not None
        other = Signer.generate(origin)
        old = store.checkpoint_rows()
        vkey = store.get_meta("log_vkey")
        store.close()
        from corridor.ledger.note import Verifier

        assert vkey is not None
        log.sql("UPDATE meta SET value = :v WHERE key = 'log_vkey'", v=other.vkey)
        for size, _root, note in old:
            cp = verify_checkpoint(note.encode(), origin, Verifier.from_vkey(vkey))
            new = sign_checkpoint(Checkpoint(origin, cp.size, cp.root), other).decode()
            log.sql("UPDATE log_checkpoints SET note = :n WHERE size = :s", n=new, s=size)
        code, out = log.verify()
        assert code == 2 and "log.key" in out

    def test_rollback_to_an_older_copy(self, log: Log) -> None:
        """The database rolled back to the state before the last batch: the state catches it."""
        # emulate the copy: remove the last batch, its checkpoint and its tiles
        log.sql("DELETE FROM observations WHERE log_index >= 3")
        log.rebuild_tiles()
        log.sql("DELETE FROM log_checkpoints WHERE size > 3")
        code, out = log.verify()
        assert code == 2 and "checkpoint 6" in out


class TestSqliteFile:
    @pytest.fixture
    def sqlite_log(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> Log:
        monkeypatch.chdir(tmp_path)
        lg = Log(str(tmp_path / "corridor.db"), tmp_path, capsys)
        assert lg("case", "load", str(EXAMPLE_CASE))[0] == 0
        assert lg("keys", "new", "ngo-x")[0] == 0
        with Corridor.open(lg.db, lg.keys, workers=0) as app:
            app.observations.record([crossing(i) for i in range(6)])
        with sqlite3.connect(lg.db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return lg

    def test_restored_older_file(self, sqlite_log: Log, tmp_path: Path) -> None:
        """The database file replaced by an older copy of itself: refused by the state."""
        copy = tmp_path / "old.db"
        shutil.copy(sqlite_log.db, copy)
        with Corridor.open(sqlite_log.db, sqlite_log.keys, workers=0) as app:
            app.observations.record([crossing(8)])
        for suffix in ("-wal", "-shm"):
            Path(sqlite_log.db + suffix).unlink(missing_ok=True)
        shutil.copy(copy, sqlite_log.db)
        code, out = sqlite_log.verify()
        assert code == 2 and "checkpoint 7" in out

    @pytest.mark.parametrize("page", [1, 2, 3, 4, 5, 6, -1])
    def test_corrupted_page(self, sqlite_log: Log, page: int) -> None:
        """A page of the file overwritten with junk is a clear exit 1 or 2, not a traceback."""
        db = Path(sqlite_log.db)
        raw = bytearray(db.read_bytes())
        size = int.from_bytes(raw[16:18], "big")  # the file's page size (its header says)
        assert size in (4096, 16384), size
        pages = len(raw) // size
        n = page % pages
        raw[n * size : (n + 1) * size] = bytes((i * 37 + 11) % 256 for i in range(size))
        db.write_bytes(bytes(raw))
        code, out = sqlite_log.verify()
        assert code in (1, 2), out
        assert out.startswith("error: ") and out.count("\n") == 1


class TestAnyChange:
    """Properties over one SQLite log, each change undone after its example."""

    @pytest.fixture
    def small(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> Log:
        monkeypatch.chdir(tmp_path)
        lg = Log(str(tmp_path / "corridor.db"), tmp_path, capsys)
        assert lg("case", "load", str(EXAMPLE_CASE))[0] == 0
        assert lg("keys", "new", "ngo-x")[0] == 0
        with Corridor.open(lg.db, lg.keys, workers=0) as app:
            app.observations.record([crossing(i) for i in range(6)])
        return lg

    @staticmethod
    def _audit(lg: Log) -> Any:
        from corridor.recording import Keyring, TransparencyLog
        from corridor.recording.audit import audit_log

        store = SqlStore.open(lg.db)
        try:
            return audit_log(TransparencyLog(store, Keyring(lg.keys)))
        finally:
            store.close()

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(index=st.integers(0, 5), position=st.integers(0, 10_000), bit=st.integers(0, 7))
    def test_any_flipped_bit_names_its_entry(
        self, small: Log, index: int, position: int, bit: int
    ) -> None:
        """Any one bit flipped in any entry (its leaf hash recomputed) is caught at that entry."""
        original = dict(small.rows())[index]
        changed = bytearray(original)
        changed[position % len(changed)] ^= 1 << bit
        small.set_entry(index, bytes(changed))
        try:
            with pytest.raises(TamperError) as caught:
                self._audit(small)
            assert caught.value.index == index
        finally:
            small.set_entry(index, original)

    @settings(
        max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(pair=st.lists(st.integers(0, 5), min_size=2, max_size=2, unique=True))
    def test_any_swap_names_the_first(self, small: Log, pair: list[int]) -> None:
        """Any two rows swapped are caught at the first of them."""
        i, j = sorted(pair)

        def swap() -> None:
            small.sql("UPDATE observations SET log_index = -1 WHERE log_index = :i", i=i)
            small.sql("UPDATE observations SET log_index = :i WHERE log_index = :j", i=i, j=j)
            small.sql("UPDATE observations SET log_index = :j WHERE log_index = -1", j=j)

        swap()
        try:
            with pytest.raises(TamperError) as caught:
                self._audit(small)
            assert caught.value.index == i
        finally:
            swap()
        assert self._audit(small).size == 6
