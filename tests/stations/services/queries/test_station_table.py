"""The management table of a campaign's stations (``queries/station_table.py``): scope,
search, unit, pages, and a fixed number of statements however many stations."""

from __future__ import annotations

import pytest

from stations.enums import ShiftStatus
from stations.services.errors import InvalidInput
from stations.services.queries.station_table import clean_query, station_table
from tests.factories import make_campaign, make_shift, make_station, make_unit, vn
from tests.factories_unit_world import build_unit_world
from tests.stations.web.helpers import count_queries


async def test_station_table_keeps_to_the_scope_and_counts_active_shifts(db):
    mine, theirs = await make_unit(), await make_unit()
    campaign = await make_campaign()
    own = await make_station(campaign, unit=mine, code="B")
    off = await make_station(campaign, unit=mine, code="C", is_active=False)
    other = await make_station(campaign, unit=theirs, code="A")
    await make_shift(own)
    await make_shift(own, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10))
    await make_shift(
        own,
        starts_at=vn(2027, 2, 4, 6),
        ends_at=vn(2027, 2, 4, 10),
        status=ShiftStatus.CANCELLED,
    )
    await make_station(await make_campaign(name="Khác"), unit=mine)

    scoped = await station_table(campaign, unit_ids={mine.id})
    everything = await station_table(campaign, unit_ids=None)
    nothing = await station_table(campaign, unit_ids=set())

    assert [
        (r.station.id, r.unit.id if r.unit else None, r.active_shifts) for r in scoped.rows
    ] == [
        (own.id, mine.id, 2),
        (off.id, mine.id, 0),
    ]
    assert [r.station.id for r in everything.rows] == [other.id, own.id, off.id]
    assert (scoped.count, everything.count, nothing.count, nothing.rows) == (2, 3, 0, [])
    assert (everything.page, everything.page_count, everything.unit) == (1, 1, None)


async def test_station_table_search_ignores_diacritics_and_case_and_matches_codes(db):
    unit = await make_unit()
    campaign = await make_campaign()
    my_tho = await make_station(campaign, unit=unit, code="TG-01", name="Trạm Mỹ Tho")
    cao_lanh = await make_station(campaign, unit=unit, code="DT-02", name="Trạm Cao Lãnh")
    await make_station(campaign, unit=unit, code="DT-03", name="Trạm Hồng Ngự")

    by_name = await station_table(campaign, unit_ids=None, query="  MY tho ")
    by_marks = await station_table(campaign, unit_ids=None, query="mỹ")
    by_code = await station_table(campaign, unit_ids=None, query="dt-02")
    by_both = await station_table(campaign, unit_ids=None, query="dt lãnh")
    none = await station_table(campaign, unit_ids=None, query="Huế")

    assert [r.station.id for r in by_name.rows] == [my_tho.id]
    assert [r.station.id for r in by_marks.rows] == [my_tho.id]
    assert [r.station.id for r in by_code.rows] == [cao_lanh.id]
    assert [r.station.id for r in by_both.rows] == [cao_lanh.id]
    assert (by_name.query, by_name.count, none.count, none.rows) == ("MY tho", 1, 0, [])


def test_clean_query_keeps_printable_text_and_cuts_it():
    assert clean_query(" Mỹ\x00 Tho\n ") == "Mỹ Tho"
    assert clean_query("a" * 500) == "a" * 100


async def test_station_table_lists_one_units_stations_within_the_scope_only(db):
    mine, theirs = await make_unit(), await make_unit()
    campaign = await make_campaign()
    own = await make_station(campaign, unit=mine)
    await make_station(campaign, unit=theirs)

    filtered = await station_table(campaign, unit_ids=None, unit_id=mine.id)
    with pytest.raises(InvalidInput) as outside:
        await station_table(campaign, unit_ids={mine.id}, unit_id=theirs.id)
    with pytest.raises(InvalidInput) as unknown:
        await station_table(campaign, unit_ids=None, unit_id=2**40)

    assert ([r.station.id for r in filtered.rows], filtered.unit.id) == ([own.id], mine.id)
    assert (outside.value.field, outside.value.params) == ("station_unit", {"id": theirs.id})
    assert (unknown.value.field, unknown.value.params) == ("station_unit", {"id": 2**40})


async def test_station_table_pages_in_code_order_and_refuses_a_page_past_the_last(db):
    unit = await make_unit()
    campaign = await make_campaign()
    for code in ("E", "A", "D", "B", "C"):
        await make_station(campaign, unit=unit, code=code, name=f"Trạm {code}")

    pages = [await station_table(campaign, unit_ids=None, page=n, per_page=2) for n in (1, 2, 3)]
    searched = await station_table(campaign, unit_ids=None, query="tram", page=3, per_page=2)
    with pytest.raises(InvalidInput) as past_the_end:
        await station_table(campaign, unit_ids=None, page=4, per_page=2)

    assert [[r.station.code for r in p.rows] for p in pages] == [["A", "B"], ["C", "D"], ["E"]]
    assert ([r.station.code for r in searched.rows], searched.page_count) == (["E"], 3)
    assert (past_the_end.value.field, past_the_end.value.params) == ("p", {"pages": 3})


async def _measured(stations: int, wards: int, **options):
    world = await build_unit_world(stations=stations, wards=wards, tag=f"t{stations}")
    with count_queries() as statements:
        table = await station_table(world.campaign, unit_ids=None, **options)
    return table, len(statements)


WITH_A_ONE = sum(1 for n in range(300) if "1" in str(n))


@pytest.mark.parametrize(
    ("options", "first", "count"),
    [({}, "S000", 300), ({"query": "tram 1"}, "S001", WITH_A_ONE), ({"page": 2}, "S050", 300)],
)
async def test_station_table_costs_the_same_statements_for_3_or_300_stations(
    db, options, first, count
):
    # Three stations have one page: the same query, its first page.
    few, few_statements = await _measured(3, 1, **{**options, "page": 1})
    many, many_statements = await _measured(300, 20, **options)

    assert few_statements == many_statements
    assert (len(many.rows), many.rows[0].station.code, many.count) == (50, first, count)
    assert {row.active_shifts for row in many.rows} == {1}
    assert few.count == (1 if options.get("query") else 3)


async def test_station_table_of_one_unit_costs_the_same_for_3_or_300_stations(db):
    small = await build_unit_world(stations=3, wards=1, tag="u3")
    large = await build_unit_world(stations=300, wards=20, tag="u300")

    with count_queries() as few:
        await station_table(small.campaign, unit_ids=None, unit_id=small.wards[0].id)
    with count_queries() as many:
        table = await station_table(large.campaign, unit_ids=None, unit_id=large.wards[0].id)

    assert len(few) == len(many)
    assert {row.unit.id for row in table.rows} == {large.wards[0].id}
