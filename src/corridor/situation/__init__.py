"""The situation at an instant: pure core (observations and registry in, summary out).

:func:`situation` computes it from observations; the store's adapter
(:func:`corridor.store.situation_inputs.situation_at`) fetches only the observations it needs.
"""

from corridor.situation.core import (
    DEFAULT_INCIDENT_WINDOW,
    DEFAULT_WINDOW,
    FINAL_STATES,
    WAITING_STATES,
    before,
    population_figure,
    population_series,
    situation,
)
from corridor.situation.types import (
    ConvoyWait,
    CrossingTotal,
    PopulationFigure,
    RouteSituation,
    Situation,
)

__all__ = [
    "DEFAULT_INCIDENT_WINDOW",
    "DEFAULT_WINDOW",
    "FINAL_STATES",
    "WAITING_STATES",
    "ConvoyWait",
    "CrossingTotal",
    "PopulationFigure",
    "RouteSituation",
    "Situation",
    "before",
    "population_figure",
    "population_series",
    "situation",
]
