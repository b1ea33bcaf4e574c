"""Worker processes that admit a large import die with it: a SIGKILLed import leaves no worker
running (they were seen alive 51 s later before PR_SET_PDEATHSIG)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(p) for p in text.split()}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
class TestWorkersDieWithImport:
    def test_sigkill_leaves_no_worker(self, tmp_path: Path) -> None:
        """Kill -9 an import while its workers admit entries: every worker exits soon after."""
        keys = tmp_path / "keys"
        env = {**os.environ, "CORRIDOR_DB": str(tmp_path / "c.db"), "CORRIDOR_KEYS": str(keys),
               "CORRIDOR_VERIFY_WORKERS": "2"}
        cli = [sys.executable, "-m", "corridor.cli.app"]
        subprocess.run([*cli, "case", "load", str(EXAMPLES / "north-gate-case.yaml")],
                       check=True, env=env, capture_output=True)
        subprocess.run([*cli, "keys", "new", "ngo-x"], check=True, env=env, capture_output=True)
        day = date(1950, 1, 1)
        rows = ["date,trucks_in,trucks_out,tonnes_in,note"]
        for i in range(12_000):
            rows.append(f"{day + timedelta(days=i)},{i % 50},{i % 40},{i % 90},synthetic test row")
        data = tmp_path / "big.csv"
        data.write_text("\n".join(rows) + "\n")
        proc = subprocess.Popen(
            [*cli, "import", str(data), "--map", str(EXAMPLES / "daily-counts.map.yaml")],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        workers: set[int] = set()
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            if len(workers) >= 2:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the import ended before its workers were seen"
        assert workers, "no worker process was started"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)]
