"""Imports of the interop formats end to end: ACLED edits and deletions recorded as
corrections and retractions, the form's submissions with no mapping file, corridor's own exports,
and bad files, each a one-line error naming the file (never a traceback) or a quarantined row."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from corridor.testing import Cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def both(north: Cli) -> Cli:
    """The North Gate and corridors example cases, keys for ngo-x and acled."""
    assert north("case", "load", str(EXAMPLES / "corridors-case.yaml"))[0] == 0
    assert north("keys", "new", "acled")[0] == 0
    return north


def _edited(tmp: Path) -> Path:
    """The ACLED example re-exported: event XXX1001 edited (3 killed, a newer timestamp),
    XXX1002 as it was, XXX1003 an older copy of its record."""
    with (EXAMPLES / "acled-events.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[0]["fatalities"], rows[0]["timestamp"] = "3", str(int(rows[0]["timestamp"]) + 86400)
    rows[2]["timestamp"], rows[2]["notes"] = str(int(rows[2]["timestamp"]) - 86400), "older"
    out = tmp / "acled-reexport.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows[:3])
    return out


class TestAcled:
    def test_reimport_adds_nothing(self, both: Cli) -> None:
        args = ["import", str(EXAMPLES / "acled-events.csv"), "--preset", "acled", "-p",
                "reporter=acled"]  # fmt: skip
        first = both.json(*args)
        assert (first["accepted"], first["rejected"]) == (3, 1)
        assert first["entities"]["places"]["added"] == 2
        again = both.json(*args, "--quarantine", "q2.csv")
        assert (again["accepted"], again["duplicates"]) == (0, 3)
        assert again["entities"]["places"] == {"added": 0, "updated": 0, "unchanged": 2,
                                               "kept": 0}  # fmt: skip

    def test_edits_are_corrections_and_older_copies_stale(self, both: Cli) -> None:
        """An edited event is corrected, one as it was is unchanged, an older copy is stale;
        the text summary says so."""
        both.json("import", str(EXAMPLES / "acled-events.csv"), "--preset", "acled", "-p",
                  "reporter=acled")  # fmt: skip
        size = both.rows()
        s = both.json("import", str(_edited(both.tmp)), "--preset", "acled", "-p",
                      "reporter=acled")  # fmt: skip
        assert s["counts"] == {"new": 0, "corrected": 1, "retracted": 0, "unchanged": 1,
                               "stale": 1, "skipped": 0, "quarantined": 0}  # fmt: skip
        assert (s["accepted"], s["duplicates"], s["skipped"], s["rejected"]) == (1, 1, 1, 0)
        assert both.rows() == size + 1
        code, out, err = both("import", str(_edited(both.tmp)), "--preset", "acled", "-p",
                              "reporter=acled")  # fmt: skip
        assert code == 0, err
        assert "1 stale" in " ".join(out.split())
        assert both.rows() == size + 1

    def test_deletions(self, both: Cli) -> None:
        """A deleted event on the record is retracted; one never imported is skipped."""
        both.json("import", str(EXAMPLES / "acled-events.csv"), "--preset", "acled", "-p",
                  "reporter=acled")  # fmt: skip
        size = both.rows()
        s = both.json("import", str(EXAMPLES / "acled-deletions.csv"), "--preset",
                      "acled-deletions", "-p", "reporter=acled")  # fmt: skip
        assert (s["rows"], s["rejected"], s["skipped"], s["accepted"]) == (2, 0, 1, 1)
        assert s["counts"]["retracted"] == 1 and both.rows() == size + 1
        again = both.json("import", str(EXAMPLES / "acled-deletions.csv"), "--preset",
                          "acled-deletions", "-p", "reporter=acled", "--quarantine", "q2.csv")
        assert (again["accepted"], again["duplicates"]) == (0, 1)


    def test_the_documented_sequence(self, both: Cli) -> None:
        """docs/import.md's commands: the revised example corrects one event, the deletions
        list retracts one, the original export afterwards adds nothing (two stale rows)."""
        acled = ["--preset", "acled", "-p", "reporter=acled"]
        both.json("import", str(EXAMPLES / "acled-events.csv"), *acled)
        revised = both.json("import", str(EXAMPLES / "acled-events-revised.csv"), *acled)
        assert (revised["counts"]["corrected"], revised["counts"]["unchanged"]) == (1, 2)
        deleted = both.json("import", str(EXAMPLES / "acled-deletions.csv"), "--preset",
                            "acled-deletions", "-p", "reporter=acled")  # fmt: skip
        assert deleted["counts"]["retracted"] == 1
        size = both.rows()
        again = both.json("import", str(EXAMPLES / "acled-events.csv"), *acled)
        assert (again["counts"]["stale"], again["counts"]["unchanged"]) == (2, 1)
        assert again["accepted"] == 0 and both.rows() == size


class TestNoMappingFile:
    def test_form_submissions(self, both: Cli) -> None:
        s = both.json("import", str(EXAMPLES / "checkpoint-form-odk.json"), "--preset",
                      "checkpoint-form")  # fmt: skip
        assert (s["accepted"], s["rejected"]) == (17, 0)
        s = both.json("import", str(EXAMPLES / "checkpoint-form-kobo.csv"), "--preset",
                      "checkpoint-form")  # fmt: skip
        assert (s["accepted"], s["duplicates"]) == (0, 14)
        assert s["absent_sheets"] == ["convoys", "incidents"]

    def test_the_form_command(self, both: Cli) -> None:
        from pyxform.xls2xform import convert

        code, _, err = both("form", "xlsform", "monitor.xlsx", "--reporter", "ngo-x")
        assert code == 0, err
        result = convert(xlsform=str(both.tmp / "monitor.xlsx"), validate=False)
        assert "north-gate" in result.xform and "impediment_to_entry" in result.xform
        code, _, err = both("form", "xlsform", "monitor.xlsx")
        assert code == 1 and "exists; give --force" in err
        code, _, err = both("form", "xlsform", "other.xlsx", "--reporter", "nobody")
        assert code == 1 and "unknown organisation 'nobody'" in err


class TestBadFiles:
    @pytest.mark.parametrize(
        ("name", "text", "how", "message"),
        [
            ("cut.json", '[{"type": "crossing", ', [], "cut.json: not JSON"),
            ("line.geojson", '{"type": "LineString", "coordinates": []}', [],
             "line.geojson: not GeoJSON"),
            ("plain.csv", "a,b\n1,2\n", [], "plain.csv: not a corridor export"),
            ("sub.json", '{"value": 3}', ["--preset", "checkpoint-form"],
             "sub.json: not a submission export"),
            ("del.csv", "id\n1\n", ["--preset", "acled-deletions", "-p", "reporter=acled"],
             "del.csv: not an ACLED deletions list"),
        ],
    )  # fmt: skip
    def test_one_line_naming_the_file(
        self, both: Cli, name: str, text: str, how: list[str], message: str
    ) -> None:
        (both.tmp / name).write_text(text)
        code, _, err = both("import", name, *how)
        assert code == 1 and err.startswith("error: ") and message in err, err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1

    def test_bad_rows_of_an_export_are_quarantined(self, both: Cli) -> None:
        assert both("export", "out.csv")[0] == 0
        both.json("import", str(EXAMPLES / "daily-counts.csv"), "--map",
                  str(EXAMPLES / "daily-counts.map.yaml"))  # fmt: skip
        assert both("export", "out.csv", "--force")[0] == 0
        with (both.tmp / "out.csv").open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        rows[1]["count"], rows[2]["type"] = "many", "sideways"
        with (both.tmp / "edited.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        s = both.json("import", "edited.csv")
        assert (s["rejected"], s["duplicates"]) == (2, len(rows) - 2)
        errors = [(r["row"], r["error"]) for r in s["first_rejected"]]
        assert errors == [(3, "column count: 'many' is not a whole number"),
                          (4, "column type: unknown observation type 'sideways'")]  # fmt: skip

    def test_submission_without_instance_id(self, both: Cli) -> None:
        doc = json.loads((EXAMPLES / "checkpoint-form-odk.json").read_text())
        for key in ("__id", "meta"):
            doc["value"][1].pop(key)
        (both.tmp / "odk.json").write_text(json.dumps(doc))
        s = both.json("import", "odk.json", "--preset", "checkpoint-form")
        assert s["rejected"] == 1 and "no instanceID" in s["first_rejected"][0]["error"]
        assert s["first_rejected"][0]["row"] == 2
