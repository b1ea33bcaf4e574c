"""Preset ``voyages``: a per-voyage cargo register with departure and inspection dates — the
shape of the Black Sea grain corridor's published voyages (vessel, outbound sequence,
commodity, tonnage, departure, inspection).

Each row gives: an outbound cargo crossing at the corridor's checkpoint on the departure day
(tonnes, commodity, the vessel as the vehicle, the voyage as the convoy); the voyage's convoy
event ``dispatched`` that day; and, when the inspection date is given, ``inspected`` that day.
"""

from __future__ import annotations

from typing import Any

from corridor.ingest.presets import SOURCE_PARAMS, Param, Preset, day, source

__all__ = ["PRESETS"]


def build(p: dict[str, Any]) -> dict[str, Any]:
    src = source(p, "Voyage register")
    convoy = {"column": p["voyage"], "slug": "voyage-"}
    base = {"reporter": p["reporter"], "source": src}
    crossing_cols: dict[str, Any] = {
        "observed": day(p, p["departure"]),
        "tonnes": {"column": p["tonnes"]},
        "convoy": convoy,
    }
    if p.get("vessel"):
        crossing_cols["vehicle"] = {"column": p["vessel"]}
    if p.get("commodity"):
        crossing_cols["commodity"] = {"column": p["commodity"]}
    event = {"convoy": convoy}
    place: dict[str, Any] = {}
    if p.get("port") and p.get("ports"):
        place = {"place": {"column": p["port"], "map": p["ports"]}}
    mappings = [
        {"name": "cargo", "type": "crossing", **base,
         "constants": {"checkpoint": p["checkpoint"], "direction": p["direction"],
                       "category": "cargo"},
         "skip_if_empty": [p["departure"]], "columns": crossing_cols},
        {"name": "departed", "type": "convoy", **base,
         "constants": {"state": "dispatched", "checkpoint": p["checkpoint"]},
         "skip_if_empty": [p["departure"]],
         "columns": {"observed": day(p, p["departure"]), **event, **place}},
    ]  # fmt: skip
    if p.get("inspection"):
        mappings.append({
            "name": "inspected", "type": "convoy", **base,
            "constants": {"state": "inspected", "checkpoint": p["checkpoint"]},
            "skip_if_empty": [p["inspection"]],
            "columns": {"observed": day(p, p["inspection"]), **event},
        })  # fmt: skip
    return {"mappings": mappings}


PRESETS = {
    "voyages": Preset(
        "voyages",
        "per-voyage cargo register: vessel, voyage, commodity, tonnes, departure, inspection",
        (
            Param("reporter", "the organisation reporting the voyages", required=True),
            Param("checkpoint", "the corridor's checkpoint the voyages pass", required=True),
            Param("voyage", "the column with each voyage's id", default="Outbound Sequence"),
            Param("vessel", "the column naming the vessel", default="Vessel name"),
            Param("commodity", "the column naming the cargo", default="Commodity"),
            Param("tonnes", "the column of tonnes", default="Tonnage"),
            Param("departure", "the column of the departure day", default="Departure"),
            Param("inspection", "the column of the inspection day (may be empty)"),
            Param("port", "the column naming the port of departure"),
            Param("ports", "a map from port names to place ids"),
            Param("direction", "the direction of the cargo", default="outbound"),
            Param("date_format", "the days' strptime format (default ISO 8601)"),
            Param("tz", "the time zone the days are in", default="UTC"),
            *SOURCE_PARAMS,
        ),
        build,
    )
}
