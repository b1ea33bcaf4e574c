"""A SYNTHETIC one-monitor case for the application layer's cache tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.testing import Cli

ONE_MONITOR_CASE = """\
# SYNTHETIC: a made-up monitor at a made-up checkpoint
name: one-monitor
title: One monitor (synthetic)
synthetic: true
organisations:
  - {id: ngo-x, name: "NGO X (synthetic)", kind: monitor}
places:
  - {id: north-gate, names: [North Gate], lat: 31.5, lon: 34.5}
  - {id: south-town, names: [South Town], lat: 31.3, lon: 34.3}
routes:
  - {id: north-road, name: North road, places: [north-gate, south-town]}
checkpoints:
  - {id: north-gate, name: North Gate, place: north-gate, route: north-road}
"""


@pytest.fixture
def one_monitor(cli: Cli) -> Path:
    """The case loaded into ``cli.db``, with a key for ngo-x; returns the key folder."""
    keys = cli.tmp / "keys"
    (cli.tmp / "case.yaml").write_text(ONE_MONITOR_CASE)
    case = str(cli.tmp / "case.yaml")
    assert cli("case", "load", case, "--db", cli.db, "--keys", str(keys))[0] == 0
    assert cli("keys", "new", "ngo-x", "--db", cli.db, "--keys", str(keys))[0] == 0
    return keys
