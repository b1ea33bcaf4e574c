"""Dispatch ``python -m corridor.bench NAME ...`` to ``corridor.bench.NAME.main(argv)``."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "cli": "start-up of commands as fresh processes, against python -c 'import typer'",
    "dashboard": "the dashboard's time to interactive in Chromium at 100k observations",
    "ledger": "durable ingest, inclusion proofs and offline verification of the log",
    "rules": "commitment evaluation, batch and online, side by side with reelay",
    "readers": "a 50,000-row XLSX through python-calamine vs openpyxl; CSV rows/s",
    "supply": "Monte Carlo stock-and-flow runs against one vectorised pass",
    "scale": "status, list, show, rules and supply reads at 10k-1M observations vs sqlite3",
    "service": "concurrent reporters against corridor serve on PostgreSQL vs in-process ingest",
    "service-reads": "corridor serve: a page of 100 and the situation, max rate, p99 at half",
    "yaml": "the largest built-in case file: the old pure-Python loader against corridor.source",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"} or args[0] not in BENCHMARKS:
        print("usage: python -m corridor.bench NAME [--quick] [--json] (scale: [--sizes N,N])\n")
        for name, what in BENCHMARKS.items():
            print(f"  {name:13} {what}")
        return 0 if args and args[0] in {"-h", "--help"} else 1
    module = importlib.import_module(f"corridor.bench.{args[0].replace('-', '_')}")
    return int(module.main(args[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
