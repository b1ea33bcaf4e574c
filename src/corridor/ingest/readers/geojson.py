"""GeoJSON (RFC 7946): a FeatureCollection (or one Feature) read as a table, one row per
feature, numbered from 1 in the file's order.

The columns are the features' property names (in the order they first appear), then
``_id`` (the feature's ``id``), ``_geometry`` (its type: Point, LineString ...), ``_lon`` and
``_lat`` (a Point's coordinates; RFC 7946 orders them longitude, latitude). A property holding a
list stays a list (a mapping's list fields take it as it is); an object becomes JSON text.
A feature that is not an object, or whose Point has no numeric coordinates, is an unreadable
row: quarantined with the reason, and reading goes on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.errors import InputError
from corridor.ingest.readers import Opened, Options, Records, UnreadableRow

__all__ = ["GEOJSON", "GEOMETRY_COLUMNS", "read_geojson"]

GEOMETRY_COLUMNS = ("_id", "_geometry", "_lon", "_lat")


@dataclass(frozen=True)
class _GeoJson:
    kind: str = "geojson"
    has_sheets: bool = False

    def claims(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() == ".geojson":
            return True
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and b'"Feature' in head

    def open(self, path: Path, options: Options) -> Opened:
        features = read_geojson(path)
        columns: dict[str, None] = {}
        for f in features:
            props = f.get("properties") if isinstance(f, dict) else None
            if isinstance(props, dict):
                columns.update(dict.fromkeys(str(k) for k in props))
        header = tuple(c for c in columns if c not in GEOMETRY_COLUMNS) + GEOMETRY_COLUMNS

        def records() -> Records:
            return _records(features, header)

        return Opened(records, estimated_rows=len(features), header=header, header_row=0)


GEOJSON = _GeoJson()


def read_geojson(path: Path) -> list[Any]:
    """The features of a GeoJSON file (a FeatureCollection's, or a single Feature)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (RFC 7946 §11): {exc.reason}", where=path.name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", where=str(path)) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", where=path.name
        ) from None
    except RecursionError:
        raise InputError("not JSON: nested too deeply", where=path.name) from None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise InputError("a FeatureCollection without a 'features' list", where=path.name)
        return features
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        return [doc]
    raise InputError(
        "not GeoJSON: expected a FeatureCollection or a Feature (RFC 7946)", where=path.name
    )


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _value(v: Any) -> Any:
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def _records(features: Sequence[Any], header: Sequence[str]) -> Iterator[tuple[int, Any]]:
    for number, f in enumerate(features, start=1):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            yield number, UnreadableRow(f"feature {number} is not a GeoJSON Feature object", [])
            continue
        props = f.get("properties")
        props = props if isinstance(props, dict) else {}
        geometry = f.get("geometry")
        row = {str(k): _value(v) for k, v in props.items()}
        row["_id"] = _value(f.get("id"))
        if isinstance(geometry, dict):
            row["_geometry"] = geometry.get("type")
            coords = geometry.get("coordinates")
            if geometry.get("type") == "Point":
                if not (isinstance(coords, list) and len(coords) >= 2
                        and _number(coords[0]) and _number(coords[1])):  # fmt: skip
                    yield number, UnreadableRow(
                        f"feature {number}: a Point needs numeric [longitude, latitude]",
                        [row.get(c) for c in header],
                    )
                    continue
                row["_lon"], row["_lat"] = coords[0], coords[1]
        yield number, [row.get(c) for c in header]
