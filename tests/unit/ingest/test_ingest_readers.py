"""The readers through open_table: CSV delimiters, header rows, row numbers, XLSX sheets."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from corridor.errors import InputError
from corridor.ingest import open_table

WriteCsv = Callable[..., Path]
WriteXlsx = Callable[..., Path]


class TestCsv:
    def test_rows_numbered_as_a_spreadsheet_shows_them(self, write_csv: WriteCsv) -> None:
        """The header is row 1; a blank line is passed over but still counts."""
        p = write_csv("date,n\n2023-07-01,1\n\n2023-07-03,3\n")
        t = open_table(p)
        assert t.columns == ("date", "n")
        assert list(t.rows()) == [
            (2, {"date": "2023-07-01", "n": "1"}),
            (4, {"date": "2023-07-03", "n": "3"}),
        ]

    def test_utf8_bom(self, tmp_path: Path) -> None:
        """A UTF-8 byte-order mark does not become part of the first column's name."""
        p = tmp_path / "bom.csv"
        p.write_bytes(codecs.BOM_UTF8 + b"date,n\n2023-07-01,1\n")
        assert open_table(p).columns == ("date", "n")

    def test_utf16(self, tmp_path: Path) -> None:
        """UTF-16 with its byte-order mark is read."""
        p = tmp_path / "u16.csv"
        p.write_bytes("place,n\nŞuşa,1\n".encode("utf-16"))
        assert list(open_table(p).rows()) == [(2, {"place": "Şuşa", "n": "1"})]

    def test_short_legacy_text_is_refused_not_guessed(self, write_csv: WriteCsv) -> None:
        """Two words of Windows-1252 are too little to tell the encoding: refused, naming the
        file and the mapping setting (this used to be guessed as Windows-1252)."""
        p = write_csv("place,n\nCafé,1\n", encoding="cp1252")
        with pytest.raises(InputError, match=r"counts.csv: .*set 'encoding:' in the mapping"):
            open_table(p)

    def test_explicit_encoding(self, write_csv: WriteCsv) -> None:
        """An encoding named in the mapping file is used as given."""
        p = write_csv("place,n\nЛачин,1\n", encoding="koi8-r")
        rows = list(open_table(p, encoding="koi8-r").rows())
        assert rows[0][1]["place"] == "Лачин"

    def test_bad_bytes_later_in_the_file(self, tmp_path: Path) -> None:
        """A file that is UTF-8 for 20,000 rows and then not is not read as UTF-8: the whole
        file is looked at, and the one odd word is too little to tell its encoding."""
        p = tmp_path / "mixed.csv"
        p.write_bytes(b"place,n\n" + b"a,1\n" * 20000 + b"caf\xe9,2\n")
        with pytest.raises(InputError, match=r"mixed.csv: the text is not UTF-8 .*'encoding:'"):
            open_table(p)

    def test_bytes_invalid_in_the_named_encoding(self, tmp_path: Path) -> None:
        """Bytes not valid in the encoding the mapping names: the row and the fix are named."""
        p = tmp_path / "mixed.csv"
        p.write_bytes(b"place,n\n" + b"a,1\n" * 20 + b"caf\xe9,2\n")
        with pytest.raises(InputError, match="row 22 is not valid ascii text; set 'encoding:'"):
            list(open_table(p, encoding="ascii").rows())

    @pytest.mark.parametrize("sep", [";", "\t", "|"])
    def test_delimiter_is_sniffed(self, write_csv: WriteCsv, sep: str) -> None:
        """Semicolons, tabs and bars between fields are recognised."""
        p = write_csv(f"date{sep}n{sep}note\n2023-07-01{sep}1,5{sep}a, b\n")
        t = open_table(p)
        assert t.columns == ("date", "n", "note")
        assert next(t.rows())[1]["n"] == "1,5"

    def test_quoted_thousands_with_commas(self, write_csv: WriteCsv) -> None:
        """A quoted '30,000' stays one cell."""
        p = write_csv('date,n\n2023-07-01,"30,000"\n')
        assert next(open_table(p).rows())[1]["n"] == "30,000"

    def test_multiline_cell_is_one_row(self, write_csv: WriteCsv) -> None:
        """A quoted cell over two lines is one row, as in a spreadsheet."""
        p = write_csv('note,n\n"two\nlines",1\nnext,2\n')
        assert [n for n, _ in open_table(p).rows()] == [2, 3]

    def test_header_row(self, write_csv: WriteCsv) -> None:
        """A header further down: the rows above it are ignored."""
        p = write_csv("Title of the report\n\ndate,n\n2023-07-01,1\n")
        t = open_table(p, header_row=3)
        assert t.columns == ("date", "n") and [n for n, _ in t.rows()] == [4]

    def test_short_and_long_rows(self, write_csv: WriteCsv) -> None:
        """Missing cells are None; extra non-empty cells are kept as column_N."""
        p = write_csv("a,b\n1\n1,2,3\n")
        assert [r for _, r in open_table(p).rows()] == [
            {"a": "1", "b": None},
            {"a": "1", "b": "2", "column_3": "3"},
        ]

    def test_duplicate_header(self, write_csv: WriteCsv) -> None:
        """A header naming a column twice is refused, naming both positions."""
        with pytest.raises(InputError, match="names column 'n' twice \\(columns 2 and 3\\)"):
            open_table(write_csv("date,n,n\n"))

    def test_unnamed_header_cells(self, write_csv: WriteCsv) -> None:
        """An empty header cell between named ones becomes column_N; trailing ones are dropped."""
        assert open_table(write_csv("a,,c,,\n1,2,3,,\n")).columns == ("a", "column_2", "c")

    def test_empty_file(self, write_csv: WriteCsv) -> None:
        """An empty file has no header."""
        with pytest.raises(InputError, match="no header in row 1"):
            open_table(write_csv(""))

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is an InputError naming it."""
        with pytest.raises(InputError, match="no such file"):
            open_table(tmp_path / "nope.csv")

    def test_estimated_rows(self, write_csv: WriteCsv) -> None:
        """The row estimate counts lines after the header."""
        assert open_table(write_csv("a\n1\n2\n3\n")).estimated_rows == 3


class TestXlsx:
    def test_first_sheet_by_default(self, write_xlsx: WriteXlsx) -> None:
        """Without a sheet name the first sheet is read."""
        p = write_xlsx({"One": [["a"], [1]], "Two": [["b"], [2]]})
        t = open_table(p)
        assert (t.sheet, t.columns, list(t.rows())) == ("One", ("a",), [(2, {"a": 1})])

    def test_sheet_selection(self, write_xlsx: WriteXlsx) -> None:
        """A sheet is chosen by name."""
        p = write_xlsx({"One": [["a"], [1]], "Two": [["b"], [2]]})
        t = open_table(p, sheet="Two")
        assert (t.sheet, list(t.rows())) == ("Two", [(2, {"b": 2})])

    def test_unknown_sheet(self, write_xlsx: WriteXlsx) -> None:
        """An unknown sheet is refused, listing the sheets there are."""
        p = write_xlsx({"One": [["a"]], "Two": [["b"]]})
        with pytest.raises(InputError, match="no sheet 'Three' \\(sheets: One, Two\\)"):
            open_table(p, sheet="Three")

    def test_dates_are_datetimes(self, write_xlsx: WriteXlsx) -> None:
        """Date cells arrive as datetime objects, numbers as numbers."""
        p = write_xlsx({"S": [["when", "n"], [datetime(2023, 7, 1, 8, 15), 30000]]})
        assert next(open_table(p).rows())[1] == {"when": datetime(2023, 7, 1, 8, 15), "n": 30000}

    def test_row_numbers_and_gaps(self, write_xlsx: WriteXlsx) -> None:
        """Empty rows are passed over; numbers are those of the sheet."""
        p = write_xlsx({"S": [["a"], [1], [None], [None], [4]]})
        assert [n for n, _ in open_table(p).rows()] == [2, 5]

    def test_header_row(self, write_xlsx: WriteXlsx) -> None:
        """A header in row 2 under a title."""
        p = write_xlsx({"S": [["Title"], ["a", "b"], [1, 2]]})
        t = open_table(p, header_row=2)
        assert t.columns == ("a", "b") and list(t.rows()) == [(3, {"a": 1, "b": 2})]

    def test_not_a_workbook(self, tmp_path: Path) -> None:
        """A file named .xlsx that is no workbook is an InputError."""
        p = tmp_path / "fake.xlsx"
        p.write_text("date,n\n", encoding="utf-8")
        with pytest.raises(InputError, match="not a readable XLSX workbook"):
            open_table(p)

    def test_damaged_xls(self, tmp_path: Path) -> None:
        """An Excel 97-2003 file is read now; a damaged one is an InputError naming it."""
        p = tmp_path / "old.xls"
        p.write_bytes(b"\xd0\xcf\x11\xe0")
        with pytest.raises(InputError, match=r"old.xls: not a readable XLS workbook"):
            open_table(p)

    def test_workbook_without_extension(self, write_xlsx: WriteXlsx) -> None:
        """A workbook is recognised by its content whatever its name."""
        p = write_xlsx({"S": [["a"], [1]]}, name="export.dat")
        assert open_table(p).kind == "xlsx"
