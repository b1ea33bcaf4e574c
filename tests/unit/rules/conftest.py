"""Fixtures for the rule tests (builders live in rulekit.py)."""

from __future__ import annotations

import pytest
from rulekit import make_registry

from corridor.model import Registry


@pytest.fixture
def registry() -> Registry:
    """Organisations, places, routes and checkpoints named like the Lachin case's."""
    return make_registry()
