from __future__ import annotations

import ast
import asyncio
import datetime as dt
import random
import re
from pathlib import Path

import pytest

from stations.clock import VN_TZ as VN
from stations.enums import CampaignStatus, MovementKind, ShiftRole, Source
from stations.i18n import gettext
from stations.models import (
    AuditEvent,
    Campaign,
    DailyStockTally,
    Notification,
    StockBalance,
    StockMovement,
)
from stations.services.actor import Actor
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.inventory import (
    LineEntry,
    rebuild_balances,
    record_count,
    record_handout,
    record_lines,
    record_loss,
    record_receipt,
    set_low_stock_threshold,
    transfer_stock,
)
from stations.services.queries.stock import balance_matches_ledger
from tests.factories import (
    make_assignment,
    make_campaign,
    make_item,
    make_shift,
    make_station,
    make_volunteer,
    vn,
)

SYSTEM = Actor.system()


async def balance_of(station, item) -> int:
    row = await StockBalance.get_or_none(station_id=station.id, item_id=item.id)
    return row.quantity if row else 0


async def deltas_of(station, item) -> list[int]:
    return (
        await StockMovement.filter(station_id=station.id, item_id=item.id)
        .order_by("id")
        .values_list("delta", flat=True)
    )


async def stocked(quantity: int, *, item_code: str = "water", **item_overrides):
    station = await make_station()
    item = await make_item(item_code, **item_overrides)
    if quantity:
        await record_receipt(station, item, quantity, by=SYSTEM)
    return station, item


# -- every kind of movement -------------------------------------------------------------


async def test_receipt_adds_to_the_balance(db, clock):
    station = await make_station()
    item = await make_item("water")

    change = await record_receipt(station, item, 500, by=SYSTEM, note="  Từ   Đoàn xã ")

    assert change.balance_after == 500
    assert (change.movement.kind, change.movement.quantity, change.movement.delta) == (
        MovementKind.RECEIPT,
        500,
        500,
    )
    assert change.movement.note == "Từ Đoàn xã"
    assert change.movement.occurred_at == clock.now()
    assert change.duplicate is False
    assert await balance_of(station, item) == 500


async def test_movements_of_every_kind_sum_into_a_signed_balance(db, clock):
    station, item = await stocked(500)
    other = await make_station(await Campaign.get(id=station.campaign_id))

    await record_handout(station, item, 120, by=SYSTEM)
    await record_loss(station, item, 10, by=SYSTEM)
    await record_count(station, item, 300, by=SYSTEM)
    await transfer_stock(station, other, item, 50, by=SYSTEM)
    await transfer_stock(other, station, item, 20, by=SYSTEM)

    assert await deltas_of(station, item) == [500, -120, -10, -70, -50, 20]
    assert await StockMovement.filter(station_id=station.id).order_by("id").values_list(
        "kind", flat=True
    ) == [
        MovementKind.RECEIPT,
        MovementKind.HANDOUT,
        MovementKind.LOSS,
        MovementKind.COUNT_ADJUSTMENT,
        MovementKind.TRANSFER_OUT,
        MovementKind.TRANSFER_IN,
    ]
    assert await balance_of(station, item) == 270
    assert await balance_of(other, item) == 30
    assert await balance_matches_ledger() is True


async def test_handout_by_a_volunteer_names_them_and_the_bot(db, clock):
    station, item = await stocked(100)
    volunteer = await make_volunteer()

    change = await record_handout(
        station, item, 30, by=Actor.volunteer(volunteer.id, volunteer.full_name)
    )

    assert (change.movement.by_volunteer_id, change.movement.by_user_id) == (volunteer.id, None)
    assert change.movement.source == Source.BOT
    assert change.balance_after == 70


async def test_each_change_writes_an_audit_event(db, clock):
    station, item = await stocked(100)

    change = await record_handout(station, item, 30, by=SYSTEM)

    event = await AuditEvent.get(action="stock.handout")
    assert (event.object_type, event.object_id) == ("stock_movement", change.movement.id)
    assert event.data["balance_after"] == 70


# -- discrepancies ----------------------------------------------------------------------


async def test_handout_larger_than_stock_is_accepted_and_flagged(db, clock):
    station, item = await stocked(20)

    change = await record_handout(station, item, 50, by=SYSTEM)

    assert change.discrepancy is True
    assert change.movement.discrepancy is True
    assert change.balance_after == -30


async def test_handout_within_stock_is_not_flagged(db, clock):
    station, item = await stocked(50)

    change = await record_handout(station, item, 50, by=SYSTEM)

    assert (change.discrepancy, change.balance_after) == (False, 0)


async def test_handout_at_a_station_never_stocked_is_flagged(db, clock):
    station, item = await stocked(0)

    change = await record_handout(station, item, 1, by=SYSTEM)

    assert (change.discrepancy, change.balance_after) == (True, -1)


async def test_receipt_is_never_a_discrepancy(db, clock):
    station, item = await stocked(0)

    change = await record_receipt(station, item, 10, by=SYSTEM)

    assert change.discrepancy is False


# -- physical counts --------------------------------------------------------------------


async def test_count_above_record_writes_a_positive_adjustment(db, clock):
    station, item = await stocked(100)

    change = await record_count(station, item, 130, by=SYSTEM)

    assert change is not None
    assert (change.movement.kind, change.movement.quantity, change.movement.delta) == (
        MovementKind.COUNT_ADJUSTMENT,
        30,
        30,
    )
    assert change.movement.counted_quantity == 130
    assert await balance_of(station, item) == 130


async def test_count_below_record_writes_a_negative_adjustment(db, clock):
    station, item = await stocked(100)

    change = await record_count(station, item, 0, by=SYSTEM)

    assert change is not None
    assert (change.movement.quantity, change.movement.delta) == (100, -100)
    assert change.discrepancy is False
    assert await balance_of(station, item) == 0


async def test_count_reconciles_a_negative_balance(db, clock):
    station, item = await stocked(10)
    await record_handout(station, item, 25, by=SYSTEM)

    change = await record_count(station, item, 5, by=SYSTEM)

    assert change is not None
    assert change.movement.delta == 20
    assert await balance_of(station, item) == 5


async def test_count_equal_to_record_writes_a_confirming_line(db, clock):
    # Changed: an agreeing count used to write nothing (and so kept no idempotency key).
    station, item = await stocked(100)

    change = await record_count(station, item, 100, by=SYSTEM)

    assert (
        change.movement.kind,
        change.movement.quantity,
        change.movement.delta,
        change.movement.counted_quantity,
    ) == (MovementKind.COUNT_ADJUSTMENT, 0, 0, 100)
    assert (change.balance_after, change.discrepancy, change.low_stock_crossed) == (
        100,
        False,
        False,
    )
    assert await deltas_of(station, item) == [100, 0]
    assert await AuditEvent.filter(action="stock.count_adjustment").count() == 1
    assert await balance_matches_ledger() is True


async def test_count_retry_after_an_agreeing_count_is_replayed(db, clock):
    station, item = await stocked(50)
    first = await record_count(station, item, 50, by=SYSTEM, idempotency_key="bot:upd:77")
    await record_handout(station, item, 10, by=SYSTEM)

    retry = await record_count(station, item, 50, by=SYSTEM, idempotency_key="bot:upd:77")

    assert (retry.duplicate, retry.movement.id, retry.balance_after) == (
        True,
        first.movement.id,
        40,
    )
    assert await deltas_of(station, item) == [50, 0, -10]
    assert await balance_of(station, item) == 40


async def test_count_key_used_for_a_receipt_is_a_conflict(db, clock):
    station, item = await stocked(0)
    await record_receipt(station, item, 30, by=SYSTEM, idempotency_key="k-1")

    with pytest.raises(Conflict) as caught:
        await record_count(station, item, 30, by=SYSTEM, idempotency_key="k-1")

    assert caught.value.field == "idempotency_key"
    assert await StockMovement.all().count() == 1


async def test_late_count_reconciles_against_the_stock_on_record_at_its_time(db, clock):
    station, item = await stocked(0)
    await record_receipt(station, item, 60, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    # 07:30: a volunteer counts 50 (10 gone); the report waits for signal while a
    # handout of 5 at 07:45 is recorded first.
    await record_handout(station, item, 5, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7, 45))

    change = await record_count(station, item, 50, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7, 30))

    assert (change.movement.delta, change.movement.counted_quantity) == (-10, 50)
    assert change.movement.occurred_at == vn(2027, 2, 2, 7, 30)
    assert (change.balance_after, change.superseded) == (45, False)
    assert await balance_of(station, item) == 45
    assert await balance_matches_ledger() is True


async def test_late_count_agreeing_with_the_stock_then_confirms_it(db, clock):
    station, item = await stocked(0)
    await record_receipt(station, item, 60, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    await record_handout(station, item, 5, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7, 45))

    change = await record_count(station, item, 60, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7, 30))

    assert (change.movement.quantity, change.movement.delta, change.balance_after) == (0, 0, 55)


async def test_late_count_before_a_later_count_is_kept_and_changes_nothing(db, clock):
    station, item = await stocked(0)
    await record_receipt(station, item, 60, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    await record_handout(station, item, 5, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7, 45))
    later = await record_count(station, item, 40, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7, 50))

    late = await record_count(station, item, 50, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7, 30))

    # The 07:50 count already set the stock; the 07:30 one is history.
    assert later.balance_after == 40
    assert (late.movement.counted_quantity, late.movement.delta, late.superseded) == (50, 0, True)
    assert late.balance_after == 40
    assert await balance_of(station, item) == 40
    event = await AuditEvent.get(action="stock.count_adjustment", object_id=late.movement.id)
    assert event.data["superseded"] is True


async def test_count_sees_a_line_recorded_before_it_whatever_time_the_phone_put_on_it(db, clock):
    station, item = await stocked(100)
    # A phone clock four minutes fast: the handout says 08:04, but it was recorded at 08:00.
    await record_handout(
        station, item, 10, by=SYSTEM, occurred_at=clock.now() + dt.timedelta(minutes=4)
    )
    clock.advance(dt.timedelta(minutes=1))

    change = await record_count(station, item, 85, by=SYSTEM, occurred_at=clock.now())

    assert (change.movement.delta, change.balance_after) == (-5, 85)


@pytest.mark.parametrize("counted", [-1, 1_000_001, 2.0, "7", True, None])
async def test_count_refuses_a_bad_number(db, clock, counted):
    station, item = await stocked(100)

    with pytest.raises(InvalidInput) as caught:
        await record_count(station, item, counted, by=SYSTEM)

    assert caught.value.field == "counted"
    assert await StockMovement.filter(station_id=station.id).count() == 1


# -- transfers --------------------------------------------------------------------------


async def test_transfer_writes_two_lines_sharing_a_group(db, clock):
    source, item = await stocked(100)
    target = await make_station(await Campaign.get(id=source.campaign_id))

    out, into = await transfer_stock(source, target, item, 40, by=SYSTEM, note="Chuyển gấp")

    assert (out.movement.kind, out.movement.delta, out.movement.counterpart_id) == (
        MovementKind.TRANSFER_OUT,
        -40,
        target.id,
    )
    assert (into.movement.kind, into.movement.delta, into.movement.counterpart_id) == (
        MovementKind.TRANSFER_IN,
        40,
        source.id,
    )
    assert out.movement.transfer_group is not None
    assert out.movement.transfer_group == into.movement.transfer_group
    assert (out.balance_after, into.balance_after) == (60, 40)
    assert (await balance_of(source, item), await balance_of(target, item)) == (60, 40)


async def test_transfer_across_campaigns_is_refused(db, clock):
    source, item = await stocked(100)
    elsewhere = await make_station(await make_campaign(name="30/4–1/5 2027"))

    with pytest.raises(InvalidInput) as caught:
        await transfer_stock(source, elsewhere, item, 40, by=SYSTEM)

    assert caught.value.field == "to_station"
    assert await StockMovement.all().count() == 1
    assert await balance_of(source, item) == 100


async def test_transfer_to_itself_is_refused(db, clock):
    source, item = await stocked(100)

    with pytest.raises(InvalidInput) as caught:
        await transfer_stock(source, source, item, 40, by=SYSTEM)

    assert caught.value.field == "to_station"
    assert await StockMovement.all().count() == 1


async def test_transfer_more_than_stock_is_flagged(db, clock):
    source, item = await stocked(10)
    target = await make_station(await Campaign.get(id=source.campaign_id))

    out, into = await transfer_stock(source, target, item, 15, by=SYSTEM)

    assert (out.discrepancy, into.discrepancy) == (True, False)
    assert out.balance_after == -5


async def test_transfer_replay_returns_both_original_lines(db, clock):
    source, item = await stocked(100)
    target = await make_station(await Campaign.get(id=source.campaign_id))
    first = await transfer_stock(source, target, item, 40, by=SYSTEM, idempotency_key="t-1")

    again = await transfer_stock(source, target, item, 40, by=SYSTEM, idempotency_key="t-1")

    assert [c.movement.id for c in again] == [c.movement.id for c in first]
    assert [c.duplicate for c in again] == [True, True]
    assert await StockMovement.all().count() == 3
    assert (await balance_of(source, item), await balance_of(target, item)) == (60, 40)


async def test_transfer_key_reused_for_another_transfer_is_a_conflict(db, clock):
    source, item = await stocked(100)
    target = await make_station(await Campaign.get(id=source.campaign_id))
    await transfer_stock(source, target, item, 40, by=SYSTEM, idempotency_key="t-1")

    with pytest.raises(Conflict) as caught:
        await transfer_stock(source, target, item, 41, by=SYSTEM, idempotency_key="t-1")

    assert caught.value.field == "idempotency_key"
    assert await StockMovement.all().count() == 3


async def test_opposite_transfers_at_once_do_not_deadlock(db, clock):
    a, item = await stocked(1000)
    b = await make_station(await Campaign.get(id=a.campaign_id))
    await record_receipt(b, item, 1000, by=SYSTEM)

    await asyncio.gather(
        *(transfer_stock(a, b, item, 3, by=SYSTEM) for _ in range(10)),
        *(transfer_stock(b, a, item, 1, by=SYSTEM) for _ in range(10)),
    )

    assert (await balance_of(a, item), await balance_of(b, item)) == (980, 1020)
    assert await balance_matches_ledger() is True


# -- idempotency ------------------------------------------------------------------------


async def test_replayed_key_returns_the_original_and_writes_nothing(db, clock):
    station, item = await stocked(100)
    first = await record_handout(station, item, 30, by=SYSTEM, idempotency_key="tg:1001")
    events = await AuditEvent.all().count()

    again = await record_handout(station, item, 30, by=SYSTEM, idempotency_key="tg:1001")

    assert again.duplicate is True
    assert again.movement.id == first.movement.id
    assert again.balance_after == 70
    assert await StockMovement.all().count() == 2
    assert await AuditEvent.all().count() == events
    assert await balance_of(station, item) == 70


async def test_replayed_count_returns_the_original(db, clock):
    station, item = await stocked(100)
    first = await record_count(station, item, 90, by=SYSTEM, idempotency_key="count-1")

    again = await record_count(station, item, 90, by=SYSTEM, idempotency_key="count-1")

    assert first is not None and again is not None
    assert (again.duplicate, again.movement.id) == (True, first.movement.id)
    assert await balance_of(station, item) == 90


async def test_key_reused_for_a_different_entry_is_a_conflict(db, clock):
    station, item = await stocked(100)
    await record_handout(station, item, 30, by=SYSTEM, idempotency_key="tg:1001")

    with pytest.raises(Conflict) as caught:
        await record_handout(station, item, 31, by=SYSTEM, idempotency_key="tg:1001")

    assert caught.value.field == "idempotency_key"
    assert await StockMovement.all().count() == 2


async def test_same_key_at_once_writes_one_line(db, clock):
    station, item = await stocked(0)

    changes = await asyncio.gather(
        *(
            record_receipt(station, item, 25, by=SYSTEM, idempotency_key="delivery-7")
            for _ in range(20)
        )
    )

    assert [c.duplicate for c in changes].count(False) == 1
    assert len({c.movement.id for c in changes}) == 1
    assert await StockMovement.filter(idempotency_key="delivery-7").count() == 1
    assert await balance_of(station, item) == 25
    assert await AuditEvent.filter(action="stock.receipt").count() == 1


@pytest.mark.parametrize("key", ["k" * 129, 42])
async def test_a_bad_idempotency_key_is_refused(db, clock, key):
    station, item = await stocked(100)

    with pytest.raises(InvalidInput) as caught:
        await record_handout(station, item, 1, by=SYSTEM, idempotency_key=key)

    assert caught.value.field == "idempotency_key"
    assert await StockMovement.all().count() == 1


# -- concurrency ------------------------------------------------------------------------


async def test_fifty_handouts_at_once_add_up_exactly(db, clock):
    station, item = await stocked(10_000)
    quantities = list(range(1, 51))

    changes = await asyncio.gather(
        *(record_handout(station, item, q, by=SYSTEM) for q in quantities)
    )

    assert await balance_of(station, item) == 10_000 - sum(quantities)
    assert await StockMovement.filter(kind=MovementKind.HANDOUT).count() == 50
    assert await balance_matches_ledger() is True
    # Each writer saw the exact stock before and after its own line: they chain.
    befores = {c.balance_after + c.movement.quantity for c in changes}
    afters = {c.balance_after for c in changes}
    assert befores | {10_000 - sum(quantities)} == afters | {10_000}


async def test_counts_among_handouts_at_once_each_land_on_the_counted_stock(db, clock):
    station, item = await stocked(5_000)
    counts = [4_000, 3_000, 2_000, 1_000, 500]

    changes = await asyncio.gather(
        *(record_handout(station, item, 7, by=SYSTEM) for _ in range(30)),
        *(record_count(station, item, counted, by=SYSTEM) for counted in counts),
    )

    landed = [c.balance_after for c in changes[30:] if c is not None]
    assert landed == counts
    assert await balance_matches_ledger() is True


# -- low stock --------------------------------------------------------------------------


async def test_low_stock_crossing_fires_once_per_crossing(db, clock):
    station, item = await stocked(120, default_low_stock=100)

    above = await record_handout(station, item, 20, by=SYSTEM)  # 100: at the level, not under
    through = await record_handout(station, item, 10, by=SYSTEM)  # 90
    still_below = await record_handout(station, item, 10, by=SYSTEM)  # 80
    await record_receipt(station, item, 50, by=SYSTEM)  # 130
    again = await record_loss(station, item, 40, by=SYSTEM)  # 90

    assert [c.low_stock_crossed for c in (above, through, still_below, again)] == [
        False,
        True,
        False,
        True,
    ]
    assert through.threshold == 100


async def test_count_and_transfer_can_cross_the_threshold(db, clock):
    station, item = await stocked(150, default_low_stock=100)
    target = await make_station(await Campaign.get(id=station.campaign_id))

    out, _ = await transfer_stock(station, target, item, 50, by=SYSTEM)  # 100
    counted = await record_count(station, item, 60, by=SYSTEM)

    assert out.low_stock_crossed is False
    assert counted is not None and counted.low_stock_crossed is True


async def test_station_threshold_overrides_the_item_default(db, clock):
    station, item = await stocked(60, default_low_stock=100)

    balance = await set_low_stock_threshold(station, item, 50, by=SYSTEM)
    change = await record_handout(station, item, 20, by=SYSTEM)

    assert balance.low_stock_threshold == 50
    assert (change.threshold, change.low_stock_crossed) == (50, True)
    assert await AuditEvent.filter(action="stock.threshold_set").count() == 1


async def test_threshold_zero_turns_the_alert_off(db, clock):
    station, item = await stocked(120, default_low_stock=100)
    await set_low_stock_threshold(station, item, 0, by=SYSTEM)

    change = await record_handout(station, item, 100, by=SYSTEM)

    assert (change.threshold, change.low_stock_crossed) == (None, False)


async def test_clearing_the_threshold_falls_back_to_the_item_default(db, clock):
    station, item = await stocked(120, default_low_stock=100)
    await set_low_stock_threshold(station, item, 10, by=SYSTEM)

    balance = await set_low_stock_threshold(station, item, None, by=SYSTEM)
    change = await record_handout(station, item, 30, by=SYSTEM)

    assert balance.low_stock_threshold is None
    assert (change.threshold, change.low_stock_crossed) == (100, True)


async def test_threshold_on_a_station_without_stock_creates_its_balance(db, clock):
    station, item = await stocked(0)

    balance = await set_low_stock_threshold(station, item, 30, by=SYSTEM)

    assert (balance.quantity, balance.low_stock_threshold) == (0, 30)


@pytest.mark.parametrize("threshold", [-1, 1_000_001, 2.5, "10", True])
async def test_a_bad_threshold_is_refused(db, clock, threshold):
    station, item = await stocked(10)

    with pytest.raises(InvalidInput) as caught:
        await set_low_stock_threshold(station, item, threshold, by=SYSTEM)

    assert caught.value.field == "threshold"
    assert (await StockBalance.get(station_id=station.id)).low_stock_threshold is None


# -- refusals ---------------------------------------------------------------------------


async def test_closed_campaign_refuses_stock_changes(db, clock):
    station, item = await stocked(100)
    await Campaign.filter(id=station.campaign_id).update(status=CampaignStatus.CLOSED)

    with pytest.raises(Conflict) as caught:
        await record_handout(station, item, 10, by=SYSTEM)

    assert caught.value.field == "station"
    assert await StockMovement.all().count() == 1
    assert await balance_of(station, item) == 100


@pytest.mark.parametrize("quantity", [0, -5, 10**9, 1e9, 1.5, "50", True, None])
@pytest.mark.parametrize("record", [record_receipt, record_handout, record_loss])
async def test_a_bad_quantity_is_refused_and_nothing_written(db, clock, record, quantity):
    station, item = await stocked(100)

    with pytest.raises(InvalidInput) as caught:
        await record(station, item, quantity, by=SYSTEM)

    assert caught.value.field == "quantity"
    assert await StockMovement.all().count() == 1
    assert await balance_of(station, item) == 100


@pytest.mark.parametrize("quantity", [0, 1.5, "50", True])
async def test_a_bad_transfer_quantity_is_refused(db, clock, quantity):
    source, item = await stocked(100)
    target = await make_station(await Campaign.get(id=source.campaign_id))

    with pytest.raises(InvalidInput) as caught:
        await transfer_stock(source, target, item, quantity, by=SYSTEM)

    assert caught.value.field == "quantity"
    assert await StockMovement.all().count() == 1


async def test_the_largest_quantity_is_accepted(db, clock):
    station, item = await stocked(1_000_000)

    assert await balance_of(station, item) == 1_000_000


async def test_a_future_time_is_refused_but_a_fast_phone_clock_is_not(db, clock):
    station, item = await stocked(100)

    accepted = await record_handout(
        station, item, 1, by=SYSTEM, occurred_at=clock.now() + dt.timedelta(minutes=4)
    )
    with pytest.raises(InvalidInput) as caught:
        await record_handout(
            station, item, 1, by=SYSTEM, occurred_at=clock.now() + dt.timedelta(minutes=6)
        )

    assert accepted.movement.occurred_at == clock.now() + dt.timedelta(minutes=4)
    assert caught.value.field == "occurred_at"
    assert await StockMovement.all().count() == 2


async def test_a_time_long_before_the_campaign_is_refused(db, clock):
    station, item = await stocked(100)  # the campaign starts on 30/01/2027

    week_before = await record_receipt(station, item, 1, by=SYSTEM, occurred_at=vn(2027, 1, 23))
    with pytest.raises(InvalidInput) as caught:
        await record_receipt(station, item, 1, by=SYSTEM, occurred_at=vn(2027, 1, 22, 23, 59))

    assert week_before.duplicate is False
    assert caught.value.field == "occurred_at"
    assert await StockMovement.all().count() == 2


@pytest.mark.parametrize("occurred_at", [dt.datetime(2027, 2, 2, 7), dt.date(2027, 2, 2), "today"])
async def test_a_time_without_a_zone_is_refused(db, clock, occurred_at):
    station, item = await stocked(100)

    with pytest.raises(InvalidInput) as caught:
        await record_handout(station, item, 1, by=SYSTEM, occurred_at=occurred_at)

    assert caught.value.field == "occurred_at"
    assert await StockMovement.all().count() == 1


@pytest.mark.parametrize("note", ["x" * 301, 12])
async def test_a_bad_note_is_refused(db, clock, note):
    station, item = await stocked(100)

    with pytest.raises(InvalidInput) as caught:
        await record_handout(station, item, 1, by=SYSTEM, note=note)

    assert caught.value.field == "note"
    assert await StockMovement.all().count() == 1


async def test_an_item_no_longer_in_use_is_refused(db, clock):
    station, item = await stocked(100)
    item.is_active = False
    await item.save()

    with pytest.raises(InvalidInput) as caught:
        await record_handout(station, item, 1, by=SYSTEM)

    assert caught.value.field == "item"
    assert await StockMovement.all().count() == 1


async def test_a_deleted_station_is_not_found(db, clock):
    station, item = await stocked(100)
    await station.delete()

    with pytest.raises(NotFound) as caught:
        await record_handout(station, item, 1, by=SYSTEM)

    assert caught.value.field == "station"


async def test_a_change_without_an_actor_is_refused(db, clock):
    station, item = await stocked(100)

    with pytest.raises(InvalidInput) as caught:
        await record_handout(station, item, 1, by=None)  # type: ignore[arg-type]

    assert caught.value.field == "by"


# -- rebuilding balances from the ledger -------------------------------------------------


async def test_rebuild_balances_equals_the_incremental_balances(db, clock):
    a, item = await stocked(500)
    towel = await make_item("towel")
    b = await make_station(await Campaign.get(id=a.campaign_id))
    await record_receipt(a, towel, 200, by=SYSTEM)
    await record_handout(a, item, 130, by=SYSTEM)
    await transfer_stock(a, b, item, 70, by=SYSTEM)
    await record_count(b, item, 65, by=SYSTEM)
    await set_low_stock_threshold(a, item, 25, by=SYSTEM)
    incremental = (
        await StockBalance.all()
        .order_by("id")
        .values_list("station_id", "item_id", "quantity", "low_stock_threshold")
    )
    await StockBalance.all().update(quantity=0)

    changed = await rebuild_balances()

    assert changed == 3
    assert (
        await StockBalance.all()
        .order_by("id")
        .values_list("station_id", "item_id", "quantity", "low_stock_threshold")
        == incremental
    )
    assert await rebuild_balances() == 0


async def test_rebuild_balances_creates_missing_rows_for_lines_loaded_directly(db, clock):
    station, item = await stocked(0)
    other = await make_station()
    for station_id, delta in [(station.id, 40), (station.id, -15), (other.id, 7)]:
        await StockMovement.create(
            station_id=station_id,
            item_id=item.id,
            kind=MovementKind.RECEIPT if delta > 0 else MovementKind.HANDOUT,
            quantity=abs(delta),
            delta=delta,
            source=Source.IMPORT,
            occurred_at=clock.now(),
            recorded_at=clock.now(),
        )

    changed = await rebuild_balances(station_ids=[station.id])

    assert changed == 1
    assert await balance_of(station, item) == 25
    assert await StockBalance.filter(station_id=other.id).count() == 0
    assert await balance_matches_ledger(station.id) is True


async def test_a_first_balance_starts_from_the_ledger_already_there(db, clock):
    station, item = await stocked(0)
    await StockMovement.create(
        station_id=station.id,
        item_id=item.id,
        kind=MovementKind.RECEIPT,
        quantity=80,
        delta=80,
        source=Source.IMPORT,
        occurred_at=clock.now(),
        recorded_at=clock.now(),
    )

    change = await record_handout(station, item, 30, by=SYSTEM)

    assert change.balance_after == 50
    assert await balance_matches_ledger() is True


@pytest.mark.parametrize("station_ids", ["1,2", [True], ["1"]])
async def test_rebuild_balances_refuses_bad_station_ids(db, clock, station_ids):
    with pytest.raises(InvalidInput) as caught:
        await rebuild_balances(station_ids=station_ids)

    assert caught.value.field == "station_ids"


# -- translations -----------------------------------------------------------------------


def test_every_message_of_the_stock_modules_has_a_vietnamese_translation():
    root = Path(__file__).resolve().parents[3]
    modules = [
        "stations/services/catalog.py",
        *sorted(
            str(path.relative_to(root)) for path in root.glob("stations/services/inventory/*.py")
        ),
        "stations/services/service_records.py",
        "stations/services/queries/stock.py",
    ]
    msgids = [
        node.args[0].value
        for module in modules
        for node in ast.walk(ast.parse((root / module).read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]
    placeholders = re.compile(r"\{\w+\}")

    untranslated = [m for m in msgids if gettext(m, "vi") == m]
    mismatched = [
        m
        for m in msgids
        if sorted(placeholders.findall(m)) != sorted(placeholders.findall(gettext(m, "vi")))
    ]

    assert len(msgids) > 30
    assert (untranslated, mismatched) == ([], [])


# -- the daily tallies: the ledger summed per station × item × kind × Vietnam-local day ---


async def ledger_by_local_day() -> dict[
    tuple[int, int, MovementKind, dt.date], tuple[int, int, int]
]:
    """The ledger summed in Python, independently of the writer's SQL and the rebuild's."""
    sums: dict[tuple[int, int, MovementKind, dt.date], tuple[int, int, int]] = {}
    for line in await StockMovement.all():
        key = (line.station_id, line.item_id, line.kind, line.occurred_at.astimezone(VN).date())
        quantity, delta, lines = sums.get(key, (0, 0, 0))
        sums[key] = (quantity + line.quantity, delta + line.delta, lines + 1)
    return sums


async def daily_tallies() -> dict[tuple[int, int, MovementKind, dt.date], tuple[int, int, int]]:
    return {
        (t.station_id, t.item_id, t.kind, t.day): (t.quantity, t.delta, t.lines)
        for t in await DailyStockTally.all()
    }


async def test_daily_tallies_equal_the_ledger_after_random_operations(db, clock):
    first, water = await stocked(0)
    towel = await make_item("towel")
    second = await make_station(await Campaign.get(id=first.campaign_id))
    pick = random.Random(2027)
    # Moments around Vietnam's midnights, where a UTC day and a local day differ.
    moments = [vn(2027, 1, 31, 23, 59), vn(2027, 2, 1, 0, 0), vn(2027, 2, 1, 6, 59), None]
    for n in range(60):
        station, other = pick.sample([first, second], 2)
        item = pick.choice([water, towel])
        at = pick.choice(moments)
        quantity = pick.randint(1, 40)
        operation = pick.choice(["receipt", "handout", "loss", "transfer", "count"])
        if operation == "receipt":
            await record_receipt(station, item, quantity, by=SYSTEM, occurred_at=at)
        elif operation == "handout":
            await record_handout(station, item, quantity, by=SYSTEM, occurred_at=at)
        elif operation == "loss":
            await record_loss(station, item, quantity, by=SYSTEM, occurred_at=at)
        elif operation == "transfer":
            await transfer_stock(station, other, item, quantity, by=SYSTEM, occurred_at=at)
        else:
            await record_count(station, item, quantity, by=SYSTEM, occurred_at=at)
        if n % 10 == 0:  # a retried request is not counted twice
            await record_receipt(station, item, 5, by=SYSTEM, idempotency_key=f"retry-{n}")
            await record_receipt(station, item, 5, by=SYSTEM, idempotency_key=f"retry-{n}")

    expected = await ledger_by_local_day()

    assert await daily_tallies() == expected
    assert {day for _s, _i, _k, day in expected} == {
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 1),
        dt.date(2027, 2, 2),
    }
    assert await rebuild_balances() == 0
    assert await daily_tallies() == expected


async def test_daily_tally_day_is_the_vietnam_local_day(db, clock):
    station, item = await stocked(100)

    await record_handout(station, item, 3, by=SYSTEM, occurred_at=vn(2027, 2, 1, 23, 59))
    await record_handout(station, item, 4, by=SYSTEM, occurred_at=vn(2027, 2, 2, 0, 0))
    await record_handout(station, item, 5, by=SYSTEM, occurred_at=vn(2027, 2, 2, 6, 30))

    handouts = await DailyStockTally.filter(kind=MovementKind.HANDOUT).order_by("day")
    assert [(t.day, t.quantity, t.delta, t.lines) for t in handouts] == [
        (dt.date(2027, 2, 1), 3, -3, 1),
        (dt.date(2027, 2, 2), 9, -9, 2),
    ]


async def test_a_days_first_tally_counts_lines_loaded_directly(db, clock):
    station, item = await stocked(0)
    await StockMovement.create(
        station_id=station.id,
        item_id=item.id,
        kind=MovementKind.RECEIPT,
        quantity=80,
        delta=80,
        source=Source.IMPORT,
        occurred_at=clock.now(),
        recorded_at=clock.now(),
    )

    await record_receipt(station, item, 20, by=SYSTEM)

    assert await daily_tallies() == {
        (station.id, item.id, MovementKind.RECEIPT, dt.date(2027, 2, 2)): (100, 100, 2)
    }


async def test_rebuild_balances_repairs_the_daily_tallies(db, clock):
    station, item = await stocked(100)
    await record_handout(station, item, 30, by=SYSTEM, occurred_at=vn(2027, 2, 1, 12))
    await record_handout(station, item, 20, by=SYSTEM)
    expected = await ledger_by_local_day()
    await DailyStockTally.filter(kind=MovementKind.RECEIPT).update(quantity=1, delta=1, lines=9)
    await DailyStockTally.filter(day=dt.date(2027, 2, 1)).delete()
    await DailyStockTally.create(
        station_id=station.id, item_id=item.id, kind=MovementKind.LOSS, day=dt.date(2027, 2, 2)
    )

    await rebuild_balances(station_ids=[station.id])

    assert await daily_tallies() == expected
    event = await AuditEvent.filter(action="stock.balances_rebuilt").get()
    assert event.data["daily_tallies"] == 3


async def test_rebuild_balances_leaves_other_stations_tallies_alone(db, clock):
    station, item = await stocked(100)
    other = await make_station()
    await record_receipt(other, item, 7, by=SYSTEM)
    await DailyStockTally.filter(station_id=other.id).update(quantity=0)

    await rebuild_balances(station_ids=[station.id])

    assert await DailyStockTally.filter(station_id=other.id).values_list("quantity", flat=True) == [
        0
    ]


# -- several lines in one report -----------------------------------------------------------


async def test_record_lines_writes_every_line_in_the_order_given(db, clock):
    station, water = await stocked(100)
    towel = await make_item("towel")
    await record_receipt(station, towel, 40, by=SYSTEM)

    changes = await record_lines(
        MovementKind.HANDOUT,
        station,
        [LineEntry(towel, 30, "tg:7:towel"), LineEntry(water, 50, "tg:7:water")],
        by=SYSTEM,
    )

    assert [(c.movement.item_id, c.balance_after) for c in changes] == [
        (towel.id, 10),
        (water.id, 50),
    ]
    assert (await balance_of(station, water), await balance_of(station, towel)) == (50, 10)
    assert await balance_matches_ledger() is True


async def test_record_lines_again_with_the_same_keys_writes_nothing(db, clock):
    station, water = await stocked(100)
    entries = [LineEntry(water, 5, "tg:8:water")]
    await record_lines(MovementKind.HANDOUT, station, entries, by=SYSTEM)

    again = await record_lines(MovementKind.HANDOUT, station, entries, by=SYSTEM)

    assert [change.duplicate for change in again] == [True]
    assert await deltas_of(station, water) == [100, -5]


async def test_record_lines_with_one_bad_item_writes_no_line(db, clock):
    station, water = await stocked(100)
    retired = await make_item("towel", is_active=False)

    with pytest.raises(InvalidInput):
        await record_lines(
            MovementKind.HANDOUT,
            station,
            [LineEntry(water, 5), LineEntry(retired, 5)],
            by=SYSTEM,
        )

    assert await deltas_of(station, water) == [100]


@pytest.mark.parametrize("quantity", [0, -5, 10**12, "năm mươi", 1.5, None])
async def test_record_lines_refuses_a_bad_quantity_before_writing(db, clock, quantity):
    station, water = await stocked(100)

    with pytest.raises(InvalidInput):
        await record_lines(MovementKind.HANDOUT, station, [LineEntry(water, quantity)], by=SYSTEM)

    assert await deltas_of(station, water) == [100]


async def test_record_lines_naming_one_item_twice_chains_its_balance(db, clock):
    station, water = await stocked(100)

    changes = await record_lines(
        MovementKind.HANDOUT, station, [LineEntry(water, 30), LineEntry(water, 20)], by=SYSTEM
    )

    assert [(c.balance_after, c.movement.delta) for c in changes] == [(70, -30), (50, -20)]
    assert changes[0].movement.id < changes[1].movement.id
    assert await balance_of(station, water) == 50
    assert await daily_tallies() == await ledger_by_local_day()


async def test_record_lines_at_a_station_never_stocked_opens_balance_and_tally(db, clock):
    station = await make_station()
    water = await make_item("water")
    towel = await make_item("towel")
    await record_receipt(station, towel, 10, by=SYSTEM)

    changes = await record_lines(
        MovementKind.HANDOUT, station, [LineEntry(water, 5), LineEntry(towel, 4)], by=SYSTEM
    )

    assert [(c.balance_after, c.discrepancy) for c in changes] == [(-5, True), (6, False)]
    assert (await balance_of(station, water), await balance_of(station, towel)) == (-5, 6)
    assert await balance_matches_ledger() is True
    assert await daily_tallies() == await ledger_by_local_day()


async def test_record_lines_returns_saved_lines_as_the_ledger_holds_them(db, clock):
    station, water = await stocked(100)
    volunteer = await make_volunteer()
    actor = Actor.volunteer(volunteer.id, volunteer.full_name)

    (change,) = await record_lines(
        MovementKind.LOSS, station, [LineEntry(water, 7, "report-1:water")], by=actor
    )

    stored = await StockMovement.get(id=change.movement.id)
    assert (stored.kind, stored.quantity, stored.delta, stored.idempotency_key) == (
        MovementKind.LOSS,
        7,
        -7,
        "report-1:water",
    )
    assert (stored.by_volunteer_id, stored.source, stored.occurred_at) == (
        volunteer.id,
        Source.BOT,
        clock.now(),
    )
    assert change.movement.occurred_at == stored.occurred_at


async def test_record_lines_audits_each_line(db, clock):
    station, water = await stocked(100)
    towel = await make_item("towel")

    changes = await record_lines(
        MovementKind.HANDOUT, station, [LineEntry(water, 10), LineEntry(towel, 3)], by=SYSTEM
    )

    events = await AuditEvent.filter(action="stock.handout").order_by("object_id")
    assert [(e.object_id, e.data["balance_after"], e.data["discrepancy"]) for e in events] == [
        (changes[0].movement.id, 90, False),
        (changes[1].movement.id, -3, True),
    ]


async def test_record_lines_crossing_the_low_level_alerts_the_lead_in_its_transaction(db, clock):
    station, water = await stocked(120)  # alert level 100
    lead = await make_volunteer(telegram_chat_id=555)
    await make_assignment(await make_shift(station), lead, role=ShiftRole.LEAD)

    (change,) = await record_lines(MovementKind.HANDOUT, station, [LineEntry(water, 30)], by=SYSTEM)

    [alert] = await Notification.filter(kind="low_stock")
    assert (change.low_stock_crossed, change.threshold, change.balance_after) == (True, 100, 90)
    assert (alert.chat_id, alert.dedupe_key) == (
        555,
        f"low_stock:{station.id}:{water.id}:{change.movement.id}:v{lead.id}",
    )


async def test_record_lines_by_someone_no_longer_on_record_writes_nothing(db, clock):
    station, water = await stocked(100)
    volunteer = await make_volunteer()
    actor = Actor.volunteer(volunteer.id, volunteer.full_name)
    await volunteer.delete()

    with pytest.raises(NotFound) as caught:
        await record_lines(MovementKind.HANDOUT, station, [LineEntry(water, 5)], by=actor)

    assert caught.value.field == "by"
    assert await deltas_of(station, water) == [100]


async def test_record_lines_at_a_closed_or_deleted_station_writes_nothing(db, clock):
    station, water = await stocked(100)
    gone = await make_station()
    await gone.delete()
    await Campaign.filter(id=station.campaign_id).update(status=CampaignStatus.CLOSED)

    with pytest.raises(Conflict) as closed:
        await record_lines(MovementKind.HANDOUT, station, [LineEntry(water, 5)], by=SYSTEM)
    with pytest.raises(NotFound) as missing:
        await record_lines(MovementKind.HANDOUT, gone, [LineEntry(water, 5)], by=SYSTEM)

    assert (closed.value.field, missing.value.field) == ("station", "station")
    assert await deltas_of(station, water) == [100]


async def test_record_lines_reporting_the_same_items_at_once_adds_up_exactly(db, clock):
    station, water = await stocked(1_000)
    towel = await make_item("towel")
    await record_receipt(station, towel, 1_000, by=SYSTEM)

    await asyncio.gather(
        *(
            record_lines(
                MovementKind.HANDOUT,
                station,
                [LineEntry(water, 1), LineEntry(towel, 2)]
                if n % 2
                else [LineEntry(towel, 2), LineEntry(water, 1)],
                by=SYSTEM,
            )
            for n in range(20)
        )
    )

    assert (await balance_of(station, water), await balance_of(station, towel)) == (980, 960)
    assert await balance_matches_ledger() is True
    assert await daily_tallies() == await ledger_by_local_day()
