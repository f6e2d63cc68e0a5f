"""Looking up campaigns, their stations and the shifts of a station."""

from __future__ import annotations

import datetime as dt

from stations.clock import local_midnight
from stations.enums import ShiftStatus
from stations.i18n import _
from stations.models import Campaign, Shift, Station
from stations.services.errors import InvalidInput, NotFound
from stations.text import fold

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "−": "-"})


async def find_campaign(ref: str | int) -> Campaign:
    """The campaign a person means by ``ref``: its id, or its name typed with or without
    diacritics, in any case, with a plain hyphen for the dash ("tet dinh mui 2027",
    "30/4-1/5 2027")."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return await _campaign_by_id(ref)
    text = ref.strip() if isinstance(ref, str) else ""
    if not text:
        raise InvalidInput(_("Give a campaign's id or name."), field="campaign")
    if text.isascii() and text.isdigit():
        by_id = await Campaign.get_or_none(id=int(text))
        if by_id is not None:
            return by_id
    wanted = _comparable(text)
    matches = [
        (campaign_id, name)
        for campaign_id, name in await Campaign.all().order_by("id").values_list("id", "name")
        if _comparable(name) == wanted
    ]
    if not matches:
        raise NotFound(_("No campaign has the id or name “{ref}”."), field="campaign", ref=text)
    if len(matches) > 1:
        raise InvalidInput(
            _("Several campaigns are named {ref}: give one of their ids ({ids})."),
            field="campaign",
            ref=text,
            ids=", ".join(str(campaign_id) for campaign_id, _name in matches),
        )
    return await _campaign_by_id(matches[0][0])


async def stations_of_campaign(
    campaign: Campaign, *, include_inactive: bool = True
) -> list[Station]:
    """The campaign's stations by code."""
    query = Station.filter(campaign_id=campaign.id)
    if not include_inactive:
        query = query.filter(is_active=True)
    return await query.order_by("code", "id")


async def shifts_of_station(
    station: Station, *, day: dt.date | None = None, include_cancelled: bool = False
) -> list[Shift]:
    """The station's shifts in time order; with ``day``, those overlapping that Vietnam day."""
    query = Shift.filter(station_id=station.id)
    if not include_cancelled:
        query = query.filter(status=ShiftStatus.ACTIVE)
    if day is not None:
        day_starts = local_midnight(day).astimezone(dt.UTC)
        day_ends = local_midnight(day + dt.timedelta(days=1)).astimezone(dt.UTC)
        query = query.filter(starts_at__lt=day_ends, ends_at__gt=day_starts)
    return await query.order_by("starts_at", "id")


async def _campaign_by_id(campaign_id: int) -> Campaign:
    campaign = await Campaign.get_or_none(id=campaign_id)
    if campaign is None:
        raise NotFound(
            _("No campaign has the id or name “{ref}”."), field="campaign", ref=str(campaign_id)
        )
    return campaign


def _comparable(name: str) -> str:
    return fold(name.translate(_DASHES))
