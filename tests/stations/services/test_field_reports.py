"""Several handouts in one transaction; a check-in whose place is unverified tells the lead."""

from __future__ import annotations

import asyncio

import pytest

from stations.enums import AssignmentStatus, MovementKind, ShiftRole
from stations.models import Notification, StockMovement
from stations.services.actor import Actor
from stations.services.errors import InvalidInput
from stations.services.field_reports import HandoutLine, check_in_and_report, record_handouts
from tests.factories import make_assignment, make_item, make_shift, make_station, make_volunteer

pytestmark = pytest.mark.integration


async def test_record_handouts_writes_every_line_once_per_key(db, clock):
    shift = await make_shift()
    water, towel = await make_item("water"), await make_item("towel")
    actor = Actor.system("test")
    lines = [HandoutLine(water, 5), HandoutLine(towel, 3)]

    first = await record_handouts(shift.station, lines, by=actor, key_prefix="tg:1")
    again = await record_handouts(shift.station, lines, by=actor, key_prefix="tg:1")

    assert [c.balance_after for c in first] == [-5, -3]
    assert [c.duplicate for c in again] == [True, True]
    assert await StockMovement.filter(kind=MovementKind.HANDOUT).count() == 2


@pytest.mark.parametrize("quantities", [(5, 0), (5, 10_000_001), ()])
async def test_record_handouts_writes_nothing_when_a_line_is_bad(db, clock, quantities):
    shift = await make_shift()
    items = [await make_item("water"), await make_item("towel")]
    lines = [HandoutLine(item, q) for item, q in zip(items, quantities, strict=False)]

    with pytest.raises(InvalidInput):
        await record_handouts(shift.station, lines, by=Actor.system("test"))

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
        [HandoutLine(water, 1), HandoutLine(towel, 1)],
        [HandoutLine(towel, 1), HandoutLine(water, 1)],
    ] * 10

    done = await asyncio.gather(
        *(record_handouts(shift.station, lines, by=actor) for lines in reports)
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
