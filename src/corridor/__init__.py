"""corridor: open, verifiable monitoring of contested humanitarian corridors and checkpoints.

The application (``corridor.app.Corridor``) opens a record over a database and a key folder;
the pure core is importable without one: the observation model (``corridor.model``), the
transparency log (``corridor.ledger``), commitments (``corridor.rules``) and supplies
(``corridor.supply``). The names below are the most used of them, imported on first use so that
``import corridor`` (and the CLI's start-up) stays fast.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from corridor.app import Corridor
    from corridor.errors import (
        CorridorError,
        InputError,
        NotFoundError,
        RecordError,
        TamperError,
        VerificationError,
    )
    from corridor.ledger.merkle import verify_consistency, verify_inclusion
    from corridor.model import Observation, Registry, parse_observation

__version__ = "0.1.0"

_WHERE = {
    "Corridor": "corridor.app",
    "CorridorError": "corridor.errors",
    "InputError": "corridor.errors",
    "NotFoundError": "corridor.errors",
    "RecordError": "corridor.errors",
    "TamperError": "corridor.errors",
    "VerificationError": "corridor.errors",
    "verify_consistency": "corridor.ledger.merkle",
    "verify_inclusion": "corridor.ledger.merkle",
    "Observation": "corridor.model",
    "Registry": "corridor.model",
    "parse_observation": "corridor.model",
}

__all__ = [
    "Corridor",
    "CorridorError",
    "InputError",
    "NotFoundError",
    "Observation",
    "RecordError",
    "Registry",
    "TamperError",
    "VerificationError",
    "__version__",
    "parse_observation",
    "verify_consistency",
    "verify_inclusion",
]


def __getattr__(name: str) -> _typing.Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'corridor' has no attribute {name!r}")
    value = getattr(_importlib.import_module(where), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
