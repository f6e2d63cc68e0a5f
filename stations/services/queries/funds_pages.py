"""Reads behind the funds pages and API: a campaign's partners, donations and expenses."""

from __future__ import annotations

from dataclasses import dataclass

from stations.i18n import _
from stations.models import Campaign, Donation, Expense, Partner, Station, SupplyItem, Unit
from stations.services.errors import NotFound
from stations.services.queries.report_funds import FundsReport, campaign_funds, receipts_value

NO_PARTNER = _("There is no partner with id {id} in this campaign.")


@dataclass(frozen=True)
class FundsPage:
    campaign: Campaign
    funds: FundsReport
    partners: list[Partner]
    donations: list[Donation]
    expenses: list[Expense]
    units: list[Unit]
    stations: list[Station]
    items: list[SupplyItem]


async def partners_of(campaign: Campaign) -> list[Partner]:
    return list(await Partner.filter(campaign_id=campaign.id).order_by("name", "id"))


async def all_partners() -> list[Partner]:
    """Every campaign's partners, the latest campaign's first."""
    return list(await Partner.all().order_by("-campaign_id", "name", "id"))


async def partner_in(campaign: Campaign, partner_id: int, *, field: str = "partner_id") -> Partner:
    """The partner of ``campaign`` with this id, or NotFound naming ``field``."""
    partner = await Partner.get_or_none(id=partner_id, campaign_id=campaign.id)
    if partner is None:
        raise NotFound(NO_PARTNER, field=field, id=partner_id)
    return partner


async def funds_page(campaign: Campaign) -> FundsPage:
    """Everything the campaign's funds page shows, in eight queries."""
    return FundsPage(
        campaign=campaign,
        funds=await campaign_funds(campaign, receipts_value=await receipts_value(campaign)),
        partners=await partners_of(campaign),
        donations=list(
            await Donation.filter(campaign_id=campaign.id)
            .select_related("partner")
            .order_by("received_on", "id")
        ),
        expenses=list(await Expense.filter(campaign_id=campaign.id).order_by("spent_on", "id")),
        units=list(await Unit.all().order_by("name", "id")),
        stations=list(await Station.filter(campaign_id=campaign.id).order_by("code")),
        items=list(await SupplyItem.filter(is_active=True).order_by("id")),
    )
