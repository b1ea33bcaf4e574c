"""Preset ``crossings-geojson``: a GeoJSON layer of crossing points with their status (e.g. a
border-crossing layer with operational / closed), into places, checkpoints and route status.

Each Point feature gives a place (its id from the ``id`` property, or its name made an id; its
coordinates; kind ``crossing``), a checkpoint at that place on the given route, and, when the
status property is set, a ``route_status`` of that route at that place as of the layer's date
(the model keeps status on routes, not on checkpoints: a closed crossing is its route closed
there). Re-importing an updated layer updates the places and checkpoints it changed (the
record's entities are configuration, not log entries) and records each new status.
"""

from __future__ import annotations

from typing import Any

from corridor.ingest.presets import SOURCE_PARAMS, Param, Preset, source

__all__ = ["PRESETS", "STATUSES"]

#: Status words of public crossing layers -> route status.
STATUSES: dict[str, str] = {
    "open": "open", "operational": "open", "functional": "open", "active": "open",
    "partially open": "restricted", "partially operational": "restricted",
    "restricted": "restricted", "limited": "restricted",
    "closed": "closed", "not operational": "closed", "non-operational": "closed",
    "inactive": "closed", "suspended": "closed",
}  # fmt: skip


def build(p: dict[str, Any]) -> dict[str, Any]:
    ident: dict[str, Any] = (
        {"column": p["id"], "slug": True} if p.get("id") else {"column": p["name"], "slug": True}
    )
    route: dict[str, Any] = (
        {"route": {"column": p["route_property"], "slug": True}}
        if p.get("route_property")
        else {}
    )
    route_const = {"route": p["route"]} if p.get("route") else {}
    mappings: list[dict[str, Any]] = [
        {"name": "place", "type": "place", "on_existing": "update",
         "constants": {"kind": "crossing"},
         "columns": {"id": ident, "name": {"column": p["name"]},
                     "lat": {"column": "_lat"}, "lon": {"column": "_lon"}}},
        {"name": "checkpoint", "type": "checkpoint", "on_existing": "update",
         "constants": route_const,
         "columns": {"id": ident, "name": {"column": p["name"]}, "place": ident, **route}},
    ]  # fmt: skip
    if p.get("status"):
        constants: dict[str, Any] = dict(route_const)
        columns: dict[str, Any] = {
            "place": ident,
            "status": {"column": p["status"], "map": {**STATUSES, **(p.get("statuses") or {})}},
            **route,
        }
        if p.get("date"):
            columns["observed"] = {"column": p["date"], "tz": p["tz"], "period": "day"}
        elif p.get("as_of"):
            constants["observed"] = p["as_of"]
        mappings.append({
            "name": "status", "type": "route_status", "reporter": p.get("reporter"),
            "source": source(p, "Crossing status layer"),
            "skip_if_empty": [p["status"]], "constants": constants, "columns": columns,
        })  # fmt: skip
    return {"mappings": mappings}


PRESETS = {
    "crossings-geojson": Preset(
        "crossings-geojson",
        "a GeoJSON layer of crossings with status: places, checkpoints, route status",
        (
            Param("route", "the route the crossings are on (or route_property)"),
            Param("route_property", "the property naming each crossing's route"),
            Param("name", "the property holding the crossing's name", default="name"),
            Param("id", "the property holding its id (default: the name made an id)"),
            Param("status", "the property holding its status", default="status"),
            Param("statuses", "status word -> open, restricted or closed, over the built-in"),
            Param("as_of", "when the statuses hold (ISO 8601 with offset), for the whole layer"),
            Param("date", "else the property holding each feature's date"),
            Param("tz", "the time zone of that date", default="UTC"),
            Param("reporter", "the organisation reporting the statuses"),
            *SOURCE_PARAMS,
        ),
        build,
    )
}
