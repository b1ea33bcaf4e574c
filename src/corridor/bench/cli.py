"""``python -m corridor.bench cli [--quick] [--json]``: how long a command takes to start.

Each command is run as a fresh process, as a user runs it, several times in alternation with the
baseline ``python -c "import typer"`` (so that the machine's load falls on both alike); the
figure is each command's median over the baseline's median, measured in the same run:

* ``help``: ``corridor --help``;
* ``keys_list``: ``corridor keys list`` on a small SQLite record (opens the database);
* ``status``: ``corridor status --at ...`` on the built-in case (the record, the situation).

Bar (issue 8): ``help`` and ``keys_list`` ≤ 1.5 × the baseline. The commands run with Python's
bytecode cache on, as for a user (``PYTHONDONTWRITEBYTECODE`` is dropped from their
environment), like the baseline's pip-installed typer.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BAR = 1.5


def _time(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def run(repeats: int) -> dict[str, Any]:
    py = sys.executable
    corridor = [py, "-m", "corridor.cli.app"]
    with tempfile.TemporaryDirectory(prefix="corridor-bench-cli-") as tmp:
        db = str(Path(tmp) / "corridor.db")
        env = {**os.environ, "CORRIDOR_DB": db, "CORRIDOR_KEYS": str(Path(tmp) / "keys")}
        # as installed for a user: Python caches compiled modules (a shell that sets
        # PYTHONDONTWRITEBYTECODE would recompile corridor's sources at every start, while the
        # baseline's typer, installed by pip, comes compiled)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([*corridor, "case", "load", "lachin-2023"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        commands = {
            "baseline": [py, "-c", "import typer"],
            "help": [*corridor, "--help"],
            "keys_list": [*corridor, "keys", "list"],
            "status": [*corridor, "status", "--at", "2023-08-15T12:00+04:00"],
        }
        times: dict[str, list[float]] = {k: [] for k in commands}
        for argv in commands.values():  # warm the file cache
            _time(argv, env)
        for _ in range(repeats):
            for name, argv in commands.items():
                times[name].append(_time(argv, env))
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["baseline"]
    return {
        "repeats": repeats,
        "baseline_s": base,
        "seconds": {k: v for k, v in med.items() if k != "baseline"},
        "ratio_vs_import_typer": {k: v / base for k, v in med.items() if k != "baseline"},
        "bar": BAR,
        "load_average": os.getloadavg()[0],
        "typer": _version("typer"),
    }


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    out = run(5 if quick else 15)
    if "--json" in argv:
        print(json.dumps(out, indent=2))
        return 0
    print(f"start-up, median of {out['repeats']} fresh processes "
          f"(load average {out['load_average']:.1f}, typer {out['typer']})")
    print(f"  baseline  python -c 'import typer'   {out['baseline_s'] * 1000:7.0f} ms")
    for k, s in out["seconds"].items():
        r = out["ratio_vs_import_typer"][k]
        bar = f"  (bar ≤ {BAR})" if k in {"help", "keys_list"} else ""
        print(f"  {k:9} {s * 1000:7.0f} ms  {r:5.2f} × baseline{bar}")
    return 0
