"""A campaign in planning, what is left to do (``queries/readiness.py``): the figures over
every station, a page of the stations not ready, the unlinked volunteers; a fixed number of
statements at a country's scale."""

from __future__ import annotations

import re

import pytest

from stations.enums import AssignmentStatus, MovementKind, ShiftRole, ShiftStatus
from stations.models import DailyStockTally, PlannedStock
from stations.services.actor import Actor
from stations.services.errors import InvalidInput
from stations.services.inventory import record_receipt
from stations.services.planned_stock import set_planned_stock
from stations.services.queries.readiness import campaign_readiness
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
from tests.factories_unit_world import build_unit_world
from tests.stations.web.helpers import count_queries

SYSTEM = Actor.system("tests")
#: a parameter marker of either database (SQLite's JSON paths "$.role" are not)
PARAMETER = re.compile(r"\$\d+|\?")
BEFORE_START = vn(2026, 12, 7, 9)  # the factories' campaign runs 30/01–11/02/2027


async def _filled_shift(station, volunteer=None, **overrides):
    shift = await make_shift(station, needs={ShiftRole.VOLUNTEER.value: 1}, **overrides)
    await make_assignment(
        shift, volunteer or await make_volunteer(), status=AssignmentStatus.CONFIRMED
    )
    return shift


async def _small_campaign():
    """A ready station, one without shifts, one with a shift short of people, one whose
    water has not all come; an inactive station, another unit's and another campaign's."""
    water = await make_item("water")
    mine, theirs = await make_unit(), await make_unit()
    campaign = await make_campaign()
    ready = await make_station(campaign, unit=mine, code="A")
    twice = await make_volunteer(full_name="Bùi Văn Hai Ca")
    await _filled_shift(ready, twice)
    await make_shift(ready, status=ShiftStatus.CANCELLED, needs={ShiftRole.VOLUNTEER.value: 5})
    await set_planned_stock(ready, water, 100, by=SYSTEM)
    await record_receipt(ready, water, 60, by=SYSTEM)
    await record_receipt(ready, water, 40, by=SYSTEM)
    await make_station(campaign, unit=mine, code="B")
    short = await make_station(campaign, unit=mine, code="C")
    await _filled_shift(short, await make_volunteer(full_name="Trần Thị Ánh"))
    second = await make_shift(
        short, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10), needs={"volunteer": 2}
    )
    await make_assignment(second, twice)
    waiting = await make_station(campaign, unit=mine, code="D")
    await _filled_shift(waiting, await make_volunteer(telegram_user_id=777, full_name="An Đã"))
    await set_planned_stock(waiting, water, 100, by=SYSTEM)
    await record_receipt(waiting, water, 30, by=SYSTEM)
    await make_station(campaign, unit=mine, code="E", is_active=False)
    theirs_station = await make_station(campaign, unit=theirs, code="F")
    await make_shift(theirs_station)
    await make_station(await make_campaign(name="Khác"), unit=mine, code="G")
    return campaign, mine, theirs, water


async def test_readiness_counts_every_station_and_lists_those_not_ready(db, clock):
    clock.set(BEFORE_START)
    campaign, mine, _theirs, water = await _small_campaign()

    readiness = await campaign_readiness(campaign, unit_ids={mine.id})

    figures = (
        readiness.station_count,
        readiness.ready_stations,
        readiness.not_ready_count,
        readiness.stations_without_shifts,
        readiness.unfilled_shifts,
        readiness.supplies_missing,
    )
    assert figures == (4, 1, 3, 1, 1, 1)
    assert [
        (st.station.code, st.shifts, st.unfilled_shifts, st.supplies_missing)
        for st in readiness.not_ready
    ] == [("B", 0, 0, 0), ("C", 2, 1, 0), ("D", 1, 0, 1)]
    (supply,) = readiness.not_ready[2].supplies
    assert (supply.item.id, supply.planned, supply.received, supply.missing) == (
        water.id,
        100,
        30,
        70,
    )
    assert readiness.not_ready[0].station.unit.id == mine.id
    assert (readiness.page, readiness.page_count, readiness.days_to_go) == (1, 1, 54)
    # on two shifts, named once; the linked volunteer of D neither named nor counted
    assert [v.full_name for v in readiness.unlinked_volunteers] == [
        "Bùi Văn Hai Ca",
        "Trần Thị Ánh",
    ]
    assert readiness.unlinked_count == 2


async def test_readiness_of_a_province_wide_reader_counts_every_units_stations(db, clock):
    clock.set(BEFORE_START)
    campaign, _mine, theirs, _water = await _small_campaign()

    everything = await campaign_readiness(campaign, unit_ids=None)
    other_unit = await campaign_readiness(campaign, unit_ids={theirs.id})
    nothing = await campaign_readiness(campaign, unit_ids=set())

    assert (everything.station_count, everything.ready_stations) == (5, 1)
    assert [st.station.code for st in everything.not_ready] == ["B", "C", "D", "F"]
    assert [st.station.code for st in other_unit.not_ready] == ["F"]
    assert (other_unit.unfilled_shifts, other_unit.unlinked_count) == (1, 0)
    assert (nothing.station_count, nothing.not_ready, nothing.unlinked_count) == (0, [], 0)


async def test_readiness_lists_the_stations_not_ready_a_page_at_a_time(db, clock):
    clock.set(BEFORE_START)
    campaign, mine, _theirs, _water = await _small_campaign()

    first = await campaign_readiness(campaign, unit_ids={mine.id}, per_page=2)
    second = await campaign_readiness(campaign, unit_ids={mine.id}, page=2, per_page=2)
    with pytest.raises(InvalidInput) as past_the_end:
        await campaign_readiness(campaign, unit_ids={mine.id}, page=3, per_page=2)

    assert [st.station.code for st in first.not_ready] == ["B", "C"]
    assert [st.station.code for st in second.not_ready] == ["D"]
    assert (first.page_count, second.page, second.station_count) == (2, 2, 4)
    assert (past_the_end.value.field, past_the_end.value.params) == ("page", {"pages": 2})


async def _plan_world_stock(world) -> None:
    """100 bottles of water planned at every station of the world, all of them received
    except where ``n % 3 == 0``: with the world's short shifts at odd ``n``, the stations
    ready are the even ones not divisible by 3."""
    await PlannedStock.bulk_create(
        [
            PlannedStock(station_id=station_id, item_id=world.water.id, quantity=100)
            for station_id in world.station_ids
        ]
    )
    await DailyStockTally.bulk_create(
        [
            DailyStockTally(
                station_id=station_id,
                item_id=world.water.id,
                kind=MovementKind.RECEIPT,
                day=BEFORE_START.date(),
                quantity=100,
                delta=100,
                lines=1,
            )
            for n, station_id in enumerate(world.station_ids)
            if n % 3
        ]
    )


async def _measured(stations: int, wards: int):
    world = await build_unit_world(stations=stations, wards=wards, tag=f"r{stations}")
    await _plan_world_stock(world)
    with count_queries() as statements:
        readiness = await campaign_readiness(world.campaign, unit_ids=None)
    return readiness, statements


async def test_readiness_costs_the_same_statements_for_3_or_300_stations(db, clock):
    clock.set(BEFORE_START)

    few, few_statements = await _measured(3, 1)
    many, many_statements = await _measured(300, 20)

    ready = sum(1 for n in range(300) if n % 2 == 0 and n % 3)
    assert (few.station_count, few.ready_stations) == (3, 1)
    assert (many.station_count, many.ready_stations, many.not_ready_count) == (
        300,
        ready,
        300 - ready,
    )
    assert (many.stations_without_shifts, many.unfilled_shifts, many.supplies_missing) == (
        0,
        150,
        100,
    )
    assert [st.station.code for st in many.not_ready[:3]] == ["S000", "S001", "S003"]
    assert (len(many.not_ready), many.page_count) == (25, 8)
    # every lead (checked in) and the volunteers assigned at even stations
    assert (many.unlinked_count, len(many.unlinked_volunteers)) == (300 + 150, 12)
    assert len(few_statements) == len(many_statements)
    # No list of ids beyond one page: the campaign is chosen in SQL.
    assert max(len(PARAMETER.findall(statement)) for statement in many_statements) < 60
