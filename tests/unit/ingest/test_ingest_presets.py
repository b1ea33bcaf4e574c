"""Presets: a few lines of parameters make a whole mapping file; each shipped example imports
as documented; bad parameters are refused at their line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from corridor.errors import MappingError
from corridor.ingest import load_mapping, parse_mapping, plan_import
from corridor.ingest.mapping import preset_mapping
from corridor.ingest.presets import get, names
from corridor.model import Checkpoint, Organisation, Place, Registry, Route


@pytest.fixture
def both(examples: Path, registry: Registry) -> Registry:
    """The North Gate case and the corridors case together."""
    reg = registry
    case = yaml.safe_load((examples / "corridors-case.yaml").read_text(encoding="utf-8"))
    for o in case["organisations"]:
        reg.organisations[o["id"]] = Organisation(**o)
    for p in case["places"]:
        reg.places[p["id"]] = Place(**p)
    for r in case["routes"]:
        reg.routes[r["id"]] = Route(**r)
    for c in case["checkpoints"]:
        reg.checkpoints[c["id"]] = Checkpoint(**c)
    return reg


def _counts(plan: object) -> tuple[int, int, int, int]:
    return (plan.rows, len(plan.accepted), len(plan.skipped), len(plan.rejected))  # type: ignore[attr-defined]


class TestParameters:
    def test_every_preset_has_a_title_and_params(self) -> None:
        for name in names():
            preset = get(name)
            assert preset.title and preset.params and preset.name == name

    def test_a_few_lines(self, both: Registry, examples: Path) -> None:
        mf = parse_mapping(
            "preset: daily-counts\nreporter: ngo-x\ncheckpoint: north-gate\n"
            "inbound: trucks_in\noutbound: trucks_out\ninbound_tonnes: tonnes_in\n",
            "short.yaml",
        )
        assert [m.label for m in mf.mappings] == ["inbound", "outbound"]
        plan = plan_import(examples / "daily-counts.csv", mf, both)
        full = plan_import(examples / "daily-counts.csv",
                           load_mapping(examples / "daily-counts.map.yaml"), both)  # fmt: skip
        assert _counts(plan) == _counts(full) == (10, 17, 1, 2)

    def test_unknown_parameter_at_its_line(self) -> None:
        with pytest.raises(MappingError, match=r"short.yaml:3:1: reportr: not a parameter "
                           r"of preset daily-counts; did you mean 'reporter'\?"):  # fmt: skip
            parse_mapping("preset: daily-counts\ncheckpoint: north-gate\nreportr: ngo-x\n",
                          "short.yaml")  # fmt: skip

    def test_unknown_preset(self) -> None:
        with pytest.raises(MappingError, match=r"unknown preset 'daily-count'; did you mean "
                           r"'daily-counts'\?"):  # fmt: skip
            preset_mapping("daily-count", {})

    def test_missing_parameter(self) -> None:
        with pytest.raises(MappingError, match="preset voyages needs 'reporter'"):
            preset_mapping("voyages", {"checkpoint": "sea-inspection"})

    def test_command_line_maps_are_json(self) -> None:
        mf = preset_mapping("daily-counts", {"reporter": "ngo-x", "crossing": "Crossing",
                                             "crossings": '{"North Gate": "north-gate"}',
                                             "count": "Trucks"})  # fmt: skip
        spec = mf.mappings[0].columns["checkpoint"]
        assert spec.map == {"North Gate": "north-gate"}


class TestExamples:
    def test_voyages(self, examples: Path, both: Registry) -> None:
        plan = plan_import(examples / "voyages.csv",
                           load_mapping(examples / "voyages.map.yaml"), both)  # fmt: skip
        assert _counts(plan) == (4, 10, 1, 1)
        assert plan.rejected[0].error == "column Tonnage: '12x' is not a number"
        cargo = plan.accepted[0].observation
        assert (cargo.type, cargo.body.direction, cargo.body.tonnes, cargo.body.convoy) == (
            "crossing", "outbound", 26527, "voyage-1")  # fmt: skip
        states = sorted(str(a.observation.body.state) for a in plan.accepted
                        if a.observation.type == "convoy")  # fmt: skip
        assert states == ["dispatched"] * 4 + ["inspected"] * 3
        departed = next(a.observation for a in plan.accepted if a.mapping == "departed")
        assert departed.body.place == "west-port"

    def test_consignments(self, examples: Path, both: Registry) -> None:
        plan = plan_import(examples / "consignments.csv",
                           load_mapping(examples / "consignments.map.yaml"), both)  # fmt: skip
        by = {}
        for a in plan.accepted:
            by.setdefault(a.mapping, []).append(a.observation)
        assert {k: len(v) for k, v in by.items()} == {
            "offloaded": 4, "waiting": 4, "collected": 3, "intercepted": 1}  # fmt: skip
        assert by["intercepted"][0].body.category == "interference"
        assert {str(o.body.state) for o in by["collected"]} == {"delivered"}
        assert [r.row for r in plan.rejected] == [6, 6]  # the unknown crossing, twice

    def test_crossings_geojson(self, examples: Path, both: Registry) -> None:
        plan = plan_import(examples / "crossings.geojson",
                           load_mapping(examples / "crossings.map.yaml"), both)  # fmt: skip
        assert plan.entity_counts == {
            "places": {"added": 2, "updated": 0, "unchanged": 1, "kept": 0},
            "checkpoints": {"added": 2, "updated": 0, "unchanged": 1, "kept": 0},
        }
        status = {a.observation.body.place: str(a.observation.body.status) for a in plan.accepted}
        assert status == {"east-crossing": "open", "south-crossing": "closed",
                          "river-crossing": "restricted"}  # fmt: skip
        assert "numeric [longitude, latitude]" in plan.rejected[0].error
        south = next(e for e in plan.entities if e.id == "south-crossing" and
                     isinstance(e, Place))  # fmt: skip
        assert (south.lat, south.lon) == (31.25, 34.35)

    def test_acled(self, examples: Path, both: Registry) -> None:
        mf = preset_mapping("acled", {"reporter": "acled"})
        plan = plan_import(examples / "acled-events.csv", mf, both)
        assert _counts(plan) == (4, 3, 0, 1)
        assert plan.rejected[0].error == "column fatalities: 'many' is not a number"
        shelling, mine, protest = (a.observation for a in plan.accepted)
        assert (shelling.body.category, shelling.body.killed) == ("insecurity", 2)
        assert mine.body.category == "explosive_hazards"
        assert mine.caveats == ("ACLED: date known to the week only",)
        assert protest.body.category == "other" and protest.body.actors == (
            "Protesters (Example Land)", "Farmers (synthetic)")  # fmt: skip
        src = shelling.sources[0]
        assert (src.ref, src.version, src.file) == ("XXX1001", "1704931200", None)
        assert shelling.reported_at is not None and shelling.reported_at.year == 2024
        place = next(e for e in plan.entities if e.id == "acled-river-town")
        assert isinstance(place, Place) and place.note == (
            "Example Land / North Province / River District")  # fmt: skip
