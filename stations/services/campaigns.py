"""Campaigns: one holiday operation ("Tết Đinh Mùi 2027"), its dates, budget and closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.transactions import in_transaction

from stations import clock
from stations.calendar import HolidayKind, canchi_year_name, holiday_window
from stations.clock import local_midnight
from stations.enums import CampaignKind, CampaignStatus, ShiftStatus
from stations.formatting import format_date
from stations.i18n import _
from stations.models import Campaign, Shift, Unit
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.edits import check_editable, save_changes
from stations.services.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from stations.services.units import load_unit
from stations.services.validation import (
    check_calendar_date,
    check_choice,
    check_name,
    check_whole_number,
)

#: The years every other date of the service keeps to (the API's and the forms' dates).
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_CAMPAIGN_DAYS = 366
#: 1,000 billion đồng: far above any rest-station budget, far below the column's limit.
MAX_BUDGET_VND = 1_000_000_000_000
#: A shift may start the evening before the first day or end the morning after the last.
SHIFT_MARGIN = dt.timedelta(days=1)
EDITABLE_FIELDS = frozenset({"name", "starts_on", "ends_on", "budget_vnd"})

_HOLIDAY_OF_KIND = {
    CampaignKind.TET: HolidayKind.TET,
    CampaignKind.REUNIFICATION: HolidayKind.REUNIFICATION,
}


async def create_campaign(
    *,
    kind: CampaignKind | str,
    year: int,
    by: Actor,
    name: str | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    budget_vnd: int | None = None,
    unit: Unit | None = None,
) -> Campaign:
    """Plan a campaign; a holiday's dates and name default from the lunar calendar."""
    kind = _checked_kind(kind)
    year = _checked_year(year)
    only_start_given = starts_on is not None and ends_on is None
    default_start, default_end = _default_window(kind, year)
    starts_on = (
        default_start if starts_on is None else check_calendar_date(starts_on, field="starts_on")
    )
    ends_on = default_end if ends_on is None else check_calendar_date(ends_on, field="ends_on")
    if starts_on is None:
        raise InvalidInput(_("A custom campaign needs a first day."), field="starts_on")
    if ends_on is None:
        raise InvalidInput(_("A custom campaign needs a last day."), field="ends_on")
    _check_window(starts_on, ends_on, year, blame="starts_on" if only_start_given else "ends_on")
    values: dict[str, Any] = {
        "name": check_name(name) if name is not None else default_campaign_name(kind, year),
        "kind": kind,
        "year": year,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "budget_vnd": _checked_budget(budget_vnd),
        "unit": None if unit is None else await load_unit(unit),
        "status": CampaignStatus.OPEN,
    }
    async with in_transaction():
        campaign = await Campaign.create(**values)
        await record_event(
            by,
            "campaign.created",
            object_type="campaign",
            object_id=campaign.id,
            data={
                "name": campaign.name,
                "kind": kind.value,
                "year": year,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "budget_vnd": campaign.budget_vnd,
                "unit_id": campaign.unit_id,  # type: ignore[attr-defined]
            },
        )
    return campaign


async def update_campaign(campaign: Campaign, *, by: Actor, **changes: Any) -> Campaign:
    """Change ``name``, ``starts_on``, ``ends_on`` or ``budget_vnd``.

    New dates must still hold every active shift of the campaign.
    """
    check_editable(changes, EDITABLE_FIELDS)
    new_values: dict[str, Any] = {}
    if "name" in changes:
        new_values["name"] = check_name(changes["name"])
    if "budget_vnd" in changes:
        new_values["budget_vnd"] = _checked_budget(changes["budget_vnd"])
    for field in ("starts_on", "ends_on"):
        if field in changes:
            if changes[field] is None:
                raise InvalidInput(_("A campaign needs a first and a last day."), field=field)
            new_values[field] = check_calendar_date(changes[field], field=field)
    starts_on = new_values.get("starts_on", campaign.starts_on)
    ends_on = new_values.get("ends_on", campaign.ends_on)
    only_start_changed = "starts_on" in new_values and "ends_on" not in new_values
    _check_window(
        starts_on, ends_on, campaign.year, blame="starts_on" if only_start_changed else "ends_on"
    )

    async def keep_shifts_inside(changed: dict[str, Any]) -> None:
        if "starts_on" in changed or "ends_on" in changed:
            await _refuse_orphaned_shifts(campaign, starts_on, ends_on)

    await save_changes(
        campaign,
        new_values,
        by=by,
        object_type="campaign",
        gone=_("This campaign no longer exists."),
        before_write=keep_shifts_inside,
    )
    return campaign


async def close_campaign(campaign: Campaign, *, by: Actor) -> Campaign:
    """Mark the campaign closed: from now on it takes no new stations or shifts."""
    now = clock.now()
    async with in_transaction():
        closed = await Campaign.filter(id=campaign.id, status=CampaignStatus.OPEN).update(
            status=CampaignStatus.CLOSED, closed_at=now, updated_at=now
        )
        if not closed:
            if not await Campaign.exists(id=campaign.id):
                raise NotFound(_("This campaign no longer exists."), field="campaign")
            raise InvalidTransition(
                _("The campaign {name} is already closed."), field="status", name=campaign.name
            )
        await record_event(by, "campaign.closed", object_type="campaign", object_id=campaign.id)
    campaign.status, campaign.closed_at = CampaignStatus.CLOSED, now
    return campaign


def default_campaign_name(kind: CampaignKind, year: int) -> str:
    """ "Tết Đinh Mùi 2027", "30/4–1/5 2027": the names the provinces use in their reports."""
    if kind is CampaignKind.TET:
        return f"Tết {canchi_year_name(year)} {year}"
    if kind is CampaignKind.REUNIFICATION:
        return f"30/4–1/5 {year}"
    raise InvalidInput(_("A custom campaign needs a name."), field="name")


async def open_campaign_of(campaign_id: int) -> Campaign:
    """The campaign, fresh from the database, or an error if it is gone or closed."""
    campaign = await Campaign.get_or_none(id=campaign_id)
    if campaign is None:
        raise NotFound(_("This campaign no longer exists."), field="campaign")
    if campaign.status is not CampaignStatus.OPEN:
        raise Conflict(
            _("The campaign {name} is closed: it takes no new stations or shifts."),
            field="campaign",
            name=campaign.name,
        )
    return campaign


def shift_bounds(campaign: Campaign) -> tuple[dt.datetime, dt.datetime]:
    """The earliest start and latest end of a shift of ``campaign``, in UTC."""
    return _shift_bounds(campaign.starts_on, campaign.ends_on)


def outside_campaign_error(campaign: Campaign, *, field: str) -> InvalidInput:
    return InvalidInput(
        _(
            "Shifts of this campaign must fall within {starts_on}–{ends_on} "
            "(a day either side is allowed)."
        ),
        field=field,
        starts_on=format_date(campaign.starts_on, None),
        ends_on=format_date(campaign.ends_on, None),
    )


async def _refuse_orphaned_shifts(campaign: Campaign, starts_on: dt.date, ends_on: dt.date) -> None:
    first_moment, last_moment = _shift_bounds(starts_on, ends_on)
    active = Shift.filter(station__campaign_id=campaign.id, status=ShiftStatus.ACTIVE)
    for field, outside in (
        ("starts_on", active.filter(starts_at__lt=first_moment)),
        ("ends_on", active.filter(ends_at__gt=last_moment)),
    ):
        count = await outside.count()
        if count:
            raise Conflict(
                _("{count} active shifts fall outside these dates: move or cancel them first."),
                field=field,
                count=count,
            )


def _shift_bounds(starts_on: dt.date, ends_on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first_moment = local_midnight(starts_on) - SHIFT_MARGIN
    last_moment = local_midnight(ends_on + dt.timedelta(days=1)) + SHIFT_MARGIN
    return first_moment.astimezone(dt.UTC), last_moment.astimezone(dt.UTC)


def _default_window(kind: CampaignKind, year: int) -> tuple[dt.date | None, dt.date | None]:
    holiday = _HOLIDAY_OF_KIND.get(kind)
    if holiday is None:
        return None, None
    window = holiday_window(holiday, year)
    return window.start, window.end


def _check_window(
    starts_on: dt.date, ends_on: dt.date, year: int, *, blame: str = "ends_on"
) -> None:
    """``blame`` is the field to point at when the two days are in the wrong order or too
    far apart: the one the person just changed."""
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if abs(day.year - year) > 1:
            raise InvalidInput(
                _("The campaign's dates must lie within a year of {year}."),
                field=field,
                year=year,
            )
    if ends_on < starts_on:
        raise InvalidInput(_("The last day cannot be before the first day."), field=blame)
    if (ends_on - starts_on).days + 1 > MAX_CAMPAIGN_DAYS:
        raise InvalidInput(
            _("A campaign can last at most {max} days."), field=blame, max=MAX_CAMPAIGN_DAYS
        )


def _checked_kind(kind: object) -> CampaignKind:
    return check_choice(
        kind,
        CampaignKind,
        field="kind",
        message=_("Unknown campaign kind; choose one of: {choices}."),
    )


def _checked_year(year: object) -> int:
    return check_whole_number(
        year,
        field="year",
        minimum=MIN_YEAR,
        maximum=MAX_YEAR,
        message=_("The year must be a whole number from {min} to {max}."),
        # A year is a name, not an amount: "2000", never "2.000".
        min=str(MIN_YEAR),
        max=str(MAX_YEAR),
    )


def _checked_budget(budget: object) -> int | None:
    if budget is None:
        return None
    return check_whole_number(
        budget,
        field="budget_vnd",
        minimum=0,
        maximum=MAX_BUDGET_VND,
        message=_("The budget must be a whole number of đồng from 0 to {max}."),
    )
