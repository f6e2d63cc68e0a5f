"""A campaign report as a spreadsheet (XLSX) or a CSV, with Vietnamese or English headers.

The workbook has the summary sheet (the paragraph, then every figure with the budget and what
is left of it), one row per station, one row per day, then a sheet each for the funds, the
forces, the units and the partners (``report_sections_export``); the breakdown sheets end on a
bold total row, their header row is bold and frozen, and counts carry Excel's ``#,##0``
format, which a Vietnamese Excel shows as "612.300". A station's row has no count of
stations (it would always be 1); its count of units is the station's own unit and the
partner units that served with it, and the header says so.

A CSV has one row per station, per day, per unit, per force, per partner, or the funds as
indicator and value; no total row; in one of two formats. ``excel`` (the default) is what a
Vietnamese Excel opens by double-click: ``;`` between fields (its list separator, as the comma
is its decimal mark), decimal commas ("1,5"), dd/mm/yyyy dates and a UTF-8 byte-order mark,
without which it garbles Vietnamese. ``rfc4180`` is for other programs: commas, ISO dates,
decimal points, no mark. ``write_report_csv`` writes text only: a caller writing a file or a
download starts it with the format's ``bom``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from stations.clock import VN_TZ
from stations.enums import Language
from stations.formatting import format_date
from stations.i18n import _, normalize_language, translate
from stations.services.errors import InvalidInput
from stations.services.queries.reports import CampaignReport, ReportTotals
from stations.services.report_sections_export import (
    EXACT_TOTALS_NOTE,
    SECTION_BREAKDOWNS,
    fill_section_sheets,
    section_rows,
)
from stations.services.report_summary import campaign_summary
from stations.services.spreadsheet_cells import SafeCsvWriter, write_only_cell

CSV_BOM = "\ufeff"
BREAKDOWNS = ("station", "day", *SECTION_BREAKDOWNS)


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV writes its fields, numbers and dates, and what comes before its first byte."""

    name: str
    delimiter: str
    decimal_comma: bool
    day_first_dates: bool
    bom: str


CSV_FORMATS: dict[str, CsvFormat] = {
    "excel": CsvFormat("excel", ";", decimal_comma=True, day_first_dates=True, bom=CSV_BOM),
    "rfc4180": CsvFormat("rfc4180", ",", decimal_comma=False, day_first_dates=False, bom=""),
}
BAD_CSV_FORMAT = _("The CSV format must be one of: {choices}.")


def csv_format(name: str) -> CsvFormat:
    """The CSV format called ``name``; a translated error naming the choices otherwise."""
    found = CSV_FORMATS.get(name)
    if found is None:
        raise InvalidInput(BAD_CSV_FORMAT, field="format", choices=", ".join(CSV_FORMATS))
    return found


INTEGER_FORMAT = "#,##0"
HOURS_FORMAT = "#,##0.0"
DATE_FORMAT = "DD/MM/YYYY"
SUMMARY_PARAGRAPH_ROW = 5
SUMMARY_TABLE_ROW = 7

SHEET_SUMMARY = _("Summary")
SHEET_BY_STATION = _("By station")
SHEET_BY_DAY = _("By day")
PERIOD = _("Period")
GENERATED_AT = _("Generated at")
INDICATOR = _("Indicator")
VALUE = _("Value")
BUDGET = _("Budget (VND)")
BUDGET_REMAINING = _("Budget remaining (VND)")
STATION_CODE = _("Station code")
STATION = _("Station")
UNIT = _("Unit")
DATE = _("Date")
TOTAL = _("Total")
BAD_BREAKDOWN = _("Breakdown must be one of: {choices}.")


@dataclass(frozen=True)
class _Column:
    field: str
    header: str
    number_format: str = INTEGER_FORMAT


TOTAL_COLUMNS = (
    _Column("stations", _("Stations open")),
    _Column("units", _("Units taking part (incl. partners)")),
    _Column("volunteer_turns", _("Volunteer turns")),
    _Column("worked_hours", _("Hours on duty"), HOURS_FORMAT),
    _Column("water_bottles", _("Bottled water (bottles)")),
    _Column("cold_towels", _("Cold towels")),
    _Column("food_items", _("Food (items)")),
    _Column("fuel_litres", _("Fuel (litres)")),
    _Column("leaflets", _("Leaflets")),
    _Column("motorbikes_checked", _("Motorbikes checked")),
    _Column("broadcast_hours", _("Loudspeaker hours"), HOURS_FORMAT),
    _Column("first_aid", _("First aid (people)")),
    _Column("directions", _("Directions given (people)")),
    _Column("repairs", _("Roadside repairs (vehicles)")),
    _Column("cost_vnd", _("Cost (VND)")),
)


#: One station's row: "stations" would always read 1.
STATION_COLUMNS = tuple(column for column in TOTAL_COLUMNS if column.field != "stations")
STATION_LEADING = (STATION_CODE, STATION, UNIT)
#: Wide enough for most headers; a longer one wraps in its (wrapped) header cell.
MAX_FIGURE_WIDTH = 22


def _figures(totals: ReportTotals, columns: Sequence[_Column]) -> list[int | float]:
    return [getattr(totals, column.field) for column in columns]


def _headers(leading: Sequence[str], columns: Sequence[_Column], lang: Language) -> list[str]:
    return [translate(h, lang) for h in (*leading, *(c.header for c in columns))]


def _station_rows(report: CampaignReport) -> Iterator[list[Any]]:
    return (
        [s.code, s.name, s.unit_name, *_figures(s.totals, STATION_COLUMNS)] for s in report.stations
    )


# ----------------------------------------------------------------------------- XLSX

BOLD = Font(bold=True)
ITALIC = Font(italic=True)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")


def write_report_xlsx(
    report: CampaignReport,
    destination: str | Path | IO[bytes],
    *,
    language: str = "vi",
) -> None:
    """Save the report as a workbook to a path or a binary file object.

    The workbook is written in openpyxl's write-only mode: each row goes to a temporary file
    as it is made, so memory stays bounded whatever the number of stations. Every cell is
    made safe as it is written (``spreadsheet_cells.write_only_cell``)."""
    lang = normalize_language(language)
    workbook = Workbook(write_only=True)
    _fill_summary(workbook.create_sheet(translate(SHEET_SUMMARY, lang)), report, lang)
    _fill_breakdown(
        workbook.create_sheet(translate(SHEET_BY_STATION, lang)),
        columns=STATION_COLUMNS,
        headers=_headers(STATION_LEADING, STATION_COLUMNS, lang),
        rows=_station_rows(report),
        total=[translate(TOTAL, lang), "", "", *_figures(report.totals, STATION_COLUMNS)],
        leading_widths=(12, 34, 30),
        lang=lang,
    )
    _fill_breakdown(
        workbook.create_sheet(translate(SHEET_BY_DAY, lang)),
        columns=TOTAL_COLUMNS,
        headers=_headers((DATE,), TOTAL_COLUMNS, lang),
        rows=([d.day, *_figures(d.totals, TOTAL_COLUMNS)] for d in report.days),
        total=[translate(TOTAL, lang), *_figures(report.totals, TOTAL_COLUMNS)],
        leading_widths=(14,),
        lang=lang,
    )
    fill_section_sheets(workbook, report, lang)
    workbook.save(destination)  # type: ignore[arg-type]  # openpyxl takes a path or a file


def _fill_summary(sheet: WriteOnlyWorksheet, report: CampaignReport, lang: Language) -> None:
    # A write-only sheet takes its widths, heights and merges before its rows.
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 60
    sheet.row_dimensions[SUMMARY_PARAGRAPH_ROW].height = 150
    sheet.merged_cells.add(f"A{SUMMARY_PARAGRAPH_ROW}:C{SUMMARY_PARAGRAPH_ROW}")

    # Fixed rows: a title block, the paragraph, then the figures as a two-column table.
    period = f"{format_date(report.starts_on, lang)} – {format_date(report.ends_on, lang)}"
    generated = report.generated_at.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")
    sheet.append([write_only_cell(sheet, report.name, font=Font(bold=True, size=14))])
    sheet.append(_cells(sheet, [translate(PERIOD, lang), period]))
    sheet.append(_cells(sheet, [translate(GENERATED_AT, lang), generated]))
    sheet.append([])
    paragraph = campaign_summary(report, lang)
    sheet.append(
        [write_only_cell(sheet, paragraph, alignment=Alignment(wrap_text=True, vertical="top"))]
    )
    sheet.append([])
    sheet.append(_cells(sheet, [translate(INDICATOR, lang), translate(VALUE, lang)], font=BOLD))
    figures: list[tuple[str, Any, str]] = [
        (column.header, getattr(report.totals, column.field), column.number_format)
        for column in TOTAL_COLUMNS
    ]
    if report.budget_vnd is not None:
        figures.append((BUDGET, report.budget_vnd, INTEGER_FORMAT))
        figures.append((BUDGET_REMAINING, report.budget_remaining_vnd, INTEGER_FORMAT))
    for header, value, number_format in figures:
        sheet.append(
            [
                write_only_cell(sheet, translate(header, lang)),
                write_only_cell(sheet, value, number_format=number_format),
            ]
        )


def _cells(sheet: WriteOnlyWorksheet, values: Sequence[Any], **style: Any) -> list[Any]:
    return [write_only_cell(sheet, value, **style) for value in values]


def _fill_breakdown(
    sheet: WriteOnlyWorksheet,
    *,
    columns: Sequence[_Column],
    headers: list[str],
    rows: Iterable[list[Any]],
    total: list[Any],
    leading_widths: Sequence[int],
    lang: Language,
) -> None:
    leading = len(leading_widths)
    # Keep the header and the columns naming the row in view while scrolling.
    sheet.freeze_panes = f"{get_column_letter(leading + 1)}2"
    for index, width in enumerate(leading_widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for index, header in enumerate(headers[leading:], start=leading + 1):
        width = min(MAX_FIGURE_WIDTH, max(12, len(header) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(_cells(sheet, headers, font=BOLD, alignment=HEADER_ALIGNMENT))
    formats = [column.number_format for column in columns]

    def row_cells(values: list[Any], **style: Any) -> list[Any]:
        first = values[0]
        date_format = {"number_format": DATE_FORMAT} if isinstance(first, dt.date) else {}
        return [
            *(write_only_cell(sheet, v, **date_format, **style) for v in values[:1]),
            *(write_only_cell(sheet, v, **style) for v in values[1:leading]),
            *(
                write_only_cell(sheet, v, number_format=f, **style)
                for v, f in zip(values[leading:], formats, strict=False)
            ),
        ]

    for values in rows:
        sheet.append(row_cells(values))
    sheet.append(row_cells(total, font=BOLD))
    if any(column.number_format == HOURS_FORMAT for column in columns):
        # Hours are rounded once per row, the total from the exact minutes: say so under it.
        sheet.append([write_only_cell(sheet, translate(EXACT_TOTALS_NOTE, lang), font=ITALIC)])


# ----------------------------------------------------------------------------- CSV


def write_report_csv(
    report: CampaignReport,
    destination: TextIO,
    *,
    language: str = "vi",
    breakdown: str = "station",
    fmt: CsvFormat = CSV_FORMATS["excel"],
) -> None:
    """Write one row per station (``breakdown="station"``) or per day (``"day"``), in
    ``fmt`` (Vietnamese Excel's by default).

    Text only: the caller adds the format's byte-order mark (see the module docstring).
    """
    for chunk in report_csv_chunks(report, language=language, breakdown=breakdown, fmt=fmt):
        destination.write(chunk)


#: Rows per chunk of a streamed CSV: a few tens of kilobytes.
CSV_CHUNK_ROWS = 200


def report_csv_chunks(
    report: CampaignReport,
    *,
    language: str = "vi",
    breakdown: str = "station",
    fmt: CsvFormat = CSV_FORMATS["excel"],
) -> Iterator[str]:
    """The CSV of ``write_report_csv`` as text chunks of ``CSV_CHUNK_ROWS`` rows, for a
    download streamed as it is written (no byte-order mark: the caller sends it first)."""
    if breakdown not in BREAKDOWNS:
        raise InvalidInput(BAD_BREAKDOWN, field="breakdown", choices=", ".join(BREAKDOWNS))
    lang = normalize_language(language)
    rows: Iterable[list[Any]]
    if breakdown in SECTION_BREAKDOWNS:
        headers, rows = section_rows(report, breakdown, lang)
    elif breakdown == "station":
        headers = _headers(STATION_LEADING, STATION_COLUMNS, lang)
        rows = _station_rows(report)
    else:
        headers = _headers((DATE,), TOTAL_COLUMNS, lang)
        rows = ([d.day, *_figures(d.totals, TOTAL_COLUMNS)] for d in report.days)
    buffer = io.StringIO()
    writer = SafeCsvWriter(csv.writer(buffer, delimiter=fmt.delimiter, lineterminator="\r\n"))
    writer.writerow(headers)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(value, fmt) for value in row])
        if count % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _csv_value(value: Any, fmt: CsvFormat) -> Any:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if fmt.day_first_dates else value.isoformat()
    if isinstance(value, float):
        # 7.0 hours reads "7", not "7.0", like the counts beside it.
        if value.is_integer():
            return int(value)
        return str(value).replace(".", ",") if fmt.decimal_comma else value
    return value
