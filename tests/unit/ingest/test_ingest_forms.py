"""KoBoToolbox and ODK Central submission exports of corridor's checkpoint form: CSV, XLSX
(repeat sheets), ODK's ZIP of CSVs, OData JSON. The same submissions give the same
observations whatever the export, and re-imports add nothing."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from corridor.ingest import plan_import
from corridor.ingest.mapping import preset_mapping
from corridor.ingest.readers.forms import aliases, read_form
from corridor.model import Registry

FORM = preset_mapping("checkpoint-form", {})
TALLIES = [f"{d}_{c}" for d in ("inbound", "outbound") for c in ("persons", "vehicles", "cargo")]


def _submissions(examples: Path) -> list[dict[str, Any]]:
    return json.loads((examples / "checkpoint-form-odk.json").read_text())["value"]


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows([["" if v is None else v for v in r] for r in rows])
    return buf.getvalue().encode()


def _odk_zip(subs: list[dict[str, Any]], path: Path) -> Path:
    """ODK Central's CSV ZIP: group-field headers, split geopoints, repeats in own files."""
    head = ["SubmissionDate", "start", "end", "checkpoint", "checkpoint_route",
            "checkpoint_place", "reporter", "period-period_start", "period-period_end",
            *[f"tallies-{t}" for t in TALLIES], "tallies-inbound_tonnes",
            "tallies-outbound_tonnes", "route-route_status", "route-who_may_pass",
            "location-Latitude", "location-Longitude", "location-Altitude", "location-Accuracy",
            "monitor_note", "meta-instanceID", "KEY", "FormVersion"]  # fmt: skip
    root, convoys, incidents = [], [], []
    for s in subs:
        lon, lat, alt = s["location"]["coordinates"]
        root.append([s["__system"]["submissionDate"], s["start"], s["end"], s["checkpoint"],
                     s["checkpoint_route"], s["checkpoint_place"], s["reporter"],
                     s["period"]["period_start"], s["period"]["period_end"],
                     *[s["tallies"][t] for t in TALLIES], s["tallies"]["inbound_tonnes"],
                     s["tallies"]["outbound_tonnes"], s["route"]["route_status"],
                     s["route"]["who_may_pass"], lat, lon, alt,
                     s["location"]["properties"]["accuracy"], s["monitor_note"], s["__id"],
                     s["__id"], s["__system"]["formVersion"]])  # fmt: skip
        for i, c in enumerate(s["convoys"], start=1):
            convoys.append([c["convoy_id"], c["convoy_state"], c["convoy_vehicles"], s["__id"],
                            f"{s['__id']}/convoys[{i}]"])  # fmt: skip
        for i, c in enumerate(s["incidents"], start=1):
            key = f"{s['__id']}/incidents[{i}]"
            incidents.append([c["incident_category"], c["incident_time"], c["incident_actors"],
                              c["incident_text"], s["__id"], key])  # fmt: skip
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("corridor_checkpoint.csv", _csv(head, root))
        z.writestr("corridor_checkpoint-convoys.csv", _csv(
            ["convoy_id", "convoy_state", "convoy_vehicles", "PARENT_KEY", "KEY"], convoys))
        z.writestr("corridor_checkpoint-incidents.csv", _csv(
            ["incident_category", "incident_time", "incident_actors", "incident_text",
             "PARENT_KEY", "KEY"], incidents))  # fmt: skip
    return path


def _kobo_xlsx(subs: list[dict[str, Any]], write_xlsx: Callable[..., Path]) -> Path:
    """KoBoToolbox's XLSX: group/field headers, one sheet per repeat, _index links."""
    head = ["start", "end", "checkpoint", "checkpoint_route", "checkpoint_place", "reporter",
            "period/period_start", "period/period_end", *[f"tallies/{t}" for t in TALLIES],
            "tallies/inbound_tonnes", "tallies/outbound_tonnes", "route/route_status",
            "route/who_may_pass", "location", "_location_latitude", "monitor_note",
            "__version__", "meta/instanceID", "_uuid", "_index"]  # fmt: skip
    main: list[list[Any]] = [head]
    convoys: list[list[Any]] = [["convoys/convoy_id", "convoys/convoy_state",
                                 "convoys/convoy_vehicles", "_index", "_parent_table_name",
                                 "_parent_index", "_submission__uuid"]]  # fmt: skip
    incidents: list[list[Any]] = [["incidents/incident_category", "incidents/incident_time",
                                   "incidents/incident_actors", "incidents/incident_text",
                                   "_index", "_parent_table_name", "_parent_index"]]  # fmt: skip
    for n, s in enumerate(subs, start=1):
        lon, lat, alt = s["location"]["coordinates"]
        geo = f"{lat} {lon} {alt} {s['location']['properties']['accuracy']}"
        main.append([s["start"], s["end"], s["checkpoint"], s["checkpoint_route"],
                     s["checkpoint_place"], s["reporter"], s["period"]["period_start"],
                     s["period"]["period_end"], *[s["tallies"][t] for t in TALLIES],
                     s["tallies"]["inbound_tonnes"], s["tallies"]["outbound_tonnes"],
                     s["route"]["route_status"], s["route"]["who_may_pass"], geo, lat,
                     s["monitor_note"], s["__system"]["formVersion"], s["__id"],
                     s["__id"].removeprefix("uuid:"), n])  # fmt: skip
        for c in s["convoys"]:
            convoys.append([c["convoy_id"], c["convoy_state"], c["convoy_vehicles"],
                            len(convoys), "Checkpoint monitoring", n, s["__id"]])  # fmt: skip
        for c in s["incidents"]:
            incidents.append([c["incident_category"], c["incident_time"], c["incident_actors"],
                              c["incident_text"], len(incidents), "Checkpoint monitoring",
                              n])  # fmt: skip
    return write_xlsx({"Checkpoint monitoring": main, "convoys": convoys,
                       "incidents": incidents}, name="kobo.xlsx")  # fmt: skip


def _ids(path: Path, registry: Registry) -> set[str]:
    plan = plan_import(path, FORM, registry)
    assert plan.rejected == [], plan.rejected
    return {a.observation.id for a in plan.accepted}


class TestExports:
    def test_every_export_gives_the_same_observations(
        self, examples: Path, registry: Registry, tmp_path: Path,
        write_xlsx: Callable[..., Path],
    ) -> None:
        """ODK JSON, ODK's CSV ZIP and KoBo's XLSX: the same 17 observations; KoBo's CSV (no
        repeats) the 14 of the submissions themselves."""
        subs = _submissions(examples)
        odk_json = _ids(examples / "checkpoint-form-odk.json", registry)
        assert len(odk_json) == 17
        assert _ids(_odk_zip(subs, tmp_path / "odk.zip"), registry) == odk_json
        assert _ids(_kobo_xlsx(subs, write_xlsx), registry) == odk_json
        kobo_csv = _ids(examples / "checkpoint-form-kobo.csv", registry)
        assert len(kobo_csv) == 14 and kobo_csv < odk_json

    def test_what_a_submission_gives(self, examples: Path, registry: Registry) -> None:
        plan = plan_import(examples / "checkpoint-form-odk.json", FORM, registry)
        obs = [a.observation for a in plan.accepted]
        kinds = sorted(o.type for o in obs)
        assert kinds.count("crossing") == 12 and kinds.count("route_status") == 2
        zeros = [o for o in obs if o.type == "crossing" and o.body.count == 0]
        assert len(zeros) == 7  # explicit zeros: the closed day's six and outbound cargo
        cargo = next(o for o in obs if o.type == "crossing" and o.body.tonnes)
        assert (cargo.body.direction, cargo.body.tonnes) == ("inbound", 41.5)
        incident = next(o for o in obs if o.type == "incident")
        src = incident.sources[0]
        assert src.ref == "uuid:5b2a4c1e-0f4e-4d3b-9a51-2f0c8b7d6e01/incidents[1]"
        assert (src.version, src.file, src.row) == ("2024010101", None, None)
        assert src.document == "GPS 31.5, 34.5 ±5 m"
        assert incident.body.category == "impediment_to_entry"
        convoy = next(o for o in obs if o.type == "convoy")
        assert (convoy.body.convoy, convoy.body.state, convoy.body.vehicles) == (
            "NGX-2024-001", "waiting", 19)  # fmt: skip

    def test_missing_instance_id_is_quarantined(
        self, write_csv: Callable[..., Path], registry: Registry
    ) -> None:
        p = write_csv("checkpoint;period/period_start\nnorth-gate;2024-01-05T08:00+02:00\n",
                      name="kobo.csv")  # fmt: skip
        tables = read_form(p)
        assert "no instanceID" in tables["submissions"].rows[0][1].reason  # type: ignore[union-attr]

    def test_aliases(self) -> None:
        al = aliases(["period/period_start", "tallies-inbound_persons", "a/x", "b/x"])
        assert al["period_start"] == "period/period_start"
        assert al["period-period_start"] == "period/period_start"
        assert al["inbound_persons"] == "tallies-inbound_persons"
        assert "x" not in al  # two columns would answer to it

    def test_a_table_the_file_lacks(self, examples: Path) -> None:
        from corridor.errors import InputError
        from corridor.ingest.readers import open_table

        with pytest.raises(InputError, match="no table 'patrols'"):
            open_table(examples / "checkpoint-form-odk.json", sheet="patrols", format="form")
