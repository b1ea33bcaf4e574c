"""Write examples/vehicles.xlsx: a SYNTHETIC one-row-per-vehicle log kept at North Gate.

Run from the repository root:  .venv/bin/python examples/make_vehicles_xlsx.py
The workbook is committed too; this script says exactly what is in it. Names, plates and loads
are invented. Two rows are deliberately malformed to show the quarantine.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

OUT = Path(__file__).with_name("vehicles.xlsx")

HEADER = ["Date", "Time", "Plate", "Direction", "Driver", "Cargo", "Load", "Result", "Remarks"]
D = date(2023, 7, 1)
ROWS = [
    [D, time(7, 40), "NX-1001", "IN", "Driver A (fictional)", "flour", "18 t", "passed", ""],
    [D, time(8, 5), "NX-1002", "IN", "Driver B (fictional)", "medicine", "2.5 t", "passed", ""],
    [
        D,
        time(8, 30),
        "NX-1003",
        "IN",
        "Driver C (fictional)",
        "fuel",
        "30 t",
        "turned back",
        "papers incomplete",
    ],
    [D, time(9, 15), "NX-1001", "OUT", "Driver A (fictional)", "", "", "passed", "empty"],
    [D, time(10, 0), "NX-1004", "IN", "Driver D (fictional)", "flour", "18 t", "denied", ""],
    [D, time(11, 20), "NX-1002", "OUT", "Driver B (fictional)", "", "", "passed", ""],
    # Deliberately malformed: a direction the mapping does not know, and a load that is no number.
    [
        D,
        time(12, 0),
        "NX-1005",
        "SIDEWAYS",
        "Driver E (fictional)",
        "rice",
        "20 t",
        "passed",
        "malformed on purpose",
    ],
    [
        D,
        time(12, 45),
        "NX-1006",
        "IN",
        "Driver F (fictional)",
        "rice",
        "twenty",
        "passed",
        "malformed on purpose",
    ],
    [
        date(2023, 7, 2),
        time(7, 55),
        "NX-1001",
        "IN",
        "Driver A (fictional)",
        "flour",
        "18 t",
        "passed",
        "",
    ],
    [date(2023, 7, 2), time(9, 30), "NX-1001", "OUT", "Driver A (fictional)", "", "", "passed", ""],
]


def main() -> None:
    wb = Workbook()
    about = wb.active
    about.title = "About"
    about["A1"] = "SYNTHETIC EXAMPLE DATA for corridor's import documentation."
    about["A2"] = "Every name, plate and load here is invented. See sheet 'Log'."
    about["A1"].font = Font(bold=True)
    log = wb.create_sheet("Log")
    log.append(HEADER)
    for c in log[1]:
        c.font = Font(bold=True)
    for row in ROWS:
        log.append(row)
    for r in range(2, len(ROWS) + 2):
        log.cell(row=r, column=1).number_format = "yyyy-mm-dd"
        log.cell(row=r, column=2).number_format = "hh:mm"
    fixed = datetime(2023, 7, 3)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "corridor examples"
    wb.save(OUT)


if __name__ == "__main__":
    main()
