"""Clip Natural Earth country boundaries (GeoJSON) to a box, for the dashboard's base map.

Run by tools/vendor-web.sh at build time (needs shapely, in the test extras); never at run time.

    python tools/clip_boundaries.py countries.geojson out.geojson --bbox 44 38.5 48 41
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from shapely.geometry import box, mapping, shape


def _round(coords: Any, digits: int) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), digits)
    return [_round(c, digits) for c in coords]


def clip(features: list[dict[str, Any]], bbox: tuple[float, float, float, float]) -> dict[str, Any]:
    """The features that meet ``bbox``, cut to it, with their names kept and coordinates rounded."""
    frame = box(*bbox)
    kept = []
    for feature in features:
        if not feature.get("geometry"):
            continue
        cut = shape(feature["geometry"]).intersection(frame)
        if cut.is_empty:
            continue
        geometry = mapping(cut.simplify(0.002, preserve_topology=True))
        geometry = {"type": geometry["type"], "coordinates": _round(geometry["coordinates"], 4)}
        name = (feature.get("properties") or {}).get("name", "")
        kept.append({"type": "Feature", "properties": {"name": name}, "geometry": geometry})
    return {
        "type": "FeatureCollection",
        "bbox": list(bbox),
        "source": "Natural Earth 1:10m admin-0 countries (public domain) via world-atlas 2.0.2 "
        "(ISC); clipped to the box by tools/clip_boundaries.py",
        "features": kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--bbox", type=float, nargs=4, required=True, metavar=("W", "S", "E", "N"))
    args = parser.parse_args()
    collection = json.loads(args.source.read_text(encoding="utf-8"))
    out = clip(collection["features"], tuple(args.bbox))
    args.target.parent.mkdir(parents=True, exist_ok=True)
    args.target.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n",
                           encoding="utf-8")
    print(f"{args.target}: {len(out['features'])} features, {args.target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
