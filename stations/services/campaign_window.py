"""The campaign window: the one rule for what may be recorded outside a campaign's dates.

The window opens at the Vietnam-local midnight of the first day and closes at the midnight
after the last day, or later when a night shift that started by then runs past it: the last
hours of that shift belong to the campaign.

- Handouts and services happen only inside the window. Outside it a coordinator (web or
  API) may still record one by giving the reason it lies outside the campaign; the reason is
  stored on the line. A volunteer (the bot) cannot.
- Receipts may come before the window (supplies arrive early), not after it, with the same
  exception.
- Counts, losses and transfers keep the stock right whenever they happen: no rule here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from stations import clock
from stations.enums import ActorKind, MovementKind, ServiceKind, ShiftStatus
from stations.formatting import format_date
from stations.i18n import _
from stations.models import Campaign, Shift
from stations.services.actor import Actor
from stations.services.errors import InvalidInput, NotFound
from stations.services.validation import check_optional_text

REASON_MAX: Final = 300
#: Who may record a line outside the window, with a reason.
COORDINATOR_KINDS: Final = frozenset({ActorKind.USER, ActorKind.API, ActorKind.SYSTEM})

OUTSIDE_FOR_VOLUNTEER = _(
    "The campaign {campaign} runs from {starts_on} to {ends_on}: handouts and services "
    "outside these days are not recorded."
)
OUTSIDE_NEEDS_REASON = _(
    "The campaign {campaign} runs from {starts_on} to {ends_on}: to record a handout or a "
    "service outside these days, give the reason it is outside the campaign."
)
AFTER_FOR_VOLUNTEER = _(
    "The campaign {campaign} ended on {ends_on}: supplies received after it are not recorded."
)
AFTER_NEEDS_REASON = _(
    "The campaign {campaign} ended on {ends_on}: to record supplies received after it, give "
    "the reason it is outside the campaign."
)


@dataclass(frozen=True)
class CampaignWindow:
    """Moments in UTC; ``closes_at`` is never before ``last_day_ends_at``."""

    opens_at: dt.datetime
    last_day_ends_at: dt.datetime
    closes_at: dt.datetime

    def contains(self, moment: dt.datetime) -> bool:
        return self.opens_at <= moment < self.closes_at


def window_days(campaign: Campaign) -> tuple[dt.datetime, dt.datetime]:
    """The local midnight opening the first day and the one ending the last day, in UTC."""
    return (
        clock.local_midnight(campaign.starts_on).astimezone(dt.UTC),
        clock.local_midnight(campaign.ends_on + dt.timedelta(days=1)).astimezone(dt.UTC),
    )


async def campaign_window(campaign: Campaign) -> CampaignWindow:
    """The window of ``campaign`` (one query: the latest night shift of its last day)."""
    opens_at, last_day_ends_at = window_days(campaign)
    return CampaignWindow(opens_at, last_day_ends_at, await _closes_at(campaign, last_day_ends_at))


async def check_inside_window(
    campaign: Campaign,
    what: MovementKind | ServiceKind,
    moment: dt.datetime,
    *,
    by: Actor,
    outside_reason: object = "",
) -> str:
    """Refuse ``what`` at ``moment`` outside the window of ``campaign`` unless a coordinator
    gives ``outside_reason``; returns the reason to store on the line ("" inside the window)."""
    reason = _checked_reason(outside_reason)
    if isinstance(what, MovementKind) and what not in (MovementKind.HANDOUT, MovementKind.RECEIPT):
        return ""
    opens_at, last_day_ends_at = window_days(campaign)
    if moment < opens_at:
        if what is MovementKind.RECEIPT:
            return ""
    elif moment < last_day_ends_at or moment < await _closes_at(campaign, last_day_ends_at):
        return ""
    coordinator = by.kind in COORDINATOR_KINDS
    if coordinator and reason:
        return reason
    receipt = what is MovementKind.RECEIPT
    if coordinator:
        message = AFTER_NEEDS_REASON if receipt else OUTSIDE_NEEDS_REASON
    else:
        message = AFTER_FOR_VOLUNTEER if receipt else OUTSIDE_FOR_VOLUNTEER
    raise InvalidInput(
        message,
        field="outside_reason" if coordinator else "occurred_at",
        campaign=campaign.name,
        starts_on=format_date(campaign.starts_on, None),
        ends_on=format_date(campaign.ends_on, None),
    )


async def check_station_window(
    station_id: int, what: MovementKind | ServiceKind, moment: dt.datetime, *, by: Actor
) -> None:
    """``check_inside_window`` for a report that names only its station (the bot's), without a
    reason: such reports come from the field."""
    campaign = await Campaign.filter(stations__id=station_id).first()
    if campaign is None:
        raise NotFound(_("The station was not found."), field="station")
    await check_inside_window(campaign, what, moment, by=by)


async def _closes_at(campaign: Campaign, last_day_ends_at: dt.datetime) -> dt.datetime:
    latest: list[Any] = (
        await Shift.filter(
            station__campaign_id=campaign.id,
            status=ShiftStatus.ACTIVE,
            starts_at__lt=last_day_ends_at,
            ends_at__gt=last_day_ends_at,
        )
        .order_by("-ends_at")
        .limit(1)
        .values_list("ends_at", flat=True)
    )
    return max([last_day_ends_at, *latest])


def _checked_reason(reason: object) -> str:
    if reason is None:
        return ""
    return check_optional_text(
        reason,
        field="outside_reason",
        max_length=REASON_MAX,
        too_long=_("The reason can be at most {max} characters."),
        not_text=_("The reason must be text."),
    )
