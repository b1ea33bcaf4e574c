"""The record's history in the store, on both backends: admission of corrections, retractions
and attestations, current-state and as-of reads, re-derived columns, schema 0004.
SYNTHETIC data (tests/historykit.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from sqlalchemy import text

from corridor.app import shapes
from corridor.errors import ConflictError, RecordError, TamperError
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.note import Signer
from corridor.model import Checkpoint, Observation, Organisation, Place, Route
from corridor.model.history import resolve
from corridor.recording import Recorder, TransparencyLog, init_log
from corridor.recording.admission import admit_entry
from corridor.recording.keyring import Keyring
from corridor.situation import situation
from corridor.store import migrate
from corridor.store.api import Query
from corridor.store.columns import IndexedBatch, IndexedEntry
from corridor.store.situation_inputs import situation_at
from corridor.store.sql import SqlStore
from historykit import Model, attestation, build, claim, crossing, retraction, steps

AT = datetime(2024, 3, 1, tzinfo=UTC)


def open_record(url: str, keys: Path) -> tuple[SqlStore, Recorder]:
    store = SqlStore.open(url, create=True)
    store.put_entities(
        [
            Organisation(id="ngo-x", name="NGO X (synthetic)", kind="monitor"),
            Organisation(id="ngo-y", name="NGO Y (synthetic)", kind="monitor"),
        ],
        [
            Place(id="north-gate", names=["North Gate"], lat=31.5, lon=34.5),
            Place(id="south-town", names=["South Town"], lat=31.3, lon=34.3),
        ],
        [Route(id="north-road", name="North road", places=("north-gate", "south-town"))],
        [Checkpoint(id="north-gate", name="North Gate", place="north-gate", route="north-road")],
    )
    ring = Keyring(keys)
    init_log(store, ring, origin="test.example/history")
    for org in ("ngo-x", "ngo-y"):
        signer = Signer.generate(org)
        ring.save(signer)
        TransparencyLog(store, ring).register(org, signer, demo=False)
    return store, Recorder(store, ring)


@pytest.fixture
def record(db_url: str, tmp_path: Path) -> Iterator[tuple[SqlStore, Recorder]]:
    store, rec = open_record(db_url, tmp_path / "keys")
    yield store, rec
    store.close()


def ids(rows: Any) -> list[str]:
    return [s.id for s in rows]


class TestAdmission:
    def test_correction_by_another_organisation_is_refused(
        self, record: tuple[SqlStore, Recorder]
    ) -> None:
        """Admission refuses a correction signed by an organisation other than the reporter,
        naming the reporter; nothing is written."""
        store, rec = record
        o = crossing(3)
        rec.submit([o])
        with pytest.raises(RecordError, match="only its reporter 'ngo-x'"):
            rec.submit([crossing(4, reporter="ngo-y", supersedes=o.id)])
        assert store.size() == 1

    def test_a_batch_is_checked_in_order(self, record: tuple[SqlStore, Recorder]) -> None:
        """An observation and its correction and attestation in one submission are admitted;
        a bad entry in the batch names its position and writes nothing of the batch."""
        store, rec = record
        o = crossing(3)
        c = crossing(4, supersedes=o.id)
        got = rec.submit([o, c, attestation(c.id)])
        assert len(got.accepted) == 3
        p = crossing(9, day=8)
        with pytest.raises(ConflictError, match="entry 2 of the submission"):
            rec.submit([p, crossing(10, day=8, supersedes=p.id), crossing(11, supersedes=o.id)])
        assert store.size() == 3

    def test_two_corrections_of_one_version(self, record: tuple[SqlStore, Recorder]) -> None:
        """The second correction of the same version is a conflict naming the first."""
        _store, rec = record
        o = crossing(3)
        c = crossing(4, supersedes=o.id)
        rec.submit([o, c])
        with pytest.raises(ConflictError, match=f"already corrected by {c.id}"):
            rec.submit([crossing(5, supersedes=o.id)])

    def test_stance_and_own_observation(self, record: tuple[SqlStore, Recorder]) -> None:
        _store, rec = record
        o = crossing(3)
        rec.submit([o, attestation(o.id)])
        with pytest.raises(ConflictError, match="already attested"):
            rec.submit([attestation(o.id, stance="disputes", figure=5, n=1)])
        with pytest.raises(RecordError, match="corrects or retracts its own"):
            rec.submit([attestation(o.id, reporter="ngo-x", n=2)])


class TestReads:
    def test_current_state_and_history(self, record: tuple[SqlStore, Recorder]) -> None:
        """Listings show the current version by default, every entry with history; the chain
        runs from the first version to the retraction."""
        store, rec = record
        o, p = crossing(3), crossing(7, day=9)
        c = crossing(4, supersedes=o.id)
        a = attestation(c.id, stance="disputes", field="count", figure=5, reason="we saw 5")
        r = retraction(p.id)
        rec.submit([o, p, c, a, r])
        assert ids(store.query()) == [c.id]
        assert set(ids(store.query(Query(history=True)))) == {o.id, p.id, c.id, a.id, r.id}
        assert ids(store.query(Query(type="attestation"))) == [a.id]
        assert ids(store.overlapping(None, None, ["crossing"])) == [c.id]
        assert ids(store.chain(o.id)) == ids(store.chain(c.id)) == [o.id, c.id]
        assert ids(store.chain(p.id)) == [p.id, r.id]
        assert {k: v.id for k, v in store.successors([o.id, p.id, c.id]).items()} == {
            o.id: c.id, p.id: r.id
        }
        assert ids(store.attestations_about([c.id])) == [a.id]
        assert store.get(o.id).id == o.id  # a superseded version is still on the record

    def test_situation_from_the_store_equals_the_core(
        self, record: tuple[SqlStore, Recorder]
    ) -> None:
        """The situation read on indexes (current versions and their attestations) equals the
        pure core over every entry, and carries who disputed the figure."""
        store, rec = record
        o = crossing(3, day=27)
        c = crossing(4, day=27, supersedes=o.id)
        d = attestation(c.id, stance="disputes", field="count", figure=5, reason="we saw 5")
        rec.submit([o, c, d, crossing(8, day=28, reporter="ngo-y")])
        everything = [s.observation for s in store.query(Query(history=True))]
        everything.sort(key=lambda x: store.get(x.id).log_index)
        at = datetime(2024, 2, 1, tzinfo=UTC)
        got = shapes.situation(situation_at(store, at))
        assert got == shapes.situation(situation(everything, store.registry(), at))
        (total,) = got["crossings_last_7_days"]
        assert c.id in total["evidence"] and o.id not in total["evidence"]
        assert total["low"] == 4 + 8  # the corrected day, and the next one
        assert got["attestations"][c.id]["disputed_by"][0]["figure"] == 5

    def test_as_of_is_the_first_n_entries(self, record: tuple[SqlStore, Recorder]) -> None:
        """A read as of N sees the first N entries only: a later correction or retraction does
        not exist for it."""
        store, rec = record
        o = crossing(3)
        rec.submit([o])
        c = crossing(4, supersedes=o.id)
        rec.submit([c])
        rec.submit([retraction(c.id)])
        assert ids(store.query(Query(as_of=1))) == [o.id]
        assert ids(store.query(Query(as_of=2))) == [c.id]
        assert ids(store.query(Query(as_of=3))) == []
        assert ids(store.chain(o.id, as_of=2)) == [o.id, c.id]
        assert store.checkpoint_at(2) is not None and store.checkpoint_neighbours(7)[0] == 3


class TestVerify:
    def test_new_columns_are_re_derived(self, record: tuple[SqlStore, Recorder]) -> None:
        """`log verify` derives supersedes and attests again from the entry bytes."""
        store, rec = record
        o = crossing(3)
        c = crossing(4, supersedes=o.id)
        rec.submit([o, c, attestation(c.id)])
        TransparencyLog(store).verify()
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE observations SET supersedes = NULL WHERE log_index = 1"))
        with pytest.raises(TamperError, match="entry 1: stored column supersedes"):
            TransparencyLog(store).verify()
        with store.engine.begin() as conn:
            conn.execute(text(f"UPDATE observations SET supersedes = '{o.id}' WHERE log_index = 1"))
            conn.execute(text(f"UPDATE observations SET attests = '{o.id}' WHERE log_index = 2"))
        with pytest.raises(TamperError, match="entry 2: stored column attests"):
            TransparencyLog(store).verify()

    def test_an_entry_that_bypassed_admission_is_caught(
        self, record: tuple[SqlStore, Recorder], tmp_path: Path
    ) -> None:
        """A correction by another organisation written past the reference check (signed,
        hashed into the tree, under a signed checkpoint) fails verification on that entry."""
        store, rec = record
        o = crossing(3)
        rec.submit([o])
        log = TransparencyLog(store, rec.keyring)
        bad = crossing(4, reporter="ngo-y", supersedes=o.id)
        entry, _ = rec.prepare(bad)
        oid, cols, signers, demo, names = admit_entry(
            entry, log.verifiers(), log.demo_keys(), store.registry()
        )
        store.append_indexed(
            IndexedBatch.of([IndexedEntry(entry, oid, cols, signers, demo, (), names)]),
            extend_tree=log._extend,
            leaf_hash=leaf_hash,
        )  # no check: past the gate
        log.sign_checkpoint()
        with pytest.raises(TamperError, match=r"entry 1: .*only its reporter"):
            log.verify()


class TestMigration:
    def test_upgrade_from_0003(self, record: tuple[SqlStore, Recorder]) -> None:
        """A record written at 0003 is upgraded in place: the new columns start empty (no
        entry could name another before) and the log still verifies."""
        store, rec = record
        rec.submit([crossing(3), crossing(5, day=9)])
        cfg = migrate._config()
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003")
        assert migrate.current_revision(store.engine) == "0003"
        migrate.upgrade(store.engine)
        assert migrate.current_revision(store.engine) == migrate.HEAD_REVISION
        with store.engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM observations WHERE supersedes IS NULL "
                                  "AND attests IS NULL"))
            assert n.scalar_one() == 2
        TransparencyLog(store).verify()
        assert len(ids(store.query())) == 2


def _run(model: Model, rec: Recorder) -> list[bool]:
    """Submit each entry on its own; whether admission accepted it."""
    out = []
    for o in model.entries:
        try:
            rec.submit([o])
            out.append(True)
        except (RecordError, ConflictError):
            out.append(False)
    return out


def _views(store: SqlStore, size: int) -> dict[str, Any]:
    q = Query(as_of=size)
    return {
        "current": ids(store.query(q)),
        "history": ids(store.query(Query(as_of=size, history=True))),
        "attested": ids(store.attestations_about(None, as_of=size)),
        "situation": shapes.situation(situation_at(store, AT, as_of=size)),
    }


class TestProperties:
    @settings(
        max_examples=15, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )  # fmt: skip
    @given(first=steps, later=steps)
    def test_admission_and_as_of(
        self, first: list[tuple[str, int, str, bool]], later: list[tuple[str, int, str, bool]]
    ) -> None:
        """(SQLite) Admission accepts exactly the entries the rules accept; the current state
        read from the store is the last valid version of every chain; and a view as of size N
        is unchanged by anything appended later."""
        with tempfile.TemporaryDirectory() as tmp:
            store, rec = open_record(str(Path(tmp) / "h.db"), Path(tmp) / "keys")
            try:
                m = build(first)
                assert _run(m, rec) == m.valid
                assert set(ids(store.query())) == m.current_facts()
                valid: list[Observation] = [o for o, ok in zip(m.entries, m.valid, strict=True)
                                            if ok]  # fmt: skip
                assert {o.id for o in resolve(valid).facts} == m.current_facts()
                sizes = sorted({0, len(valid), len(valid) // 2})
                before = {n: _views(store, n) for n in sizes}
                for n, s in enumerate(later):  # more history on top, of every kind
                    m.step(len(first) + n, s)
                _run(Model(entries=m.entries[len(first):]), rec)
                for n in sizes:
                    assert _views(store, n) == before[n]
                    assert set(before[n]["current"]) == {
                        o.id for o in resolve(valid[:n]).facts
                    }
            finally:
                store.close()


def test_claim_correction_keeps_the_type(record: tuple[SqlStore, Recorder]) -> None:
    """A claim corrected by a claim is admitted; a crossing turned into a claim is not."""
    _store, rec = record
    k = claim(1)
    rec.submit([k, claim(2, supersedes=k.id)])
    o = crossing(3)
    rec.submit([o])
    with pytest.raises(RecordError, match="keeps the type"):
        rec.submit([claim(3, supersedes=o.id)])
