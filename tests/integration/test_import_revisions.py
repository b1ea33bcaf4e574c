"""A source's revisions imported into a database (SQLite and PostgreSQL): ACLED edits become
corrections and deletions retractions, signed by the organisation that recorded the event; an
edited KoBoToolbox submission corrects the one it replaces; re-imports are no-ops and older
versions are stale. The ACLED and form files are the SYNTHETIC examples, edited here."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.app import Corridor
from corridor.ingest import ImportSummary
from corridor.store.api import Query

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ACLED = EXAMPLES / "acled-events.csv"
DELETIONS = EXAMPLES / "acled-deletions.csv"
KOBO = EXAMPLES / "checkpoint-form-kobo.csv"


@pytest.fixture
def app(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Corridor]:
    """The North Gate and corridors example cases, keys for ngo-x and acled."""
    monkeypatch.chdir(tmp_path)
    with Corridor.open(db_url, tmp_path / "keys", create=True, workers=0) as a:
        for case in ("north-gate-case.yaml", "corridors-case.yaml"):
            a.cases.load(a.cases.read(str(EXAMPLES / case)))
        a.keys.new("ngo-x")
        a.keys.new("acled")
        yield a


def acled_rows() -> list[dict[str, str]]:
    with ACLED.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, rows: list[dict[str, str]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)
    return path


def edited(tmp: Path, name: str = "acled-edit.csv", *, days: int = 1, killed: str = "3") -> Path:
    """The ACLED example re-exported: XXX1001 edited (``killed`` killed, its timestamp
    ``days`` later), the others as they were."""
    rows = acled_rows()
    rows[0]["fatalities"] = killed
    rows[0]["timestamp"] = str(int(rows[0]["timestamp"]) + days * 86400)
    return write(tmp / name, rows)


def imp(app: Corridor, file: Path, reporter: str = "acled", **kw: Any) -> ImportSummary:
    preset = kw.pop("preset", "acled")
    params = {"reporter": reporter} if preset.startswith("acled") else {}
    quarantine = Path.cwd() / f"quarantine-{file.stem}.csv"  # the test's own folder
    return app.imports.run(file, preset=preset, params=params, quarantine=quarantine, **kw)


def current(app: Corridor, ref: str, type: str = "incident") -> list[Any]:
    return [s for s in app.store.scan(Query(type=type)) if s.observation.sources[0].ref == ref]


class TestAcledEdits:
    def test_an_edit_is_a_correction_of_the_current_version(
        self, app: Corridor, tmp_path: Path
    ) -> None:
        """A newer timestamp with other content corrects the event's observation, signed by
        its reporter, with the ACLED revision as the reason; the rest is unchanged."""
        first = imp(app, ACLED)
        (before,) = current(app, "XXX1001")
        s = imp(app, edited(tmp_path))
        assert s.counts == {"new": 0, "corrected": 1, "retracted": 0, "unchanged": 2,
                            "stale": 0, "skipped": 0, "quarantined": 1}  # fmt: skip
        (now,) = current(app, "XXX1001")
        sup = now.observation.supersedes
        assert sup is not None and sup.id == before.id
        assert sup.reason.startswith("ACLED revision, timestamp 1705017600 (2024-01-12")
        assert "replacing timestamp 1704931200" in sup.reason
        assert now.observation.body.killed == 3 and now.observation.reporter == "acled"
        assert [v.id for v in app.history.chain(before.id).versions] == [before.id, now.id]
        assert s.tree_size == (first.tree_size or 0) + 1

    def test_reimports_are_no_ops_and_older_versions_stale(
        self, app: Corridor, tmp_path: Path
    ) -> None:
        """The edited export again adds nothing (unchanged); the original export after it is
        stale for the edited event and changes nothing."""
        imp(app, ACLED)
        imp(app, edited(tmp_path))
        size = app.store.size()
        again = imp(app, edited(tmp_path, "again.csv"))
        assert (again.counts["unchanged"], again.accepted) == (3, 0)
        old = imp(app, ACLED)
        assert (old.counts["stale"], old.counts["unchanged"], old.accepted) == (1, 2, 0)
        assert app.store.size() == size
        assert current(app, "XXX1001")[0].observation.body.killed == 3

    def test_an_older_revision_is_stale(self, app: Corridor, tmp_path: Path) -> None:
        """An export older than the record's version of an event is stale, even with other
        content: the record keeps the newest timestamp."""
        imp(app, edited(tmp_path, "newest.csv", days=2, killed="5"))
        s = imp(app, edited(tmp_path, "older.csv", days=1, killed="4"))
        assert (s.stale, s.accepted) == (1, 0)
        assert current(app, "XXX1001")[0].observation.body.killed == 5

    def test_the_same_timestamp_with_other_content_is_quarantined(
        self, app: Corridor, tmp_path: Path
    ) -> None:
        """Which of two versions with one timestamp is newer cannot be told: refused."""
        imp(app, edited(tmp_path, "a.csv", killed="4"))
        s = imp(app, edited(tmp_path, "b.csv", killed="6"))
        assert s.counts["quarantined"] == 2  # the malformed row, and this one
        error = next(r.error for r in s.first_rejected if r.error.startswith("XXX1001"))
        assert "holds version 1705017600 too" in error

    def test_another_organisation_may_not_correct(self, app: Corridor, tmp_path: Path) -> None:
        """An edit imported under another reporter is quarantined naming the row, the event
        and both organisations; nothing is recorded for it."""
        imp(app, ACLED)
        size = app.store.size()
        s = imp(app, edited(tmp_path), reporter="ngo-x")
        refused = [r for r in s.first_rejected if "XXX1001" in r.error]
        assert len(refused) == 1 and refused[0].row == 2
        msg = refused[0].message
        assert msg.startswith("row 2, XXX1001 is on the record")
        assert "'acled'" in msg and "not 'ngo-x'" in msg and "dispute" in msg
        assert s.counts["quarantined"] == 4 and s.accepted == 0  # 3 refused, 1 malformed
        assert app.store.size() == size


class TestAcledDeletions:
    def test_a_deletion_is_a_retraction(self, app: Corridor, tmp_path: Path) -> None:
        """Each deleted event on the record is retracted with ACLED's reason; one not on the
        record is skipped; the deletions again are unchanged; the event row again is stale."""
        imp(app, ACLED)
        (event,) = current(app, "XXX1002")
        s = imp(app, DELETIONS, preset="acled-deletions")
        assert s.counts == {"new": 0, "corrected": 0, "retracted": 1, "unchanged": 0,
                            "stale": 0, "skipped": 1, "quarantined": 0}  # fmt: skip
        assert current(app, "XXX1002") == []
        chain = app.history.chain(event.id)
        assert chain.current is None and chain.retracted_by is not None
        body = chain.retracted_by.observation.body
        assert body.reason.startswith("deleted by ACLED, timestamp 1706745600 (2024-02-01")
        assert "an event on the record that ACLED deleted" in body.reason
        again = imp(app, DELETIONS, preset="acled-deletions")
        assert (again.duplicates, again.accepted) == (1, 0)
        rows = imp(app, ACLED)
        assert (rows.stale, rows.accepted) == (1, 0)

    def test_a_deletion_follows_the_corrections(self, app: Corridor, tmp_path: Path) -> None:
        """A deletion retracts the current version of a corrected event."""
        imp(app, ACLED)
        rows = acled_rows()
        rows[1]["notes"] = "SYNTHETIC: corrected text"
        rows[1]["timestamp"] = str(int(rows[1]["timestamp"]) + 60)
        assert imp(app, write(tmp_path / "e.csv", rows)).corrected == 1
        (corrected,) = current(app, "XXX1002")
        assert imp(app, DELETIONS, preset="acled-deletions").retracted == 1
        assert app.history.chain(corrected.id).versions[-1].observation.body.retracts == (
            corrected.id
        )

    def test_another_organisation_may_not_retract(self, app: Corridor) -> None:
        """A deletions list under another reporter is quarantined for the events it holds."""
        imp(app, ACLED)
        s = imp(app, DELETIONS, reporter="ngo-x", preset="acled-deletions")
        assert (s.rejected, s.accepted) == (1, 0)
        assert "may retract it, not 'ngo-x'" in s.first_rejected[0].error

    def test_a_dry_run_counts_and_writes_nothing(self, app: Corridor, tmp_path: Path) -> None:
        """A dry run counts the corrections and retractions it would record."""
        imp(app, ACLED)
        size = app.store.size()
        assert imp(app, edited(tmp_path), dry_run=True).corrected == 1
        assert imp(app, DELETIONS, preset="acled-deletions", dry_run=True).retracted == 1
        assert app.store.size() == size


def kobo_edit(tmp: Path) -> Path:
    """The KoBo example after the first submission was edited on the server: 13 persons in
    instead of 12, a new instanceID, meta/deprecatedID naming the old one."""
    with KOBO.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    for r in rows:
        r["meta/deprecatedID"] = ""
    first = rows[0]
    old = first["meta/instanceID"]
    first["meta/deprecatedID"] = old
    first["meta/instanceID"] = old[:-2] + "99"
    first["_uuid"] = first["meta/instanceID"].removeprefix("uuid:")
    first["tallies/inbound_persons"] = "13"
    return write(tmp / "kobo-edited.csv", rows, delimiter=";")


class TestFormEdits:
    def test_an_edited_submission_corrects_the_one_it_replaces(
        self, app: Corridor, tmp_path: Path
    ) -> None:
        """Every observation of the edited submission corrects its counterpart in the one
        it replaces; the other submissions are unchanged; the edited export again, and the
        original one, add nothing."""
        imp(app, KOBO, preset="checkpoint-form")
        old = "uuid:5b2a4c1e-0f4e-4d3b-9a51-2f0c8b7d6e01"
        before = {(s.observation.body.direction, s.observation.body.category): s
                  for s in current(app, old, "crossing")}  # fmt: skip
        assert len(before) == 6
        s = imp(app, kobo_edit(tmp_path), preset="checkpoint-form")
        assert s.corrected == 7 and s.accepted == 7  # six crossings and the route's status
        assert current(app, old, "crossing") == []
        now = current(app, old[:-2] + "99", "crossing")
        assert len(now) == 6
        for n in now:
            b = n.observation.body
            sup = n.observation.supersedes
            assert sup is not None and sup.id == before[(b.direction, b.category)].id
            assert sup.reason == f"edited on the form server: submission {old[:-2]}99 " \
                                 f"replaces {old}"  # fmt: skip
        counts = {(n.observation.body.direction, n.observation.body.category):
                  n.observation.body.count for n in now}  # fmt: skip
        assert counts[("inbound", "persons")] == 13 and counts[("inbound", "vehicles")] == 7
        size = app.store.size()
        again = imp(app, kobo_edit(tmp_path), preset="checkpoint-form")
        assert again.accepted == 0 and app.store.size() == size
        original = imp(app, KOBO, preset="checkpoint-form")  # its versions are on the record
        assert original.accepted == 0 and app.store.size() == size


_run = itertools.count()


class TestProperty:
    @settings(max_examples=8, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    def test_exports_in_any_order_leave_the_newest_and_reimports_add_nothing(
        self, app: Corridor, tmp_path: Path, versions: list[int]
    ) -> None:
        """Exports of one event at these versions (a later timestamp, other fatalities),
        imported in this order into the database: each one again adds nothing, and the
        event's current version is the newest imported. Each example has an event of its own
        (the database is shared by the examples)."""
        event = f"XXXP{next(_run)}"
        rows = acled_rows()[:1]
        for i, v in enumerate(versions):
            rows[0].update(event_id_cnty=event, fatalities=str(v),
                           timestamp=str(1704931200 + v * 86400))  # fmt: skip
            file = write(tmp_path / f"{event}-{i}.csv", rows)
            imp(app, file)
            size = app.store.size()
            again = imp(app, file)
            assert again.accepted == 0 and app.store.size() == size
        (now,) = current(app, event)
        assert now.observation.body.killed == max(versions)

    def test_what_the_edit_no_longer_gives_is_retracted(
        self, app: Corridor, tmp_path: Path
    ) -> None:
        """An ODK submission edited to drop its second incident: the first incident, the
        convoy, the crossings and the route status are corrected, the dropped incident is
        retracted, saying why; the edited export again adds nothing."""
        import json

        imp(app, EXAMPLES / "checkpoint-form-odk.json", preset="checkpoint-form")
        doc = json.loads((EXAMPLES / "checkpoint-form-odk.json").read_text(encoding="utf-8"))
        sub = doc["value"][0]
        old = sub["meta"]["instanceID"]
        new = old[:-2] + "98"
        sub["meta"] = {"instanceID": new, "deprecatedID": old}
        sub["incidents"] = sub["incidents"][:1]
        path = tmp_path / "odk-edited.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        (dropped,) = current(app, f"{old}/incidents[2]")
        s = imp(app, path, preset="checkpoint-form")
        assert (s.corrected, s.retracted) == (9, 1)  # 6 crossings, status, convoy, incident
        assert current(app, f"{old}/incidents[2]") == []
        chain = app.history.chain(dropped.id)
        assert chain.retracted_by is not None
        assert chain.retracted_by.observation.body.reason == (
            f"edited on the form server: submission {new} replaces {old} and no longer gives "
            f"this incident ({old}/incidents[2])"
        )
        (kept,) = current(app, f"{new}/incidents[1]")
        assert kept.observation.supersedes is not None
        size = app.store.size()
        assert imp(app, path, preset="checkpoint-form").accepted == 0
        assert app.store.size() == size
