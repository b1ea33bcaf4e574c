"""Preset ``consignments``: a per-consignment pipeline with stages — offloaded at the
crossing, collected, intercepted (the shape of the Gaza aid-pipeline data: one row per
consignment with the date of each stage it reached).

Each row gives: an inbound cargo crossing at the crossing on the day it was offloaded (tonnes,
commodity, the consignment as the convoy), and the consignment's convoy event ``waiting``
that day (offloaded, awaiting collection); ``delivered`` on the day it was collected; and an
``interference`` incident on the day it was intercepted. A stage with no date is passed over.
"""

from __future__ import annotations

from typing import Any

from corridor.ingest.presets import (
    CHECKPOINT_PARAMS,
    SOURCE_PARAMS,
    Param,
    Preset,
    checkpoint_spec,
    day,
    source,
)

__all__ = ["PRESETS"]


def build(p: dict[str, Any]) -> dict[str, Any]:
    constants, columns = checkpoint_spec(p)
    base = {"reporter": p["reporter"], "source": source(p, "Consignment pipeline")}
    convoy = {"convoy": {"column": p["id"]}}
    cargo: dict[str, Any] = {}
    if p.get("tonnes"):
        cargo["tonnes"] = {"column": p["tonnes"]}
    if p.get("count"):
        cargo["count"] = {"column": p["count"]}
    if p.get("commodity"):
        cargo["commodity"] = {"column": p["commodity"]}
    mappings: list[dict[str, Any]] = [
        {"name": "offloaded", "type": "crossing", **base,
         "constants": {**constants, "direction": "inbound", "category": "cargo"},
         "skip_if_empty": [p["offloaded"]],
         "columns": {"observed": day(p, p["offloaded"]), **columns, **convoy, **cargo}},
        {"name": "waiting", "type": "convoy", **base,
         "constants": {**constants, "state": "waiting"},
         "skip_if_empty": [p["offloaded"]],
         "columns": {"observed": day(p, p["offloaded"]), **columns, **convoy}},
    ]  # fmt: skip
    if p.get("collected"):
        mappings.append({"name": "collected", "type": "convoy", **base,
                         "constants": {**constants, "state": "delivered"},
                         "skip_if_empty": [p["collected"]],
                         "columns": {"observed": day(p, p["collected"]), **columns,
                                     **convoy}})  # fmt: skip
    if p.get("intercepted"):
        mappings.append({"name": "intercepted", "type": "incident", **base,
                         "constants": {**constants, "category": "interference"},
                         "skip_if_empty": [p["intercepted"]],
                         "columns": {"observed": day(p, p["intercepted"]), **columns,
                                     "text": {"column": p["id"]}}})  # fmt: skip
    return {"mappings": mappings}


PRESETS = {
    "consignments": Preset(
        "consignments",
        "per-consignment pipeline: offloaded at the crossing, collected, intercepted",
        (
            Param("reporter", "the organisation reporting the pipeline", required=True),
            Param("id", "the column with each consignment's id", default="consignment"),
            *CHECKPOINT_PARAMS,
            Param("offloaded", "the column of the day it was offloaded", default="offloaded"),
            Param("collected", "the column of the day it was collected", default="collected"),
            Param("intercepted", "the column of the day it was intercepted",
                  default="intercepted"),
            Param("tonnes", "the column of tonnes"),
            Param("count", "the column of units (pallets, trucks)"),
            Param("commodity", "the column naming the commodity"),
            Param("date_format", "the days' strptime format (default ISO 8601)"),
            Param("tz", "the time zone the days are in", default="UTC"),
            *SOURCE_PARAMS,
        ),
        build,
    )
}
