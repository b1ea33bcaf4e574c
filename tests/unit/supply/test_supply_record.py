"""From recorded observations to daily deliveries and a population series."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Any

from corridor.model import Observation, parse_observation
from corridor.supply import record_deliveries, record_population
from corridor.supply.rations import CommodityMap

TZ = timezone(timedelta(hours=4))
START = date(2023, 9, 1)
COMMODITIES = ["cereal", "oil", "salt"]


def obs(kind: str, when: str, body: dict[str, Any]) -> Observation:
    return parse_observation({
        "type": kind,
        "observed": when,
        "reporter": "test",
        "sources": [{"title": "test"}],
        "body": body,
    })


def deliveries(observations: list[Observation], **kw: Any) -> Any:
    return record_deliveries(observations, start=START, days=30, tz=TZ,
                             commodities=COMMODITIES, commodity_map=CommodityMap(), **kw)


class TestRecordDeliveries:
    def test_delivered_convoy_cargo_maps_to_ration_commodities(self) -> None:
        """A delivered convoy's cargo lines count on its local day, mapped and in grams."""
        o = obs("convoy", "2023-09-23T10:00:00+04:00", {
            "convoy": "c1", "state": "delivered", "cargo": [
                {"commodity": "Wheat flour", "tonnes": 66}, {"commodity": "salt", "tonnes": 2.7},
                {"commodity": "yeast", "tonnes": 0.45},
                {"commodity": "sunflower oil", "tonnes": 0.345},
                {"commodity": "humanitarian aid", "tonnes": 5}]})
        d = deliveries([o])
        assert d.grams["cereal"][22] == 66_000_000
        assert d.grams["salt"][22] == 2_700_000
        assert d.grams["oil"][22] == 345_000
        assert d.non_food_tonnes == 0.45
        assert d.unmapped_tonnes == {"humanitarian aid": 5}
        assert sum(d.grams["cereal"]) == 66_000_000

    def test_local_day_decides(self) -> None:
        """An event at 22:00 UTC on the 22nd is on the 23rd in UTC+4."""
        o = obs("convoy", "2023-09-22T22:00:00+00:00", {
            "convoy": "c1", "state": "delivered", "cargo": [{"commodity": "flour", "tonnes": 1}]})
        assert deliveries([o]).grams["cereal"][22] == 1_000_000

    def test_conflicting_reports_of_one_convoy_count_once(self) -> None:
        """Several delivered reports of one convoy are one delivery, by the least tonnage."""
        reports = [
            obs("convoy", "2023-09-05T00:00:00+04:00", {
                "convoy": "c1", "state": "delivered", "cargo": [{"commodity": "flour",
                                                                 "tonnes": t}]})
            for t in (400, 360, 361)
        ]
        d = deliveries(reports)
        assert sum(d.grams["cereal"]) == 360_000_000
        assert d.deliveries == 1
        assert deliveries(reports, conflicting="max").grams["cereal"][4] == 400_000_000

    def test_cargo_crossings_count_unless_their_convoy_delivered(self) -> None:
        """Inbound cargo crossings count; one of a delivered convoy does not count twice."""
        crossing = {"checkpoint": "x", "direction": "inbound", "category": "cargo",
                    "tonnes": 20, "commodity": "flour"}
        a = obs("crossing", "2023-09-02T00:00:00+04:00", crossing)
        b = obs("crossing", "2023-09-03T00:00:00+04:00", {**crossing, "convoy": "c1"})
        c = obs("convoy", "2023-09-03T00:00:00+04:00", {
            "convoy": "c1", "state": "delivered", "cargo": [{"commodity": "flour", "tonnes": 20}]})
        out = obs("crossing", "2023-09-04T00:00:00+04:00", {**crossing, "direction": "outbound"})
        denied = obs("crossing", "2023-09-04T00:00:00+04:00", {**crossing, "outcome": "denied"})
        d = deliveries([a, b, c, out, denied])
        assert d.grams["cereal"][1] == 20_000_000
        assert d.grams["cereal"][2] == 20_000_000
        assert sum(d.grams["cereal"]) == 40_000_000

    def test_outside_the_horizon_is_ignored(self) -> None:
        """Deliveries before the first day or after the last are not counted."""
        before = obs("convoy", "2023-08-31T00:00:00+04:00", {
            "convoy": "a", "state": "delivered", "cargo": [{"commodity": "flour", "tonnes": 1}]})
        after = obs("convoy", "2023-10-01T00:00:00+04:00", {
            "convoy": "b", "state": "delivered", "cargo": [{"commodity": "flour", "tonnes": 1}]})
        assert sum(deliveries([before, after]).grams["cereal"]) == 0

    def test_unspecified_food_splits_over_the_ration(self) -> None:
        """Cargo recorded as 'food' is split over the ration by the given mass shares."""
        o = obs("convoy", "2023-09-02T00:00:00+04:00", {
            "convoy": "a", "state": "delivered", "cargo": [{"commodity": "food", "tonnes": 10}]})
        d = deliveries([o], ration_mix={"cereal": 0.75, "oil": 0.25})
        assert d.grams["cereal"][1] == 7_500_000
        assert d.grams["oil"][1] == 2_500_000


class TestRecordPopulation:
    def test_counts_set_and_departures_reduce(self) -> None:
        """A resident count sets the population; arrivals elsewhere reduce it from the next day,
        taken as a running maximum."""
        items = [
            obs("population", "2023-08-01T00:00:00+04:00",
                {"place": "k", "persons": 1000, "kind": "resident"}),
            obs("population", "2023-09-05T20:00:00+04:00",
                {"place": "a", "origin": "k", "persons": 100, "kind": "cumulative_arrivals"}),
            obs("population", "2023-09-06T10:00:00+04:00",
                {"place": "a", "origin": "k", "persons": 300, "kind": "cumulative_arrivals"}),
            obs("population", "2023-09-07T10:00:00+04:00",
                {"place": "a", "origin": "k", "persons": 250, "kind": "cumulative_arrivals"}),
            obs("population", "2023-09-08T10:00:00+04:00",
                {"place": "k", "persons": 20, "kind": "displaced"}),
        ]
        rp = record_population(items, start=START, days=10, tz=TZ, places=["k"])
        assert rp.series(5000) == [1000] * 5 + [900, 700, 700, 700, 700]

    def test_before_any_count_the_scenario_base_applies(self) -> None:
        """Without a count the scenario's population minus departures since the start applies;
        outbound person crossings count as departures."""
        items = [
            obs("crossing", "2023-09-02T00:00:00+04:00",
                {"checkpoint": "x", "direction": "outbound", "category": "persons", "count": 7}),
            obs("crossing", "2023-09-03T00:00:00+04:00",
                {"checkpoint": "x", "direction": "inbound", "category": "persons", "count": 2}),
            obs("population", "2023-09-04T00:00:00+04:00",
                {"place": "k", "persons": 90, "kind": "resident"}),
        ]
        rp = record_population(items, start=START, days=5, tz=TZ)
        assert rp.series(100) == [100, 100, 93, 90, 90]

    def test_other_places_are_ignored(self) -> None:
        """Counts for places the scenario does not name do not apply."""
        items = [obs("population", "2023-09-01T00:00:00+04:00",
                     {"place": "elsewhere", "persons": 5, "kind": "resident"})]
        rp = record_population(items, start=START, days=2, tz=TZ, places=["k"])
        assert rp.series(100) == [100, 100]
