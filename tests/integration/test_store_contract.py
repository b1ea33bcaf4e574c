"""One contract for both backends (SQLite file, PostgreSQL schema): the record and its log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from corridor.errors import NotFoundError, RecordError, StoreError, TamperError
from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.merkle import verify_consistency, verify_inclusion
from corridor.ledger.note import Signer
from corridor.model import Checkpoint, Organisation, Place, Route, parse_observation
from corridor.recording import Recorder, TransparencyLog, init_log
from corridor.recording.keyring import Keyring
from corridor.store.api import Query
from corridor.store.sql import SqlStore
from corridor.store.tokens import StoredToken

UTC = UTC


def obs(day: int, count: int, direction: str = "inbound", **extra: Any) -> Any:
    return parse_observation(
        {
            "type": "crossing",
            "observed": {
                "start": f"2024-01-{day:02d}T00:00:00+00:00",
                "end": f"2024-01-{day + 1:02d}T00:00:00+00:00",
            },
            "reporter": "ngo-x",
            "sources": [{"title": "Daily counts (synthetic test data)"}],
            "body": {
                "checkpoint": "north-gate",
                "direction": direction,
                "category": "vehicles",
                "count": count,
                **extra,
            },
        }
    )


@pytest.fixture
def store(db_url: str) -> Any:
    s = SqlStore.open(db_url, create=True)
    s.put_entities(
        [Organisation(id="ngo-x", name="NGO X (synthetic)", kind="monitor")],
        [
            Place(id="north-gate", names=["North Gate"], lat=31.5, lon=34.5),
            Place(id="south-town", names=["South Town"], lat=31.3, lon=34.3),
        ],
        [Route(id="north-road", name="North road", places=("north-gate", "south-town"))],
        [Checkpoint(id="north-gate", name="North Gate", place="north-gate", route="north-road")],
    )
    yield s
    s.close()


@pytest.fixture
def recorder(store: SqlStore, tmp_path: Path) -> Recorder:
    ring = Keyring(tmp_path / "keys")
    init_log(store, ring, origin="test.example/log")
    signer = Signer.generate("ngo-x")
    ring.save(signer)
    TransparencyLog(store, ring).register("ngo-x", signer, demo=False)  # on purpose
    return Recorder(store, ring)


class TestEntities:
    def test_registry_round_trip(self, store: SqlStore) -> None:
        """Entities written are read back equal, with every place name."""
        reg = store.registry()
        assert reg.places["north-gate"].label == "North Gate"
        assert reg.routes["north-road"].places == ("north-gate", "south-town")
        assert reg.checkpoints["north-gate"].route == "north-road"

    def test_upsert_updates(self, store: SqlStore) -> None:
        """Writing an entity again with new fields updates it."""
        store.put_entities([Organisation(id="ngo-x", name="NGO X renamed", kind="monitor")])
        assert store.registry().organisations["ngo-x"].name == "NGO X renamed"


class TestAppendAndQuery:
    def test_append_then_duplicate(self, recorder: Recorder, store: SqlStore) -> None:
        """The same observation recorded twice is stored once."""
        first = recorder.submit([obs(1, 5), obs(2, 0)])
        again = recorder.submit([obs(1, 5)])
        assert len(first.accepted) == 2 and again.accepted == [] and len(again.duplicates) == 1
        assert store.count() == 2 and store.size() == 2

    def test_recorded_entries_met_mid_submission(
        self, recorder: Recorder, store: SqlStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A submission of signed entries inserts its batches without looking their ids up
        first until it meets an entry already on the record: that batch's insert fails on the
        unique index, rolls back and runs again with the lookup, so the result and the log are
        what they would be with lookups throughout (nothing half-written, every duplicate
        counted)."""
        import corridor.recording.tlog as tlog

        monkeypatch.setattr(tlog, "BATCH", 3)
        monkeypatch.setattr(tlog, "ADMIT", 3)
        old = {5: 1, 9: 2}
        recorded = recorder.submit([obs(d, n) for d, n in old.items()])
        assert len(recorded.accepted) == 2
        calls: list[bool] = []
        real = SqlStore._append_indexed

        def spy(self: SqlStore, *args: Any, lookup: bool) -> Any:
            calls.append(lookup)
            return real(self, *args, lookup=lookup)

        monkeypatch.setattr(SqlStore, "_append_indexed", spy)
        # batches of 3: [1, 2, 3] is new, [4, 5, 6] holds day 5 in its middle, then the rest
        # signed entries as a client submits them (the Recorder itself skips what it finds)
        entries = [recorder.prepare(obs(d, old.get(d, d)))[0] for d in range(1, 12)]
        again = recorder.log.append_entries(entries)
        # new, then an optimistic attempt that failed and its re-run, then lookups throughout
        assert calls == [False, False, True, True, True]
        assert sorted(again.duplicates) == sorted(recorded.accepted)
        assert len(again.accepted) == 9 and len(set(again.accepted)) == 9
        assert store.count() == 11 and store.size() == 11
        log = TransparencyLog(store, recorder.keyring)
        assert log.verify()[0] == 11

    def test_a_batch_in_several_statements_with_columns_few_rows_set(
        self, recorder: Recorder, store: SqlStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An append batch is inserted a few rows per statement, leaving out the index
        columns no row of it sets: every row gets its own columns, NULL where it has none,
        whichever statement it went in and whatever the other rows set."""
        import corridor.store.log as store_log
        from corridor.store.columns import INDEX_COLUMNS, index_columns

        monkeypatch.setattr(store_log, "ROWS_PER_INSERT", 2)
        status = parse_observation(
            {
                "type": "route_status",
                "observed": {"start": "2024-01-03T08:00:00+00:00"},
                "reporter": "ngo-x",
                "sources": [{"title": "Route report (synthetic test data)"}],
                "body": {"route": "north-road", "status": "closed"},
            }
        )
        batch = [obs(1, 5), obs(2, 3, convoy="c-7"), status, obs(4, 0, "outbound"), obs(5, 2)]
        assert len(recorder.submit(batch).accepted) == 5
        assert len(recorder.submit([obs(6, 1), obs(7, 2)]).accepted) == 2  # no column set twice
        sql = (
            f"SELECT id, {', '.join(INDEX_COLUMNS)}, demo_signed, appended_at "
            "FROM observations ORDER BY log_index"
        )
        with store.engine.connect() as conn:
            rows = conn.execute(text(sql)).all()
        wanted = [*batch, obs(6, 1), obs(7, 2)]
        assert [r[0] for r in rows] == [o.id for o in wanted]
        for r, o in zip(rows, wanted, strict=True):
            assert tuple(r[1:-2]) == index_columns(o)
            assert not r[-2] and r[-1] > 0
        assert rows[1][INDEX_COLUMNS.index("convoy") + 1] == "c-7"
        assert rows[2][INDEX_COLUMNS.index("state") + 1] == "closed"
        assert TransparencyLog(store, recorder.keyring).verify()[0] == 7

    def test_filters(self, recorder: Recorder, store: SqlStore) -> None:
        """Listing filters by type, direction and period overlap."""
        recorder.submit([obs(1, 5), obs(2, 0, "outbound"), obs(3, 7)])
        assert store.count(Query(direction="outbound")) == 1
        got = list(
            store.query(
                Query(
                    start=datetime(2024, 1, 2, 12, tzinfo=UTC), end=datetime(2024, 1, 4, tzinfo=UTC)
                )
            )
        )
        assert [s.observation.body.count for s in got] == [0, 7]  # type: ignore[union-attr]
        assert store.count(Query(type="incident")) == 0

    def test_after_cursor_is_log_order(self, recorder: Recorder, store: SqlStore) -> None:
        """``after`` lists the entries appended after a log index, in log order (not time
        order), filters and limit still applying; paging by it visits every entry once."""
        recorder.submit([obs(5, 1), obs(1, 2), obs(3, 3, "outbound"), obs(2, 4), obs(4, 5)])
        assert [s.log_index for s in store.query(Query(after=1))] == [2, 3, 4]
        assert [s.log_index for s in store.query(Query(after=-1, limit=2))] == [0, 1]
        assert [s.log_index for s in store.query(Query(after=4))] == []
        assert [s.log_index for s in store.query(Query(after=0, direction="inbound"))] == [1, 3, 4]
        assert store.count(Query(after=2)) == 2
        # without a cursor: time order
        counts = [s.observation.body.count for s in store.query(Query())]  # type: ignore[union-attr]
        assert counts == [2, 4, 3, 5, 1]
        seen: list[int] = []
        cursor = -1
        while page := list(store.query(Query(after=cursor, limit=2))):
            seen += [s.log_index for s in page]
            cursor = page[-1].log_index
        assert seen == [0, 1, 2, 3, 4]

    def test_get_by_prefix(self, recorder: Recorder, store: SqlStore) -> None:
        """An observation is found by a unique prefix of its id."""
        oid = recorder.submit([obs(1, 5)]).accepted[0]
        assert store.get(oid[:10]).id == oid
        with pytest.raises(NotFoundError):
            store.get("ffffffffff")

    def test_unknown_checkpoint_writes_nothing(self, recorder: Recorder, store: SqlStore) -> None:
        """A batch with one unknown reference is rejected whole."""
        bad = parse_observation(
            {
                **obs(2, 1).content(),
                "body": {**obs(2, 1).content()["body"], "checkpoint": "nowhere"},
            }
        )
        with pytest.raises(RecordError, match="unknown checkpoint"):
            recorder.submit([obs(1, 5), bad])
        assert store.count() == 0

    def test_missing_database_is_clear(self, tmp_path: Path) -> None:
        """Opening a database that does not exist says so, with a code a face can explain."""
        with pytest.raises(StoreError, match="no database at") as exc:
            SqlStore.open(str(tmp_path / "nope.db"))
        assert exc.value.code == "no-database"


class TestLog:
    def test_proofs_verify_against_checkpoint(self, recorder: Recorder, store: SqlStore) -> None:
        """Every entry's inclusion proof verifies against the signed checkpoint."""
        recorder.submit([obs(d, d) for d in range(1, 20)])
        ledger = TransparencyLog(store)
        cp = verify_checkpoint(ledger.latest_checkpoint(), ledger.origin, ledger.verifier)
        assert cp.size == 19
        for i in range(cp.size):
            verify_inclusion(
                i,
                cp.size,
                leaf_hash(store.entry_at(i)),
                ledger.inclusion_proof(i, cp.size),
                cp.root,
            )

    def test_checkpoints_stay_consistent(self, recorder: Recorder, store: SqlStore) -> None:
        """A later checkpoint is provably consistent with an earlier one."""
        recorder.submit([obs(1, 1), obs(2, 2), obs(3, 3)])
        ledger = TransparencyLog(store)
        a = verify_checkpoint(ledger.latest_checkpoint(), ledger.origin, ledger.verifier)
        recorder.submit([obs(4, 4), obs(5, 5)])
        b = verify_checkpoint(ledger.latest_checkpoint(), ledger.origin, ledger.verifier)
        verify_consistency(a.size, b.size, a.root, b.root, ledger.consistency_proof(a.size, b.size))

    def test_cached_proofs_follow_a_growing_log(self, recorder: Recorder, store: SqlStore) -> None:
        """One log's cached tiles stay exact while another writer appends."""
        recorder.submit([obs(d, d) for d in range(1, 8)])
        ledger = TransparencyLog(store)
        a = verify_checkpoint(ledger.latest_checkpoint(), ledger.origin, ledger.verifier)
        for i in range(a.size):
            ledger.inclusion_proof(i)
        recorder.submit([obs(d, d + 1) for d in range(8, 20)])
        b = verify_checkpoint(ledger.latest_checkpoint(), ledger.origin, ledger.verifier)
        assert b.size > a.size
        for cp in (a, b):
            for i in range(cp.size):
                proof = ledger.inclusion_proof(i, cp.size)
                verify_inclusion(i, cp.size, leaf_hash(store.entry_at(i)), proof, cp.root)

    def test_tampered_tile_caught_after_cached_proofs(
        self, recorder: Recorder, store: SqlStore
    ) -> None:
        """Verification reads the stored tiles afresh, not the tiles cached for proofs."""
        recorder.submit([obs(d, d) for d in range(1, 6)])
        ledger = TransparencyLog(store)
        ledger.inclusion_proof(2)
        with store.engine.begin() as conn:
            data = conn.execute(
                text("SELECT data FROM log_tiles WHERE level = 0 AND idx = 0")
            ).scalar_one()
            forged = bytes(data)[:64] + bytes(32) + bytes(data)[96:]
            conn.execute(
                text("UPDATE log_tiles SET data = :d WHERE level = 0 AND idx = 0"), {"d": forged}
            )
        with pytest.raises(TamperError, match="entry 2"):
            ledger.verify()

    def test_verify_clean_log(self, recorder: Recorder, store: SqlStore) -> None:
        """An untouched log verifies."""
        recorder.submit([obs(d, d) for d in range(1, 6)])
        size, _root = TransparencyLog(store).verify()
        assert size == 5

    def test_sql_update_of_entry_is_caught(self, recorder: Recorder, store: SqlStore) -> None:
        """Changing one stored entry with SQL makes verification fail naming its index."""
        recorder.submit([obs(d, d) for d in range(1, 6)])
        with store.engine.begin() as conn:
            e = conn.execute(
                text("SELECT entry FROM observations WHERE log_index = 3")
            ).scalar_one()
            forged = bytes(e).replace(b'"count":4', b'"count":9')
            conn.execute(
                text("UPDATE observations SET entry = :e WHERE log_index = 3"), {"e": forged}
            )
        with pytest.raises(TamperError, match="entry 3") as exc:
            TransparencyLog(store).verify()
        assert exc.value.index == 3

    def test_sql_update_of_index_column_is_caught(
        self, recorder: Recorder, store: SqlStore
    ) -> None:
        """Changing a derived column (direction) is caught too, naming the entry."""
        recorder.submit([obs(d, d) for d in range(1, 6)])
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE observations SET direction = 'outbound' WHERE log_index = 2"))
        with pytest.raises(TamperError, match="entry 2"):
            TransparencyLog(store).verify()

    def test_deleted_entry_is_caught(self, recorder: Recorder, store: SqlStore) -> None:
        """Deleting an entry in the middle is caught, naming the gap."""
        recorder.submit([obs(d, d) for d in range(1, 6)])
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM observations WHERE log_index = 1"))
        with pytest.raises(TamperError, match="entry 1"):
            TransparencyLog(store).verify()

    def test_truncated_log_is_caught(self, recorder: Recorder, store: SqlStore) -> None:
        """Removing the newest entry contradicts the signed checkpoint."""
        recorder.submit([obs(d, d) for d in range(1, 6)])
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM observations WHERE log_index = 4"))
        with pytest.raises(TamperError, match="checkpoint"):
            TransparencyLog(store).verify()


class TestAccess:
    def _token(self, tid: str, org: str | None = "ngo-x") -> StoredToken:
        return StoredToken(tid, bytes([len(tid)]) * 32, org, "reporter", ("read", "submit"),
                           "label", 1000, 2000, None, None)  # fmt: skip

    def test_tokens_round_trip_and_revoke(self, store: SqlStore) -> None:
        """A token is stored with its hash and read back; revoking it twice records once; its
        creation and revocation are in the admin record, in order."""
        store.add_token(self._token("aaaaaaaaaaaa"), (1000, "cli:test", "token.create", {"r": 1}))
        got = store.token("aaaaaaaaaaaa")
        assert got is not None and got.hash == bytes([12]) * 32 and got.scopes == ("read", "submit")
        assert store.token("bbbbbbbbbbbb") is None
        store.touch_token("aaaaaaaaaaaa", 1500)
        store.touch_token("aaaaaaaaaaaa", 1400)  # never backwards
        assert store.revoke_token("aaaaaaaaaaaa", 1600, "cli:test", {}).revoked_at == 1600
        again = store.revoke_token("aaaaaaaaaaaa", 1700, "cli:test", {})
        assert (again.revoked_at, again.last_used_at) == (1600, 1500)
        actions = store.admin_actions()
        assert [(a.action, a.subject, a.actor) for a in actions] == [
            ("token.create", "aaaaaaaaaaaa", "cli:test"),
            ("token.revoke", "aaaaaaaaaaaa", "cli:test"),
        ]
        assert actions[0].detail == {"r": 1}
        assert [a.seq for a in store.admin_actions(after=actions[0].seq)] == [actions[1].seq]
        with pytest.raises(NotFoundError):
            store.revoke_token("cccccccccccc", 1, "cli:test", {})

    def test_token_for_unknown_org_writes_nothing(self, store: SqlStore) -> None:
        """A token for an organisation not in the record is refused, and not recorded."""
        with pytest.raises(NotFoundError, match="nobody"):
            store.add_token(self._token("dddddddddddd", "nobody"), (1, "cli:t", "token.create", {}))
        assert store.tokens() == [] and list(store.admin_actions()) == []


class TestPrivacy:
    def test_erasure_keeps_log_verifiable(self, recorder: Recorder, store: SqlStore) -> None:
        """A driver's name is stored privately, erasable, and the log still verifies after."""
        oid = recorder.submit([obs(1, 1, driver_name="A. Driver", driver_phone="+000")]).accepted[0]
        entry = store.entry_at(0)
        assert b"A. Driver" not in entry and b'"personal"' in entry
        assert {f for f, _s, v, _e in store.personal_values(oid) if v is not None} == {
            "driver_name",
            "driver_phone",
        }
        assert store.erase_personal(oid) == 2
        assert all(v is None for _f, _s, v, _e in store.personal_values(oid))
        TransparencyLog(store).verify()
