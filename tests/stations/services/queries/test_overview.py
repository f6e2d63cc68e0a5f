"""The campaign overview query: today's figures per station in scope, the chart's series, and
a number of SQL queries that does not grow with the number of stations."""

from __future__ import annotations

import datetime as dt

from stations.enums import AssignmentStatus, ServiceKind, ShiftRole, ShiftStatus
from stations.services.actor import Actor
from stations.services.inventory import record_handout, record_receipt
from stations.services.queries.overview import campaign_overview
from stations.services.service_records import record_service
from tests.factories import (
    make_assignment,
    make_campaign,
    make_item,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)
from tests.stations.web.helpers import count_queries

SYSTEM = Actor.system("tests")


async def _busy_station(campaign, unit, water, *, code: str):
    """A station with a shift today (one of two leads filled, one on duty), stock, a handout
    and a service, all today (2027-02-02)."""
    station = await make_station(campaign, unit=unit, code=code)
    shift = await make_shift(
        station,
        starts_at=vn(2027, 2, 2, 6),
        ends_at=vn(2027, 2, 2, 12),
        needs={ShiftRole.LEAD.value: 2},
    )
    await make_assignment(
        shift,
        await make_volunteer(),
        role=ShiftRole.LEAD,
        status=AssignmentStatus.CHECKED_IN,
        checked_in_at=vn(2027, 2, 2, 6, 5),
    )
    await record_receipt(station, water, 200, by=SYSTEM, occurred_at=vn(2027, 2, 1, 9))
    await record_handout(station, water, 30, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    await record_service(
        station, ServiceKind.MOTORBIKE_CHECK, 4, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7)
    )
    return station


async def test_overview_gives_each_station_its_day(db, clock):
    water = await make_item("water")
    campaign = await make_campaign()
    station = await _busy_station(campaign, await make_unit(), water, code="A1")

    overview = await campaign_overview(campaign, unit_ids=None)

    assert overview.today == dt.date(2027, 2, 2)
    [today] = overview.stations
    assert today.station.id == station.id
    assert [(s.filled, s.needed, s.short) for s in today.shifts] == [(1, 2, True)]
    assert [a.volunteer.full_name for a in today.on_duty] == [today.on_duty[0].volunteer.full_name]
    assert [(line.item.code, line.quantity, line.low) for line in today.stock] == [
        ("water", 170, False)
    ]
    assert [(h.item.code, h.quantity) for h in today.handouts] == [("water", 30)]
    assert today.services == {ServiceKind.MOTORBIKE_CHECK.value: 4}
    assert (overview.on_duty_count, overview.short_shift_count) == (1, 1)


async def test_overview_leaves_out_stations_outside_the_scope(db, clock):
    water = await make_item("water")
    campaign = await make_campaign()
    mine, theirs = await make_unit(), await make_unit()
    await _busy_station(campaign, mine, water, code="A1")
    await _busy_station(campaign, theirs, water, code="B1")

    overview = await campaign_overview(campaign, unit_ids=frozenset({mine.id}))

    assert [s.station.code for s in overview.stations] == ["A1"]
    assert [
        s.quantities[overview.days.index(dt.date(2027, 2, 2))] for s in overview.handouts_per_day
    ] == [30]


async def test_overview_flags_todays_discrepancies_and_low_stock(db, clock):
    water = await make_item("water")
    campaign = await make_campaign()
    station = await make_station(campaign)
    await record_receipt(station, water, 100, by=SYSTEM, occurred_at=vn(2027, 2, 2, 6))
    await record_handout(station, water, 130, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))

    overview = await campaign_overview(campaign, unit_ids=None)

    [today] = overview.stations
    assert [(line.quantity, line.low, line.discrepancy_today) for line in today.stock] == [
        (-30, True, True)
    ]
    assert (overview.low_stock_count, overview.discrepancy_count) == (1, 1)


async def test_yesterdays_discrepancy_is_not_flagged_today(db, clock):
    water = await make_item("water")
    campaign = await make_campaign()
    station = await make_station(campaign)
    await record_handout(station, water, 5, by=SYSTEM, occurred_at=vn(2027, 2, 1, 23, 59))

    overview = await campaign_overview(campaign, unit_ids=None)

    assert [line.discrepancy_today for line in overview.stations[0].stock] == [False]


async def test_overview_counts_only_today_in_vietnam(db, clock):
    water = await make_item("water")
    campaign = await make_campaign()
    station = await make_station(campaign)
    await record_receipt(station, water, 100, by=SYSTEM, occurred_at=vn(2027, 2, 1, 8))
    # 23:30 on the 1st in Vietnam is 16:30 UTC: yesterday, not today.
    await record_handout(station, water, 5, by=SYSTEM, occurred_at=vn(2027, 2, 1, 23, 30))
    await record_handout(station, water, 7, by=SYSTEM, occurred_at=vn(2027, 2, 2, 0, 10))
    await make_shift(station, starts_at=vn(2027, 2, 1, 18), ends_at=vn(2027, 2, 1, 23))
    await make_shift(station, starts_at=vn(2027, 2, 2, 22), ends_at=vn(2027, 2, 3, 2))

    overview = await campaign_overview(campaign, unit_ids=None)

    [today] = overview.stations
    assert [(h.item.code, h.quantity) for h in today.handouts] == [("water", 7)]
    assert [s.shift.starts_at for s in today.shifts] == [vn(2027, 2, 2, 22)]
    [series] = overview.handouts_per_day
    by_day = dict(zip(overview.days, series.quantities, strict=True))
    assert (by_day[dt.date(2027, 2, 1)], by_day[dt.date(2027, 2, 2)]) == (5, 7)


async def test_overview_leaves_out_cancelled_shifts_and_inactive_stations(db, clock):
    campaign = await make_campaign()
    station = await make_station(campaign)
    await make_station(campaign, is_active=False)
    await make_shift(station, status=ShiftStatus.CANCELLED)

    overview = await campaign_overview(campaign, unit_ids=None)

    assert [(s.station.id, s.shifts) for s in overview.stations] == [(station.id, [])]


async def test_overview_of_a_campaign_without_stations_is_empty(db, clock):
    campaign = await make_campaign()

    overview = await campaign_overview(campaign, unit_ids=None)

    assert (overview.stations, overview.handouts_per_day) == ([], [])
    assert overview.days[0] == campaign.starts_on
    assert overview.days[-1] == campaign.ends_on


async def test_chart_days_stretch_to_handouts_outside_the_campaign(db, clock):
    water = await make_item("water")
    campaign = await make_campaign(starts_on=dt.date(2027, 2, 1), ends_on=dt.date(2027, 2, 3))
    station = await make_station(campaign)
    # Outside the window only with a reason (services/campaign_window.py).
    await record_handout(
        station,
        water,
        3,
        by=SYSTEM,
        occurred_at=vn(2027, 1, 30, 10),
        outside_reason="Phát sớm cho đoàn xe",
    )

    overview = await campaign_overview(campaign, unit_ids=None)

    assert overview.days == [dt.date(2027, 1, 30) + dt.timedelta(days=n) for n in range(5)]
    assert overview.handouts_per_day[0].quantities == [3, 0, 0, 0, 0]


async def _queries_for(stations: int) -> int:
    water = await make_item(f"water{stations}", name_vi="Nước", name_en="Water")
    campaign = await make_campaign()
    unit = await make_unit()
    for n in range(stations):
        await _busy_station(campaign, unit, water, code=f"Q{n}")
    with count_queries() as statements:
        overview = await campaign_overview(campaign, unit_ids=frozenset({unit.id}))
    assert len(overview.stations) == stations
    return len(statements)


async def test_overview_query_count_does_not_grow_with_the_stations(db, clock):
    few = await _queries_for(3)
    many = await _queries_for(30)

    assert few == many
    assert few <= 15


async def test_overview_gives_last_nights_shift_its_own_start_day(db, clock):
    station = await make_station(await make_campaign())
    await make_shift(station, starts_at=vn(2027, 2, 1, 22), ends_at=vn(2027, 2, 2, 1))
    await make_shift(station, starts_at=vn(2027, 2, 2, 22), ends_at=vn(2027, 2, 3, 1))

    overview = await campaign_overview(await station.campaign, unit_ids=None)

    [today] = overview.stations
    assert [s.starts_on for s in today.shifts] == [dt.date(2027, 2, 1), dt.date(2027, 2, 2)]
    assert overview.today == dt.date(2027, 2, 2)


async def test_chart_leaves_out_an_inactive_stations_handouts(db, clock):
    water = await make_item("water")
    campaign = await make_campaign()
    open_station = await make_station(campaign)
    closed_station = await make_station(campaign)
    await record_handout(open_station, water, 4, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    await record_handout(closed_station, water, 9, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    closed_station.is_active = False
    await closed_station.save(update_fields=["is_active"])

    overview = await campaign_overview(campaign, unit_ids=None)

    [series] = overview.handouts_per_day
    assert sum(series.quantities) == 4
