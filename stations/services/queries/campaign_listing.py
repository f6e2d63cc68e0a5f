"""Every campaign with the size of its network of stations, for lists and front pages."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.functions import Count

from stations.models import Campaign


@dataclass(frozen=True)
class CampaignListing:
    campaign: Campaign
    #: Active stations only: a switched-off station is not part of what the campaign runs.
    station_count: int


async def list_campaigns() -> list[CampaignListing]:
    """Every campaign, newest first (by first day, then the latest created), with its number
    of active stations — one grouped query however many campaigns and stations there are."""
    campaigns = await Campaign.annotate(
        active_stations=Count("stations", _filter=Q(stations__is_active=True))
    ).order_by("-starts_on", "-id")
    return [
        CampaignListing(campaign=campaign, station_count=int(campaign.active_stations or 0))  # type: ignore[attr-defined]
        for campaign in campaigns
    ]
