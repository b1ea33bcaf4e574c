"""corridor: open, verifiable monitoring of contested humanitarian corridors and checkpoints.

The pure core is importable without a database: the observation model (``corridor.model``),
the transparency log (``corridor.ledger``), commitments (``corridor.rules``) and supplies
(``corridor.supply``). The names below are the most used of them.
"""

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

__all__ = [
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
