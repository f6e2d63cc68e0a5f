from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from stations.enums import AssignmentStatus, MovementKind, ServiceKind, SupplyCategory
from stations.models import Station, SupplyItem
from stations.services.actor import Actor
from stations.services.errors import InvalidInput
from stations.services.inventory import (
    record_count,
    record_handout,
    record_receipt,
    set_low_stock_threshold,
    transfer_stock,
)
from stations.services.queries.inventory_pages import (
    LedgerFilters,
    campaign_stock,
    chosen_item,
    chosen_partner,
    chosen_transfer_target,
    ledger_choices,
    ledger_page,
    report_in_scope,
    station_inventory,
)
from stations.services.queries.planner import station_or_none
from stations.services.queries.reports import campaign_report
from stations.services.service_records import record_service
from tests.factories import (
    make_assignment,
    make_campaign,
    make_item,
    make_shift,
    make_station,
    make_unit,
    vn,
)
from tests.sql import count_queries

SYSTEM = Actor.system("test")


async def two_unit_campaign() -> tuple[Any, Station, Station, SupplyItem]:
    campaign = await make_campaign()
    own = await make_station(campaign, code="A1", unit=await make_unit(code="UA"))
    foreign = await make_station(campaign, code="B1", unit=await make_unit(code="UB"))
    water = await make_item("water")
    return campaign, own, foreign, water


async def test_campaign_stock_lists_only_stations_in_scope(db, clock) -> None:
    campaign, own, foreign, water = await two_unit_campaign()
    await record_receipt(own, water, 150, by=SYSTEM)
    await record_receipt(foreign, water, 20, by=SYSTEM)

    scoped = await campaign_stock(campaign, unit_ids=frozenset({own.unit_id}))
    everyone = await campaign_stock(campaign, unit_ids=None)

    assert [row.station.code for row in scoped.stations] == ["A1"]
    assert [(row.station.code, row.lines[water.id].quantity) for row in everyone.stations] == [
        ("A1", 150),
        ("B1", 20),
    ]
    assert [item.code for item in everyone.items] == ["water"]


async def test_campaign_stock_flags_low_stock_and_todays_discrepancy(db, clock) -> None:
    campaign, own, _foreign, water = await two_unit_campaign()
    await record_receipt(own, water, 10, by=SYSTEM)
    await record_handout(own, water, 15, by=SYSTEM)

    stock = await campaign_stock(campaign, unit_ids=None)

    row = stock.stations[0]
    line = row.lines[water.id]
    assert (line.quantity, line.low, line.discrepancy_today) == (-5, True, True)
    assert (row.low_count, row.discrepancy_count) == (1, 1)


async def test_campaign_stock_of_a_scope_without_stations_is_empty(db, clock) -> None:
    campaign, _own, _foreign, _water = await two_unit_campaign()

    stock = await campaign_stock(campaign, unit_ids=frozenset())

    assert (stock.items, stock.stations) == ([], [])


async def test_campaign_stock_query_count_does_not_grow_with_stations(
    db, clock, monkeypatch
) -> None:
    small, large = await make_campaign(), await make_campaign(name="Lớn")
    water = await make_item("water")
    for n in range(2):
        await record_receipt(await make_station(small, code=f"S{n}"), water, 5, by=SYSTEM)
    for n in range(8):
        await record_receipt(await make_station(large, code=f"L{n}"), water, 5, by=SYSTEM)
    statements = count_queries(monkeypatch)

    await campaign_stock(small, unit_ids=None)
    small_count = len(statements)
    statements.clear()
    large_stock = await campaign_stock(large, unit_ids=None)

    assert small_count == len(statements)
    assert len(large_stock.stations) == 8


async def _loaded(station_id: int) -> Station:
    """The station as the pages load it: with its campaign and unit."""
    station = await station_or_none(station_id)
    assert station is not None
    return station


async def test_station_inventory_offers_open_stations_of_the_campaign_in_scope(db, clock) -> None:
    campaign, own, foreign, _water = await two_unit_campaign()
    sibling = await make_station(campaign, code="A2", unit=own.unit)
    await make_station(campaign, code="A3", unit=own.unit, is_active=False)
    await make_station(await make_campaign(name="Khác"), code="A4", unit=own.unit)
    own = await _loaded(own.id)

    scoped = await station_inventory(own, unit_ids=frozenset({own.unit_id}))
    everyone = await station_inventory(own, unit_ids=None)

    assert [s.id for s in scoped.transfer_targets] == [sibling.id]
    assert [s.code for s in everyone.transfer_targets] == ["A2", "B1"]
    assert foreign.id not in {s.id for s in scoped.transfer_targets}


async def test_station_inventory_lists_recent_lines_newest_first(db, clock) -> None:
    _campaign, own, _foreign, water = await two_unit_campaign()
    await record_receipt(own, water, 100, by=SYSTEM)
    clock.advance(dt.timedelta(minutes=5))
    await record_handout(own, water, 30, by=SYSTEM)
    await record_service(own, ServiceKind.FIRST_AID, 2, by=SYSTEM)
    inactive = await make_item("old", is_active=False)

    page = await station_inventory(await _loaded(own.id), unit_ids=None, recent=1)

    assert [(m.kind, m.quantity) for m in page.recent_movements] == [(MovementKind.HANDOUT, 30)]
    assert [(s.kind, s.quantity) for s in page.recent_services] == [(ServiceKind.FIRST_AID, 2)]
    assert [item.code for item in page.items] == ["water"]
    assert inactive.id not in {line.item.id for line in page.lines}


async def test_lookups_refuse_unknown_ids_as_form_errors(db, clock) -> None:
    campaign, own, foreign, _water = await two_unit_campaign()

    with pytest.raises(InvalidInput) as item_error:
        await chosen_item(99_999)
    with pytest.raises(InvalidInput) as partner_error:
        await chosen_partner(99_999)
    with pytest.raises(InvalidInput) as unknown_target:
        await chosen_transfer_target(foreign.id + 1000, unit_ids=None)
    with pytest.raises(InvalidInput) as foreign_target:
        await chosen_transfer_target(foreign.id, unit_ids=frozenset({own.unit_id}))
    closed_down = await make_station(campaign, code="A9", unit=own.unit, is_active=False)
    with pytest.raises(InvalidInput) as inactive_target:
        await chosen_transfer_target(closed_down.id, unit_ids=None)

    errors = (item_error, partner_error, unknown_target, foreign_target, inactive_target)
    assert [e.value.field for e in errors] == ["item", "partner", *["to_station"] * 3]
    assert (await chosen_transfer_target(foreign.id, unit_ids=None)).id == foreign.id


async def ledger_world() -> tuple[Any, Station, Station, SupplyItem, SupplyItem]:
    campaign, own, foreign, water = await two_unit_campaign()
    towel = await make_item("towel")
    # 23:30 on 1 Feb and 00:30 on 2 Feb in Vietnam are the same UTC day (1 Feb).
    await record_receipt(own, water, 100, by=SYSTEM, occurred_at=vn(2027, 2, 1, 23, 30))
    await record_receipt(own, towel, 40, by=SYSTEM, occurred_at=vn(2027, 2, 2, 0, 30))
    await record_handout(own, water, 10, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    await record_receipt(foreign, water, 70, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    other = await make_station(await make_campaign(name="Khác"), unit=own.unit)
    await record_receipt(other, water, 5, by=SYSTEM)
    return campaign, own, foreign, water, towel


def described(lines: list[Any]) -> list[tuple[str, str, str, int]]:
    return [(m.station.code, m.item.code, m.kind.value, m.delta) for m in lines]


async def test_ledger_page_is_newest_first_and_limited_to_the_campaign_in_scope(db, clock) -> None:
    campaign, own, _foreign, _water, _towel = await ledger_world()

    scoped = await ledger_page(campaign, LedgerFilters(), unit_ids=frozenset({own.unit_id}))
    everyone = await ledger_page(campaign, LedgerFilters(), unit_ids=None)

    assert described(scoped.lines) == [
        ("A1", "water", "handout", -10),
        ("A1", "towel", "receipt", 40),
        ("A1", "water", "receipt", 100),
    ]
    assert [m.station.code for m in everyone.lines] == ["B1", "A1", "A1", "A1"]


async def test_ledger_page_filters_by_vietnam_local_days(db, clock) -> None:
    campaign, *_rest = await ledger_world()
    first_of_february = dt.date(2027, 2, 1)

    one_day = await ledger_page(
        campaign,
        LedgerFilters(first_day=first_of_february, last_day=first_of_february),
        unit_ids=None,
    )
    from_second = await ledger_page(
        campaign, LedgerFilters(first_day=dt.date(2027, 2, 2)), unit_ids=None
    )

    assert described(one_day.lines) == [("A1", "water", "receipt", 100)]
    assert len(from_second.lines) == 3


async def test_ledger_page_filters_by_station_item_and_kind(db, clock) -> None:
    campaign, own, foreign, water, towel = await ledger_world()

    by_station = await ledger_page(campaign, LedgerFilters(station_id=foreign.id), unit_ids=None)
    by_item = await ledger_page(campaign, LedgerFilters(item_id=towel.id), unit_ids=None)
    by_kind = await ledger_page(
        campaign,
        LedgerFilters(station_id=own.id, item_id=water.id, kind=MovementKind.RECEIPT),
        unit_ids=None,
    )

    assert described(by_station.lines) == [("B1", "water", "receipt", 70)]
    assert described(by_item.lines) == [("A1", "towel", "receipt", 40)]
    assert described(by_kind.lines) == [("A1", "water", "receipt", 100)]


async def test_ledger_page_pages_without_counting(db, clock) -> None:
    campaign, *_rest = await ledger_world()

    first = await ledger_page(campaign, LedgerFilters(), unit_ids=None, per_page=3)
    second = await ledger_page(campaign, LedgerFilters(), unit_ids=None, page=2, per_page=3)
    beyond = await ledger_page(campaign, LedgerFilters(), unit_ids=None, page=9, per_page=3)

    assert (len(first.lines), first.has_next) == (3, True)
    assert (len(second.lines), second.has_next) == (1, False)
    assert (beyond.lines, beyond.has_next) == ([], False)


async def test_ledger_page_shows_both_lines_of_a_transfer_with_their_counterpart(db, clock) -> None:
    campaign, own, foreign, water = await two_unit_campaign()
    await record_receipt(own, water, 50, by=SYSTEM)
    await transfer_stock(own, foreign, water, 20, by=SYSTEM)

    page = await ledger_page(campaign, LedgerFilters(item_id=water.id), unit_ids=None)

    assert sorted((m.kind.value, m.counterpart.code) for m in page.lines if m.counterpart) == [
        ("transfer_in", "A1"),
        ("transfer_out", "B1"),
    ]


async def test_ledger_choices_offer_stations_in_scope_and_every_item(db, clock) -> None:
    campaign, own, _foreign, _water = await two_unit_campaign()
    await make_item("old", is_active=False)

    stations, items = await ledger_choices(campaign, unit_ids=frozenset({own.unit_id}))

    assert ([s.code for s in stations], [i.code for i in items]) == (["A1"], ["water", "old"])


async def report_world() -> tuple[Any, Station, Station]:
    campaign, own, foreign, water = await two_unit_campaign()
    await water.update_from_dict({"category": SupplyCategory.WATER}).save()
    await record_receipt(own, water, 100, by=SYSTEM, occurred_at=vn(2027, 2, 1, 7))
    await record_handout(own, water, 30, by=SYSTEM, occurred_at=vn(2027, 2, 1, 9))
    await record_receipt(foreign, water, 100, by=SYSTEM, occurred_at=vn(2027, 2, 1, 7))
    await record_handout(foreign, water, 45, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    await record_count(own, water, 70, by=SYSTEM)
    await record_service(own, ServiceKind.LOUDSPEAKER, 90, by=SYSTEM)
    shift = await make_shift(foreign, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 10))
    await make_assignment(shift, status=AssignmentStatus.CHECKED_OUT, worked_minutes=240)
    return campaign, own, foreign


async def test_report_in_scope_adds_up_only_the_units_stations(db, clock) -> None:
    campaign, own, _foreign = await report_world()

    report = await report_in_scope(campaign, unit_ids=frozenset({own.unit_id}))

    assert [s.code for s in report.stations] == ["A1"]
    totals = report.totals
    assert (totals.stations, totals.water_bottles, totals.broadcast_hours) == (1, 30, 1.5)
    assert (totals.volunteer_turns, totals.cost_vnd, report.budget_vnd) == (0, 400_000, None)
    by_day = {d.day: d.totals.water_bottles for d in report.days}
    assert (by_day[dt.date(2027, 2, 1)], by_day[dt.date(2027, 2, 2)]) == (30, 0)
    assert (report.days[0].day, report.days[-1].day) == (campaign.starts_on, campaign.ends_on)


async def test_report_in_scope_for_the_province_is_the_campaign_report(db, clock) -> None:
    campaign, _own, _foreign = await report_world()

    scoped = await report_in_scope(campaign, unit_ids=None)
    whole = await campaign_report(campaign)

    assert (scoped.totals, scoped.budget_vnd) == (whole.totals, campaign.budget_vnd)
    assert (scoped.totals.water_bottles, scoped.totals.volunteer_turns) == (75, 1)


async def test_report_in_scope_of_a_unit_without_stations_counts_nothing(db, clock) -> None:
    campaign, _own, _foreign = await report_world()

    report = await report_in_scope(campaign, unit_ids=frozenset({-1}))

    assert (report.stations, report.totals.stations, report.totals.water_bottles) == ([], 0, 0)


async def test_threshold_shows_on_the_station_inventory(db, clock) -> None:
    _campaign, own, _foreign, water = await two_unit_campaign()
    await record_receipt(own, water, 30, by=SYSTEM)
    await set_low_stock_threshold(own, water, 20, by=SYSTEM)

    page = await station_inventory(await _loaded(own.id), unit_ids=None)

    assert [(line.quantity, line.threshold, line.low) for line in page.lines] == [(30, 20, False)]
