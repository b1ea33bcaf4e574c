"""RFC 7946 GeoJSON: observations, checkpoints, routes and places as features for GIS tools.

Coordinates are WGS 84 longitude, latitude (RFC 7946 §3.1.1), with no ``crs`` member. An
observation's geometry is its place's point, else its checkpoint's place, else its route as a
LineString through the route's places that have coordinates; none of these gives a null
geometry (allowed by §3.2). Its properties are its flat row
(:mod:`corridor.model.flat`), so the file re-imports to the same observations. A checkpoint is
its place's point with the checkpoint's and the place's fields; a route is a LineString.
Features are written as they come: memory stays constant.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import IO, Any

from corridor.model import Checkpoint, Place, Registry, Route

__all__ = [
    "LAYERS",
    "checkpoint_feature",
    "observation_geometry",
    "place_feature",
    "route_feature",
    "write_features",
]

#: What a GeoJSON export can hold: the observations of a view, or one kind of entity.
LAYERS = ("observations", "checkpoints", "routes", "places")


def _point(place: Place | None) -> dict[str, Any] | None:
    if place is None or place.lat is None or place.lon is None:
        return None
    return {"type": "Point", "coordinates": [place.lon, place.lat]}


def _line(route: Route, registry: Registry) -> dict[str, Any] | None:
    coords = [
        [p.lon, p.lat]
        for pid in route.places
        if (p := registry.places.get(pid)) is not None and p.lat is not None and p.lon is not None
    ]
    return {"type": "LineString", "coordinates": coords} if len(coords) >= 2 else None


def observation_geometry(body: Mapping[str, Any], registry: Registry) -> dict[str, Any] | None:
    """Where an observation is: its place, its checkpoint's place, or its route."""
    if body.get("place") and (g := _point(registry.places.get(body["place"]))):
        return g
    cp = registry.checkpoints.get(body.get("checkpoint") or "")
    if cp is not None and (g := _point(registry.places.get(cp.place))):
        return g
    route = registry.routes.get(body.get("route") or "")
    return _line(route, registry) if route is not None else None


def checkpoint_feature(cp: Checkpoint, registry: Registry) -> dict[str, Any]:
    place = registry.places.get(cp.place)
    props: dict[str, Any] = {"layer": "checkpoint", **cp.model_dump(mode="json", exclude_none=True)}
    if place is not None:
        props["place_names"] = [n.model_dump(mode="json", exclude_none=True) for n in place.names]
        if place.kind:
            props["place_kind"] = place.kind
    return {"type": "Feature", "id": cp.id, "geometry": _point(place), "properties": props}


def route_feature(route: Route, registry: Registry) -> dict[str, Any]:
    props = {"layer": "route", **route.model_dump(mode="json", exclude_none=True)}
    return {"type": "Feature", "id": route.id, "geometry": _line(route, registry),
            "properties": props}  # fmt: skip


def place_feature(place: Place) -> dict[str, Any]:
    props = {"layer": "place", **place.model_dump(mode="json", exclude_none=True)}
    props.pop("lat", None)
    props.pop("lon", None)
    return {"type": "Feature", "id": place.id, "geometry": _point(place), "properties": props}


def write_features(features: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """A FeatureCollection of the features, one per line; return how many."""
    out.write('{"type":"FeatureCollection","features":[')
    n = 0
    for f in features:
        out.write(("\n" if n == 0 else ",\n") + json.dumps(f, ensure_ascii=False,
                                                           separators=(",", ":")))  # fmt: skip
        n += 1
    out.write("\n]}\n" if n else "]}\n")
    return n
