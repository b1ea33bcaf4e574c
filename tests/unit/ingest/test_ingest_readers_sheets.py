"""Workbooks through python-calamine: XLSX, XLS and ODS alike; dates, numbers, row and column
numbers as the sheet shows them; damaged and protected workbooks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from corridor.errors import InputError
from corridor.ingest import open_table

Writer = Callable[..., Path]


@pytest.fixture(params=["xlsx", "xls", "ods"])
def write_book(request: pytest.FixtureRequest) -> Writer:
    """A workbook writer of each format in turn."""
    writer: Writer = request.getfixturevalue(f"write_{request.param}")
    return writer


class TestEveryFormat:
    def test_rows_cells_and_numbers(self, write_book: Writer) -> None:
        """Text, whole and fractional numbers, and a date-time cell arrive typed; the kind is
        told by the content."""
        p = write_book(
            {"S": [["when", "n", "place"], [datetime(2023, 7, 1, 8, 15), 30000, "Şuşa"],
                   [datetime(2023, 7, 2, 9, 0), 2.5, "Лачин"]]}
        )
        t = open_table(p)
        assert t.kind == p.suffix[1:] and t.columns == ("when", "n", "place")
        assert list(t.rows()) == [
            (2, {"when": datetime(2023, 7, 1, 8, 15), "n": 30000, "place": "Şuşa"}),
            (3, {"when": datetime(2023, 7, 2, 9, 0), "n": 2.5, "place": "Лачин"}),
        ]
        assert isinstance(next(t.rows())[1]["n"], int)

    def test_row_numbers_with_empty_rows(self, write_book: Writer) -> None:
        """Empty rows are passed over but counted: numbers are those of the sheet."""
        p = write_book({"S": [["a"], [1], [None], [None], [4]]})
        assert [n for n, _ in open_table(p).rows()] == [2, 5]

    def test_header_below_empty_rows_and_right_of_empty_columns(self, write_book: Writer) -> None:
        """A table that starts at C4: row numbers and column numbers are still the sheet's."""
        p = write_book(
            {"S": [[], [], [None, None, "Title"], [None, None, "a", None, "b"],
                   [None, None, 1, None, 2]]}
        )
        t = open_table(p, header_row=4)
        assert t.columns == ("column_1", "column_2", "a", "column_4", "b")
        assert list(t.rows()) == [
            (5, {"column_1": None, "column_2": None, "a": 1, "column_4": None, "b": 2})
        ]

    def test_sheet_by_name(self, write_book: Writer) -> None:
        """A sheet is chosen by name; an unknown one lists the sheets there are."""
        p = write_book({"One": [["a"], [1]], "Two": [["b"], [2]]})
        assert list(open_table(p, sheet="Two").rows()) == [(2, {"b": 2})]
        with pytest.raises(InputError, match=r"no sheet 'Three' \(sheets: One, Two\)"):
            open_table(p, sheet="Three")

    def test_estimated_rows(self, write_book: Writer) -> None:
        """The estimate counts the sheet's rows after the header."""
        assert open_table(write_book({"S": [["a"], [1], [2], [3]]})).estimated_rows == 3


class TestDates:
    def test_serial_date_with_a_date_format_is_a_date(self, tmp_path: Path) -> None:
        """A number stored with a date format arrives as a date; the same number without one
        stays a number."""
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(["day", "n"])
        ws.append([45108, 45108])
        ws["A2"].number_format = "yyyy-mm-dd"
        p = tmp_path / "serial.xlsx"
        wb.save(p)
        assert next(open_table(p).rows())[1] == {"day": date(2023, 7, 1), "n": 45108}

    def test_1904_date_system(self, tmp_path: Path) -> None:
        """A workbook on the 1904 date system (old Mac Excel) reads its serial dates in it."""
        from openpyxl import Workbook
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        wb = Workbook()
        wb.epoch = CALENDAR_MAC_1904
        ws = wb.active
        ws.append(["day", "at"])
        ws.append([45108, datetime(2023, 7, 1, 8, 15)])
        ws["A2"].number_format = "yyyy-mm-dd"
        p = tmp_path / "mac.xlsx"
        wb.save(p)
        row = next(open_table(p).rows())[1]
        assert row == {"day": date(2027, 7, 2), "at": datetime(2023, 7, 1, 8, 15)}

    def test_date_only_cells(self, write_ods: Writer) -> None:
        """A date cell without a time arrives as a date."""
        p = write_ods({"S": [["day"], [date(2023, 7, 2)]]})
        assert next(open_table(p).rows())[1] == {"day": date(2023, 7, 2)}


class TestDamaged:
    @pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
    def test_cut_short(self, request: pytest.FixtureRequest, fmt: str) -> None:
        """A workbook cut in half is an InputError naming the file and the format."""
        p: Path = request.getfixturevalue(f"write_{fmt}")(
            {"S": [["a", "b"], *[[i, f"row {i}"] for i in range(300)]]}
        )
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
        with pytest.raises(InputError, match=rf"^book\.{fmt}: "):
            list(open_table(p).rows())

    def test_password_protected(self, tmp_path: Path, write_xlsx: Writer) -> None:
        """An encrypted workbook is refused with what to do."""
        pytest.importorskip("msoffcrypto")
        from msoffcrypto.format.ooxml import OOXMLFile

        plain = write_xlsx({"S": [["a"], [1]]})
        locked = tmp_path / "locked.xlsx"
        with plain.open("rb") as src, locked.open("wb") as out:
            OOXMLFile(src).encrypt("secret", out)
        with pytest.raises(InputError, match=r"locked\.xlsx: the workbook is password-protected"):
            open_table(locked)


def _kinds(p: Path) -> Any:
    return open_table(p).kind


class TestKind:
    def test_xls_named_csv(self, write_xls: Writer) -> None:
        """An XLS workbook with a .csv name is read as a workbook."""
        assert _kinds(write_xls({"S": [["a"], [1]]}, name="export.csv")) == "xls"

    def test_ods_without_extension(self, write_ods: Writer) -> None:
        """An ODS workbook is told by its content."""
        assert _kinds(write_ods({"S": [["a"], [1]]}, name="export")) == "ods"
