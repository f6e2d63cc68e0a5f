"""The funds, forces, units and partners of a report as workbook sheets and CSV rows.

Each sheet has a bold, frozen header row; the forces and units sheets end on a bold
"Total" row whose hours are rounded from the exact minutes (each row is rounded once, so the
rows can differ from the total by a rounding step), with a note under it saying so. Money
is whole đồng with Excel's ``#,##0``. A CSV of a section has the same rows without the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from stations.enums import Force, Language, ServiceKind
from stations.i18n import _, translate
from stations.labels import FORCE_LABELS, SERVICE_KIND_LABELS
from stations.services.queries.reports import CampaignReport
from stations.services.spreadsheet_cells import write_only_cell

INTEGER_FORMAT: Final = "#,##0"
HOURS_FORMAT: Final = "#,##0.0"
SECTION_BREAKDOWNS: Final = ("unit", "force", "partner", "funds")

SHEET_FUNDS = _("Funds")
SHEET_FORCES = _("Forces")
SHEET_UNITS = _("Units")
SHEET_PARTNERS = _("Partners")
EXACT_TOTALS_NOTE = _(
    "Totals are computed from exact values; each row is rounded once, to a tenth of an hour."
)
SCOPED_FUNDS = _("The funds belong to the whole campaign and are not shown for part of it.")

INDICATOR = _("Indicator")
AMOUNT = _("Amount (VND)")
BUDGET = _("Budget")
MOBILISED_CASH = _("Mobilised in cash")
MOBILISED_IN_KIND = _("Mobilised in kind")
MOBILISED = _("Mobilised in total")
SPENT = _("Spent")
BALANCE = _("Balance")
FORCE = _("Force")
TURNS = _("Turns")
HOURS = _("Hours on duty")
UNIT = _("Unit")
STATIONS = _("Stations")
HANDOUTS = _("Items handed out")
SERVICES = _("Services (vehicles and people)")
PARTNER = _("Partner")
DONATED = _("Donated (VND)")
TOTAL = _("Total")


def funds_rows(report: CampaignReport, lang: Language) -> list[list[Any]]:
    funds = report.sections.funds
    if funds is None:
        return []
    return [
        [translate(label, lang), value]
        for label, value in (
            (BUDGET, funds.budget),
            (MOBILISED_CASH, funds.mobilised_cash),
            (MOBILISED_IN_KIND, funds.mobilised_in_kind),
            (MOBILISED, funds.mobilised),
            (SPENT, funds.spent),
            (BALANCE, funds.balance),
        )
    ]


def force_rows(report: CampaignReport, lang: Language) -> list[list[Any]]:
    return [
        [translate(FORCE_LABELS[Force(row.force)], lang), row.turns, row.hours]
        for row in report.sections.forces
    ]


def unit_rows(report: CampaignReport) -> list[list[Any]]:
    return [
        [row.unit, row.stations, row.turns, row.hours, row.handouts, row.services]
        for row in report.sections.units.rows
    ]


def partner_rows(report: CampaignReport) -> list[list[Any]]:
    return [
        [row.name, *(row.services.get(kind.value, 0) for kind in ServiceKind), row.donated]
        for row in report.sections.partners
    ]


def _partner_headers(lang: Language) -> list[str]:
    kinds = [translate(SERVICE_KIND_LABELS[kind], lang) for kind in ServiceKind]
    return [translate(PARTNER, lang), *kinds, translate(DONATED, lang)]


def section_rows(
    report: CampaignReport, breakdown: str, lang: Language
) -> tuple[list[str], list[list[Any]]]:
    """The header and the rows of one section, for a CSV (``breakdown`` in
    ``SECTION_BREAKDOWNS``)."""
    if breakdown == "funds":
        return [translate(INDICATOR, lang), translate(AMOUNT, lang)], funds_rows(report, lang)
    if breakdown == "force":
        return _translated((FORCE, TURNS, HOURS), lang), force_rows(report, lang)
    if breakdown == "unit":
        headers = _translated((UNIT, STATIONS, TURNS, HOURS, HANDOUTS, SERVICES), lang)
        return headers, unit_rows(report)
    return _partner_headers(lang), partner_rows(report)


def fill_section_sheets(workbook: Workbook, report: CampaignReport, lang: Language) -> None:
    """Add the funds, forces, units and partners sheets to ``workbook`` (write-only)."""
    funds = workbook.create_sheet(translate(SHEET_FUNDS, lang))
    rows = funds_rows(report, lang)
    if report.sections.funds is None:
        rows = [[translate(SCOPED_FUNDS, lang)]]
    _table(funds, [translate(INDICATOR, lang), translate(AMOUNT, lang)], rows, [INTEGER_FORMAT])

    forces = report.sections.forces
    total = [
        translate(TOTAL, lang),
        sum(row.turns for row in forces),
        round(sum(row.worked_minutes for row in forces) / 60, 1),
    ]
    _table(
        workbook.create_sheet(translate(SHEET_FORCES, lang)),
        _translated((FORCE, TURNS, HOURS), lang),
        force_rows(report, lang),
        [INTEGER_FORMAT, HOURS_FORMAT],
        total,
        note=translate(EXACT_TOTALS_NOTE, lang),
    )

    units = report.sections.units.rows
    total = [
        translate(TOTAL, lang),
        sum(row.stations for row in units),
        sum(row.turns for row in units),
        round(sum(row.worked_minutes for row in units) / 60, 1),
        sum(row.handouts for row in units),
        sum(row.services for row in units),
    ]
    _table(
        workbook.create_sheet(translate(SHEET_UNITS, lang)),
        _translated((UNIT, STATIONS, TURNS, HOURS, HANDOUTS, SERVICES), lang),
        unit_rows(report),
        [INTEGER_FORMAT, INTEGER_FORMAT, HOURS_FORMAT, INTEGER_FORMAT, INTEGER_FORMAT],
        total,
        note=translate(EXACT_TOTALS_NOTE, lang),
    )

    _table(
        workbook.create_sheet(translate(SHEET_PARTNERS, lang)),
        _partner_headers(lang),
        partner_rows(report),
        [INTEGER_FORMAT] * (len(ServiceKind) + 1),
    )


def _translated(headers: Sequence[str], lang: Language) -> list[str]:
    return [translate(header, lang) for header in headers]


def _table(
    sheet: WriteOnlyWorksheet,
    headers: list[str],
    rows: list[list[Any]],
    formats: Sequence[str],
    total: list[Any] | None = None,
    *,
    note: str | None = None,
) -> None:
    """A bold, frozen header, the rows (figures from the second column in ``formats``), a
    bold total and a note in italics."""
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 40
    for index in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 20
    bold = Font(bold=True)

    def cells(values: list[Any], **style: Any) -> list[Any]:
        first = [write_only_cell(sheet, value, **style) for value in values[:1]]
        return first + [
            write_only_cell(sheet, value, number_format=number_format, **style)
            for value, number_format in zip(values[1:], formats, strict=False)
        ]

    sheet.append([write_only_cell(sheet, header, font=bold) for header in headers])
    for row in rows:
        sheet.append(cells(row))
    if total is not None:
        sheet.append(cells(total, font=bold))
    if note is not None:
        sheet.append([write_only_cell(sheet, note, font=Font(italic=True))])
