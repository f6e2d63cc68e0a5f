"""A campaign's phase: planning before its first day, running through its last, finished after
it until a coordinator closes it, closed. Every screen asks this one function."""

from __future__ import annotations

import datetime as dt

from stations import clock
from stations.enums import CampaignPhase, CampaignStatus
from stations.models import Campaign


def campaign_phase(campaign: Campaign, *, today: dt.date | None = None) -> CampaignPhase:
    """The phase on ``today`` (the Vietnam-local day, from the clock when not given)."""
    return phase_of(
        CampaignStatus(campaign.status),
        campaign.starts_on,
        campaign.ends_on,
        clock.today_local() if today is None else today,
    )


def phase_of(
    status: CampaignStatus | str, starts_on: dt.date, ends_on: dt.date, today: dt.date
) -> CampaignPhase:
    """The phase of a campaign with these dates and status on the Vietnam-local ``today``."""
    if CampaignStatus(status) is CampaignStatus.CLOSED:
        return CampaignPhase.CLOSED
    if today < starts_on:
        return CampaignPhase.PLANNING
    if today <= ends_on:
        return CampaignPhase.RUNNING
    return CampaignPhase.FINISHED


def days_to_go(campaign: Campaign, *, today: dt.date | None = None) -> int:
    """Whole days from ``today`` to the first day (0 once it has started)."""
    day = clock.today_local() if today is None else today
    return max(0, (campaign.starts_on - day).days)
