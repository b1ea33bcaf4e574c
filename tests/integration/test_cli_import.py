"""`corridor import` end to end: examples through mapping files into a SQLite record."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from corridor.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A SQLite record holding the North Gate example case, with a key for ngo-x; returns the
    --db/--keys options. The working directory is the test's own."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORRIDOR_DB", raising=False)
    monkeypatch.delenv("CORRIDOR_KEYS", raising=False)
    keys = tmp_path / "keys"
    opts = ["--db", str(tmp_path / "record.db"), "--keys", str(keys)]
    assert main(["case", "load", str(EXAMPLES / "north-gate-case.yaml"), *opts]) == 0
    assert main(["keys", "new", "ngo-x", *opts]) == 0  # registered on purpose
    return opts


def _import(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    capsys.readouterr()
    code = main(["import", *args, "--json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


class TestImportCommand:
    def test_daily_counts_csv(self, record: list[str], capsys: pytest.CaptureFixture[str]) -> None:
        """The daily-counts CSV imports; bad rows are quarantined with reasons; re-import adds
        nothing."""
        args = [
            str(EXAMPLES / "daily-counts.csv"),
            "--map",
            str(EXAMPLES / "daily-counts.map.yaml"),
        ]
        code, first, _ = _import(capsys, *args, *record)
        assert code == 0
        assert {k: first[k] for k in ("rows", "accepted", "duplicates", "skipped", "rejected")} == {
            "rows": 10,
            "accepted": 17,
            "duplicates": 0,
            "skipped": 1,
            "rejected": 2,
        }
        assert first["tree_size"] == 17
        assert first["quarantine"] == "quarantine-daily-counts.csv"
        assert first["first_rejected"][0] == {
            "row": 8,
            "mapping": "inbound",
            "error": "column trucks_in: '3x' is not a number",
        }
        with Path("quarantine-daily-counts.csv").open(encoding="utf-8-sig", newline="") as f:
            q = list(csv.DictReader(f))
        assert [(r["_row"], r["_mapping"]) for r in q] == [("8", "inbound"), ("9", "outbound")]
        assert "body.count (column trucks_out)" in q[1]["_error"]

        code, again, _ = _import(capsys, *args, *record)
        assert (code, again["accepted"], again["duplicates"], again["tree_size"]) == (0, 0, 17, 17)

    def test_vehicles_xlsx(self, record: list[str], capsys: pytest.CaptureFixture[str]) -> None:
        """The one-row-per-vehicle workbook imports; driver names stay out of the log."""
        args = [str(EXAMPLES / "vehicles.xlsx"), "--map", str(EXAMPLES / "vehicles.map.yaml")]
        code, first, _ = _import(capsys, *args, *record)
        assert (code, first["accepted"], first["rejected"]) == (0, 8, 2)
        assert first["first_rejected"][0]["sheet"] == "Log"
        code, again, _ = _import(capsys, *args, *record)
        assert (again["accepted"], again["duplicates"]) == (0, 8)

        from corridor.store.sql import SqlStore

        store = SqlStore.open(record[1])
        try:
            entries = b"".join(e for _i, e, *_ in store.entries())
        finally:
            store.close()
        assert b"NX-1001" in entries and b"Driver A" not in entries

    def test_fixed_quarantine_imports(
        self, record: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Rows fixed in the quarantine file import with their original file and row."""
        args = [str(EXAMPLES / "vehicles.xlsx"), "--map", str(EXAMPLES / "vehicles.map.yaml")]
        _import(capsys, *args, *record)
        q = Path("quarantine-vehicles.csv")
        q.write_text(q.read_text(encoding="utf-8-sig").replace("SIDEWAYS", "OUT"), "utf-8-sig")
        code, fixed, _ = _import(
            capsys,
            str(q),
            "--map",
            str(EXAMPLES / "vehicles.map.yaml"),
            *record,
            "--quarantine",
            "still-bad.csv",
        )
        assert (code, fixed["accepted"], fixed["rejected"]) == (0, 1, 1)
        assert fixed["first_rejected"][0]["row"] == 9
        capsys.readouterr()
        assert main(["list", "--json", *record[:2]]) == 0
        listed = json.loads(capsys.readouterr().out)
        rows = [o["sources"][0] for o in listed if o["sources"][0].get("sheet") == "Log"]
        assert {"file": "vehicles.xlsx", "sheet": "Log", "row": 8} in [
            {k: s[k] for k in ("file", "sheet", "row")} for s in rows
        ]

    def test_dry_run_writes_nothing(
        self, record: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A dry run counts but adds no entries and writes no quarantine."""
        args = [
            str(EXAMPLES / "daily-counts.csv"),
            "--map",
            str(EXAMPLES / "daily-counts.map.yaml"),
        ]
        code, dry, _ = _import(capsys, *args, *record, "--dry-run")
        assert (code, dry["accepted"], dry["rejected"], dry["quarantine"]) == (0, 17, 2, None)
        assert not Path("quarantine-daily-counts.csv").exists()
        _code, real, _ = _import(capsys, *args, *record)
        assert real["accepted"] == 17
        _code, dry2, _ = _import(capsys, *args, *record, "--dry-run")
        assert (dry2["accepted"], dry2["duplicates"]) == (0, 17)

    def test_summary_for_people(
        self, record: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without --json the summary names the counts, the quarantine and the first reasons."""
        capsys.readouterr()
        code = main(
            [
                "import",
                str(EXAMPLES / "daily-counts.csv"),
                "--map",
                str(EXAMPLES / "daily-counts.map.yaml"),
                *record,
            ]
        )
        out = capsys.readouterr().out
        assert code == 0
        assert "accepted" in out and "17" in out
        assert "quarantine-daily-counts.csv" in out
        assert "row 8, column trucks_in: '3x' is not a number" in out

    def test_bad_mapping_exits_1(
        self, record: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A malformed mapping file exits 1 with one line naming FILE:LINE:COLUMN."""
        bad = tmp_path / "bad.map.yaml"
        text = (EXAMPLES / "daily-counts.map.yaml").read_text(encoding="utf-8")
        bad.write_text(
            text.replace("count: {column: trucks_in}", "cont: {column: trucks_in}"),
            encoding="utf-8",
        )
        code, _, err = _import(
            capsys, str(EXAMPLES / "daily-counts.csv"), "--map", str(bad), *record
        )
        assert code == 1
        (line,) = err.strip().splitlines()
        assert line.startswith("error: bad.map.yaml:") and "did you mean 'count'?" in line

    def test_missing_column_exits_1(
        self, record: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A mapping naming a column the file lacks exits 1 naming the column."""
        data = tmp_path / "other.csv"
        data.write_text("day,trucks\n2023-07-01,4\n", encoding="utf-8")
        code, _, err = _import(
            capsys, str(data), "--map", str(EXAMPLES / "daily-counts.map.yaml"), *record
        )
        assert code == 1 and "no column 'date' in other.csv" in err

    def test_unreadable_input_exits_1(
        self, record: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A missing input file exits 1 with one line."""
        code, _, err = _import(
            capsys, "nope.csv", "--map", str(EXAMPLES / "daily-counts.map.yaml"), *record
        )
        assert code == 1 and err.strip() == "error: nope.csv: no such file"

    def test_missing_key_writes_nothing(
        self, record: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without the reporter's key the import stops before writing anything."""
        Path(record[3], "ngo-x.key").unlink()
        args = [
            str(EXAMPLES / "daily-counts.csv"),
            "--map",
            str(EXAMPLES / "daily-counts.map.yaml"),
        ]
        code, _, err = _import(capsys, *args, *record)
        assert code == 1 and "no signing key for 'ngo-x'" in err
        assert not Path("quarantine-daily-counts.csv").exists()
