"""The overview by unit and a unit's station list: the same figures as the station cards,
summed per unit; where each reader lands and how far they reach; filters and pages; and a
number of statements that grows neither with the stations nor with the units."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.services.errors import InvalidInput, NotFound
from stations.services.queries.overview import campaign_overview
from stations.services.queries.unit_figures import Figures
from stations.services.queries.unit_overview import StationFilter, unit_overview, unit_stations
from stations.services.queries.unit_tree import unit_tree
from tests.factories import make_campaign, make_station, make_unit
from tests.factories_unit_world import build_unit_world
from tests.stations.web.helpers import count_queries


def _summed(rows) -> Figures:
    total = Figures()
    for row in rows:
        total.add(row.figures)
    return total


async def test_unit_rows_add_up_to_the_figures_of_the_station_cards(db, clock):
    world = await build_unit_world(stations=30, wards=4)

    overview = await unit_overview(world.campaign, scope=None, unit_id=None)
    cards = await campaign_overview(world.campaign, unit_ids=None)

    # One province: a province-wide reader lands on it, one row per ward, one for its own.
    assert overview.place.unit is not None
    assert overview.place.unit.id == world.province.id
    assert [row.unit.name if row.unit else None for row in overview.rows] == [
        "Công an xã 00",
        "Công an xã 01",
        "Công an xã 02",
        "Công an xã 03",
        None,
    ]
    assert _summed(overview.rows) == overview.total
    total = overview.total
    assert total.stations == len(cards.stations) == 30
    assert total.open_now == 30
    assert total.shifts == sum(len(st.shifts) for st in cards.stations) == 30
    assert total.short_shifts == cards.short_shift_count == 15
    assert total.filled == sum(sh.filled for st in cards.stations for sh in st.shifts) == 45
    assert total.needed == sum(sh.needed for st in cards.stations for sh in st.shifts) == 60
    assert total.on_duty == cards.on_duty_count == 30
    assert total.low_lines == cards.low_stock_count == 10
    assert total.low_stations == sum(1 for st in cards.stations if st.low_stock) == 10
    assert total.discrepancy_lines == cards.discrepancy_count == 6
    assert total.discrepancy_stations == 6
    assert total.handouts == {world.water.id: sum(range(1, 31))}
    assert total.services == {"first_aid": 2 * 8}


async def test_a_ward_row_holds_exactly_its_own_stations(db, clock):
    world = await build_unit_world(stations=30, wards=4)

    overview = await unit_overview(world.campaign, scope=None, unit_id=world.province.id)
    first = overview.rows[0]

    # Ward 0 has stations 0, 4, 8, … except those of the province itself (n % 7 == 6).
    mine = [n for n in range(30) if n % 4 == 0 and n % 7 != 6]
    assert first.figures.stations == len(mine)
    assert first.figures.on_duty == len(mine)
    assert first.figures.short_shifts == sum(1 for n in mine if n % 2)
    assert first.figures.low_stations == sum(1 for n in mine if n % 3 == 0)
    assert first.figures.handouts == {world.water.id: sum(n + 1 for n in mine)}


async def test_a_ward_coordinator_lands_on_their_ward_and_reaches_nothing_above_or_beside(
    db, clock
):
    world = await build_unit_world(stations=12, wards=3)
    ward, sibling = world.wards[0], world.wards[1]
    scope = (await unit_tree()).subtree(ward.id)

    overview = await unit_overview(world.campaign, scope=scope, unit_id=None)

    assert overview.place.unit is not None
    assert overview.place.unit.id == ward.id
    assert overview.place.above == []
    assert overview.place.whole_campaign_above is False
    assert [row.unit for row in overview.rows] == [None]
    assert overview.total.stations == sum(1 for n in range(12) if n % 3 == 0 and n % 7 != 6)
    for unit_id in (sibling.id, world.province.id, 987654):
        with pytest.raises(NotFound) as refused:
            await unit_overview(world.campaign, scope=scope, unit_id=unit_id)
        assert refused.value.field == "unit"
        with pytest.raises(NotFound):
            await unit_stations(world.campaign, scope=scope, unit_id=unit_id)


async def test_the_way_back_up_stops_at_the_readers_scope(db, clock):
    country = await make_unit(name="Bộ")
    province = await make_unit(name="Tỉnh", parent=country)
    ward = await make_unit(name="Xã", parent=province)
    campaign = await make_campaign()
    await make_station(campaign, unit=ward)
    scope = (await unit_tree()).subtree(province.id)

    as_province = await unit_overview(campaign, scope=scope, unit_id=ward.id)
    as_admin = await unit_overview(campaign, scope=None, unit_id=ward.id)

    assert [node.name for node in as_province.place.above] == ["Tỉnh"]
    assert as_province.place.whole_campaign_above is False
    assert [node.name for node in as_admin.place.above] == ["Bộ", "Tỉnh"]
    assert as_admin.place.whole_campaign_above is True


async def test_several_top_units_are_each_a_row_of_the_whole_campaign(db, clock):
    campaign = await make_campaign()
    north, south = await make_unit(name="Bắc"), await make_unit(name="Nam")
    await make_station(campaign, unit=north)
    await make_station(campaign, unit=south)
    await make_station(campaign, unit=south, is_active=False)

    overview = await unit_overview(campaign, scope=None, unit_id=None)

    assert overview.place.unit is None
    assert [(row.unit.name, row.figures.stations) for row in overview.rows if row.unit] == [
        ("Bắc", 1),
        ("Nam", 1),
    ]


async def test_station_list_filters_and_pages_by_code(db, clock):
    world = await build_unit_world(stations=30, wards=2)
    ward = world.wards[0]
    mine = [n for n in range(30) if n % 2 == 0 and n % 7 != 6]

    everything = await unit_stations(world.campaign, scope=None, unit_id=ward.id, per_page=4)
    last = await unit_stations(
        world.campaign, scope=None, unit_id=ward.id, page=everything.page_count, per_page=4
    )
    low = await unit_stations(
        world.campaign, scope=None, unit_id=ward.id, show=StationFilter.LOW, per_page=50
    )
    short = await unit_stations(
        world.campaign, scope=None, unit_id=world.province.id, show=StationFilter.SHORT
    )
    odd = await unit_stations(
        world.campaign, scope=None, unit_id=ward.id, show=StationFilter.DISCREPANCY
    )

    assert everything.count == len(mine)
    assert everything.page_count == 4
    assert [st.station.code for st in everything.stations] == [f"S{n:03d}" for n in mine[:4]]
    assert [st.station.code for st in last.stations] == [f"S{n:03d}" for n in mine[12:]]
    assert [st.station.code for st in low.stations] == [f"S{n:03d}" for n in mine if n % 3 == 0]
    assert short.count == 15
    assert all(st.short_shifts for st in short.stations)
    assert [st.station.code for st in odd.stations] == [f"S{n:03d}" for n in mine if n % 5 == 0]


async def test_station_list_refuses_a_page_past_the_end(db, clock):
    world = await build_unit_world(stations=3, wards=1)

    with pytest.raises(InvalidInput) as refused:
        await unit_stations(world.campaign, scope=None, unit_id=world.province.id, page=2)

    assert refused.value.field == "page"


async def _statements(stations: int, wards: int) -> tuple[int, int, int]:
    world = await build_unit_world(stations=stations, wards=wards, tag=f"q{stations}")
    with count_queries() as overview:
        result = await unit_overview(world.campaign, scope=None, unit_id=None)
    with count_queries() as listing:
        page = await unit_stations(
            world.campaign, scope=None, unit_id=world.province.id, show=StationFilter.LOW
        )
    with count_queries() as ward_page:
        await unit_stations(world.campaign, scope=None, unit_id=world.wards[-1].id)
    assert result.total.stations == stations
    assert page.count == len(range(0, stations, 3))
    return len(overview), len(listing), len(ward_page)


async def test_statement_counts_grow_neither_with_stations_nor_with_units(db, clock):
    small = await _statements(3, 1)
    middle = await _statements(30, 5)
    large = await _statements(300, 20)

    assert small == middle == large
    assert small[0] <= 11


async def test_stations_open_now_follow_their_hours(db, clock):
    campaign = await make_campaign()
    ward = await make_unit(name="Xã")
    await make_station(campaign, unit=ward)  # no hours: round the clock
    await make_station(campaign, unit=ward, opens_at=dt.time(6), closes_at=dt.time(18))
    await make_station(campaign, unit=ward, opens_at=dt.time(18), closes_at=dt.time(6))

    overview = await unit_overview(campaign, scope=None, unit_id=ward.id)

    # 08:00 on 2 February: the night station is closed.
    assert (overview.total.open_now, overview.total.stations) == (2, 3)
