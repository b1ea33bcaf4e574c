"""The CLI at the edge of the record model: values that must be refused with one line, exit 1."""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import pytest

from corridor.testing import Cli


def crossing(*extra: str, observed: str = "2024-01-05T10:00:00+00:00") -> list[str]:
    return [
        "record", "crossing", "--reporter", "ngo-x", "--checkpoint", "north-gate",
        "--direction", "inbound", "--category", "vehicles", "--observed", observed, *extra,
    ]  # fmt: skip


def _one_line_error(code: int, err: str) -> str:
    assert code == 1, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


class TestRecordEdges:
    def test_local_time_in_a_gap_is_refused(self, north: Cli) -> None:
        """`record --tz Asia/Gaza --observed 2024-04-20T02:30` exits 1 naming observed."""
        before = north.rows()
        code, _out, err = north(
            *crossing("--count", "1", "--tz", "Asia/Gaza", observed="2024-04-20T02:30")
        )
        line = _one_line_error(code, err)
        assert "observed" in line and "does not exist in Asia/Gaza" in line
        assert north.rows() == before

    def test_local_time_in_a_fold_is_refused(self, north: Cli) -> None:
        """An ambiguous local time is refused; with its offset it is recorded."""
        code, _out, err = north(
            *crossing("--count", "1", "--tz", "Asia/Gaza", observed="2024-10-26T01:30")
        )
        assert "happens twice" in _one_line_error(code, err)
        code, _out, err = north(
            *crossing("--count", "1", "--tz", "Asia/Gaza", observed="2024-10-26T01:30+02:00")
        )
        assert code == 0, err

    @pytest.mark.parametrize("count", ["9007199254740993", "1" + "0" * 30])
    def test_huge_count_is_refused(self, north: Cli, count: str) -> None:
        """A count beyond 2**53 (or 10**30) exits 1 naming count, not a traceback."""
        code, _out, err = north(*crossing("--count", count))
        line = _one_line_error(code, err)
        assert "count" in line and "less than or equal to" in line

    def test_utc_year_zero_is_refused(self, north: Cli) -> None:
        """Year 1 at a positive offset exits 1 naming observed, and later commands still work."""
        code, _out, err = north(*crossing("--count", "1", observed="0001-01-01T00:00:00+01:00"))
        assert "out of range" in _one_line_error(code, err)
        assert north("check", "--json")[0] in (0, 1)  # no crash after the refusal

    def test_javascript_url_is_refused(self, north: Cli) -> None:
        """A source URL of javascript: is refused naming the URL field."""
        code, _out, err = north(*crossing("--count", "1", "--source-url", "javascript:alert(1)"))
        line = _one_line_error(code, err)
        assert "url" in line and "http or https" in line

    def test_control_characters_in_a_note_are_refused(self, north: Cli) -> None:
        """An escape sequence in a note is refused naming note."""
        code, _out, err = north(*crossing("--count", "1", "--note", "x\x1b[2Jy"))
        assert "note" in _one_line_error(code, err)


class TestReadEdges:
    def test_status_at_year_one(self, north: Cli) -> None:
        """`status --at 0001-01-01T00:00Z` exits 1 with one line naming --at."""
        code, _out, err = north("status", "--at", "0001-01-01T00:00Z")
        line = _one_line_error(code, err)
        assert "--at" in line and "out of range" in line

    def test_check_at_year_one(self, north: Cli) -> None:
        """`check --at` obeys the same bounds."""
        code, _out, err = north(
            "check", "--case", "north-gate-example", "--at", "0001-01-01T00:00Z"
        )
        assert "out of range" in _one_line_error(code, err)

    def test_list_from_out_of_range(self, north: Cli) -> None:
        """`list --from 0001-01-01T00:00+01:00` exits 1 naming --from."""
        code, _out, err = north("list", "--from", "0001-01-01T00:00+01:00")
        assert "--from" in _one_line_error(code, err)

    def test_list_limit_too_large(self, north: Cli) -> None:
        """`list --limit 10**30` is a clear usage error, not an OverflowError."""
        code, _out, err = north("list", "--limit", "1" + "0" * 30)
        assert code == 2 and "Traceback" not in err
        assert "--limit" in err


MAPPING = """\
mappings:
  - type: crossing
    reporter: ngo-x
    source: {title: T}
    constants: {checkpoint: north-gate, direction: inbound, category: vehicles}
    columns:
      observed: {column: date, format: "%Y-%m-%d", tz: Asia/Beirut, period: day}
      count: {column: n}
      note: {column: note}
      source.date: {column: sdate}
      source.url: {column: url}
"""

ROWS = """\
date,n,note,sdate,url
2024-03-01,1,fine,2024,https://example.org/a
2024-03-31,1,midnight skipped,2024,
2024-02-30,1,no such day,2024,
9999-12-31,1,last day,2024,
2024-03-02,9007199254740993,huge,2024,
2024-03-03,1,bad source date,2024-02-30,
2024-03-04,1,script,2024,javascript:alert(1)
2024-03-05,1,"ctrl \x1b[31m",2024,
2024-03-06,1e308,float,2024,
2024-03-07,2,fine too,2024,
"""


class TestImportEdges:
    def test_bad_rows_are_quarantined_and_the_import_goes_on(self, north: Cli) -> None:
        """Each bad date, figure, URL or text rejects its own row (named in the quarantine file);
        the good rows are recorded and the import exits 0."""
        (north.tmp / "m.yaml").write_text(MAPPING, encoding="utf-8")
        (north.tmp / "d.csv").write_text(textwrap.dedent(ROWS), encoding="utf-8")
        before = north.rows()
        code, out, err = north("import", "d.csv", "--map", "m.yaml", "--json")
        assert code == 0, err
        summary = json.loads(out)
        assert (summary["accepted"], summary["rejected"]) == (2, 8)
        assert north.rows() == before + 2
        with Path(summary["quarantine"]).open(encoding="utf-8-sig", newline="") as f:
            errors = {int(r["_row"]): r["_error"] for r in csv.DictReader(f)}
        assert "does not exist in Asia/Beirut" in errors[3]
        assert "day is out of range for month" in errors[4]
        assert "out of range" in errors[5]
        assert errors[6].startswith("body.count (column n)")
        assert errors[7].startswith("sources.0.date (column sdate)")
        assert errors[8].startswith("sources.0.url (column url)")
        assert errors[9].startswith("note (column note)")
        assert errors[10].startswith("column n")
