"""A campaign's phase: planning before its first day, running through its last, finished after
it until a coordinator closes it, closed. Every screen asks this one function."""

from __future__ import annotations

import datetime as dt

from stations import clock
from stations.enums import CampaignPhase, CampaignStatus
from stations.models import Campaign


def campaign_phase(campaign: Campaign, *, today: dt.date | None = None) -> CampaignPhase:
    """The phase on ``today`` (the Vietnam-local day, from the clock when not given)."""
    if CampaignStatus(campaign.status) is CampaignStatus.CLOSED:
        return CampaignPhase.CLOSED
    day = clock.today_local() if today is None else today
    if day < campaign.starts_on:
        return CampaignPhase.PLANNING
    if day <= campaign.ends_on:
        return CampaignPhase.RUNNING
    return CampaignPhase.FINISHED


def days_to_go(campaign: Campaign, *, today: dt.date | None = None) -> int:
    """Whole days from ``today`` to the first day (0 once it has started)."""
    day = clock.today_local() if today is None else today
    return max(0, (campaign.starts_on - day).days)
