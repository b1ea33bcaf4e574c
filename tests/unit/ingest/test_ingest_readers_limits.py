"""What every reader refuses or quarantines: files too big or not regular, over-long fields,
records the csv module cannot read, and files that are not what their name says."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corridor.ingest.readers as readers
from corridor.errors import InputError
from corridor.ingest import open_table
from corridor.ingest.readers import MAX_FIELD_CHARS, UnreadableRow, file_kind

WriteCsv = Callable[..., Path]
WriteXlsx = Callable[..., Path]


class TestFileBounds:
    def test_file_over_the_limit(
        self, write_csv: WriteCsv, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A file bigger than MAX_FILE_BYTES is refused before it is read, naming the file."""
        p = write_csv("a\n" + "1\n" * 600)
        monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1024)
        with pytest.raises(InputError, match=r"counts.csv: the file is .* more than"):
            open_table(p)

    def test_device_is_refused(self) -> None:
        """/dev/zero is not a regular file: refused at once, not read until memory runs out."""
        with pytest.raises(InputError, match="/dev/zero: not a regular file"):
            open_table("/dev/zero")

    def test_fifo_is_refused(self, tmp_path: Path) -> None:
        """A named pipe is refused without blocking on it."""
        fifo = tmp_path / "pipe.csv"
        os.mkfifo(fifo)
        with pytest.raises(InputError, match="not a regular file"):
            file_kind(fifo)

    def test_folder_is_refused(self, tmp_path: Path) -> None:
        """A folder is refused, naming it."""
        with pytest.raises(InputError, match="not a regular file"):
            open_table(tmp_path)


class TestLongFields:
    def test_long_note_quarantines_its_row_only(self, write_csv: WriteCsv) -> None:
        """A 100 KB note makes its row unreadable (named, cut short); the rows around it are
        read."""
        note = "x" * 100_000
        p = write_csv(f"day,n,note\n2023-07-01,1,ok\n2023-07-02,2,{note}\n2023-07-03,3,ok\n")
        rows = list(open_table(p).rows())
        assert [n for n, _ in rows] == [2, 3, 4]
        bad = rows[1][1]
        assert isinstance(bad, UnreadableRow)
        assert "column note holds 100,000 characters" in bad.reason
        assert bad.values["day"] == "2023-07-02" and len(bad.values["note"]) < 300
        assert rows[2][1] == {"day": "2023-07-03", "n": "3", "note": "ok"}

    def test_field_over_the_csv_module_limit(self, write_csv: WriteCsv) -> None:
        """A field over csv.field_size_limit() is a csv.Error for that row only."""
        big = "y" * (csv.field_size_limit() + 10)
        p = write_csv(f"day,note\n2023-07-01,a\n2023-07-02,{big}\n2023-07-03,c\n")
        rows = list(open_table(p).rows())
        assert [n for n, _ in rows] == [2, 3, 4]
        assert isinstance(rows[1][1], UnreadableRow) and "field limit" in rows[1][1].reason
        assert rows[2][1] == {"day": "2023-07-03", "note": "c"}

    def test_quoted_multiline_field_over_the_csv_limit(self, write_csv: WriteCsv) -> None:
        """An over-long quoted field over several lines is one unreadable row; its later lines
        are not read as rows of their own."""
        big = "z" * (csv.field_size_limit() + 10)
        p = write_csv(f'day,note\n2023-07-02,"{big}\nstill, the note\n"\n2023-07-03,c\n')
        rows = list(open_table(p).rows())
        assert isinstance(rows[0][1], UnreadableRow)
        assert rows[1:] == [(3, {"day": "2023-07-03", "note": "c"})]

    def test_long_cell_in_a_workbook(self, write_ods: Callable[..., Path]) -> None:
        """A workbook cell over MAX_FIELD_CHARS (ODS has no cell limit of its own) quarantines
        its row the same way."""
        p = write_ods({"S": [["day", "note"], ["a", "z" * (MAX_FIELD_CHARS + 1)], ["b", "ok"]]})
        rows = list(open_table(p).rows())
        assert isinstance(rows[0][1], UnreadableRow) and rows[1] == (3, {"day": "b", "note": "ok"})


class TestWrongContent:
    def test_xlsx_named_csv_is_read_as_a_workbook(self, write_xlsx: WriteXlsx) -> None:
        """The content decides: an XLSX workbook renamed .csv is read as the workbook it is."""
        p = write_xlsx({"S": [["a"], [1]]}, name="export.csv")
        t = open_table(p)
        assert (t.kind, list(t.rows())) == ("xlsx", [(2, {"a": 1})])

    def test_random_bytes(self, tmp_path: Path) -> None:
        """Random bytes are refused as not text, naming the file."""
        p = tmp_path / "noise.csv"
        p.write_bytes(bytes(range(256)) * 40 + os.urandom(4096))
        with pytest.raises(InputError, match=r"noise.csv: "):
            list(open_table(p).rows())

    def test_truncated_xlsx(self, write_xlsx: WriteXlsx) -> None:
        """A workbook cut short is an InputError naming the file."""
        p = write_xlsx({"S": [["a"], *[[i] for i in range(500)]]})
        p.write_bytes(p.read_bytes()[:2000])
        with pytest.raises(InputError, match=r"book.xlsx: not a readable XLSX workbook"):
            open_table(p)

    def test_truncated_ods(self, write_ods: Callable[..., Path]) -> None:
        """An ODS file cut short is an InputError naming the file."""
        p = write_ods({"S": [["a"], *[[i] for i in range(500)]]})
        p.write_bytes(p.read_bytes()[:300])
        with pytest.raises(InputError, match=r"book.ods: not a readable ODS workbook"):
            open_table(p)

    def test_zip_that_is_no_workbook(self, tmp_path: Path) -> None:
        """A ZIP file that holds no workbook is refused, not read as text."""
        import zipfile

        p = tmp_path / "data.csv"
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("readme.txt", "hello")
        with pytest.raises(InputError, match=r"data.csv: not a readable XLSX workbook"):
            open_table(p)


class TestNeverATraceback:
    @settings(max_examples=60, deadline=None)
    @given(data=st.binary(max_size=3000), name=st.sampled_from(["f.csv", "f.xlsx", "f.ods"]))
    def test_any_bytes(
        self, tmp_path_factory: pytest.TempPathFactory, data: bytes, name: str
    ) -> None:
        """Whatever the bytes, reading ends in rows or an InputError, never another exception."""
        p = tmp_path_factory.mktemp("fuzz") / name
        p.write_bytes(data)
        try:
            for _ in open_table(p).rows():
                pass
        except InputError:
            pass

    @settings(max_examples=40, deadline=None)
    @given(st.text(alphabet='ab,;"\n\r\t é', max_size=300))
    def test_any_csv_text(self, tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
        """Whatever the CSV text, reading ends in rows or an InputError."""
        p = tmp_path_factory.mktemp("fuzz") / "t.csv"
        p.write_text(text, encoding="utf-8")
        try:
            for _ in open_table(p).rows():
                pass
        except InputError:
            pass
