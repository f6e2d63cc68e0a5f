"""The database itself enforces the rules that matter, whatever code writes to it."""

from __future__ import annotations

import datetime as dt

import pytest
from tortoise.exceptions import IntegrityError

from stations import clock as clock_module
from stations.enums import MovementKind, Source
from stations.models import (
    Assignment,
    Campaign,
    PlannedStock,
    ServiceRecord,
    Shift,
    StockMovement,
)
from tests.factories import (
    make_campaign,
    make_item,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)


async def test_duplicate_station_code_in_one_campaign_is_rejected(db):
    campaign = await make_campaign()
    await make_station(campaign, code="HN1")

    with pytest.raises(IntegrityError):
        await make_station(campaign, code="HN1")


async def test_same_station_code_in_two_campaigns_is_allowed(db):
    first = await make_station(await make_campaign(), code="HN1")
    second = await make_station(await make_campaign(name="30/4 2027"), code="HN1")

    assert (first.code, second.code) == ("HN1", "HN1")


async def test_duplicate_telegram_user_id_is_rejected(db):
    await make_volunteer(telegram_user_id=42)

    with pytest.raises(IntegrityError):
        await make_volunteer(telegram_user_id=42)


async def test_duplicate_phone_is_rejected(db):
    await make_volunteer(phone="+84901234567")

    with pytest.raises(IntegrityError):
        await make_volunteer(phone="+84901234567")


async def test_second_assignment_of_a_volunteer_to_one_shift_is_rejected(db):
    shift, volunteer = await make_shift(), await make_volunteer()
    await Assignment.create(shift=shift, volunteer=volunteer)

    with pytest.raises(IntegrityError):
        await Assignment.create(shift=shift, volunteer=volunteer)


async def _movement(station, item, **overrides) -> StockMovement:
    values = {
        "station": station,
        "item": item,
        "kind": MovementKind.RECEIPT,
        "quantity": 10,
        "delta": 10,
        "source": Source.WEB,
        "occurred_at": clock_module.now(),
        "recorded_at": clock_module.now(),
    }
    values.update(overrides)
    return await StockMovement.create(**values)


async def test_duplicate_idempotency_key_is_rejected(db):
    station, item = await make_station(), await make_item()
    await _movement(station, item, idempotency_key="k-1")

    with pytest.raises(IntegrityError):
        await _movement(station, item, idempotency_key="k-1")


@pytest.mark.parametrize(("quantity", "delta"), [(-5, -5), (0, 0), (10, 7), (10, -7)])
async def test_ledger_line_with_bad_quantity_is_rejected(db, quantity, delta):
    station, item = await make_station(), await make_item()

    with pytest.raises(IntegrityError):
        await _movement(station, item, quantity=quantity, delta=delta)

    assert await StockMovement.all().count() == 0


@pytest.mark.parametrize(
    "kind",
    [
        MovementKind.RECEIPT,
        MovementKind.HANDOUT,
        MovementKind.TRANSFER_OUT,
        MovementKind.TRANSFER_IN,
        MovementKind.LOSS,
    ],
)
async def test_ledger_line_of_zero_is_rejected_unless_a_count(db, kind):
    station, item = await make_station(), await make_item()

    with pytest.raises(IntegrityError):
        await _movement(station, item, kind=kind, quantity=0, delta=0)

    assert await StockMovement.all().count() == 0


async def test_count_confirming_the_record_may_be_zero(db):
    station, item = await make_station(), await make_item()

    line = await _movement(
        station, item, kind=MovementKind.COUNT_ADJUSTMENT, quantity=0, delta=0, counted_quantity=8
    )

    assert (await StockMovement.get(id=line.id)).quantity == 0


@pytest.mark.parametrize(("quantity", "delta"), [(-5, -5), (-5, 5), (3, 0)])
async def test_count_line_with_bad_quantity_is_rejected(db, quantity, delta):
    station, item = await make_station(), await make_item()

    with pytest.raises(IntegrityError):
        await _movement(
            station, item, kind=MovementKind.COUNT_ADJUSTMENT, quantity=quantity, delta=delta
        )

    assert await StockMovement.all().count() == 0


async def test_a_receipt_cannot_be_changed_to_zero(db):
    station, item = await make_station(), await make_item()
    line = await _movement(station, item)

    with pytest.raises(IntegrityError):
        await StockMovement.filter(id=line.id).update(quantity=0, delta=0)

    assert (await StockMovement.get(id=line.id)).quantity == 10


async def test_service_record_with_negative_quantity_is_rejected(db):
    station = await make_station()

    with pytest.raises(IntegrityError):
        await ServiceRecord.create(
            station=station,
            kind="first_aid",
            quantity=-1,
            source=Source.BOT,
            occurred_at=clock_module.now(),
            recorded_at=clock_module.now(),
        )


async def test_shift_ending_before_it_starts_is_rejected(db):
    station = await make_station()

    with pytest.raises(IntegrityError):
        await Shift.create(station=station, starts_at=vn(2027, 2, 2, 10), ends_at=vn(2027, 2, 2, 6))


@pytest.mark.parametrize("hours", [24.5, 48])
async def test_shift_longer_than_a_day_is_rejected(db, hours):
    station = await make_station()
    starts = vn(2027, 2, 2, 10)

    with pytest.raises(IntegrityError):
        await Shift.create(
            station=station, starts_at=starts, ends_at=starts + dt.timedelta(hours=hours)
        )
    day_long = await Shift.create(
        station=station, starts_at=starts, ends_at=starts + dt.timedelta(hours=24)
    )
    with pytest.raises(IntegrityError):
        await Shift.filter(id=day_long.id).update(ends_at=starts + dt.timedelta(hours=hours))


async def test_campaign_ending_before_it_starts_is_rejected(db):
    with pytest.raises(IntegrityError):
        await Campaign.create(
            name="x",
            kind="custom",
            year=2027,
            starts_on=dt.date(2027, 5, 2),
            ends_on=dt.date(2027, 4, 28),
        )


async def test_duplicate_unit_code_is_rejected(db):
    await make_unit(code="CA-HN")

    with pytest.raises(IntegrityError):
        await make_unit(code="CA-HN")


@pytest.mark.parametrize("quantity", [0, -5])
async def test_planned_stock_of_none_or_less_is_rejected(db, quantity):
    station, item = await make_station(), await make_item("water")

    with pytest.raises(IntegrityError):
        await PlannedStock.create(station=station, item=item, quantity=quantity)

    assert await PlannedStock.all().count() == 0
