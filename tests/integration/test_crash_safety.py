"""What was acknowledged is durable: a bulk append killed with SIGKILL at random points leaves a
log that reopens consistent (a prefix of what was sent, every acknowledged entry present, the
tiles and the signed checkpoint verifying)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from corridor.recording import TransparencyLog
from corridor.recording.keyring import Keyring
from corridor.store.sql import SqlStore

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from corridor.bench.ledger import _bench_store, make_entries
    from corridor.recording.keyring import Keyring
    from corridor.ledger.note import Signer
    from corridor.recording import TransparencyLog
    from corridor.store.sql import SqlStore

    folder = Path(sys.argv[1])
    store = SqlStore.open(str(folder / "bench.db"))
    signer = Signer.from_seed("bench-org", bytes(32))
    ledger = TransparencyLog(store, Keyring(folder / "keys"))
    batch = int(sys.argv[2])
    for n in range(10_000):
        entries = make_entries(batch, signer, offset=n * batch)
        res = ledger.append_entries(entries)
        print("ACK", res.tree_size, flush=True)
    """
)


def _prepare(folder: Path) -> None:
    from corridor.bench.ledger import _bench_store
    from corridor.ledger.note import Signer

    store, _ = _bench_store(folder)
    TransparencyLog(store, Keyring(folder / "keys")).register(
        "bench-org", Signer.from_seed("bench-org", bytes(32)), demo=False
    )
    store.close()


@pytest.mark.slow
class TestCrashSafety:
    @pytest.mark.parametrize("seed", range(4))
    def test_sigkill_leaves_consistent_prefix(self, tmp_path: Path, seed: int) -> None:
        """After SIGKILL mid-append the log is a verified prefix with every acknowledged entry."""
        from corridor.bench.ledger import make_entries
        from corridor.ledger.note import Signer

        _prepare(tmp_path)
        rng = random.Random(seed)
        batch = rng.choice([1, 7, 64, 300])
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(batch)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        acked = 0
        deadline = time.monotonic() + rng.uniform(1.0, 3.0)
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked = int(line.split()[1])
        proc.send_signal(signal.SIGKILL)
        rest, err = proc.communicate()
        assert proc.returncode == -signal.SIGKILL, err
        # lines written before the kill were acknowledged too
        for line in rest.splitlines():
            acked = max(acked, int(line.split()[1]))
        assert acked > 0, "the writer was killed before its first acknowledgement"

        store = SqlStore.open(str(tmp_path / "bench.db"))
        try:
            size = store.size()
            assert size >= acked
            sent = make_entries(size, Signer.from_seed("bench-org", bytes(32)))
            stored = [e for _i, e, *_rest in store.entries()]
            assert stored == sent[:size]  # a prefix of what was sent, in order
            verified, _root = TransparencyLog(store).verify()  # tiles + latest checkpoint
            assert verified == size
        finally:
            store.close()
