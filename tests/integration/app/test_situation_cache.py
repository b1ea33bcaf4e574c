"""The situation's JSON is kept per record state in the process (app.situation.at_json): a
repeated question is answered from memory; an entry appended by another process, a registry
edited in place, another instant or offset, or ``as_of`` are asked afresh (SYNTHETIC
one-monitor case)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from corridor.app import Corridor, shapes
from corridor.app.settings import Settings
from corridor.model import Route
from corridor.testing import Cli

AT = datetime(2024, 1, 6, tzinfo=UTC)


def _record_elsewhere(db: str, keys: Path, count: int, hour: int = 8) -> None:
    """A crossing appended by another process (the CLI, in a process of its own)."""
    subprocess.run(
        [sys.executable, "-m", "corridor.cli.app", "record", "crossing", "--reporter", "ngo-x",
         "--observed", f"2024-01-05T{hour:02d}:00:00Z",
         "--end", f"2024-01-05T{hour + 1:02d}:00:00Z",
         "--checkpoint", "north-gate", "--direction", "inbound", "--category", "vehicles",
         "--count", str(count), "--source", "synthetic test", "--db", db, "--keys", str(keys)],
        check=True, capture_output=True,
    )  # fmt: skip


def _counts(body: bytes) -> list[Any]:
    return [c["count"] for c in json.loads(body)["crossings_last_7_days"]]


@pytest.fixture
def record(cli: Cli, one_monitor: Path) -> tuple[str, Path]:
    _record_elsewhere(cli.db, one_monitor, 3)
    return cli.db, one_monitor


def test_a_repeated_question_is_answered_from_memory(record: tuple[str, Path]) -> None:
    """The same instant twice is the same bytes, the JSON GET /v1/situation always answered."""
    db, keys = record
    with Corridor(Settings.load(db, keys)) as app:
        first = app.situation.at_json(AT)
        assert app.situation.at_json(AT) is first
        doc = shapes.situation(app.situation.at(AT)[0])
        assert json.loads(first) == doc
        assert first == json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def test_an_entry_appended_by_another_process_is_seen(record: tuple[str, Path]) -> None:
    """The application stays open while another process appends: the next answer has it."""
    db, keys = record
    with Corridor(Settings.load(db, keys)) as app:
        before = app.situation.at_json(AT)
        assert _counts(before) == [3]
        _record_elsewhere(db, keys, 4, hour=10)
        after = app.situation.at_json(AT)
        assert after is not before and _counts(after) == [7]
        assert json.loads(after) == shapes.situation(app.situation.at(AT)[0])


def test_a_registry_edited_in_place_is_seen(record: tuple[str, Path]) -> None:
    """A route added to the registry (no entry appended: the tree size is the same) is in the
    next answer."""
    db, keys = record
    with Corridor(Settings.load(db, keys)) as app:
        before = app.situation.at_json(AT)
        app.registry.put(Route(id="south-road", name="South road",
                               places=["south-town", "north-gate"]))  # fmt: skip
        after = app.situation.at_json(AT)
        routes = [r["route"] for r in json.loads(after)["routes"]]
        assert "south-road" in routes
        assert "south-road" not in [r["route"] for r in json.loads(before)["routes"]]


def test_other_instants_offsets_and_as_of_are_their_own(record: tuple[str, Path]) -> None:
    db, keys = record
    _record_elsewhere(db, keys, 5, hour=12)
    with Corridor(Settings.load(db, keys)) as app:
        utc = app.situation.at_json(AT)
        plus2 = app.situation.at_json(AT.astimezone(timezone(timedelta(hours=2))))
        assert json.loads(utc)["at"] == "2024-01-06T00:00:00+00:00"
        assert json.loads(plus2)["at"] == "2024-01-06T02:00:00+02:00"
        earlier = AT - timedelta(hours=14)
        assert app.situation.at_json(earlier) != utc
        assert json.loads(app.situation.at_json(earlier)) == shapes.situation(
            app.situation.at(earlier)[0]
        )
        sizes = sorted({c[0] for c in app.log.checkpoints()})
        assert len(sizes) >= 2
        first = app.situation.at_json(AT, as_of=sizes[0])
        assert _counts(utc) == [8] and _counts(first) != [8]
        assert json.loads(first) == shapes.situation(app.situation.at(AT, as_of=sizes[0])[0])
