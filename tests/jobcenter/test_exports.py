"""The one export helper: what German spreadsheets get, read back as a person would."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from frontdesk.templatetags.frontdesk_tags import minutes
from jobcenter.exports import Column, Sheet, export_response, export_sheets_response
from jobcenter.numbers import minutes_of, round_half_up

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")

COLUMNS = [
    Column("Kd.-Nr.", lambda r: r["kd"]),
    Column("Tag", lambda r: r["day"], "date"),
    Column("fällig", lambda r: r["due"], "datetime"),
    Column("Besuche", lambda r: r["visits"], "int"),
    Column("Ø je Tag", lambda r: r["per_day"], "decimal", digits=1),
    Column("Ø Wartezeit (Min.)", lambda r: r["wait"], "duration"),
    Column("Bemerkung", lambda r: r["note"]),
]
ROWS = [
    {
        "kd": "123D456789",
        "day": date(2026, 3, 9),
        # 22:30 UTC on 9 March is 23:30 in Berlin (CET, +1).
        "due": datetime(2026, 3, 9, 22, 30, 15, tzinfo=UTC),
        "visits": 7,
        "per_day": 2.25,  # half up: 2,3 (Python's round() says 2.2)
        "wait": 1318,  # 21,9666… min: 22,0 (cut off it read 21,9)
        "note": "Größe ändern",
    },
    {
        "kd": "987D654321",
        "day": date(2026, 3, 10),
        "due": datetime(2026, 7, 1, 8, 0, tzinfo=UTC),  # 10:00 in Berlin (CEST, +2)
        "visits": 0,
        "per_day": None,
        "wait": None,
        "note": '=HYPERLINK("http://x")',
    },
]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.content))


def test_rounding_is_commercial():
    assert round_half_up(2.25, 1) == Decimal("2.3")
    assert round_half_up(2.675, 2) == Decimal("2.68")
    assert round_half_up(-0.05, 1) == Decimal("-0.1")
    assert minutes_of(1318) == Decimal("22.0")
    assert minutes_of(1317) == Decimal("22.0")  # 21.95 min
    assert minutes_of(1316) == Decimal("21.9")  # 21.9333 min
    assert minutes_of(None) is None


def test_the_screen_filter_rounds_as_the_export():
    # The report page reads `|minutes`; 1318 s is 21.9666… min.
    assert minutes(1318) == "22,0 Min."
    assert minutes(1316) == "21,9 Min."
    assert minutes(None) == "–"


def test_csv_for_german_excel():
    response = export_response(ROWS, COLUMNS, filename="fristen-20260309", fmt="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="fristen-20260309.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(response)
    assert rows[0] == [
        "Kd.-Nr.",
        "Tag",
        "fällig",
        "Besuche",
        "Ø je Tag",
        "Ø Wartezeit (Min.)",
        "Bemerkung",
    ]
    assert rows[1] == [
        "123D456789",
        "09.03.2026",
        "09.03.2026 23:30",
        "7",
        "2,3",
        "22,0",
        "Größe ändern",
    ]
    # Empty stays empty; a cell that would run as a formula is quoted.
    assert rows[2] == [
        "987D654321",
        "10.03.2026",
        "01.07.2026 10:00",
        "0",
        "",
        "",
        '\'=HYPERLINK("http://x")',
    ]
    assert len(rows) == 3


def test_xlsx_has_real_dates_rounded_numbers_and_a_usable_sheet():
    response = export_response(ROWS, COLUMNS, filename="f", fmt="xlsx", title="Offene Fristen")
    assert response["Content-Disposition"] == 'attachment; filename="f.xlsx"'
    workbook = read_xlsx(response)
    assert workbook.sheetnames == ["Offene Fristen"]
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    day, due, visits, per_day, wait = (sheet.cell(2, i) for i in range(2, 7))
    assert day.is_date and day.value == datetime(2026, 3, 9)
    assert day.number_format == "DD.MM.YYYY"
    assert due.is_date and due.value == datetime(2026, 3, 9, 23, 30, 15)
    assert due.number_format == "DD.MM.YYYY HH:MM"
    assert sheet.cell(3, 3).value == datetime(2026, 7, 1, 10, 0)
    assert visits.value == 7 and visits.data_type == "n"
    assert per_day.value == 2.3 and per_day.number_format == "0.0"
    assert wait.value == 22.0 and wait.number_format == "0.0"
    assert sheet.cell(3, 5).value is None
    assert sheet.cell(1, 1).font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G3"
    widths = [sheet.column_dimensions[get_column_letter(i)].width for i in range(1, 8)]
    assert all(w > 8.43 for w in widths)  # openpyxl's default: dates would read ####
    # Sized from the content: the Kd.-Nr. (10) and "Ø Wartezeit (Min.)" (18) fit.
    assert widths[0] >= 10 and widths[5] >= 18


def test_one_table_per_sheet_and_blocks_in_csv():
    sheets = [
        Sheet("Je Tag", COLUMNS[:2], ROWS),
        Sheet("Je Mitarbeiter/in: sehr langer Titel", COLUMNS[:1], ROWS[:1]),
    ]
    workbook = read_xlsx(export_sheets_response(sheets, filename="r", fmt="xlsx"))
    assert workbook.sheetnames == ["Je Tag", "Je Mitarbeiter_in_ sehr langer "]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
    assert workbook.worksheets[1].max_row == 2

    rows = read_csv(export_sheets_response(sheets, filename="r", fmt="csv"))
    assert rows == [
        ["Je Tag"],
        ["Kd.-Nr.", "Tag"],
        ["123D456789", "09.03.2026"],
        ["987D654321", "10.03.2026"],
        [],
        ["Je Mitarbeiter/in: sehr langer Titel"],
        ["Kd.-Nr."],
        ["123D456789"],
    ]


def test_a_label_in_a_typed_column_stays_text():
    column = Column("Tag", lambda r: r, "date")
    sheet = read_xlsx(
        export_response([date(2026, 3, 9), "Gesamt"], [column], filename="x", fmt="xlsx")
    ).active
    assert sheet.cell(2, 1).is_date
    assert sheet.cell(3, 1).value == "Gesamt"


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        export_response(ROWS, COLUMNS, filename="x", fmt="pdf")
