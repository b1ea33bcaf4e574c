"""Deprecated location of the situation core: use :mod:`corridor.situation` (kept importable
until the CLI is rewired)."""

from corridor.situation import (
    FINAL_STATES,
    WAITING_STATES,
    ConvoyWait,
    CrossingTotal,
    RouteSituation,
    Situation,
    situation,
)

__all__ = [
    "FINAL_STATES",
    "WAITING_STATES",
    "ConvoyWait",
    "CrossingTotal",
    "RouteSituation",
    "Situation",
    "situation",
]
