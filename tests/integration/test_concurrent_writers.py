"""Three processes writing into one record at once (two imports and a stream of `record`
commands), on SQLite and on PostgreSQL: one log order, no gap, no duplicate, no traceback.
Before SQLite writes took the write lock at BEGIN, two imports collided on the log index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from corridor.store.sql import SqlStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLI = [sys.executable, "-m", "corridor.cli.app"]
ROWS = 4_500  # two observations a row: 9,000 a file, enough for the worker pool to start
RECORDS = 15


def _csv(path: Path, first: date, n: int) -> Path:
    lines = ["date,trucks_in,trucks_out,tonnes_in,note"]
    for i in range(n):
        lines.append(f"{first + timedelta(days=i)},{i % 50},{i % 40},{i % 90},synthetic test row")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.slow
class TestConcurrentWriters:
    def test_three_writers_one_log(self, db_url: str, tmp_path: Path) -> None:
        """Two imports and fifteen records at once all land, in one gap-free log that verifies."""
        env = {**os.environ, "CORRIDOR_DB": db_url, "CORRIDOR_KEYS": str(tmp_path / "keys")}
        subprocess.run([*CLI, "case", "load", str(EXAMPLES / "north-gate-case.yaml")],
                       check=True, env=env, capture_output=True)
        subprocess.run([*CLI, "keys", "new", "ngo-x"], check=True, env=env, capture_output=True)
        a = _csv(tmp_path / "a.csv", date(1950, 1, 1), ROWS)
        b = _csv(tmp_path / "b.csv", date(1970, 1, 1), ROWS)
        mapping = str(EXAMPLES / "daily-counts.map.yaml")
        procs = [
            subprocess.Popen([*CLI, "import", str(f), "--map", mapping, "--json",
                              "--quarantine", str(tmp_path / f"q-{f.stem}.csv")],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for f in (a, b)
        ]
        script = "\n".join(
            f"corridor record crossing --reporter ngo-x --checkpoint north-gate "
            f"--direction inbound --category persons --count {i} "
            f"--observed 1990-01-{i + 1:02d} --tz UTC"
            for i in range(RECORDS)
        )
        command = script.replace("corridor ", f"{CLI[0]} -m corridor.cli.app ")
        recorder = subprocess.Popen(
            ["bash", "-c", "set -e\n" + command],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        outs = [p.communicate(timeout=600) for p in [*procs, recorder]]
        for p, (_out, err) in zip([*procs, recorder], outs, strict=True):
            assert p.returncode == 0, err
            assert "Traceback" not in err
        for out, _err in outs[:2]:
            assert json.loads(out)["accepted"] == 2 * ROWS
        store = SqlStore.open(db_url)
        try:
            total = 2 * 2 * ROWS + RECORDS
            assert store.size() == total
            indexes = [i for i, *_rest in store.entries()]
            assert indexes == list(range(total))
        finally:
            store.close()
        verify = subprocess.run([*CLI, "log", "verify", "--json"], env=env, capture_output=True,
                                text=True)
        assert verify.returncode == 0, verify.stderr
        assert json.loads(verify.stdout)["size"] == total
