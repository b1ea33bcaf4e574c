"""Nothing corridor did not write is ever deleted or replaced: export and demo folders,
quarantine paths, and CSV files whose broken quote would swallow the rest of the file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from corridor.testing import Cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
MAPPING = EXAMPLES / "daily-counts.map.yaml"




@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """A working folder holding corridor.db (the North Gate case) and corridor-keys/ (ngo-x)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORRIDOR_DB", raising=False)
    monkeypatch.delenv("CORRIDOR_KEYS", raising=False)
    c = Cli(tmp_path, capsys)
    assert c("case", "load", str(EXAMPLES / "north-gate-case.yaml"))[0] == 0
    assert c("keys", "new", "ngo-x")[0] == 0  # registered on purpose
    return c


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


class TestLogExportFolder:
    def test_refuses_the_working_folder(self, cli: Cli) -> None:
        """`log export .` refuses a folder corridor did not write and leaves it as it was."""
        before = {p.name for p in cli.tmp.iterdir()}
        code, _out, err = cli("log", "export", ".")
        assert code == 1
        assert "not written by corridor" in err and "Traceback" not in err
        assert {p.name for p in cli.tmp.iterdir()} == before
        assert (cli.tmp / "corridor.db").stat().st_size > 0
        assert (cli.tmp / "corridor-keys" / "ngo-x.key").is_file()

    def test_refuses_a_folder_holding_the_database(self, cli: Cli) -> None:
        """Exporting into a folder that holds the database and the keys deletes neither."""
        sub = cli.tmp / "data"
        sub.mkdir()
        (sub / "notes.txt").write_text("mine")
        code, _out, err = cli("log", "export", str(sub))
        assert code == 1, err
        assert (sub / "notes.txt").read_text() == "mine"

    def test_replaces_a_previous_export(self, cli: Cli) -> None:
        """A folder that holds a previous export (its marker file) is replaced whole."""
        out = cli.tmp / "site"
        assert cli("log", "export", str(out))[0] == 0
        assert (out / ".corridor-export").is_file()
        code, _out, err = cli("log", "export", str(out))
        assert code == 0, err
        assert (out / "checkpoint").is_file()
        assert not [p for p in cli.tmp.iterdir() if p.name.startswith(".site.")]

    def test_refuses_a_previous_export_with_a_file_added(self, cli: Cli) -> None:
        """A previous export into which someone put a file of their own is not replaced."""
        out = cli.tmp / "site"
        assert cli("log", "export", str(out))[0] == 0
        (out / "index.html").write_text("my page")
        code, _out, err = cli("log", "export", str(out))
        assert code == 1
        assert "index.html" in err
        assert (out / "index.html").read_text() == "my page"

    def test_empty_folder_is_used(self, cli: Cli) -> None:
        """An existing empty folder is written into."""
        out = cli.tmp / "empty"
        out.mkdir()
        assert cli("log", "export", str(out))[0] == 0
        assert (out / "checkpoint").is_file()

    @pytest.mark.parametrize("kind", ["file", "symlink", "unwritable"])
    def test_bad_targets_get_one_line(self, cli: Cli, kind: str) -> None:
        """A file, a symlinked folder or an unwritable place: exit 1, a clear message, nothing
        changed."""
        if kind == "file":
            target = cli.tmp / "a-file"
            target.write_text("keep me")
        elif kind == "symlink":
            real = cli.tmp / "real"
            real.mkdir()
            target = cli.tmp / "link"
            target.symlink_to(real)
        else:
            target = Path("/proc/corridor-cannot-write-here")
        code, _out, err = cli("log", "export", str(target))
        assert code == 1, err
        assert "Traceback" not in err and str(target) in err
        if kind == "file":
            assert target.read_text() == "keep me"
        if kind == "symlink":
            assert list((cli.tmp / "real").iterdir()) == []


class TestDemoFolder:
    def test_refuses_a_folder_it_did_not_write(self, cli: Cli) -> None:
        """`corridor demo --dir .` in a working folder deletes nothing."""
        before = _snapshot(cli.tmp)
        code, _out, err = cli("demo", "--dir", ".", "--sections", "status")
        assert code == 1
        assert "not written by corridor" in err
        assert _snapshot(cli.tmp) == before

    def test_runs_again_in_its_own_folder(self, cli: Cli) -> None:
        """A demo folder can be run again: what the demo wrote is replaced."""
        d = cli.tmp / "demo"
        assert cli("demo", "--dir", str(d), "--sections", "status")[0] == 0
        code, _out, err = cli("demo", "--dir", str(d), "--sections", "status")
        assert code == 0, err
        assert (d / "corridor.db").is_file()


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("date,trucks_in,trucks_out,tonnes_in,note\n" + "\n".join(rows) + "\n")
    return path


def _days(n: int, start: int = 1) -> list[str]:
    return [f"2023-08-{d:02d},{d},{d},{d * 10},synthetic test row" for d in range(start, start + n)]


class TestQuarantinePath:
    @pytest.mark.parametrize("victim", ["corridor.db", "input", "mapping", "folder", "fifo"])
    def test_refuses_what_is_not_a_quarantine_file(self, cli: Cli, victim: str) -> None:
        """--quarantine naming the database, the input, the mapping, a folder or a special file
        (a FIFO: never a real device, which a regression would replace) is refused before
        anything is written."""
        import os

        os.mkfifo(cli.tmp / "fifo")
        data = _csv(cli.tmp / "in.csv", ["2023-08-01,3x,1,1,bad", *_days(3, 2)])
        mapping = cli.tmp / "m.yaml"
        mapping.write_text(MAPPING.read_text())
        target = {
            "corridor.db": cli.tmp / "corridor.db",
            "input": data,
            "mapping": mapping,
            "folder": cli.tmp / "corridor-keys",
            "fifo": cli.tmp / "fifo",
        }[victim]
        before = target.read_bytes() if target.is_file() else None
        args = ["import", str(data), "--map", str(mapping), "--quarantine", str(target)]
        code, _out, err = cli(*args)
        assert code == 1, err
        assert "Traceback" not in err
        if before is not None:
            assert target.read_bytes() == before
        _c, out, _e = cli("list", "crossing", "--json")
        assert json.loads(out) == []

    def test_replaces_its_own_quarantine_file(self, cli: Cli) -> None:
        """A previous quarantine file is replaced by the new one."""
        data = _csv(cli.tmp / "in.csv", ["2023-08-01,3x,1,1,bad", *_days(2, 2)])
        q = cli.tmp / "q.csv"
        assert cli("import", str(data), "--map", str(MAPPING), "--quarantine", str(q))[0] == 0
        first = q.read_text(encoding="utf-8-sig")
        _csv(data, ["2023-08-09,4x,1,1,bad again"])
        code, _out, err = cli("import", str(data), "--map", str(MAPPING), "--quarantine", str(q))
        assert code == 0, err
        second = q.read_text(encoding="utf-8-sig")
        assert first != second and "2023-08-09" in second


class TestUnclosedQuote:
    def test_row_is_quarantined_and_the_rest_imported(self, cli: Cli) -> None:
        """An unclosed quote in row 3 is quarantined with the row named; the 26 rows after it
        are imported, not swallowed into one note."""
        rows = [*_days(1), '2023-08-02,2,2,20,"note with a quote that never closes', *_days(26, 3)]
        data = _csv(cli.tmp / "in.csv", rows)
        code, out, err = cli("import", str(data), "--map", str(MAPPING), "--json")
        assert code == 0, err
        summary = json.loads(out)
        assert summary["rows"] == 28
        assert summary["rejected"] == 1
        assert summary["accepted"] == 27 * 2
        assert summary["first_rejected"][0]["row"] == 3
        assert "never closed" in summary["first_rejected"][0]["error"]
        with (cli.tmp / "quarantine-in.csv").open(encoding="utf-8-sig", newline="") as f:
            q = list(csv.DictReader(f))
        assert [r["_row"] for r in q] == ["3"]
        assert q[0]["date"] == "2023-08-02"

    def test_unclosed_quote_in_the_header(self, cli: Cli) -> None:
        """A header row whose quote never closes is a clear error naming the file."""
        data = cli.tmp / "in.csv"
        data.write_text('date,"trucks_in\n2023-08-01,1\n')
        code, _out, err = cli("import", str(data), "--map", str(MAPPING))
        assert code == 1
        assert "in.csv" in err and "never closed" in err
