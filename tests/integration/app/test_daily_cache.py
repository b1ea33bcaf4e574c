"""Crossings per day are kept per tree size in the process: a repeated question is answered
from memory, and a record that grew is asked afresh (SYNTHETIC one-monitor case)."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

from corridor.app import Corridor
from corridor.app.settings import Settings
from corridor.testing import Cli


def _record(cli: Cli, count: int) -> None:
    code, _out, err = cli(
        "record", "crossing", "--reporter", "ngo-x", "--observed", "2024-01-05T08:00:00Z",
        "--end", "2024-01-05T09:00:00Z", "--checkpoint", "north-gate", "--direction", "inbound",
        "--category", "vehicles", "--count", str(count), "--source", "synthetic test",
        "--db", cli.db, "--keys", str(cli.tmp / "keys"),
    )
    assert code == 0, err


def _day(app: Corridor) -> tuple[int | None, int | None]:
    d = app.situation.daily(date(2024, 1, 5), date(2024, 1, 6), UTC)
    cell = d.series[0].days[0]
    return cell.low, cell.high


def test_the_cache_answers_per_tree_size(cli: Cli, one_monitor: Path) -> None:
    """The same window twice is the same answer object; after another report of the same hour
    it is recomputed: the two figures stand side by side."""
    keys = str(one_monitor)
    _record(cli, 3)
    with Corridor(Settings.load(cli.db, keys)) as app:
        first = app.situation.daily(date(2024, 1, 5), date(2024, 1, 6), UTC)
        assert app.situation.daily(date(2024, 1, 5), date(2024, 1, 6), UTC) is first
        assert _day(app) == (3, 3)
    _record(cli, 4)
    with Corridor(Settings.load(cli.db, keys)) as app:
        assert _day(app) == (3, 4)
