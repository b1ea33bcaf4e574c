"""The XLSForm checkpoint monitors fill in on a phone (KoBoToolbox, ODK Collect, Enketo).

One submission is one watch at one checkpoint over a period:

- ``checkpoint`` (the record's checkpoints; ``checkpoint_route`` and ``checkpoint_place`` are
  calculated from the choice), ``reporter`` (fixed when the form is made for one
  organisation, else chosen), ``period_start`` and ``period_end``;
- group ``tallies``: what crossed, per direction and category (``inbound_persons`` ...
  ``outbound_cargo``), each required and 0 by default: a zero is a report that nothing passed,
  an empty field is not allowed; and the tonnes of cargo each way;
- group ``route``: the route's status seen (open, restricted, closed) and who may pass;
- repeat ``convoys``: each convoy seen (its id, state, vehicles);
- repeat ``incidents``: each incident, by the nine humanitarian access constraints of the
  model (:data:`corridor.model.ACCESS_CATEGORIES`), with time, actors, casualties and text;
- ``location``: the phone's GPS point; ``monitor_note``.

``corridor import FILE --preset checkpoint-form`` reads its submissions back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corridor.model import (
    ACCESS_CATEGORIES,
    Category,
    ConvoyState,
    Direction,
    IncidentCategory,
    Registry,
    RouteState,
)

__all__ = ["ACCESS_LABELS", "FORM_ID", "TALLIES", "write_xlsform"]

FORM_ID = "corridor_checkpoint"

#: The nine access constraints (ACAPS / OCHA), as monitors read them.
ACCESS_LABELS: dict[IncidentCategory, str] = {
    IncidentCategory.denial_of_needs: "Denial of the existence of needs or entitlements",
    IncidentCategory.restriction_of_access: "Restriction of access to services and assistance",
    IncidentCategory.impediment_to_entry: "Impediments to entering the country",
    IncidentCategory.restriction_of_movement: "Restriction of movement within the country",
    IncidentCategory.interference: "Interference in humanitarian activities",
    IncidentCategory.violence_against_humanitarians: "Violence against aid personnel or assets",
    IncidentCategory.insecurity: "Ongoing insecurity or hostilities",
    IncidentCategory.explosive_hazards: "Mines and explosive hazards",
    IncidentCategory.physical_constraints: "Physical constraints (roads, weather)",
}

#: The tally fields: (field name, direction, category).
TALLIES: tuple[tuple[str, Direction, Category], ...] = tuple(
    (f"{d.value}_{c.value}", d, c) for d in Direction for c in Category
)

_SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "default", "constraint",
                   "constraint_message", "relevant", "calculation", "appearance")  # fmt: skip


def _q(type_: str, name: str, label: str = "", **extra: str) -> dict[str, str]:
    return {"type": type_, "name": name, "label": label, **extra}


def _survey(reporter: str | None) -> list[dict[str, str]]:
    rows = [
        _q("start", "start"),
        _q("end", "end"),
        _q("select_one checkpoints", "checkpoint", "Checkpoint", required="yes"),
        _q("calculate", "checkpoint_route",
           calculation="instance('checkpoints')/root/item[name=${checkpoint}]/route"),
        _q("calculate", "checkpoint_place",
           calculation="instance('checkpoints')/root/item[name=${checkpoint}]/place"),
        (_q("calculate", "reporter", calculation=f"'{reporter}'") if reporter else
         _q("select_one organisations", "reporter", "Reporting organisation", required="yes")),
        _q("begin_group", "period", "Period watched"),
        _q("dateTime", "period_start", "From", required="yes"),
        _q("dateTime", "period_end", "To (not included)", required="yes",
           constraint=". > ${period_start}", constraint_message="must be after the start"),
        _q("end_group", "period"),
        _q("begin_group", "tallies", "What crossed (0 if nothing: a zero is a report)"),
    ]  # fmt: skip
    for name, d, c in TALLIES:
        rows.append(_q("integer", name, f"{c.value.capitalize()} {d.value}", required="yes",
                       default="0", constraint=". >= 0",
                       hint="0 if none passed; leave nothing empty"))  # fmt: skip
    for d in Direction:
        rows.append(_q("decimal", f"{d.value}_tonnes", f"Cargo {d.value}, tonnes",
                       constraint=". >= 0"))  # fmt: skip
    rows += [
        _q("end_group", "tallies"),
        _q("begin_group", "route", "Route"),
        _q("select_one route_states", "route_status", "Route status seen (if observed)"),
        _q("text", "who_may_pass", "Who may pass (separate with ;)",
           relevant="${route_status} != ''"),
        _q("end_group", "route"),
        _q("begin_repeat", "convoys", "Convoys seen"),
        _q("text", "convoy_id", "Convoy id (as the organiser names it)", required="yes"),
        _q("select_one convoy_states", "convoy_state", "Convoy state", required="yes"),
        _q("integer", "convoy_vehicles", "Vehicles", constraint=". >= 0"),
        _q("end_repeat", "convoys"),
        _q("begin_repeat", "incidents", "Incidents"),
        _q("select_one access", "incident_category", "Access constraint", required="yes"),
        _q("dateTime", "incident_time", "When", required="yes"),
        _q("text", "incident_actors", "Actors (separate with ;)"),
        _q("integer", "incident_killed", "Killed", constraint=". >= 0"),
        _q("integer", "incident_injured", "Injured", constraint=". >= 0"),
        _q("integer", "incident_missing", "Missing", constraint=". >= 0"),
        _q("text", "incident_text", "What happened", appearance="multiline"),
        _q("end_repeat", "incidents"),
        _q("geopoint", "location", "GPS point", hint="where you are filling in this form"),
        _q("text", "monitor_note", "Note", appearance="multiline"),
    ]  # fmt: skip
    return rows


def _choices(registry: Registry) -> list[dict[str, str]]:
    rows = []
    for cp in sorted(registry.checkpoints.values(), key=lambda c: c.id):
        rows.append({"list_name": "checkpoints", "name": cp.id, "label": f"{cp.name} ({cp.id})",
                     "route": cp.route, "place": cp.place})  # fmt: skip
    for org in sorted(registry.organisations.values(), key=lambda o: o.id):
        rows.append({"list_name": "organisations", "name": org.id, "label": org.name})
    for s in RouteState:
        rows.append({"list_name": "route_states", "name": s.value, "label": s.value})
    for cs in ConvoyState:
        rows.append({"list_name": "convoy_states", "name": cs.value,
                     "label": cs.value.replace("_", " ")})  # fmt: skip
    for cat in ACCESS_CATEGORIES:
        rows.append({"list_name": "access", "name": cat.value, "label": ACCESS_LABELS[cat]})
    return rows


def _sheet(book: Any, name: str, columns: Sequence[str], rows: list[dict[str, str]]) -> None:
    ws = book.add_worksheet(name)
    ws.write_row(0, 0, list(columns))
    for r, row in enumerate(rows, start=1):
        for c, col in enumerate(columns):
            if row.get(col):
                ws.write_string(r, c, row[col])


def write_xlsform(
    path: Path, registry: Registry, *, reporter: str | None = None, version: str | None = None
) -> int:
    """Write the form to ``path`` (XLSX) with the registry's checkpoints and organisations as
    choices; return the number of checkpoints listed."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    try:
        _sheet(book, "survey", _SURVEY_COLUMNS, _survey(reporter))
        _sheet(book, "choices", ("list_name", "name", "label", "route", "place"),
               _choices(registry))  # fmt: skip
        settings = {
            "form_title": "Checkpoint monitoring (corridor)",
            "form_id": FORM_ID,
            "version": version or datetime.now(UTC).strftime("%Y%m%d%H%M"),
            "instance_name": "concat(${checkpoint}, ' ', ${period_start})",
        }
        _sheet(book, "settings", tuple(settings), [settings])
    finally:
        book.close()
    return len(registry.checkpoints)
