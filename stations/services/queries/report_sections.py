"""The parts of a campaign report beyond its totals: funds, forces, units and partners.

Each part is built by its own module (``report_funds``, ``report_forces``, ``report_units``,
``report_partners``); this one gathers them for ``reports.campaign_report`` and writes them
as the report's JSON keys. A report limited to a unit coordinator's stations has no funds
(``None``): money belongs to the whole campaign, as its budget does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from stations.models import Campaign
from stations.services.queries.report_forces import ForceRow
from stations.services.queries.report_funds import FundsReport, campaign_funds
from stations.services.queries.report_partners import PartnerRow, campaign_partners
from stations.services.queries.report_units import UnitsTable
from stations.services.queries.unit_tree import UnitNode


@dataclass(frozen=True)
class CampaignSections:
    funds: FundsReport | None = None
    forces: list[ForceRow] = field(default_factory=list)
    units: UnitsTable = field(default_factory=UnitsTable)
    partners: list[PartnerRow] = field(default_factory=list)


async def campaign_sections(
    campaign: Campaign,
    *,
    unit_ids: Collection[int] | None,
    units: UnitsTable,
    forces: list[ForceRow],
    services_by_unit: Mapping[int, Mapping[str, int]],
    tree: Mapping[int, UnitNode],
    receipts_value: int,
) -> CampaignSections:
    """The sections of ``campaign``'s report, limited to the stations of ``unit_ids`` when
    given; ``receipts_value`` is the value of all its receipts (the unscoped report's
    ``cost_vnd``), ``units`` and ``forces`` the tables already summed."""
    scoped = unit_ids is not None
    return CampaignSections(
        funds=None if scoped else await campaign_funds(campaign, receipts_value=receipts_value),
        forces=forces,
        units=units,
        partners=await campaign_partners(campaign, services_by_unit, tree),
    )


def sections_to_dict(sections: CampaignSections) -> dict[str, Any]:
    """The report's keys ``funds``, ``forces``, ``units``, ``units_taking_part``,
    ``units_total`` and ``partners``; money in whole đồng, hours rounded once per row."""
    funds = sections.funds
    return {
        "funds": None
        if funds is None
        else {
            "budget": funds.budget,
            "mobilised_cash": funds.mobilised_cash,
            "mobilised_in_kind": funds.mobilised_in_kind,
            "spent": funds.spent,
            "balance": funds.balance,
        },
        "forces": [
            {"force": row.force, "turns": row.turns, "hours": row.hours} for row in sections.forces
        ],
        "units": [
            {
                "unit": row.unit,
                "stations": row.stations,
                "turns": row.turns,
                "hours": row.hours,
                "handouts": row.handouts,
                "services": row.services,
            }
            for row in sections.units.rows
        ],
        "units_taking_part": sections.units.units_taking_part,
        "units_total": sections.units.units_total,
        "partners": [
            {"name": row.name, "services": dict(row.services), "donated": row.donated}
            for row in sections.partners
        ],
    }
