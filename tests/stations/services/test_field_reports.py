"""Several handouts, receipts or counts in one transaction; a check-in whose place is unverified tells the lead."""

from __future__ import annotations

import asyncio

import pytest

from stations.enums import AssignmentStatus, MovementKind, ShiftRole
from stations.models import Notification, StockMovement
from stations.services.actor import Actor
from stations.services.errors import InvalidInput
from stations.services.field_reports import (
    StockLine,
    check_in_and_report,
    record_stock_lines,
)
from tests.factories import make_assignment, make_item, make_shift, make_station, make_volunteer

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("kind", "balances"),
    [(MovementKind.HANDOUT, [-5, -3]), (MovementKind.RECEIPT, [5, 3])],
)
async def test_record_stock_lines_writes_every_line_once_per_key(db, clock, kind, balances):
    shift = await make_shift()
    water, towel = await make_item("water"), await make_item("towel")
    actor = Actor.system("test")
    lines = [StockLine(water, 5), StockLine(towel, 3)]

    first = await record_stock_lines(shift.station, lines, kind=kind, by=actor, key_prefix="tg:1")
    again = await record_stock_lines(shift.station, lines, kind=kind, by=actor, key_prefix="tg:1")

    assert [c.balance_after for c in first] == balances
    assert [c.duplicate for c in again] == [True, True]
    assert await StockMovement.filter(kind=kind).count() == 2


async def test_record_counts_accepts_zero_and_adjusts_each_item(db, clock):
    shift = await make_shift()
    water, towel = await make_item("water"), await make_item("towel")
    actor = Actor.system("test")
    await record_stock_lines(
        shift.station, [StockLine(water, 30)], kind=MovementKind.RECEIPT, by=actor
    )

    counted = await record_stock_lines(
        shift.station,
        [StockLine(water, 25), StockLine(towel, 0)],
        kind=MovementKind.COUNT_ADJUSTMENT,
        by=actor,
        key_prefix="tg:3",
    )

    assert [(c.balance_after, c.movement.delta) for c in counted] == [(25, -5), (0, 0)]


@pytest.mark.parametrize(
    ("kind", "lines", "field"),
    [
        (MovementKind.HANDOUT, (("water", 5), ("towel", 0)), "quantity"),
        (MovementKind.HANDOUT, (("water", 5), ("towel", 10_000_001)), "quantity"),
        (MovementKind.HANDOUT, (), "lines"),
        (MovementKind.RECEIPT, (("water", 5), ("towel", 0)), "quantity"),
        (MovementKind.RECEIPT, (("water", 5), ("water", 6)), "lines"),
        (MovementKind.COUNT_ADJUSTMENT, (("water", 5), ("towel", -1)), "counted"),
        (MovementKind.COUNT_ADJUSTMENT, (("water", 5), ("towel", 10_000_001)), "counted"),
    ],
)
async def test_record_stock_lines_writes_nothing_when_a_line_is_bad(db, clock, kind, lines, field):
    shift = await make_shift()
    items = {code: await make_item(code) for code in ("water", "towel")}
    report = [StockLine(items[code], quantity) for code, quantity in lines]

    with pytest.raises(InvalidInput) as refused:
        await record_stock_lines(shift.station, report, kind=kind, by=Actor.system("test"))

    assert refused.value.field == field
    assert await StockMovement.all().count() == 0


async def test_unverified_check_in_tells_each_lead_once(db, clock):
    shift = await make_shift()
    lead = await make_volunteer(telegram_chat_id=55, telegram_user_id=55)
    await make_assignment(shift, lead, role=ShiftRole.LEAD)
    volunteer = await make_volunteer(full_name="Lê Văn Cường")
    assignment = await make_assignment(shift, volunteer)
    actor = Actor.volunteer(volunteer.id, volunteer.full_name)

    result = await check_in_and_report(assignment, by=actor)
    again = await check_in_and_report(assignment, by=actor)

    assert (result.verified, again.already) == (False, True)
    told = await Notification.all()
    assert [(n.chat_id, n.text) for n in told] == [
        (55, f"Lê Văn Cường đã điểm danh tại {shift.station.name} mà không chia sẻ vị trí.")
    ]


async def test_verified_check_in_tells_nobody(db, clock):
    shift = await make_shift()
    lead = await make_volunteer(telegram_chat_id=55, telegram_user_id=55)
    await make_assignment(shift, lead, role=ShiftRole.LEAD)
    assignment = await make_assignment(shift)

    result = await check_in_and_report(
        assignment, by=Actor.system("test"), latitude=10.8076, longitude=105.3436
    )

    assert (result.verified, result.assignment.status) == (True, AssignmentStatus.CHECKED_IN)
    assert await Notification.all().count() == 0


async def test_reports_naming_items_in_opposite_orders_both_complete(db, clock):
    shift = await make_shift()
    water, towel = await make_item("water"), await make_item("towel")
    actor = Actor.system("test")
    reports = [
        [StockLine(water, 1), StockLine(towel, 1)],
        [StockLine(towel, 1), StockLine(water, 1)],
    ] * 10

    done = await asyncio.gather(
        *(
            record_stock_lines(shift.station, lines, kind=MovementKind.HANDOUT, by=actor)
            for lines in reports
        )
    )

    assert [[c.movement.item_id for c in changes] for changes in done[:2]] == [
        [water.id, towel.id],
        [towel.id, water.id],
    ]
    assert await StockMovement.filter(kind=MovementKind.HANDOUT).count() == 40


async def test_check_in_at_a_station_without_a_place_tells_the_lead_why(db, clock):
    shift = await make_shift(await make_station(latitude=None, longitude=None, name="Trạm X"))
    lead = await make_volunteer(telegram_chat_id=55, telegram_user_id=55)
    await make_assignment(shift, lead, role=ShiftRole.LEAD)
    volunteer = await make_volunteer(full_name="Lê Văn Cường")
    assignment = await make_assignment(shift, volunteer)

    result = await check_in_and_report(
        assignment, by=Actor.system("test"), latitude=10.8, longitude=105.3
    )

    assert (result.verified, result.distance_m) == (False, None)
    told = await Notification.get()
    assert told.text == (
        "Lê Văn Cường đã điểm danh tại Trạm X; trạm chưa có vị trí trên hệ thống nên không "
        "xác minh được nơi điểm danh."
    )


@pytest.mark.parametrize("kind", [MovementKind.LOSS, MovementKind.TRANSFER_IN])
async def test_record_stock_lines_refuses_what_volunteers_do_not_report(db, clock, kind):
    shift = await make_shift()
    water = await make_item("water")

    with pytest.raises(InvalidInput) as refused:
        await record_stock_lines(
            shift.station, [StockLine(water, 5)], kind=kind, by=Actor.system("test")
        )

    assert refused.value.field == "kind"
    assert await StockMovement.all().count() == 0
