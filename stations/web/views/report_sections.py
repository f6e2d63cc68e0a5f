"""What the report page shows of the funds, forces, units and partners, formatted."""

from __future__ import annotations

from typing import Any

from stations.enums import Force, Language, ServiceKind
from stations.formatting import format_number
from stations.i18n import translate
from stations.labels import FORCE_LABELS, SERVICE_KIND_LABELS
from stations.services.queries.reports import CampaignReport


def sections_context(report: CampaignReport, language: Language) -> dict[str, Any]:
    """The page's ``funds``, ``forces``, ``units`` and ``partners``, numbers written for
    ``language``; each table's total is from the exact minutes, rounded once."""
    sections = report.sections

    def number(value: int | float) -> str:
        return format_number(value, language)

    funds = sections.funds
    forces = sections.forces
    units = sections.units
    return {
        "funds": None
        if funds is None
        else {
            "budget": number(funds.budget),
            "mobilised_cash": number(funds.mobilised_cash),
            "mobilised_in_kind": number(funds.mobilised_in_kind),
            "mobilised": number(funds.mobilised),
            "spent": number(funds.spent),
            "balance": number(funds.balance),
            "overspent": funds.overspent,
        },
        "forces": [
            (
                translate(FORCE_LABELS[Force(row.force)], language),
                number(row.turns),
                number(row.hours),
            )
            for row in forces
        ],
        "forces_total": (
            number(sum(row.turns for row in forces)),
            number(round(sum(row.worked_minutes for row in forces) / 60, 1)),
        ),
        "units": [
            (
                row.unit,
                number(row.stations),
                number(row.turns),
                number(row.hours),
                number(row.handouts),
                number(row.services),
            )
            for row in units.rows
        ],
        "units_total": (
            number(sum(row.stations for row in units.rows)),
            number(sum(row.turns for row in units.rows)),
            number(round(sum(row.worked_minutes for row in units.rows) / 60, 1)),
            number(sum(row.handouts for row in units.rows)),
            number(sum(row.services for row in units.rows)),
        ),
        "units_coverage": f"{number(units.units_taking_part)}/{number(units.units_total)}",
        "service_headers": [translate(SERVICE_KIND_LABELS[kind], language) for kind in ServiceKind],
        "partners": [
            (
                row.name,
                [number(row.services.get(kind.value, 0)) for kind in ServiceKind],
                number(row.donated),
            )
            for row in sections.partners
        ],
    }
