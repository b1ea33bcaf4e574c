"""SIGKILL during `corridor import`, twenty times on each backend: after every kill the log
verifies, and importing the file once more ends with exactly the right total."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLI = [sys.executable, "-m", "corridor.cli.app"]
ROWS = 3_000  # two observations a row: three append batches of 2,000
KILLS = 20


def _size(db_url: str) -> int:
    from corridor.store.sql import SqlStore

    store = SqlStore.open(db_url)
    try:
        return store.size()
    finally:
        store.close()


def _wait_for_growth(
    db_url: str, before: int, proc: subprocess.Popen[bytes], limit: float = 120
) -> None:
    """Until the import has committed something (or ended), polling the log's size."""
    deadline = time.monotonic() + limit
    while _size(db_url) == before and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.slow
class TestKilledImports:
    def test_twenty_kills_then_the_exact_total(self, db_url: str, tmp_path: Path) -> None:
        """Each killed import leaves a log that verifies; a last import completes it exactly."""
        env = {**os.environ, "CORRIDOR_DB": db_url, "CORRIDOR_KEYS": str(tmp_path / "keys"),
               "PYTHONUNBUFFERED": "1"}
        subprocess.run([*CLI, "case", "load", str(EXAMPLES / "north-gate-case.yaml")],
                       check=True, env=env, capture_output=True)
        subprocess.run([*CLI, "keys", "new", "ngo-x"], check=True, env=env, capture_output=True)
        lines = ["date,trucks_in,trucks_out,tonnes_in,note"]
        first = date(1960, 1, 1)
        for i in range(ROWS):
            lines.append(f"{first + timedelta(days=i)},{i % 50},{i % 40},{i % 90},synthetic row")
        data = tmp_path / "big.csv"
        data.write_text("\n".join(lines) + "\n")
        mapping = str(EXAMPLES / "daily-counts.map.yaml")
        rng = random.Random(1)
        sizes = []
        for k in range(KILLS):
            before = _size(db_url)
            proc = subprocess.Popen([*CLI, "import", str(data), "--map", mapping],
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if k % 4 == 0:  # sometimes before anything is written, however busy the machine
                time.sleep(rng.uniform(0.0, 0.3))
            else:  # mostly once it is writing: a batch is in, the next ones are on their way
                _wait_for_growth(db_url, before, proc)
                time.sleep(rng.uniform(0.0, 0.2))
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            verify = subprocess.run([*CLI, "log", "verify", "--json"], env=env,
                                    capture_output=True, text=True)
            assert verify.returncode == 0, verify.stderr
            sizes.append(json.loads(verify.stdout)["size"])
        assert sizes == sorted(sizes), "the log never shrinks"
        assert any(0 < s < 2 * ROWS for s in sizes), f"no kill landed mid-import: {sizes}"
        done = subprocess.run([*CLI, "import", str(data), "--map", mapping, "--json"], env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        total = json.loads(done.stdout)["tree_size"]
        assert total == 2 * ROWS
        verify = subprocess.run([*CLI, "log", "verify", "--json"], env=env, capture_output=True,
                                text=True)
        assert verify.returncode == 0, verify.stderr
        out = json.loads(verify.stdout)
        assert out["size"] == 2 * ROWS and out["beyond_checkpoint"] == 0
