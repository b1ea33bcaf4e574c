"""Presets ``acled`` and ``acled-deletions``: ACLED's event exports (https://acleddata.com).

``acled``: each event row gives a place (``acled-`` + its location made an id, with its
coordinates, and its admin areas as the place's note; a place the record already has is kept
as it is) and an incident there: the event date (a day), the category from the sub-event type
(:data:`CATEGORIES`, overridable with ``categories``), actors 1 and 2 with their associated
actors, fatalities as killed, ACLED's notes as the text, the event and sub-event type as the
note, and a caveat when the date is known only to the week or month. The source is ACLED, with
the outlets ACLED cites as its ``document``, ``event_id_cnty`` as its ``ref`` and the
``timestamp`` as its ``version`` (and the report time).

Re-importing the same export adds nothing. An event already on the record under the same
``event_id_cnty`` with other content and a newer timestamp is an edit: it is recorded as a
correction superseding the current version (an older copy is stale, skipped and counted).
``acled-deletions`` reads ACLED's list of deleted events (``event_id_cnty``,
``deleted_timestamp``): each deleted event the record holds is retracted; deleted events not on
the record are skipped. Corrections and retractions are signed by the reporter, which must be
the organisation that recorded the event (docs/import.md, Revisions).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from corridor.errors import InputError
from corridor.ingest.mapping import MappingFile
from corridor.ingest.presets import Param, Preset

__all__ = ["CATEGORIES", "PRESETS", "read_deletions"]

#: ACLED sub-event type -> incident category. Conservative: violence is ``insecurity`` (ACAPS's
#: "ongoing insecurity or hostilities"), mines and IEDs ``explosive_hazards``; protests,
#: strategic developments and anything unlisted are ``other``.
CATEGORIES: dict[str, str] = {
    "Armed clash": "insecurity",
    "Government regains territory": "insecurity",
    "Non-state actor overtakes territory": "insecurity",
    "Chemical weapon": "insecurity",
    "Air/drone strike": "insecurity",
    "Suicide bomb": "insecurity",
    "Shelling/artillery/missile attack": "insecurity",
    "Remote explosive/landmine/IED": "explosive_hazards",
    "Grenade": "insecurity",
    "Attack": "insecurity",
    "Abduction/forced disappearance": "insecurity",
    "Sexual violence": "insecurity",
    "Violent demonstration": "insecurity",
    "Mob violence": "insecurity",
}

_PRECISION = {"2": "ACLED: date known to the week only", "3": "ACLED: date known to the month only"}


def build(p: dict[str, Any]) -> dict[str, Any]:
    source = {"title": p["source_title"], "url": "https://acleddata.com"}
    when: dict[str, Any] = {"column": "event_date", "tz": p["tz"], "period": "day"}
    if p.get("date_format"):
        when["format"] = p["date_format"]
    place = {"column": "location", "slug": "acled-"}
    incident: dict[str, Any] = {
        "name": "incident", "type": "incident", "reporter": p["reporter"], "source": source,
        "detect_revisions": True,
        "columns": {
            "observed": when,
            "category": {"column": "sub_event_type", "map": {**CATEGORIES,
                         **(p.get("categories") or {})}, "otherwise": "other"},
            "actors": {"column": ["actor1", "assoc_actor_1", "actor2", "assoc_actor_2"],
                       "split": ";"},
            "killed": {"column": "fatalities"},
            "text": {"column": "notes"},
            "note": {"column": ["event_type", "sub_event_type"], "join": ": "},
            "caveats": {"column": "time_precision", "map": {"1": None, **_PRECISION}},
            "reported_at": {"column": "timestamp", "format": "unix"},
            "source.document": {"column": "source"},
            "source.ref": {"column": "event_id_cnty"},
            "source.version": {"column": "timestamp"},
        },
    }  # fmt: skip
    mappings: list[dict[str, Any]] = []
    if p["places"] == "create":
        mappings.append({
            "name": "place", "type": "place",
            "columns": {"id": place, "name": {"column": "location"},
                        "lat": {"column": "latitude"}, "lon": {"column": "longitude"},
                        "note": {"column": ["country", "admin1", "admin2", "admin3"],
                                 "join": " / "}},
            "constants": {"kind": "ACLED location"},
        })  # fmt: skip
        incident["columns"]["place"] = place
    mappings.append(incident)
    return {"mappings": mappings}


def build_deletions(p: dict[str, Any]) -> dict[str, Any]:
    # Not read row by row through a mapping (a deletion makes no observation): the mapping
    # only carries the reporter whose incidents the deletions are looked up among.
    return {"mappings": [{"type": "incident", "reporter": p["reporter"],
                          "source": {"title": "ACLED deletions"},
                          "constants": {"category": "other"},
                          "columns": {"observed": {"column": "deleted_timestamp",
                                                   "format": "unix"}}}]}  # fmt: skip


_PARAMS = (
    Param("reporter", "the organisation id ACLED's events are recorded under (e.g. acled)",
          required=True),
    Param("tz", "the time zone of the event dates", default="UTC"),
    Param("date_format", "the strptime format of event_date, if not YYYY-MM-DD "
          "(older exports: %d %B %Y)"),
    Param("places", "create: a place per ACLED location; none: incidents without places",
          default="create"),
    Param("categories", "sub-event type -> incident category, over the built-in table"),
    Param("source_title", "the source's title", default="ACLED"),
)  # fmt: skip

PRESETS = {
    "acled": Preset("acled", "ACLED event export (CSV) into incidents", _PARAMS, build),
    "acled-deletions": Preset(
        "acled-deletions",
        "ACLED's deleted events: a retraction of each one the record holds",
        (_PARAMS[0],),
        build_deletions,
    ),
}


def read_deletions(path: Path, mf: MappingFile) -> list[tuple[int, str, dict[str, Any]]]:
    """(row number, event_id_cnty, the row) of each row of a deletions list."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the deletions list: {exc}", where=path.name) from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "event_id_cnty" not in reader.fieldnames:
        raise InputError(
            "not an ACLED deletions list: no event_id_cnty column "
            f"(columns: {', '.join(reader.fieldnames or [])})",
            where=path.name,
        )
    out = []
    for number, row in enumerate(reader, start=2):
        ref = (row.get("event_id_cnty") or "").strip()
        if ref:
            out.append((number, ref, dict(row)))
    return out
