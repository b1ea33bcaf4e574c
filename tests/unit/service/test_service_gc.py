"""The service's worker tunes Python's garbage collector for its reads (service/app.py)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_a_worker_freezes_what_it_loaded_and_collects_less_often() -> None:
    """After the tuning, start-up objects are frozen out of collections and young collections
    wait for GC_THRESHOLD allocations (checked in a process of its own, like a worker)."""
    code = (
        "import gc, json\n"
        "from corridor.service.app import GC_THRESHOLD, _tune_gc\n"
        "before = gc.get_freeze_count()\n"
        "_tune_gc()\n"
        "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold(), GC_THRESHOLD]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, threshold, wanted = json.loads(out.stdout)
    assert before == 0 and after > 0
    assert threshold == wanted and wanted[0] > 700
