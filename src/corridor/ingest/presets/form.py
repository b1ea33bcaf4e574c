"""Preset ``checkpoint-form``: the submissions of corridor's own XLSForm (``corridor form
xlsform``), exported from KoBoToolbox or ODK Central as CSV, XLSX, ZIP or JSON.

Each submission gives a crossing per direction and category (zeros included: the form
requires every tally), cargo tonnes each way when given, the route's status when seen, and,
from the repeat groups, a convoy event per convoy seen and an incident per incident. Every
observation's source names the submission (``source.ref``: its instanceID, with the repeat
and its position for repeat rows) and the form version, so re-importing a later export of the
same submissions adds nothing. A submission edited on the server (its ``meta/deprecatedID``
names the one it replaces) corrects what the replaced submission gave, when the record holds it
(docs/import.md, Revisions). The GPS point goes in the source's ``document``
(``GPS 31.5, 34.5 ±5 m``).
"""

from __future__ import annotations

from typing import Any

from corridor.ingest.presets import Param, Preset

__all__ = ["PRESETS"]

_DIRECTIONS = ("inbound", "outbound")
_CATEGORIES = ("persons", "vehicles", "cargo")
# Columns every export of the form has; the others may be missing (older form versions).
_REQUIRED = frozenset({"observed", "observed_end", "checkpoint", "count", "source.ref",
                       "reporter", "route", "status", "convoy", "state", "category"})


def _time(column: str, p: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"column": column}
    if p.get("tz"):
        spec["tz"] = p["tz"]
    return spec


def build(p: dict[str, Any]) -> dict[str, Any]:
    source = {"title": p["source_title"]}
    reporter: dict[str, Any] = {"reporter": p["reporter"]} if p.get("reporter") else {}
    ident: dict[str, Any] = {
        "source.ref": {"column": "_ref"},
        "source.version": {"column": "_version"},
        "source.document": {"column": "_gps"},
        **({} if reporter else {"reporter": {"column": "reporter"}}),
    }
    period = {"observed": _time("period_start", p), "observed_end": _time("period_end", p)}
    mappings: list[dict[str, Any]] = []
    for d in _DIRECTIONS:
        for c in _CATEGORIES:
            cols: dict[str, Any] = {**period, **ident, "checkpoint": {"column": "checkpoint"},
                                    "count": {"column": f"{d}_{c}"}}  # fmt: skip
            if c == "cargo":
                cols["tonnes"] = {"column": f"{d}_tonnes"}
            mappings.append({"name": f"{d}-{c}", "type": "crossing", **reporter,
                             "source": source, "constants": {"direction": d, "category": c},
                             "columns": cols})  # fmt: skip
    mappings.append({
        "name": "route", "type": "route_status", **reporter, "source": source,
        "skip_if_empty": ["route_status"],
        "columns": {**period, **ident, "route": {"column": "checkpoint_route"},
                    "place": {"column": "checkpoint_place"},
                    "status": {"column": "route_status"},
                    "who_may_pass": {"column": "who_may_pass", "split": ";"}},
    })  # fmt: skip
    mappings.append({
        "name": "convoy", "type": "convoy", **reporter, "source": source,
        "sheet": "convoys", "optional": True,
        "columns": {**period, **ident, "checkpoint": {"column": "checkpoint"},
                    "convoy": {"column": "convoy_id"}, "state": {"column": "convoy_state"},
                    "vehicles": {"column": "convoy_vehicles"}},
    })  # fmt: skip
    mappings.append({
        "name": "incident", "type": "incident", **reporter, "source": source,
        "sheet": "incidents", "optional": True,
        "columns": {"observed": _time("incident_time", p), **ident,
                    "checkpoint": {"column": "checkpoint"},
                    "category": {"column": "incident_category"},
                    "actors": {"column": "incident_actors", "split": ";"},
                    "killed": {"column": "incident_killed"},
                    "injured": {"column": "incident_injured"},
                    "missing": {"column": "incident_missing"},
                    "text": {"column": "incident_text"}},
    })  # fmt: skip
    for m in mappings:
        m["replaces_column"] = "_replaces"
        if m["type"] != "convoy" and m["type"] != "incident":
            m["columns"]["note"] = {"column": "monitor_note"}
        for target, spec in m["columns"].items():
            if target not in _REQUIRED:
                spec["optional"] = True  # an export of an older form version may lack it
    return {"format": "form", "mappings": mappings}


PRESETS = {
    "checkpoint-form": Preset(
        "checkpoint-form",
        "submissions of corridor's XLSForm (KoBoToolbox, ODK Central: CSV, XLSX, ZIP, JSON)",
        (
            Param("reporter", "the reporting organisation, if the form did not fix it"),
            Param("tz", "the time zone of times exported without an offset"),
            Param("source_title", "the source's title",
                  default="Checkpoint monitoring form (corridor XLSForm)"),
        ),
        build,
    )
}
