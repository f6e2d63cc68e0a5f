"""The campaign window: handouts and services outside a campaign's days are refused unless a
coordinator gives a reason; receipts may come early."""

from __future__ import annotations

import pytest

from stations.enums import MovementKind, ServiceKind
from stations.models import ServiceRecord, StockBalance, StockMovement, User
from stations.services.actor import Actor
from stations.services.campaign_window import campaign_window
from stations.services.errors import InvalidInput
from stations.services.field_reports import StockLine, record_stock_lines
from stations.services.inventory import record_handout, record_receipt
from stations.services.service_records import record_service
from tests.factories import make_campaign, make_item, make_shift, make_station, make_volunteer, vn

BEFORE_START = vn(2026, 12, 7, 9)  # the campaign runs 30/01–11/02/2027


async def coordinator() -> Actor:
    user = await User.create(email="dieu.phoi@example.vn", password_hash="x")
    return Actor.user(user.id, user.email)


async def test_handout_before_the_start_is_refused_with_a_translated_message(db, clock) -> None:
    clock.set(BEFORE_START)
    station, water = await make_station(), await make_item("water")

    with pytest.raises(InvalidInput) as refused:
        await record_handout(station, water, 5, by=await coordinator())

    assert refused.value.field == "outside_reason"
    assert "30/01/2027" in refused.value.translated("vi")
    assert refused.value.translated("vi") != refused.value.translated("en")
    assert await StockMovement.all().count() == 0
    assert await StockBalance.all().count() == 0


async def test_handout_before_the_start_with_a_reason_is_stored_with_it(db, clock) -> None:
    clock.set(BEFORE_START)
    station, water = await make_station(), await make_item("water")

    change = await record_handout(
        station, water, 5, by=await coordinator(), outside_reason="  Tặng đoàn từ thiện  "
    )

    line = await StockMovement.get(id=change.movement.id)
    assert (line.kind, line.outside_reason) == (MovementKind.HANDOUT, "Tặng đoàn từ thiện")


async def test_receipt_before_the_start_is_accepted_without_a_reason(db, clock) -> None:
    clock.set(BEFORE_START)
    station, water = await make_station(), await make_item("water")

    change = await record_receipt(station, water, 500, by=await coordinator())

    assert (change.balance_after, change.movement.outside_reason) == (500, "")


async def test_receipt_after_the_end_needs_a_reason(db, clock) -> None:
    station, water = await make_station(), await make_item("water")
    clock.set(vn(2027, 2, 12, 9))
    by = await coordinator()

    with pytest.raises(InvalidInput) as refused:
        await record_receipt(station, water, 10, by=by)
    accepted = await record_receipt(station, water, 10, by=by, outside_reason="Hàng trả lại")

    assert refused.value.field == "outside_reason"
    assert accepted.movement.outside_reason == "Hàng trả lại"


async def test_a_volunteer_cannot_record_outside_the_window_even_with_a_reason(db, clock) -> None:
    clock.set(BEFORE_START)
    station, water = await make_station(), await make_item("water")
    volunteer = await make_volunteer()

    with pytest.raises(InvalidInput) as refused:
        await record_handout(
            station,
            water,
            5,
            by=Actor.volunteer(volunteer.id, volunteer.full_name),
            outside_reason="tự ghi",
        )

    assert refused.value.field == "occurred_at"
    assert await StockMovement.all().count() == 0


async def test_bot_report_before_the_start_is_refused_and_writes_nothing(db, clock) -> None:
    clock.set(BEFORE_START)
    station, water = await make_station(), await make_item("water")
    volunteer = await make_volunteer()
    by = Actor.volunteer(volunteer.id, volunteer.full_name)

    with pytest.raises(InvalidInput) as refused:
        await record_stock_lines(
            station, [StockLine(water, 50)], kind=MovementKind.HANDOUT, by=by, key_prefix="tg-1"
        )
    received = await record_stock_lines(
        station, [StockLine(water, 50)], kind=MovementKind.RECEIPT, by=by, key_prefix="tg-2"
    )

    assert refused.value.translated("en").startswith("The campaign Tết Đinh Mùi 2027 runs from")
    assert [change.balance_after for change in received] == [50]
    assert await StockMovement.filter(kind=MovementKind.HANDOUT).count() == 0


async def test_service_outside_the_window_is_refused_unless_given_a_reason(db, clock) -> None:
    station = await make_station()
    clock.set(vn(2027, 2, 13, 9))
    by = await coordinator()

    with pytest.raises(InvalidInput):
        await record_service(station, ServiceKind.FIRST_AID, 1, by=by)
    record = await record_service(
        station, ServiceKind.FIRST_AID, 1, by=by, outside_reason="Tai nạn gần trạm"
    )

    assert (await ServiceRecord.all().count(), record.outside_reason) == (1, "Tai nạn gần trạm")


async def test_a_night_shift_keeps_the_window_open_until_it_ends(db, clock) -> None:
    campaign = await make_campaign()
    station, water = await make_station(campaign), await make_item("water")
    await make_shift(station, starts_at=vn(2027, 2, 11, 22), ends_at=vn(2027, 2, 12, 6))
    by = await coordinator()

    clock.set(vn(2027, 2, 12, 5))
    inside = await record_handout(station, water, 3, by=by)
    clock.set(vn(2027, 2, 12, 6, 30))
    with pytest.raises(InvalidInput):
        await record_handout(station, water, 3, by=by)

    assert inside.movement.outside_reason == ""
    assert (await campaign_window(campaign)).closes_at == vn(2027, 2, 12, 6)


@pytest.mark.parametrize("reason", [123, "x" * 301])
async def test_a_bad_reason_is_refused(db, clock, reason: object) -> None:
    clock.set(BEFORE_START)
    station, water = await make_station(), await make_item("water")

    with pytest.raises(InvalidInput) as refused:
        await record_handout(station, water, 5, by=await coordinator(), outside_reason=reason)  # type: ignore[arg-type]

    assert refused.value.field == "outside_reason"
    assert await StockMovement.all().count() == 0
