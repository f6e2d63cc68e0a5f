"""Start from last year: a new campaign with a previous one's stations, shift patterns and
planned opening stock, shifted onto the new window.

What is copied, per active station: code, name, unit, address, location, check-in radius,
opening hours, lead, place (province and ward codes) and planned opening stock; and its active
shifts, each moved to the same day of the new window (day 1 to day 1, …) at the same Vietnam
wall-clock time, with the same length and needs. A new window shorter than the old drops the
days past its end; a longer one repeats the old last day's slots on every extra day. Nothing
that happened is copied: no assignments, ledger lines or services.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from stations import clock
from stations.calendar import HolidayKind, holiday_window
from stations.enums import CampaignKind, ShiftStatus
from stations.i18n import _
from stations.models import Campaign, PlannedStock, Shift, Station, Unit
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.campaigns import create_campaign
from stations.services.errors import NotFound

_HOLIDAYS = {
    CampaignKind.TET: HolidayKind.TET,
    CampaignKind.REUNIFICATION: HolidayKind.REUNIFICATION,
}


@dataclass(frozen=True)
class CopiedCampaign:
    campaign: Campaign
    stations: int
    shifts: int
    planned_items: int


def next_holiday(today: dt.date) -> tuple[CampaignKind, int]:
    """The holiday whose window comes next (one still running counts): the kind and year a
    new campaign defaults to. On 07/12/2026 that is Tết 2027, not Tết 2026."""
    upcoming = []
    for kind, holiday in _HOLIDAYS.items():
        for year in (today.year, today.year + 1):
            window = holiday_window(holiday, year)
            if window.end >= today:
                upcoming.append((window.start, kind, year))
                break
    _start, kind, year = min(upcoming)
    return kind, year


def next_year_of(source: Campaign, today: dt.date) -> int:
    """The year a copy of ``source`` defaults to: its holiday's next one, else next year."""
    holiday = _HOLIDAYS.get(CampaignKind(source.kind))
    year = max(source.year + 1, today.year)
    if holiday is not None and holiday_window(holiday, year).end < today:
        year += 1
    return year


async def copy_campaign(
    source: Campaign,
    *,
    by: Actor,
    year: int,
    name: str | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> CopiedCampaign:
    """A new campaign of ``source``'s kind (and unit) for ``year``, its dates defaulting from
    the holiday calendar, holding copies of ``source``'s stations, shifts and planned stock."""
    async with in_transaction():
        original = await Campaign.get_or_none(id=source.id)
        if original is None:
            raise NotFound(_("This campaign no longer exists."), field="source")
        campaign = await create_campaign(
            kind=CampaignKind(original.kind),
            year=year,
            by=by,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            budget_vnd=original.budget_vnd,
            unit=await Unit.get(id=original.unit_id) if original.unit_id is not None else None,
        )
        stations = await Station.filter(campaign_id=original.id, is_active=True).order_by("code")
        station_ids = [station.id for station in stations] or [0]
        shifts = await Shift.filter(station_id__in=station_ids, status=ShiftStatus.ACTIVE).order_by(
            "starts_at", "id"
        )
        plans = await PlannedStock.filter(station_id__in=station_ids)
        shifts_of: dict[int, list[Shift]] = defaultdict(list)
        for shift in shifts:
            shifts_of[shift.station_id].append(shift)
        plans_of: dict[int, list[PlannedStock]] = defaultdict(list)
        for plan in plans:
            plans_of[plan.station_id].append(plan)

        new_shifts: list[Shift] = []
        new_plans: list[PlannedStock] = []
        for station in stations:
            copy = await Station.create(
                campaign_id=campaign.id,
                unit_id=station.unit_id,
                code=station.code,
                name=station.name,
                address=station.address,
                latitude=station.latitude,
                longitude=station.longitude,
                checkin_radius_m=station.checkin_radius_m,
                opens_at=station.opens_at,
                closes_at=station.closes_at,
                lead_id=station.lead_id,
                province_code=station.province_code,
                ward_code=station.ward_code,
            )
            new_shifts += _shifted(shifts_of[station.id], original, campaign, copy.id)
            new_plans += [
                PlannedStock(station_id=copy.id, item_id=plan.item_id, quantity=plan.quantity)
                for plan in plans_of[station.id]
            ]
        if new_shifts:
            await Shift.bulk_create(new_shifts)
        if new_plans:
            await PlannedStock.bulk_create(new_plans)
        result = CopiedCampaign(campaign, len(stations), len(new_shifts), len(new_plans))
        await record_event(
            by,
            "campaign.copied",
            object_type="campaign",
            object_id=campaign.id,
            data={
                "source_id": original.id,
                "stations": result.stations,
                "shifts": result.shifts,
                "planned_items": result.planned_items,
            },
        )
    return result


def _shifted(
    shifts: list[Shift], source: Campaign, target: Campaign, station_id: int
) -> list[Shift]:
    """``shifts`` of ``source`` laid onto the days of ``target`` (see the module's rules)."""
    old_days = (source.ends_on - source.starts_on).days + 1
    new_days = (target.ends_on - target.starts_on).days + 1
    by_day: dict[int, list[Shift]] = defaultdict(list)
    for shift in shifts:
        index = (clock.local(shift.starts_at).date() - source.starts_on).days
        # A shift on the eve of the first day keeps its place before the new first day.
        by_day[min(index, old_days - 1)].append(shift)
    copies = []
    for new_index in range(-1, new_days):
        old_index = new_index if new_index < old_days else old_days - 1
        day = target.starts_on + dt.timedelta(days=new_index)
        for shift in by_day.get(old_index, []):
            starts = clock.local(shift.starts_at)
            begins = dt.datetime.combine(day, starts.time(), tzinfo=clock.VN_TZ)
            copies.append(
                Shift(
                    station_id=station_id,
                    starts_at=begins.astimezone(dt.UTC),
                    ends_at=(begins + (shift.ends_at - shift.starts_at)).astimezone(dt.UTC),
                    needs=dict(shift.needs),
                    note=shift.note,
                )
            )
    return copies
