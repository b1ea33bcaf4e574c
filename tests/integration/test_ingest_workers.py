"""Large submissions are admitted in worker processes; the result is the same log as in one
process, and a bad entry stops the submission naming it, after the batches before it."""

from __future__ import annotations

from pathlib import Path

import pytest

import corridor.recording.tlog as recording
from corridor.bench.ledger import _bench_store, make_entries
from corridor.errors import RecordError, VerificationError
from corridor.ledger.note import Signer
from corridor.recording import AdmissionPool, TransparencyLog
from corridor.recording.keyring import Keyring
from corridor.store.sql import SqlStore


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recording, "BATCH", 10)
    monkeypatch.setattr(recording, "ADMIT", 4)  # tasks of 4, 4 and 2 entries per batch
    monkeypatch.setattr(recording, "PARALLEL_MIN", 20)


class _Log(TransparencyLog):
    """A log whose appends go through its own pool of ``workers`` processes."""

    def __init__(self, store: SqlStore, keyring: Keyring, workers: int) -> None:
        super().__init__(store, keyring)
        self.pool = AdmissionPool(workers)

    def append_entries(self, entries, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return super().append_entries(entries, *args, pool=self.pool, **kwargs)
        finally:
            self.pool.close()


def _ledger(folder: Path, workers: int) -> tuple[_Log, Signer]:
    folder.mkdir(exist_ok=True)
    store, signer = _bench_store(folder)
    return _Log(store, Keyring(folder / "keys"), workers), signer


class TestWorkers:
    def test_same_log_as_one_process(self, tmp_path: Path, small_batches: None) -> None:
        """Workers and a single process build byte-identical logs from the same entries."""
        a, signer = _ledger(tmp_path / "a", workers=2)
        b, _ = _ledger(tmp_path / "b", workers=0)
        b.register("bench-org", signer, demo=False)
        entries = make_entries(95, signer)
        ra, rb = a.append_entries(entries), b.append_entries(entries)
        assert ra.accepted == rb.accepted and ra.tree_size == rb.tree_size == 95
        assert a.tree().root() == b.tree().root()
        assert a.verify() == b.verify()

    def test_bad_signature_named(self, tmp_path: Path, small_batches: None) -> None:
        """A forged signature in entry 37 stops the submission there; batches before it stay."""
        ledger, signer = _ledger(tmp_path, workers=2)
        entries = make_entries(60, signer)
        other = Signer.generate("bench-org")
        entries[37] = make_entries(38, other)[37]
        with pytest.raises(VerificationError, match="entry 37 of the submission"):
            ledger.append_entries(entries)
        # the batches before entry 37's are written (of 4, 4, 8, 10 and 10 entries: 36)
        assert ledger.store.size() == max(s for s in recording.batch_starts(60) if s <= 37) == 36
        ledger.verify()

    def test_bad_reference_named(self, tmp_path: Path, small_batches: None) -> None:
        """An entry naming an unknown checkpoint is a RecordError naming its position."""
        ledger, signer = _ledger(tmp_path, workers=1)
        entries = make_entries(40, signer)
        from corridor.ledger import entry as ledger_entry

        _m, content, _s = ledger_entry.frame_entry(entries[25])
        content["body"]["checkpoint"] = "nowhere"
        entries[25] = ledger_entry.make_entry(
            content, [ledger_entry.sign_observation(content, signer)]
        )
        with pytest.raises(RecordError, match=r"entry 25 of the submission.*nowhere"):
            ledger.append_entries(entries)
