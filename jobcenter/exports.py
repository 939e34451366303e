"""The one way a table leaves the system as CSV or Excel.

A view describes its table as columns (header, how to get the value from a row, what kind
of value it is) and hands its rows here; the helper writes what German spreadsheets expect:

- CSV: semicolon, UTF-8 with BOM (Excel opens umlauts correctly only then), decimal comma,
  dates as dd.mm.yyyy; a cell that would start a formula is quoted with an apostrophe.
- Excel: real date and date-time cells with German number formats, numbers rounded as the
  screen rounds them (`jobcenter.numbers`), column widths from the content, the header row
  frozen, an autofilter over the table, one table per sheet.

Identifiers are the caller's business: every table must carry one on each row (a Kd.-Nr.,
a BG-Nummer, the day or the site), never a name that is not needed.
"""

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO, StringIO
from typing import Any, Literal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .numbers import german_decimal, minutes_of, round_half_up

Kind = Literal["text", "int", "decimal", "date", "datetime", "duration"]
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel stores the format in its own (English) notation and shows it in the reader's locale:
# "0.0" reads as 21,9 in a German Excel.
_NUMBER_FORMATS = {
    "int": "0",
    "date": "DD.MM.YYYY",
    "datetime": "DD.MM.YYYY HH:MM",
    "duration": "0.0",
}
_MIN_WIDTH = 10  # openpyxl's default is 8.43 characters: dates would show as ####
_MAX_WIDTH = 60
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    kind: Kind = "text"
    digits: int = 1  # decimals of a "decimal" column

    def cell(self, row: Any) -> Any:
        """The value as it goes into the workbook: rounded, local, typed."""
        value = self.value(row)
        if value is None or value == "":
            return None
        if self.kind == "duration":
            return minutes_of(value)
        if self.kind == "decimal":
            return round_half_up(value, self.digits)
        if self.kind == "int" and isinstance(value, (int, float, Decimal)):
            return int(value)
        if self.kind == "datetime" and isinstance(value, datetime):
            # Excel knows no time zones: the Berlin wall-clock time the screen shows.
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.replace(tzinfo=None, microsecond=0)
        if self.kind == "date" and isinstance(value, datetime):
            return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if self.kind == "text":
            return str(value)
        return value  # a label in a typed column (e.g. "Gesamt" under the days) stays text

    def text(self, value: Any) -> str:
        """A cell value as it is written into CSV (and measured for the column width)."""
        if value is None:
            return ""
        if isinstance(value, Decimal):
            digits = 1 if self.kind == "duration" else self.digits
            return german_decimal(value, digits)
        if isinstance(value, datetime):
            return value.strftime("%d.%m.%Y %H:%M")
        if isinstance(value, date):
            return value.strftime("%d.%m.%Y")
        return str(value)

    @property
    def number_format(self) -> str | None:
        if self.kind == "decimal":
            return "0." + "0" * self.digits if self.digits else "0"
        return _NUMBER_FORMATS.get(self.kind)


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Any]


def export_response(
    rows: Iterable[Any],
    columns: Sequence[Column],
    *,
    filename: str,
    fmt: str,
    title: str = "Export",
) -> HttpResponse:
    """One table as a download: `filename` without extension, `fmt` "csv" or "xlsx"."""
    return export_sheets_response([Sheet(title, columns, rows)], filename=filename, fmt=fmt)


def export_sheets_response(sheets: Sequence[Sheet], *, filename: str, fmt: str) -> HttpResponse:
    """Several tables: one sheet each in Excel; in CSV one block each, under its title."""
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    response = HttpResponse(sheets_file(sheets, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def sheets_file(sheets: Sequence[Sheet], fmt: str) -> bytes:
    """The file's bytes, for a download or a mail attachment (the monthly report)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    tables = [
        (s.title, s.columns, [[c.cell(r) for c in s.columns] for r in s.rows]) for s in sheets
    ]
    return _csv(tables) if fmt == "csv" else _xlsx(tables)


def _csv_text(column: Column, value: Any) -> str:
    text = column.text(value)
    # A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection).
    if column.kind == "text" and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _csv(tables) -> bytes:
    out = StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    several = len(tables) > 1
    for i, (title, columns, rows) in enumerate(tables):
        if several:
            if i:
                writer.writerow([])
            writer.writerow([title])
        writer.writerow([str(c.header) for c in columns])
        writer.writerows(
            [[_csv_text(c, v) for c, v in zip(columns, row, strict=True)] for row in rows]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(tables) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for title, columns, rows in tables:
        sheet = workbook.create_sheet(_sheet_title(str(title), used))
        sheet.append([str(c.header) for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for index, column in enumerate(columns, start=1):
            if column.number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    if not isinstance(cell.value, str):
                        cell.number_format = column.number_format
            longest = max(
                [len(str(column.header))] + [len(column.text(row[index - 1])) for row in rows]
            )
            sheet.column_dimensions[get_column_letter(index)].width = min(
                _MAX_WIDTH, max(_MIN_WIDTH, longest + 2)
            )
        sheet.freeze_panes = "A2"
        last = get_column_letter(max(1, len(columns)))
        sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Tabelle"
    name, n = clean, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
