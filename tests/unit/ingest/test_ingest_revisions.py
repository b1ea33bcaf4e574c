"""Revisions found by an import (ingest.revisions) against an in-memory record: ACLED exports
and deletions lists imported in any order converge on the newest version of each event (a
deletion is final), every entry planned is one the record's rules admit, and importing the
same file twice adds nothing. The events are SYNTHETIC (the ACLED example's first row)."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.ingest.mapping import preset_mapping
from corridor.ingest.presets.acled import read_deletions
from corridor.ingest.readers.forms import read_form
from corridor.ingest.revisions import (
    RecordIndex,
    apply_revisions,
    plain_id,
    plan_deletions,
    version_key,
)
from corridor.ingest.run import ImportPlan, plan_import
from corridor.model import Observation
from corridor.model.history import Entry, History, resolve

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
BASE = 1704931200  # 2024-01-11 00:00 UTC
EVENTS = ("XXX1", "XXX2", "XXX3")
MF = preset_mapping("acled", {"reporter": "acled", "places": "none"})
DELETIONS = preset_mapping("acled-deletions", {"reporter": "acled"})


def template() -> dict[str, str]:
    with (EXAMPLES / "acled-events.csv").open(newline="", encoding="utf-8") as f:
        return next(csv.DictReader(f))


TEMPLATE = template()


def stamp(version: int) -> int:
    return BASE + version * 86400


class Record:
    """An in-memory record: entries in log order, checked by the rules as they are added."""

    def __init__(self) -> None:
        self.entries: list[Observation] = []
        self.history = History()

    def add(self, plan: ImportPlan) -> int:
        """Append what ``plan`` accepted that the record lacks; the number appended."""
        n = 0
        for o in plan.observations:
            if self.history.add(Entry.of(o)):  # raises if the rules refuse it
                self.entries.append(o)
                n += 1
        return n

    def import_events(self, folder: Path, export: dict[str, int], name: str) -> ImportPlan:
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(TEMPLATE))
            w.writeheader()
            for event, version in export.items():
                w.writerow({**TEMPLATE, "event_id_cnty": event, "fatalities": str(version),
                            "timestamp": str(stamp(version))})  # fmt: skip
        plan = plan_import(path, MF)
        apply_revisions(plan, MF, RecordIndex(self.entries))
        return plan

    def import_deletions(self, folder: Path, deleted: dict[str, int], name: str) -> ImportPlan:
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            f.write("event_id_cnty,deleted_timestamp\n")
            for event, day in deleted.items():
                f.write(f"{event},{stamp(day) + 3600}\n")
        return plan_deletions(path, DELETIONS, read_deletions(path, DELETIONS),
                              RecordIndex(self.entries))  # fmt: skip


#: One import: an export (event -> its version in it) or a deletions list (event -> the day
#: of the deletion, an hour after that version's timestamp).
steps = st.lists(
    st.tuples(
        st.sampled_from(["export", "export", "deletions"]),
        st.dictionaries(st.sampled_from(EVENTS), st.integers(0, 3), min_size=1),
    ),
    min_size=1,
    max_size=6,
)


def expected(sequence: list[tuple[str, dict[str, int]]]) -> dict[str, int | None]:
    """The reference: per event, the version the record should hold (None: deleted)."""
    state: dict[str, int | None] = {}
    gone: set[str] = set()
    for kind, items in sequence:
        for event, v in items.items():
            if event in gone:
                continue
            if kind == "export":
                state[event] = max(v, state.get(event, v) or 0)
            elif event in state and v >= (state[event] or 0):
                state[event] = None
                gone.add(event)
    return state


class TestConvergence:
    @settings(max_examples=60, deadline=None)
    @given(steps)
    def test_the_record_holds_the_newest_version_whatever_the_order(
        self, sequence: list[tuple[str, dict[str, int]]]
    ) -> None:
        """After any sequence of exports and deletions lists, each event's current version is
        the newest imported (none once deleted at or after it); every planned entry passes
        the rules; each file imported again right away adds nothing."""
        record = Record()
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for i, (kind, items) in enumerate(sequence):
                load = record.import_events if kind == "export" else record.import_deletions
                record.add(load(folder, items, f"step{i}"))
                again = load(folder, items, f"step{i}")
                assert record.add(again) == 0 and again.accepted == []
        facts = resolve(record.entries)
        assert facts.refused == []
        now = {o.sources[0].ref: int(o.body.killed or 0) for o in facts.facts}
        want = {e: v for e, v in expected(sequence).items() if v is not None}
        assert now == want


class TestOutcomes:
    def test_an_edit_then_the_original_is_stale(self, tmp_path: Path) -> None:
        """Version 2 corrects version 1; version 1 again is stale, counted, and adds nothing."""
        record = Record()
        record.add(record.import_events(tmp_path, {"XXX1": 1}, "a"))
        edit = record.import_events(tmp_path, {"XXX1": 2}, "b")
        (correction,) = edit.observations
        assert correction.supersedes is not None
        assert correction.supersedes.id == record.entries[0].id
        record.add(edit)
        old = record.import_events(tmp_path, {"XXX1": 1}, "c")
        assert (old.stale, old.accepted, len(old.skipped)) == (1, [], 1)
        assert "an earlier version of the record's current one" in old.skipped[0].reason

    def test_rows_of_one_file_follow_each_other(self, tmp_path: Path) -> None:
        """Two versions of one event in one file: the later row corrects the earlier one,
        planned in the same batch."""
        path = tmp_path / "two.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(TEMPLATE))
            w.writeheader()
            for v in (1, 2):
                w.writerow({**TEMPLATE, "event_id_cnty": "XXX1", "fatalities": str(v),
                            "timestamp": str(stamp(v))})  # fmt: skip
        plan = plan_import(path, MF)
        apply_revisions(plan, MF, RecordIndex())
        first, second = plan.observations
        assert second.supersedes is not None and second.supersedes.id == first.id
        assert Record().add(plan) == 2

    def test_plain_id_is_the_rows_id(self, tmp_path: Path) -> None:
        """A correction's plain id is the id of the row it was made from."""
        record = Record()
        record.add(record.import_events(tmp_path, {"XXX1": 0}, "a"))
        row = plan_import(record_file := tmp_path / "a.csv", MF).observations[0]
        assert record_file.exists()
        edit = record.import_events(tmp_path, {"XXX1": 3}, "b")
        raw = plan_import(tmp_path / "b.csv", MF).observations[0]
        assert plain_id(edit.observations[0]) == raw.id != row.id

    def test_versions_compare_as_numbers(self) -> None:
        """ACLED timestamps compare as numbers; a missing version is the oldest."""
        assert version_key("999") < version_key("1000")
        assert version_key(None) < version_key("1")


class TestFormReader:
    def test_deprecated_id_names_the_replaced_submission(self, tmp_path: Path) -> None:
        """meta/deprecatedID becomes _replaces (with uuid:), and a repeat instance replaces
        the same position of the replaced submission; none without it."""
        import json

        doc = json.loads((EXAMPLES / "checkpoint-form-odk.json").read_text(encoding="utf-8"))
        doc["value"][0]["meta"]["deprecatedID"] = "5b2a4c1e-0f4e-4d3b-9a51-2f0c8b7d6e00"
        (tmp_path / "odk.json").write_text(json.dumps(doc), encoding="utf-8")
        tables = read_form(tmp_path / "odk.json")
        first, second = (r for _n, r in tables["submissions"].rows[:2])
        assert isinstance(first, dict) and isinstance(second, dict)
        assert first["_replaces"] == "uuid:5b2a4c1e-0f4e-4d3b-9a51-2f0c8b7d6e00"
        assert second["_replaces"] is None
        incident = tables["incidents"].rows[1][1]
        assert isinstance(incident, dict)
        assert incident["_replaces"] == "uuid:5b2a4c1e-0f4e-4d3b-9a51-2f0c8b7d6e00/incidents[2]"
