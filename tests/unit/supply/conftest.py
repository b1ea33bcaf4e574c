"""Fixtures for the supply tests: scenario texts and builders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

SIMPLE = """\
name: simple
from: 2024-01-01
to: 2024-04-01
population: 1000
ration: {cereal: 400}            # grams per person per day
stocks: {cereal: 10}             # tonnes on the first day
inflows:
  - {commodity: cereal, tonnes_per_day: 0.2}
"""


@pytest.fixture
def simple_text() -> str:
    return SIMPLE


def _base_mapping(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "t",
        "from": "2024-01-01",
        "to": "2024-02-01",
        "population": 100,
        "ration": {"cereal": 400},
        "stocks": {"cereal": 1},
    }
    data.update(extra)
    return data


@pytest.fixture
def base_mapping() -> Callable[..., dict[str, Any]]:
    """Builder of a small valid scenario mapping, with fields overridden by keyword."""
    return _base_mapping
