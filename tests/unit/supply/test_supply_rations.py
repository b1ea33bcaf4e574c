"""The WFP ration, the kcal table and the commodity mapping."""

from __future__ import annotations

import pytest

from corridor.supply.rations import (
    KCAL_PER_100G,
    NON_FOOD,
    WFP_FULL_RATION,
    CommodityMap,
    MapEntry,
    ration_kcal,
)


class TestRation:
    def test_wfp_full_ration_is_555_g_and_about_2100_kcal(self) -> None:
        """The WFP full ration weighs 555 g and gives about 2,100 kcal with the kcal table."""
        assert sum(WFP_FULL_RATION.values()) == 555
        assert ration_kcal(WFP_FULL_RATION, KCAL_PER_100G) == pytest.approx(2072.25)


class TestCommodityMap:
    @pytest.mark.parametrize(
        ("name", "target"),
        [("flour", "cereal"), ("Wheat  Flour", "cereal"), ("bread", "cereal"),
         ("salt", "salt"), ("sunflower oil", "oil"), ("yeast", NON_FOOD),
         ("medical", NON_FOOD), ("hygiene", NON_FOOD)],
    )
    def test_recorded_names_map(self, name: str, target: str) -> None:
        """Recorded commodity names map to ration commodities or to non-food."""
        entry = CommodityMap().resolve(name)
        assert entry is not None
        assert entry.target == target

    def test_overrides_win_and_unknown_names_are_none(self) -> None:
        """A scenario's override replaces the default; an unknown name resolves to None."""
        m = CommodityMap.with_overrides({"Yeast": MapEntry("cereal", 0.5)})
        assert m.resolve("yeast") == MapEntry("cereal", 0.5)
        assert m.resolve("humanitarian aid") is None
        assert m.resolve(None) is None
