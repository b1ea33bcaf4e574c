"""Preset ``daily-counts``: one row per day (and crossing), with trucks (or persons) in and
out — the shape of the daily truck counts published per crossing."""

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
    mappings = []
    sides = [("inbound", p.get("inbound"), p.get("inbound_tonnes")),
             ("outbound", p.get("outbound"), p.get("outbound_tonnes"))]  # fmt: skip
    if p.get("count"):
        sides = [(p.get("direction", "inbound"), p["count"], p.get("tonnes"))]
    for direction, count, tonnes in sides:
        if not count and not tonnes:
            continue
        cols: dict[str, Any] = {"observed": day(p, p["date"]), **columns}
        if count:
            cols["count"] = {"column": count}
        if tonnes:
            cols["tonnes"] = {"column": tonnes}
        if p.get("commodity"):
            cols["commodity"] = {"column": p["commodity"]}
        mappings.append({
            "name": direction,
            "type": "crossing",
            "reporter": p["reporter"],
            "source": source(p, "Daily crossing counts"),
            "constants": {**constants, "direction": direction, "category": p["category"]},
            "skip_if_empty": [c for c in (count, tonnes) if c][:1],
            "columns": cols,
        })  # fmt: skip
    return {"mappings": mappings}


PRESETS = {
    "daily-counts": Preset(
        "daily-counts",
        "daily counts per crossing: a date, counts in and out",
        (
            Param("reporter", "the organisation reporting the counts", required=True),
            Param("date", "the column holding the day", default="date"),
            Param("date_format", "its strptime format, e.g. %d/%m/%Y (default ISO 8601)"),
            Param("tz", "the time zone the days are in", default="UTC"),
            *CHECKPOINT_PARAMS,
            Param("inbound", "the column of inbound counts"),
            Param("outbound", "the column of outbound counts"),
            Param("inbound_tonnes", "the column of inbound tonnes"),
            Param("outbound_tonnes", "the column of outbound tonnes"),
            Param("count", "instead: one count column, in one direction"),
            Param("tonnes", "with count: its tonnes column"),
            Param("direction", "with count: inbound or outbound", default="inbound"),
            Param("category", "what is counted: vehicles, persons or cargo", default="vehicles"),
            Param("commodity", "a column naming the commodity"),
            *SOURCE_PARAMS,
        ),
        build,
    )
}
