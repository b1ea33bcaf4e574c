"""Exports: any filtered view of the record (the filters of ``corridor list``) as CSV, XLSX,
HXL, GeoJSON, JSON, NDJSON or a redacted SQLite database, streamed a page at a time; entities
as GeoJSON layers; the XLSForm for checkpoint monitors.

Only public content leaves: an observation's personal values (a driver's name) are never read
here, so an erased value cannot reappear in an export.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.app import shapes
from corridor.errors import InputError
from corridor.model.flat import FLAT_COLUMNS, to_row
from corridor.store.api import Query

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["FORMATS", "ExportCases", "ExportResult"]

FORMATS = ("csv", "xlsx", "hxl", "geojson", "json", "ndjson", "sqlite")
_NEEDS_FILE = frozenset({"xlsx", "sqlite"})
_PAGE = 1000


@dataclass(frozen=True)
class ExportResult:
    format: str
    count: int
    path: Path | None  # None: standard output
    layer: str = "observations"

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "layer": self.layer, "count": self.count,
                "path": None if self.path is None else str(self.path)}  # fmt: skip


class ExportCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def _rows(self, query: Query) -> Iterator[dict[str, Any]]:
        for s in self.app.store.scan(query, page=_PAGE):
            yield to_row(
                s.observation.content(), id=s.id, log_index=s.log_index, signers=s.signers
            )

    def write(
        self,
        fmt: str,
        out: Path | None,
        query: Query | None = None,
        *,
        hashtags: bool | None = None,
        layer: str = "observations",
        force: bool = False,
    ) -> ExportResult:
        """Write the observations matching ``query`` (every one when None; no row cap) in
        ``fmt`` to ``out`` (standard output when None, for the text formats); as of
        ``query.as_of``, which must be the size of a signed checkpoint (a release's: see
        :meth:`corridor.app.releases.ReleaseCases.size_of`), the export is reproducible: the
        same bytes however the record grows after it (json, ndjson, csv, hxl). ``hashtags``
        adds an HXL hashtag row to CSV and XLSX (default: only for ``hxl``); ``layer`` picks
        what a GeoJSON export holds (observations, checkpoints, routes or places)."""
        from corridor.export import geojson, hxl, sqlite, xlsx
        from corridor.export import json as json_out
        from corridor.export.files import output_file, temporary_beside

        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        if layer != "observations" and fmt != "geojson":
            raise InputError(f"layer {layer!r} applies to geojson only", where="--layer")
        if layer not in geojson.LAYERS:
            raise InputError(
                f"unknown layer {layer!r}; expected one of {', '.join(geojson.LAYERS)}",
                where="--layer",
            )
        if out is None and fmt in _NEEDS_FILE:
            raise InputError(f"a {fmt} export is a file: give its path", where="OUT")
        q = query or Query()
        if q.as_of is not None:
            self.app.log.basis(q.as_of)
        columns = [c.name for c in FLAT_COLUMNS]
        tagged = fmt == "hxl" if hashtags is None else hashtags
        n: int
        if fmt in _NEEDS_FILE:
            assert out is not None
            with temporary_beside(out, force=force) as tmp:
                if fmt == "xlsx":
                    n = xlsx.write_xlsx(self._rows(q), tmp, columns, tagged=tagged)
                else:
                    tmp.unlink()
                    n = sqlite.write_sqlite(self._rows(q), tmp, self.app.store.registry(),
                                            self._about(q))  # fmt: skip
            return ExportResult(fmt, n, out)
        with output_file(out, force=force) as f:
            if fmt in ("csv", "hxl"):
                n = hxl.write_hxl(self._rows(q), f, columns, tagged=tagged)
            elif fmt in ("json", "ndjson"):
                items = (shapes.observation(s) for s in self.app.store.scan(q, page=_PAGE))
                write = json_out.write_json if fmt == "json" else json_out.write_ndjson
                n = write(items, f)
            else:
                n = geojson.write_features(self._features(q, layer), f)
        return ExportResult(fmt, n, out, layer)

    def _features(self, q: Query, layer: str) -> Iterator[dict[str, Any]]:
        from corridor.export import geojson

        registry = self.app.store.registry()
        if layer == "checkpoints":
            for c in sorted(registry.checkpoints.values(), key=lambda c: c.id):
                yield geojson.checkpoint_feature(c, registry)
        elif layer == "routes":
            for r in sorted(registry.routes.values(), key=lambda r: r.id):
                yield geojson.route_feature(r, registry)
        elif layer == "places":
            for p in sorted(registry.places.values(), key=lambda p: p.id):
                yield geojson.place_feature(p)
        else:
            for row in self._rows(q):
                props = {k: v for k, v in row.items() if v is not None}
                yield {"type": "Feature", "id": row["id"],
                       "geometry": geojson.observation_geometry(row, registry),
                       "properties": props}  # fmt: skip

    def xlsform(
        self,
        out: Path,
        *,
        reporter: str | None = None,
        version: str | None = None,
        force: bool = False,
    ) -> int:
        """Write the XLSForm for checkpoint monitors, listing the record's checkpoints; return
        how many. ``reporter`` fixes the organisation the submissions come from."""
        from corridor.errors import NotFoundError
        from corridor.export.files import temporary_beside
        from corridor.export.xlsform import write_xlsform

        registry = self.app.store.registry()
        if not registry.checkpoints:
            raise InputError("the record has no checkpoints: load a case that defines them first")
        if reporter is not None and reporter not in registry.organisations:
            raise NotFoundError(f"--reporter: unknown organisation {reporter!r}")
        with temporary_beside(out, force=force) as tmp:
            return write_xlsform(tmp, registry, reporter=reporter, version=version)

    def _about(self, q: Query) -> dict[str, str]:
        filters = {k: str(v) for k, v in vars(q).items() if v is not None}
        return {
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "log_size": str(self.app.store.size() if q.as_of is None else q.as_of),
            "filters": ", ".join(f"{k}={v}" for k, v in sorted(filters.items())) or "none",
            "redacted": "no personal fields, no signatures, no keys",
        }
