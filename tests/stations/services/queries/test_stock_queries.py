from __future__ import annotations

import datetime as dt
import logging

import pytest

from stations.enums import MovementKind
from stations.models import StockBalance
from stations.services.actor import Actor
from stations.services.errors import InvalidInput, NotFound
from stations.services.inventory import (
    record_count,
    record_handout,
    record_receipt,
    set_low_stock_threshold,
    transfer_stock,
)
from stations.services.queries.stock import (
    BalanceMismatch,
    balance_matches_ledger,
    balance_mismatches,
    discrepancies,
    ledger,
    low_stock,
    stock_for_stations,
    stock_on_hand,
)
from tests.factories import make_campaign, make_item, make_station

SYSTEM = Actor.system()


def sql_statements(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for record in caplog.records if record.name == "tortoise.db_client")


async def campaign_with_items():
    campaign = await make_campaign()
    water = await make_item("water")
    towel = await make_item("towel")
    return campaign, water, towel


# -- stock on hand ----------------------------------------------------------------------


async def test_stock_on_hand_lists_every_active_item_with_zero_when_never_stocked(db, clock):
    campaign, water, _towel = await campaign_with_items()
    await make_item("fuel", is_active=False)
    station = await make_station(campaign)
    await record_receipt(station, water, 250, by=SYSTEM)

    lines = await stock_on_hand(station)

    assert [(line.item.code, line.quantity, line.threshold, line.low) for line in lines] == [
        ("water", 250, 100, False),
        ("towel", 0, 100, True),
    ]
    assert [line.station.id for line in lines] == [station.id, station.id]


async def test_stock_on_hand_keeps_an_inactive_item_still_held(db, clock):
    campaign, water, _towel = await campaign_with_items()
    station = await make_station(campaign)
    await record_receipt(station, water, 30, by=SYSTEM)
    water.is_active = False
    await water.save()

    lines = await stock_on_hand(station)

    assert [(line.item.code, line.quantity) for line in lines] == [("water", 30), ("towel", 0)]


async def test_stock_on_hand_uses_the_station_threshold_and_flags_todays_discrepancy(db, clock):
    campaign, water, towel = await campaign_with_items()
    station = await make_station(campaign)
    await record_receipt(station, water, 40, by=SYSTEM)
    await record_receipt(station, towel, 40, by=SYSTEM)
    await set_low_stock_threshold(station, water, 10, by=SYSTEM)
    await record_handout(station, towel, 60, by=SYSTEM)  # more than on record

    lines = await stock_on_hand(station)

    assert [
        (line.item.code, line.quantity, line.threshold, line.low, line.discrepancy_today)
        for line in lines
    ] == [("water", 40, 10, False, False), ("towel", -20, 100, True, True)]


async def test_a_discrepancy_of_yesterday_is_not_flagged_today(db, clock):
    campaign, _water, towel = await campaign_with_items()
    station = await make_station(campaign)
    await record_handout(station, towel, 5, by=SYSTEM)

    clock.advance(dt.timedelta(days=1))
    lines = await stock_on_hand(station)

    assert [line.discrepancy_today for line in lines] == [False, False]


async def test_stock_on_hand_of_a_missing_station_is_not_found(db, clock):
    station = await make_station()
    await station.delete()

    with pytest.raises(NotFound) as caught:
        await stock_on_hand(station)

    assert caught.value.field == "station"


async def test_stock_for_stations_reads_thirty_stations_in_as_many_queries_as_three(
    db, clock, caplog
):
    campaign, water, towel = await campaign_with_items()
    stations = [await make_station(campaign) for _ in range(30)]
    for station in stations:
        await record_receipt(station, water, 10 + station.id, by=SYSTEM)
        await record_handout(station, towel, 1, by=SYSTEM)
    few = [s.id for s in stations[:3]]
    every = [s.id for s in stations]

    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        caplog.clear()
        small = await stock_for_stations(few)
        for_few = sql_statements(caplog)
        caplog.clear()
        large = await stock_for_stations(every)
        for_all = sql_statements(caplog)

    assert for_all == for_few == 4
    assert list(small) == few
    assert list(large) == every
    assert [line.quantity for line in large[stations[-1].id]] == [10 + stations[-1].id, -1]


async def test_stock_for_stations_leaves_out_unknown_ids_and_repeats(db, clock):
    campaign, _water, _towel = await campaign_with_items()
    station = await make_station(campaign)

    stock = await stock_for_stations([station.id, 999_999, station.id])

    assert list(stock) == [station.id]


@pytest.mark.parametrize("station_ids", ["1,2", [True], [None], 5])
async def test_stock_for_stations_refuses_bad_ids(db, station_ids):
    with pytest.raises(InvalidInput) as caught:
        await stock_for_stations(station_ids)

    assert caught.value.field == "station_ids"


# -- the ledger -------------------------------------------------------------------------


async def test_ledger_filters_and_pages_newest_first(db, clock):
    campaign, water, towel = await campaign_with_items()
    station = await make_station(campaign)
    other = await make_station(campaign)
    start = clock.now()
    receipt = await record_receipt(station, water, 100, by=SYSTEM)
    clock.advance(dt.timedelta(minutes=10))
    handout = await record_handout(station, water, 5, by=SYSTEM)
    clock.advance(dt.timedelta(minutes=10))
    towels = await record_receipt(station, towel, 50, by=SYSTEM)
    clock.advance(dt.timedelta(minutes=10))
    await record_receipt(other, water, 70, by=SYSTEM)

    newest_first = await ledger(station_id=station.id)
    waters = await ledger(station_id=station.id, item_id=water.id)
    receipts = await ledger(station_id=station.id, kind="receipt")
    window = await ledger(
        station_id=station.id,
        since=start + dt.timedelta(minutes=5),
        until=start + dt.timedelta(minutes=20),
    )
    second_page = await ledger(station_id=station.id, limit=2, offset=2)

    assert [m.id for m in newest_first] == [
        towels.movement.id,
        handout.movement.id,
        receipt.movement.id,
    ]
    assert [m.id for m in waters] == [handout.movement.id, receipt.movement.id]
    assert [m.id for m in receipts] == [towels.movement.id, receipt.movement.id]
    assert [m.id for m in window] == [handout.movement.id]
    assert [m.id for m in second_page] == [receipt.movement.id]
    assert (newest_first[0].station.code, newest_first[0].item.code) == (station.code, "towel")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"kind": "gift"}, "kind"),
        ({"station_id": "7"}, "station_id"),
        ({"item_id": True}, "item_id"),
        ({"since": dt.datetime(2027, 2, 1)}, "since"),
        ({"until": "tomorrow"}, "until"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
async def test_ledger_refuses_bad_filters(db, arguments, field):
    with pytest.raises(InvalidInput) as caught:
        await ledger(**arguments)

    assert caught.value.field == field


# -- discrepancies and shortages --------------------------------------------------------


async def test_discrepancies_lists_a_campaigns_flagged_lines_since_a_moment(db, clock):
    campaign, water, towel = await campaign_with_items()
    station = await make_station(campaign)
    elsewhere = await make_station(await make_campaign(name="30/4–1/5 2027"))
    early = await record_handout(station, water, 5, by=SYSTEM)
    clock.advance(dt.timedelta(hours=2))
    late = await record_handout(station, towel, 5, by=SYSTEM)
    await record_receipt(station, water, 100, by=SYSTEM)
    await record_handout(station, water, 10, by=SYSTEM)  # within stock: not flagged
    await record_handout(elsewhere, water, 5, by=SYSTEM)

    every = await discrepancies(campaign_id=campaign.id)
    recent = await discrepancies(campaign_id=campaign.id, since=clock.now())

    assert [m.id for m in every] == [late.movement.id, early.movement.id]
    assert [m.id for m in recent] == [late.movement.id]
    assert every[0].station.id == station.id


async def test_low_stock_lists_short_stations_of_one_campaign(db, clock):
    campaign, water, towel = await campaign_with_items()
    full = await make_station(campaign, code="A1")
    short = await make_station(campaign, code="B2")
    closed = await make_station(campaign, code="C3", is_active=False)
    elsewhere = await make_station(await make_campaign(name="30/4–1/5 2027"))
    for station in (full, short, closed, elsewhere):
        await record_receipt(station, water, 500, by=SYSTEM)
        await record_receipt(station, towel, 500, by=SYSTEM)
    await record_handout(short, towel, 450, by=SYSTEM)
    await record_handout(closed, towel, 450, by=SYSTEM)

    lines = await low_stock(campaign_id=campaign.id)

    assert [(line.station.code, line.item.code, line.quantity) for line in lines] == [
        ("B2", "towel", 50)
    ]


async def test_low_stock_refuses_a_bad_campaign_id(db):
    with pytest.raises(InvalidInput) as caught:
        await low_stock(campaign_id="1")

    assert caught.value.field == "campaign_id"


# -- reconciliation ---------------------------------------------------------------------


async def test_balance_matches_ledger_after_every_kind_of_change(db, clock):
    campaign, water, _towel = await campaign_with_items()
    a = await make_station(campaign)
    b = await make_station(campaign)
    await record_receipt(a, water, 100, by=SYSTEM)
    await record_handout(a, water, 130, by=SYSTEM)
    await transfer_stock(b, a, water, 20, by=SYSTEM)
    await record_count(a, water, 12, by=SYSTEM)

    assert await balance_matches_ledger() is True
    assert await balance_matches_ledger(a.id) is True


async def test_a_confirming_count_is_in_the_ledger_and_nowhere_else(db, clock):
    campaign, water, _towel = await campaign_with_items()
    station = await make_station(campaign)
    await record_receipt(station, water, 40, by=SYSTEM)
    await record_handout(station, water, 50, by=SYSTEM)  # more than on record: flagged
    clock.advance(dt.timedelta(minutes=5))
    reconciling = await record_count(station, water, 0, by=SYSTEM)  # -10 on record: found 0
    clock.advance(dt.timedelta(minutes=5))
    confirming = await record_count(station, water, 0, by=SYSTEM)

    counts = await ledger(station_id=station.id, kind=MovementKind.COUNT_ADJUSTMENT)
    flagged = await discrepancies(campaign_id=campaign.id)
    lines = await stock_on_hand(station)

    assert [(m.id, m.delta, m.counted_quantity) for m in counts] == [
        (confirming.movement.id, 0, 0),
        (reconciling.movement.id, 10, 0),
    ]
    assert [m.kind for m in flagged] == [MovementKind.HANDOUT]
    assert [(line.item.code, line.quantity, line.discrepancy_today) for line in lines] == [
        ("water", 0, True),
        ("towel", 0, False),
    ]
    assert await balance_mismatches() == []


async def test_a_tampered_balance_is_reported(db, clock):
    campaign, water, towel = await campaign_with_items()
    station = await make_station(campaign)
    other = await make_station(campaign)
    await record_receipt(station, water, 100, by=SYSTEM)
    await record_receipt(other, towel, 100, by=SYSTEM)
    await StockBalance.filter(station_id=station.id).update(quantity=99)

    assert await balance_mismatches() == [BalanceMismatch(station.id, water.id, 99, 100)]
    assert await balance_matches_ledger(station.id) is False
    assert await balance_matches_ledger(other.id) is True


async def test_ledger_kinds_are_the_movement_kinds(db, clock):
    campaign, water, _towel = await campaign_with_items()
    station = await make_station(campaign)
    await record_receipt(station, water, 10, by=SYSTEM)

    lines = await ledger(kind=MovementKind.RECEIPT)

    assert [m.kind for m in lines] == [MovementKind.RECEIPT]
