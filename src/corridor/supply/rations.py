"""Rations, energy values and the table that maps recorded cargo to ration commodities.

Sources:

* WFP full ration per person per day (wfp.org/nutrition/wfp-foodbasket, see the case's FACTS.md,
  "Planning conventions"): cereal 400 g, pulses 60 g, fortified oil 25 g, fortified blended food
  50 g, sugar 15 g, iodized salt 5 g; total 555 g, about 2,100 kcal.
* Sphere: 2,100 kcal per person per day.
* Energy per 100 g: standard values as used in WFP/UNHCR NutVal (the planning spreadsheet for
  food rations) and the FAO/INFOODS food composition tables, rounded: cereal (wheat flour, maize
  meal, rice) ~350 kcal, pulses ~335 kcal, vegetable oil ~885 kcal, fortified blended food (e.g.
  corn-soya blend) ~380 kcal, sugar ~400 kcal, salt 0 kcal. With these values the WFP full ration
  gives 2,072 kcal, i.e. 98.7% of the 2,100 kcal planning figure.

The mapping from recorded commodity names ("wheat flour", "sunflower oil", ...) to ration
commodities is configurable: :class:`CommodityMap` starts from :data:`DEFAULT_COMMODITY_MAP` and a
scenario may add or override entries. A recorded name maps either to a ration commodity with a
factor (tonnes of ration commodity per recorded tonne) or to non-food.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "DEFAULT_COMMODITY_MAP",
    "KCAL_PER_100G",
    "KCAL_TARGET",
    "NON_FOOD",
    "RATION_MIX",
    "WFP_FULL_RATION",
    "CommodityMap",
    "MapEntry",
    "normalise_name",
    "ration_kcal",
]

#: Planning figure for energy per person per day (Sphere).
KCAL_TARGET = 2100

#: WFP full ration, grams per person per day, in the order reports use.
WFP_FULL_RATION: Mapping[str, int] = MappingProxyType(
    {
        "cereal": 400,
        "pulses": 60,
        "oil": 25,
        "blended_food": 50,
        "sugar": 15,
        "salt": 5,
    }
)

#: kcal per 100 g (WFP/UNHCR NutVal standard values, rounded; see the module docstring).
KCAL_PER_100G: Mapping[str, float] = MappingProxyType(
    {
        "cereal": 350.0,
        "pulses": 335.0,
        "oil": 885.0,
        "blended_food": 380.0,
        "sugar": 400.0,
        "salt": 0.0,
    }
)

#: The target a recorded commodity maps to when it is not food in the ration's sense.
NON_FOOD = "non-food"
#: The target of unspecified food ("food"): split over the ration's commodities by their mass.
RATION_MIX = "ration-mix"

_SPACES = re.compile(r"[\s_\-]+")


def normalise_name(name: str) -> str:
    """Lower-case, trim and collapse spaces, underscores and hyphens to one space."""
    return _SPACES.sub(" ", name.strip().lower()).strip()


@dataclass(frozen=True)
class MapEntry:
    """Where one recorded commodity goes: a ration commodity (times ``factor``) or non-food."""

    target: str
    factor: float = 1.0

    @property
    def is_food(self) -> bool:
        return self.target != NON_FOOD


#: Recorded commodity name (normalised) -> ration commodity. Bread counts as 0.75 t of cereal per
#: tonne (flour is roughly three quarters of bread's mass; an approximation, not a fact). Yeast is
#: a baking input, not a ration commodity, so it is non-food here. Unspecified "food" is split over
#: the ration by mass (an approximation). "Humanitarian aid" and "food and medicine" are not in the
#: table: their food share is unknown, so they are reported as unmapped, not counted.
DEFAULT_COMMODITY_MAP: Mapping[str, MapEntry] = MappingProxyType(
    {
        "cereal": MapEntry("cereal"),
        "cereals": MapEntry("cereal"),
        "flour": MapEntry("cereal"),
        "wheat flour": MapEntry("cereal"),
        "wheat": MapEntry("cereal"),
        "grain": MapEntry("cereal"),
        "rice": MapEntry("cereal"),
        "pasta": MapEntry("cereal"),
        "buckwheat": MapEntry("cereal"),
        "bread": MapEntry("cereal", 0.75),
        "pulses": MapEntry("pulses"),
        "beans": MapEntry("pulses"),
        "lentils": MapEntry("pulses"),
        "peas": MapEntry("pulses"),
        "chickpeas": MapEntry("pulses"),
        "oil": MapEntry("oil"),
        "vegetable oil": MapEntry("oil"),
        "sunflower oil": MapEntry("oil"),
        "fortified oil": MapEntry("oil"),
        "blended food": MapEntry("blended_food"),
        "fortified blended food": MapEntry("blended_food"),
        "csb": MapEntry("blended_food"),
        "corn soya blend": MapEntry("blended_food"),
        "sugar": MapEntry("sugar"),
        "salt": MapEntry("salt"),
        "iodized salt": MapEntry("salt"),
        "iodised salt": MapEntry("salt"),
        "food": MapEntry(RATION_MIX),
        "food aid": MapEntry(RATION_MIX),
        "food parcels": MapEntry(RATION_MIX),
        "yeast": MapEntry(NON_FOOD),
        "medical": MapEntry(NON_FOOD),
        "medicine": MapEntry(NON_FOOD),
        "medicines": MapEntry(NON_FOOD),
        "medical supplies": MapEntry(NON_FOOD),
        "hygiene": MapEntry(NON_FOOD),
        "hygiene items": MapEntry(NON_FOOD),
        "fuel": MapEntry(NON_FOOD),
        "baby food": MapEntry(NON_FOOD),
    }
)


@dataclass(frozen=True)
class CommodityMap:
    """The default mapping plus overrides; looks names up after :func:`normalise_name`."""

    overrides: Mapping[str, MapEntry] = field(default_factory=dict)

    def resolve(self, name: str | None) -> MapEntry | None:
        """The entry for a recorded commodity name, or None when the name is not in the table."""
        if name is None:
            return None
        key = normalise_name(name)
        for table in (self.overrides, DEFAULT_COMMODITY_MAP):
            entry = table.get(key)
            if entry is not None:
                return entry
        return None

    @classmethod
    def with_overrides(cls, items: Mapping[str, MapEntry]) -> CommodityMap:
        return cls({normalise_name(k): v for k, v in items.items()})


def ration_kcal(ration: Mapping[str, float], kcal_per_100g: Mapping[str, float]) -> float:
    """kcal per person per day provided by a ration (grams per person per day)."""
    return sum(grams * kcal_per_100g[c] / 100.0 for c, grams in ration.items())


def missing_kcal(commodities: Iterable[str], kcal_per_100g: Mapping[str, float]) -> list[str]:
    """The commodities that have no kcal value in the table."""
    return [c for c in commodities if c not in kcal_per_100g]
