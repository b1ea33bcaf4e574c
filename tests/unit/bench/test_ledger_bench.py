"""The ledger benchmark's one-process runs and busy cores (what it reports, not how fast)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corridor.bench import ledger


def test_one_process_runs_report_both_ratios_and_the_lower(tmp_path: Path) -> None:
    """Each run ingests a fresh log in one process and reports its ratio to raw verify
    sampled between its batches and to the faster rate beside it, the bar's figure being the
    lower; each run's files are removed after it."""
    runs = ledger.one_process_runs(2, 2500, tmp_path)
    assert len(runs) == 2
    for r in runs:
        assert r["per_s"] > 0 and r["paired"] > 0 and r["beside"] > 0
        assert r["ratio"] == min(r["paired"], r["beside"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs a core to keep busy")
def test_busy_cores_spin_beside_one_and_stop(tmp_path: Path) -> None:
    """--busy keeps every core but one busy while the block runs, and stops them after."""
    with ledger.busy_cores(True) as spinners:
        assert len(spinners) == (os.cpu_count() or 1) - 1
        assert all(p.poll() is None for p in spinners)  # running
    assert all(p.poll() is not None for p in spinners)  # stopped and reaped
    with ledger.busy_cores(False) as spinners:
        assert spinners == []
