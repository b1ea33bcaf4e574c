"""The application layer: the use cases every face calls (see :mod:`corridor.app.corridor`)."""

from corridor.app.corridor import Corridor
from corridor.app.settings import Settings

__all__ = ["Corridor", "Settings"]
