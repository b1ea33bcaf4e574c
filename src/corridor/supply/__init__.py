"""Needs, stocks and scenarios: the supply core. Pure: no files, no SQL, no CLI.

* :mod:`~corridor.supply.rations`: the WFP ration, kcal per commodity, the commodity mapping.
* :mod:`~corridor.supply.scenario`: the scenario format and :func:`load_scenario`.
* :mod:`~corridor.supply.engine`: the contract, its scalar reference and the vectorised engine.
* :mod:`~corridor.supply.montecarlo`: sampling, the batched engine, quantiles, stockout odds.
* :mod:`~corridor.supply.record`: deliveries and population from recorded observations.
* :mod:`~corridor.supply.summary`: results as data and text (:func:`demo_lines`).

The contract and the scenario format are documented in docs/scenarios.md.
"""

from corridor.supply.engine import ScalarSeries, Series, days_of_supply, run, run_scalar
from corridor.supply.montecarlo import (
    FAN_QUANTILES,
    MonteCarloResult,
    Problem,
    SingleResult,
    compile_problem,
    quantile_index,
    run_single,
    simulate,
)
from corridor.supply.rations import (
    KCAL_PER_100G,
    KCAL_TARGET,
    WFP_FULL_RATION,
    CommodityMap,
)
from corridor.supply.record import record_deliveries, record_population
from corridor.supply.scenario import Distribution, Scenario, load_scenario, scenario_from_mapping
from corridor.supply.summary import demo_lines, montecarlo_summary, scenario_info, single_summary

__all__ = [
    "FAN_QUANTILES",
    "KCAL_PER_100G",
    "KCAL_TARGET",
    "WFP_FULL_RATION",
    "CommodityMap",
    "Distribution",
    "MonteCarloResult",
    "Problem",
    "ScalarSeries",
    "Scenario",
    "Series",
    "SingleResult",
    "compile_problem",
    "days_of_supply",
    "demo_lines",
    "load_scenario",
    "montecarlo_summary",
    "quantile_index",
    "record_deliveries",
    "record_population",
    "run",
    "run_scalar",
    "run_single",
    "scenario_from_mapping",
    "scenario_info",
    "simulate",
    "single_summary",
]
