"""corridor: open, verifiable monitoring of contested humanitarian corridors and checkpoints."""

from corridor.errors import CorridorError, InputError, NotFoundError, RecordError, VerificationError
from corridor.model import Observation, parse_observation

__version__ = "0.1.0"

__all__ = [
    "CorridorError",
    "InputError",
    "NotFoundError",
    "Observation",
    "RecordError",
    "VerificationError",
    "__version__",
    "parse_observation",
]
