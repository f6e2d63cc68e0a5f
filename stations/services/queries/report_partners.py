"""The partners of a campaign report: what each did and gave.

A partner's **services** are the service records that name its organising unit as their
partner (a Head Honda centre's motorbike checks), summed per kind in the kind's own quantity
(vehicles, people, loudspeaker minutes); its **donated** is the đồng of the donations naming
it, cash and in kind. Every partner on the campaign's list is a row, and so is a partner unit
named on a service without being on the list (under the unit's name), so no service's partner
goes unnamed. Rows are in the order of their names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tortoise.functions import Sum

from stations.enums import PartnerKind, ServiceKind
from stations.models import Campaign, Donation, Partner
from stations.services.queries.unit_tree import UnitNode


@dataclass(frozen=True)
class PartnerRow:
    name: str
    kind: str
    services: dict[str, int] = field(default_factory=dict)
    donated: int = 0


async def campaign_partners(
    campaign: Campaign,
    services_by_unit: Mapping[int, Mapping[str, int]],
    tree: Mapping[int, UnitNode],
) -> list[PartnerRow]:
    """One row per partner; ``services_by_unit`` is the report's services summed per partner
    unit and kind, ``tree`` every unit (for the names of partners not on the list)."""
    partners = await Partner.filter(campaign_id=campaign.id).order_by("name", "id")
    donated = dict(
        await Donation.filter(campaign_id=campaign.id, partner_id__not_isnull=True)
        .annotate(total=Sum("amount_vnd"))
        .group_by("partner_id")
        .values_list("partner_id", "total")
    )
    listed_units = {p.unit_id for p in partners if p.unit_id is not None}
    rows = [
        PartnerRow(
            name=partner.name,
            kind=PartnerKind(partner.kind).value,
            services=_kinds(services_by_unit.get(partner.unit_id, {}))
            if partner.unit_id is not None
            else {},
            donated=int(donated.get(partner.id) or 0),
        )
        for partner in partners
    ]
    for unit_id, services in services_by_unit.items():
        if unit_id not in listed_units and unit_id in tree:
            rows.append(PartnerRow(tree[unit_id].name, PartnerKind.OTHER.value, _kinds(services)))
    rows.sort(key=lambda row: row.name)
    return rows


def _kinds(counts: Mapping[str, int]) -> dict[str, int]:
    """Quantities per service kind, in the order of ``ServiceKind``, zeros left out."""
    return {kind.value: counts[kind.value] for kind in ServiceKind if counts.get(kind.value)}
