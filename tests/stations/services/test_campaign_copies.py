"""Start from last year: copying a campaign's stations, shifts and planned stock."""

from __future__ import annotations

import datetime as dt

import pytest

from stations import clock as clock_module
from stations.enums import CampaignKind, CampaignStatus, ShiftStatus
from stations.models import AuditEvent, Campaign, PlannedStock, Shift, Station
from stations.services.actor import Actor
from stations.services.campaign_copies import copy_campaign, next_holiday, next_year_of
from stations.services.errors import InvalidInput
from tests.factories import make_campaign, make_item, make_shift, make_station, make_volunteer, vn

SYSTEM = Actor.system("tests")


async def last_tet() -> tuple[Campaign, Station]:
    """Tết 2026 (10–22/02/2026, 13 days), closed, with one station, three shifts, a plan."""
    campaign = await make_campaign(
        name="Tết Bính Ngọ 2026",
        year=2026,
        starts_on=dt.date(2026, 2, 10),
        ends_on=dt.date(2026, 2, 22),
        status=CampaignStatus.CLOSED,
    )
    lead = await make_volunteer(full_name="Trưởng trạm Nguyễn Văn Ba")
    station = await make_station(
        campaign,
        code="MT01",
        name="Trạm Mỹ Tho",
        opens_at=dt.time(6),
        closes_at=dt.time(22),
        lead=lead,
        province_code="82",
        ward_code="28261",
    )
    await make_shift(
        station, starts_at=vn(2026, 2, 10, 6), ends_at=vn(2026, 2, 10, 14), needs={"lead": 1}
    )
    await make_shift(  # a night shift on the last day, into the next morning
        station, starts_at=vn(2026, 2, 22, 22), ends_at=vn(2026, 2, 23, 6), needs={"volunteer": 3}
    )
    await make_shift(
        station,
        starts_at=vn(2026, 2, 12, 6),
        ends_at=vn(2026, 2, 12, 14),
        status=ShiftStatus.CANCELLED,
    )
    await PlannedStock.create(station=station, item=await make_item("water"), quantity=600)
    return campaign, station


def local_starts(shifts: list[Shift]) -> list[tuple[dt.date, dt.time, dt.timedelta]]:
    return [
        (
            clock_module.local(s.starts_at).date(),
            clock_module.local(s.starts_at).time(),
            s.ends_at - s.starts_at,
        )
        for s in shifts
    ]


async def test_copy_moves_stations_shifts_and_plans_onto_the_new_window(db, clock) -> None:
    source, station = await last_tet()

    copied = await copy_campaign(source, by=SYSTEM, year=2027)

    campaign = copied.campaign
    assert (campaign.name, campaign.starts_on, campaign.ends_on) == (
        "Tết Đinh Mùi 2027",
        dt.date(2027, 1, 30),
        dt.date(2027, 2, 11),
    )
    new_station = await Station.get(campaign_id=campaign.id)
    assert (
        new_station.code,
        new_station.name,
        new_station.unit_id,
        new_station.lead_id,
        new_station.opens_at.replace(tzinfo=None),
        new_station.ward_code,
    ) == ("MT01", "Trạm Mỹ Tho", station.unit_id, station.lead_id, dt.time(6), "28261")
    shifts = await Shift.filter(station_id=new_station.id).order_by("starts_at")
    assert local_starts(shifts) == [
        (dt.date(2027, 1, 30), dt.time(6), dt.timedelta(hours=8)),
        (dt.date(2027, 2, 11), dt.time(22), dt.timedelta(hours=8)),
    ]
    assert [s.needs for s in shifts] == [{"lead": 1}, {"volunteer": 3}]
    assert await PlannedStock.filter(station_id=new_station.id).values_list(
        "quantity", flat=True
    ) == [600]
    assert (copied.stations, copied.shifts, copied.planned_items) == (1, 2, 1)
    assert await AuditEvent.filter(action="campaign.copied").count() == 1


async def test_copy_onto_a_shorter_window_drops_the_days_past_its_end(db, clock) -> None:
    source, _station = await last_tet()

    copied = await copy_campaign(
        source, by=SYSTEM, year=2027, starts_on=dt.date(2027, 2, 1), ends_on=dt.date(2027, 2, 5)
    )

    shifts = await Shift.filter(station__campaign_id=copied.campaign.id).order_by("starts_at")
    # Day 1 to day 1; the old day 13 (its night shift) is past the new fifth and last day.
    assert local_starts(shifts) == [(dt.date(2027, 2, 1), dt.time(6), dt.timedelta(hours=8))]
    assert copied.shifts == 1


async def test_copy_onto_a_longer_window_repeats_the_last_days_slots(db, clock) -> None:
    source, _station = await last_tet()

    copied = await copy_campaign(
        source, by=SYSTEM, year=2027, starts_on=dt.date(2027, 1, 30), ends_on=dt.date(2027, 2, 13)
    )

    shifts = await Shift.filter(station__campaign_id=copied.campaign.id).order_by("starts_at")
    assert [day for day, _time, _length in local_starts(shifts)] == [
        dt.date(2027, 1, 30),
        dt.date(2027, 2, 11),
        dt.date(2027, 2, 12),
        dt.date(2027, 2, 13),
    ]


async def test_copy_with_bad_dates_writes_nothing(db, clock) -> None:
    source, _station = await last_tet()

    with pytest.raises(InvalidInput):
        await copy_campaign(
            source, by=SYSTEM, year=2027, starts_on=dt.date(2027, 2, 5), ends_on=dt.date(2027, 2, 1)
        )

    assert await Campaign.all().count() == 1
    assert await Station.all().count() == 1


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 12, 7), (CampaignKind.TET, 2027)),
        (dt.date(2026, 2, 1), (CampaignKind.TET, 2026)),
        (dt.date(2026, 3, 1), (CampaignKind.REUNIFICATION, 2026)),
        (dt.date(2026, 5, 3), (CampaignKind.TET, 2027)),
    ],
)
def test_next_holiday_is_the_upcoming_one(today: dt.date, expected: tuple) -> None:
    assert next_holiday(today) == expected


async def test_next_year_of_a_copy_is_the_holidays_next(db, clock) -> None:
    source, _station = await last_tet()

    assert next_year_of(source, dt.date(2026, 12, 7)) == 2027
