"""Shifts: one at a time, daily patterns, moves and cancellations that reach the volunteers."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Coroutine
from typing import Any

import asyncpg
import pytest

from stations.enums import (
    AssignmentStatus,
    CampaignStatus,
    Language,
    NotificationStatus,
    ShiftRole,
    ShiftStatus,
)
from stations.models import Assignment, AuditEvent, Notification, Shift, Station, Volunteer
from stations.services.actor import Actor
from stations.services.errors import (
    CapacityExceeded,
    Conflict,
    InvalidInput,
    InvalidTransition,
    ShiftOverlap,
)
from stations.services.outbox import enqueue_notification
from stations.services.shifts import (
    cancel_shift,
    create_shift,
    generate_shift_pattern,
    update_shift,
)
from tests.factories import (
    make_assignment,
    make_campaign,
    make_shift,
    make_station,
    make_volunteer,
    vn,
)

COORDINATOR = Actor.user(1, "dieuphoi@congan.dongthap.gov.vn")
NEEDS = {"lead": 1, "volunteer": 3}
FOUR_SLOTS = [
    (dt.time(6), dt.time(10)),
    (dt.time(10), dt.time(14)),
    (dt.time(14), dt.time(18)),
    (dt.time(18), dt.time(22)),
]
_chat_ids = itertools.count(5_000_001)


async def _station(**overrides) -> Station:
    """A station of the Tết 2027 campaign (30/01–11/02/2027)."""
    campaign = await make_campaign(**overrides.pop("campaign", {}))
    values = {"name": "Trạm dừng chân Hồng Ngự", "address": "Quốc lộ 30, Hồng Ngự, Đồng Tháp"}
    return await make_station(campaign, **(values | overrides))


async def _linked_volunteer(**overrides) -> Volunteer:
    chat_id = next(_chat_ids)
    return await make_volunteer(telegram_user_id=chat_id, telegram_chat_id=chat_id, **overrides)


async def _pending_reminder(assignment: Assignment) -> Notification:
    return await enqueue_notification(
        chat_id=assignment.volunteer.telegram_chat_id or 1,
        kind="reminder",
        text="Nhắc ca trực",
        dedupe_key=f"reminder:{assignment.id}:24h",
        due_at=vn(2027, 2, 2, 5),
    )


async def _snapshot() -> tuple[object, ...]:
    """Everything a shift service may write, to prove an error wrote none of it."""
    return (
        sorted(await Shift.all().values_list("id", "starts_at", "ends_at", "status", "note")),
        sorted(
            (shift_id, sorted(needs.items()))
            for shift_id, needs in await Shift.all().values_list("id", "needs")
        ),
        sorted(await Assignment.all().values_list("id", "status")),
        sorted(await Notification.all().values_list("dedupe_key", "status")),
        await AuditEvent.all().count(),
    )


async def _while_another_transaction_commits(
    db, assignment: Assignment, change: str, service: Coroutine[Any, Any, Any]
) -> asyncio.Task[Any]:
    """Run ``service`` while a second connection holds ``assignment``'s row lock, as
    ``check_in`` and ``decline_assignment`` do; once the service waits on that lock (or has
    finished without taking it), run ``change`` there and commit. Returns the service's
    finished task. PostgreSQL only: SQLite has one writer at a time."""
    other = await asyncpg.connect(db.url.replace("postgres://", "postgresql://", 1))
    try:
        async with other.transaction():
            await other.execute(
                'SELECT id FROM "assignment" WHERE id = $1 FOR NO KEY UPDATE', assignment.id
            )
            running = asyncio.create_task(service)
            async with asyncio.timeout(10):
                while not running.done() and not await other.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks"
                    " WHERE NOT granted AND $1 = ANY(pg_blocking_pids(pid)))",
                    other.get_server_pid(),
                ):
                    pass  # each query yields to the service's task
            await other.execute(change, assignment.id)
        await asyncio.wait_for(asyncio.wait([running]), 10)
    finally:
        await other.close()
    return running


_CHECK_IN = """UPDATE "assignment" SET status = 'checked_in', checked_in_at = now() WHERE id = $1"""
_DECLINE = """UPDATE "assignment" SET status = 'declined' WHERE id = $1"""


async def _kinds_of_messages() -> list[tuple[str, int]]:
    return sorted(
        await Notification.filter(kind__startswith="shift_").values_list("kind", "chat_id")
    )


# create_shift


async def test_create_shift_stores_times_needs_and_event(db):
    station = await _station()

    shift = await create_shift(
        station,
        starts_at=vn(2027, 2, 3, 6),
        ends_at=vn(2027, 2, 3, 10),
        needs={"Lead": 1, " volunteer ": 3, "medic": 0},
        note="  Mang áo phản quang ",
        by=COORDINATOR,
    )

    stored = await Shift.get(id=shift.id)
    event = await AuditEvent.get(object_type="shift", object_id=shift.id)
    assert (stored.station_id, stored.starts_at, stored.ends_at, stored.status) == (
        station.id,
        vn(2027, 2, 3, 6),
        vn(2027, 2, 3, 10),
        ShiftStatus.ACTIVE,
    )
    assert (stored.needs, stored.note) == ({"lead": 1, "volunteer": 3}, "Mang áo phản quang")
    assert (event.action, event.data["needs"]) == ("shift.created", {"lead": 1, "volunteer": 3})


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        (vn(2027, 1, 29, 0), vn(2027, 1, 29, 4)),  # the day before the first day
        (vn(2027, 2, 12, 20), vn(2027, 2, 13, 0)),  # the day after the last day
    ],
)
async def test_create_shift_allows_a_day_either_side_of_the_campaign(db, starts_at, ends_at):
    station = await _station()

    shift = await create_shift(
        station, starts_at=starts_at, ends_at=ends_at, needs=NEEDS, by=COORDINATOR
    )

    assert shift.starts_at == starts_at


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("starts_at", dt.datetime(2027, 2, 3, 6, 0)),
        ("starts_at", "2027-02-03T06:00:00+07:00"),
        ("starts_at", dt.date(2027, 2, 3)),
        ("starts_at", None),
        ("ends_at", dt.datetime(2027, 2, 3, 10, 0)),
        ("ends_at", vn(2027, 2, 3, 6)),
        ("ends_at", vn(2027, 2, 3, 5)),
        ("ends_at", vn(2027, 2, 4, 6, 1)),
        ("needs", {}),
        ("needs", {"lead": 0}),
        ("needs", {"cook": 1}),
        ("needs", {"lead": -1}),
        ("needs", {"lead": 101}),
        ("needs", {"lead": True}),
        ("needs", {"lead": "2"}),
        ("needs", {"lead": 1.0}),
        ("needs", {"lead": 1, "LEAD": 1}),
        ("needs", [("lead", 1)]),
        ("needs", None),
        ("note", "N" * 301),
        ("note", None),
    ],
)
async def test_create_shift_rejects_bad_input(db, field, value):
    station = await _station()
    before = await _snapshot()
    arguments = {
        "starts_at": vn(2027, 2, 3, 6),
        "ends_at": vn(2027, 2, 3, 10),
        "needs": NEEDS,
        field: value,
    }

    with pytest.raises(InvalidInput) as caught:
        await create_shift(station, **arguments, by=COORDINATOR)

    assert caught.value.field == field
    assert await _snapshot() == before


async def test_create_shift_before_the_campaign_is_refused(db):
    station = await _station()

    with pytest.raises(InvalidInput) as caught:
        await create_shift(
            station,
            starts_at=vn(2027, 1, 28, 22),
            ends_at=vn(2027, 1, 29, 2),
            needs=NEEDS,
            by=COORDINATOR,
        )

    assert caught.value.field == "starts_at"
    assert await Shift.all().count() == 0


async def test_create_shift_after_the_campaign_names_its_dates(db):
    station = await _station()

    with pytest.raises(InvalidInput) as caught:
        await create_shift(
            station,
            starts_at=vn(2027, 2, 13, 6),
            ends_at=vn(2027, 2, 13, 10),
            needs=NEEDS,
            by=COORDINATOR,
        )

    assert caught.value.field == "ends_at"
    assert caught.value.params == {"starts_on": "30/01/2027", "ends_on": "11/02/2027"}


async def test_create_shift_in_closed_campaign_is_refused(db):
    station = await _station(campaign={"status": CampaignStatus.CLOSED})

    with pytest.raises(Conflict) as caught:
        await create_shift(
            station,
            starts_at=vn(2027, 2, 3, 6),
            ends_at=vn(2027, 2, 3, 10),
            needs=NEEDS,
            by=COORDINATOR,
        )

    assert caught.value.field == "campaign"
    assert await Shift.all().count() == 0


async def test_create_shift_at_inactive_station_is_refused(db):
    station = await _station(is_active=False)

    with pytest.raises(Conflict) as caught:
        await create_shift(
            station,
            starts_at=vn(2027, 2, 3, 6),
            ends_at=vn(2027, 2, 3, 10),
            needs=NEEDS,
            by=COORDINATOR,
        )

    assert caught.value.field == "station"
    assert await Shift.all().count() == 0


async def test_create_shift_twice_at_the_same_times_is_a_conflict(db):
    station = await _station()
    await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10))

    with pytest.raises(Conflict) as caught:
        await create_shift(
            station,
            starts_at=vn(2027, 2, 3, 6),
            ends_at=vn(2027, 2, 3, 10),
            needs=NEEDS,
            by=COORDINATOR,
        )

    assert (caught.value.field, caught.value.params["window"]) == (
        "starts_at",
        "06:00–10:00 03/02/2027",
    )
    assert await Shift.all().count() == 1


async def test_create_shift_again_where_one_was_cancelled(db):
    station = await _station()
    await make_shift(
        station,
        starts_at=vn(2027, 2, 3, 6),
        ends_at=vn(2027, 2, 3, 10),
        status=ShiftStatus.CANCELLED,
    )

    await create_shift(
        station,
        starts_at=vn(2027, 2, 3, 6),
        ends_at=vn(2027, 2, 3, 10),
        needs=NEEDS,
        by=COORDINATOR,
    )

    assert await Shift.filter(status=ShiftStatus.ACTIVE).count() == 1


async def test_create_shift_at_unsaved_station_is_invalid(db):
    with pytest.raises(InvalidInput) as caught:
        await create_shift(
            Station(code="X", name="Chưa lưu"),
            starts_at=vn(2027, 2, 3, 6),
            ends_at=vn(2027, 2, 3, 10),
            needs=NEEDS,
            by=COORDINATOR,
        )

    assert caught.value.field == "station"


# generate_shift_pattern


async def test_generate_shift_pattern_over_the_tet_window(db):
    station = await _station()

    created = await generate_shift_pattern(
        station,
        start_date=dt.date(2027, 1, 30),
        end_date=dt.date(2027, 2, 11),
        slots=FOUR_SLOTS,
        needs=NEEDS,
        by=COORDINATOR,
    )

    stored = await Shift.filter(station_id=station.id).order_by("starts_at")
    event = await AuditEvent.get(action="shift.pattern_generated")
    assert (len(created), len(stored)) == (52, 52)
    assert [shift.id for shift in created] == [shift.id for shift in stored]
    assert (stored[0].starts_at, stored[0].ends_at) == (vn(2027, 1, 30, 6), vn(2027, 1, 30, 10))
    assert (stored[-1].starts_at, stored[-1].ends_at) == (vn(2027, 2, 11, 18), vn(2027, 2, 11, 22))
    assert {tuple(sorted(shift.needs.items())) for shift in stored} == {
        (("lead", 1), ("volunteer", 3))
    }
    assert (event.object_id, event.data["created"], event.data["skipped"]) == (station.id, 52, 0)


async def test_generate_shift_pattern_slot_crossing_midnight_ends_next_day(db):
    station = await _station()

    created = await generate_shift_pattern(
        station,
        start_date=dt.date(2027, 2, 1),
        end_date=dt.date(2027, 2, 3),
        # given out of order on purpose: the night slot runs 22:00 → 06:00 next day
        slots=[(dt.time(22), dt.time(6)), (dt.time(6), dt.time(14)), (dt.time(14), dt.time(22))],
        needs={"volunteer": 2},
        by=COORDINATOR,
    )

    assert [(shift.starts_at, shift.ends_at) for shift in created] == [
        (vn(2027, 2, day, start), vn(2027, 2, day + (end <= start), end))
        for day in (1, 2, 3)
        for start, end in ((6, 14), (14, 22), (22, 6))
    ]


async def test_generate_shift_pattern_again_creates_nothing_new(db):
    station = await _station()
    arguments = {
        "start_date": dt.date(2027, 1, 30),
        "end_date": dt.date(2027, 2, 11),
        "slots": FOUR_SLOTS,
        "needs": NEEDS,
    }
    await generate_shift_pattern(station, **arguments, by=COORDINATOR)

    created = await generate_shift_pattern(station, **arguments, by=COORDINATOR)

    assert created == []
    assert await Shift.all().count() == 52
    assert await AuditEvent.all().count() == 1


async def test_generate_shift_pattern_skips_existing_slots_even_cancelled_ones(db):
    station = await _station()
    await make_shift(station, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10))
    await make_shift(
        station,
        starts_at=vn(2027, 2, 3, 10),
        ends_at=vn(2027, 2, 3, 14),
        status=ShiftStatus.CANCELLED,
    )
    # a different window at the same start is another shift, not a copy
    await make_shift(station, starts_at=vn(2027, 2, 2, 10), ends_at=vn(2027, 2, 2, 12))

    created = await generate_shift_pattern(
        station,
        start_date=dt.date(2027, 2, 2),
        end_date=dt.date(2027, 2, 4),
        slots=FOUR_SLOTS,
        needs=NEEDS,
        by=COORDINATOR,
    )

    assert len(created) == 10
    assert await Shift.filter(station_id=station.id).count() == 13
    assert (await AuditEvent.get(action="shift.pattern_generated")).data["skipped"] == 2


async def test_generate_shift_pattern_at_its_limits(db):
    station = await _station(
        campaign={"starts_on": dt.date(2027, 1, 1), "ends_on": dt.date(2027, 3, 31)}
    )
    twelve_slots = [(dt.time(hour), dt.time((hour + 2) % 24)) for hour in range(0, 24, 2)]

    created = await generate_shift_pattern(
        station,
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 3, 3),
        slots=twelve_slots,
        needs=NEEDS,
        by=COORDINATOR,
    )

    assert (len(created), await Shift.all().count()) == (62 * 12, 62 * 12)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start_date", dt.datetime(2027, 2, 1, 0, 0)),
        ("start_date", "2027-02-01"),
        ("start_date", None),
        ("start_date", dt.date(2027, 1, 28)),
        ("end_date", dt.date(2027, 1, 31)),
        ("end_date", dt.date(2027, 2, 13)),
        ("end_date", "03/02/2027"),
        ("slots", []),
        ("slots", None),
        ("slots", "06:00-10:00"),
        ("slots", [(dt.time(6), dt.time(10), dt.time(12))]),
        ("slots", [("06:00", "10:00")]),
        ("slots", [(dt.time(6), dt.time(10)), (dt.time(9), dt.time(12))]),
        ("slots", [(dt.time(6), dt.time(10)), (dt.time(6), dt.time(10))]),
        ("slots", [(dt.time(22), dt.time(6)), (dt.time(5), dt.time(8))]),
        ("slots", [(dt.time(6), dt.time(6)), (dt.time(8), dt.time(9))]),
        ("slots", [(dt.time(hour), dt.time(hour, 30)) for hour in range(13)]),
        ("needs", {"lead": 0, "volunteer": 0}),
        ("needs", {"driver": 2}),
    ],
)
async def test_generate_shift_pattern_rejects_bad_input(db, field, value):
    station = await _station()
    arguments = {
        "start_date": dt.date(2027, 2, 1),
        "end_date": dt.date(2027, 2, 3),
        "slots": FOUR_SLOTS,
        "needs": NEEDS,
        field: value,
    }

    with pytest.raises(InvalidInput) as caught:
        await generate_shift_pattern(station, **arguments, by=COORDINATOR)

    assert caught.value.field == field
    assert await _snapshot() == ([], [], [], [], 0)


async def test_generate_shift_pattern_over_62_days_is_refused(db):
    station = await _station(
        campaign={"starts_on": dt.date(2027, 1, 1), "ends_on": dt.date(2027, 3, 31)}
    )

    with pytest.raises(InvalidInput) as caught:
        await generate_shift_pattern(
            station,
            start_date=dt.date(2027, 1, 1),
            end_date=dt.date(2027, 3, 4),
            slots=FOUR_SLOTS,
            needs=NEEDS,
            by=COORDINATOR,
        )

    assert (caught.value.field, caught.value.params["max"]) == ("end_date", 62)
    assert await Shift.all().count() == 0


async def test_generate_shift_pattern_whose_night_slot_leaves_the_window_is_refused(db):
    station = await _station()

    with pytest.raises(InvalidInput) as caught:
        await generate_shift_pattern(
            station,
            start_date=dt.date(2027, 2, 10),
            end_date=dt.date(2027, 2, 12),
            slots=[(dt.time(22), dt.time(6))],
            needs=NEEDS,
            by=COORDINATOR,
        )

    assert caught.value.field == "end_date"
    assert await Shift.all().count() == 0


async def test_generate_shift_pattern_in_closed_campaign_is_refused(db):
    station = await _station(campaign={"status": CampaignStatus.CLOSED})

    with pytest.raises(Conflict) as caught:
        await generate_shift_pattern(
            station,
            start_date=dt.date(2027, 2, 1),
            end_date=dt.date(2027, 2, 3),
            slots=FOUR_SLOTS,
            needs=NEEDS,
            by=COORDINATOR,
        )

    assert caught.value.field == "campaign"
    assert await Shift.all().count() == 0


# update_shift


async def _crew(shift: Shift) -> dict[str, Assignment]:
    """Four people on ``shift``: linked and assigned, linked and confirmed (English),
    not linked to Telegram, and linked but declined."""
    crew = {
        "linked": await make_assignment(shift, await _linked_volunteer()),
        "english": await make_assignment(
            shift,
            await _linked_volunteer(language=Language.EN),
            status=AssignmentStatus.CONFIRMED,
            role=ShiftRole.LEAD,
        ),
        "unlinked": await make_assignment(shift, await make_volunteer()),
        "declined": await make_assignment(
            shift, await _linked_volunteer(), status=AssignmentStatus.DECLINED
        ),
    }
    for assignment in crew.values():
        await assignment.fetch_related("volunteer")
    return crew


async def _reminder_statuses(crew: dict[str, Assignment]) -> dict[str, NotificationStatus]:
    return {
        name: (await Notification.get(dedupe_key=f"reminder:{assignment.id}:24h")).status
        for name, assignment in crew.items()
    }


async def test_update_shift_moving_it_tells_linked_volunteers_and_cancels_their_reminders(db):
    station = await _station()
    shift = await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10))
    crew = await _crew(shift)
    other = await make_assignment(await make_shift(station), await _linked_volunteer())
    for assignment in [*crew.values(), other]:
        await assignment.fetch_related("volunteer")
        await _pending_reminder(assignment)

    await update_shift(
        shift, starts_at=vn(2027, 2, 3, 14), ends_at=vn(2027, 2, 3, 18), by=COORDINATOR
    )

    moved = {n.dedupe_key: n for n in await Notification.filter(kind="shift_moved").order_by("id")}
    new_window = "2027-02-03T07:00:00+00:00:2027-02-03T11:00:00+00:00"
    assert sorted(moved) == sorted(
        f"shift-moved:{shift.id}:{crew[name].id}:{new_window}" for name in ("linked", "english")
    )
    linked_message = moved[f"shift-moved:{shift.id}:{crew['linked'].id}:{new_window}"]
    english_message = moved[f"shift-moved:{shift.id}:{crew['english'].id}:{new_window}"]
    assert linked_message.text == (
        "Ca trực của bạn tại Trạm dừng chân Hồng Ngự đã đổi sang 14:00–18:00 03/02/2027 "
        "(trước đây là 06:00–10:00 03/02/2027). Địa chỉ: Quốc lộ 30, Hồng Ngự, Đồng Tháp."
    )
    assert english_message.text == (
        "Your shift at Trạm dừng chân Hồng Ngự has moved to 14:00–18:00 03/02/2027 "
        "(it was 06:00–10:00 03/02/2027). Address: Quốc lộ 30, Hồng Ngự, Đồng Tháp."
    )
    assert linked_message.chat_id == crew["linked"].volunteer.telegram_chat_id
    assert await _reminder_statuses(crew) == {
        "linked": NotificationStatus.CANCELLED,
        "english": NotificationStatus.CANCELLED,
        "unlinked": NotificationStatus.CANCELLED,
        "declined": NotificationStatus.PENDING,
    }
    other_reminder = await Notification.get(dedupe_key=f"reminder:{other.id}:24h")
    assert other_reminder.status == NotificationStatus.PENDING


async def test_update_shift_changing_only_its_end_twice_sends_two_notices(db):
    shift = await make_shift(
        await _station(), starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10)
    )
    await make_assignment(shift, await _linked_volunteer())

    await update_shift(shift, ends_at=vn(2027, 2, 3, 11), by=COORDINATOR)
    await update_shift(shift, ends_at=vn(2027, 2, 3, 12), by=COORDINATOR)

    texts = (
        await Notification.filter(kind="shift_moved").order_by("id").values_list("text", flat=True)
    )
    assert texts == [
        "Ca trực của bạn tại Trạm dừng chân Hồng Ngự đã đổi sang 06:00–11:00 03/02/2027 "
        "(trước đây là 06:00–10:00 03/02/2027). Địa chỉ: Quốc lộ 30, Hồng Ngự, Đồng Tháp.",
        "Ca trực của bạn tại Trạm dừng chân Hồng Ngự đã đổi sang 06:00–12:00 03/02/2027 "
        "(trước đây là 06:00–11:00 03/02/2027). Địa chỉ: Quốc lộ 30, Hồng Ngự, Đồng Tháp.",
    ]


async def test_update_shift_moving_it_stores_the_new_times_and_event(db):
    shift = await make_shift(await _station())

    await update_shift(shift, ends_at=vn(2027, 2, 2, 11), by=COORDINATOR)

    stored = await Shift.get(id=shift.id)
    event = await AuditEvent.get(action="shift.updated")
    assert (stored.starts_at, stored.ends_at) == (vn(2027, 2, 2, 6), vn(2027, 2, 2, 11))
    assert shift.ends_at == vn(2027, 2, 2, 11)
    assert event.data["ends_at"] == ["2027-02-02T03:00:00+00:00", "2027-02-02T04:00:00+00:00"]


async def test_update_shift_note_and_needs_only_tells_nobody(db):
    shift = await make_shift(await _station())
    await _crew(shift)

    await update_shift(shift, needs={"lead": 2, "volunteer": 5}, note="Thêm người", by=COORDINATOR)

    stored = await Shift.get(id=shift.id)
    assert (stored.needs, stored.note) == ({"lead": 2, "volunteer": 5}, "Thêm người")
    assert await Notification.all().count() == 0


async def test_update_shift_without_real_change_writes_nothing(db):
    shift = await make_shift(await _station(), needs={"lead": 1, "volunteer": 3})

    await update_shift(
        shift,
        starts_at=shift.starts_at,
        needs={"volunteer": 3, "lead": 1, "medic": 0},
        by=COORDINATOR,
    )

    assert await AuditEvent.all().count() == 0


@pytest.mark.parametrize(
    ("needs", "role", "assigned"),
    [
        ({"lead": 1, "volunteer": 1}, "volunteer", 2),
        ({"volunteer": 4}, "lead", 1),
    ],
)
async def test_update_shift_needs_below_assigned_is_capacity_exceeded(db, needs, role, assigned):
    shift = await make_shift(await _station(), needs={"lead": 1, "volunteer": 3})
    await _crew(shift)  # one lead, two volunteers still on the shift, one declined
    before = await _snapshot()

    with pytest.raises(CapacityExceeded) as caught:
        await update_shift(shift, needs=needs, by=COORDINATOR)

    assert (caught.value.field, caught.value.params) == (
        "needs",
        {"role": role, "assigned": assigned},
    )
    assert await _snapshot() == before


async def test_update_shift_start_cannot_move_once_someone_checked_in(db, clock):
    shift = await make_shift(await _station())
    await make_assignment(shift, await _linked_volunteer(), status=AssignmentStatus.CHECKED_IN)
    before = await _snapshot()

    with pytest.raises(Conflict) as caught:
        await update_shift(shift, starts_at=vn(2027, 2, 2, 7), by=COORDINATOR)

    assert caught.value.field == "starts_at"
    assert await _snapshot() == before


async def test_update_shift_end_can_move_while_people_are_checked_in(db, clock):
    shift = await make_shift(await _station())
    checked_in = await make_assignment(
        shift, await _linked_volunteer(), status=AssignmentStatus.CHECKED_IN
    )

    await update_shift(shift, ends_at=vn(2027, 2, 2, 12), by=COORDINATOR)

    assert (await Shift.get(id=shift.id)).ends_at == vn(2027, 2, 2, 12)
    assert await _kinds_of_messages() == [
        ("shift_moved", (await checked_in.volunteer).telegram_chat_id)
    ]


async def test_update_shift_onto_the_times_of_another_is_a_conflict(db):
    station = await _station()
    await make_shift(station, starts_at=vn(2027, 2, 2, 10), ends_at=vn(2027, 2, 2, 14))
    shift = await make_shift(station, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10))
    before = await _snapshot()

    with pytest.raises(Conflict) as caught:
        await update_shift(
            shift, starts_at=vn(2027, 2, 2, 10), ends_at=vn(2027, 2, 2, 14), by=COORDINATOR
        )

    assert caught.value.field == "starts_at"
    assert await _snapshot() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("starts_at", dt.datetime(2027, 2, 2, 7, 0)),
        ("starts_at", "07:00"),
        ("starts_at", vn(2027, 2, 2, 10)),
        ("starts_at", vn(2027, 1, 28, 6)),
        ("ends_at", vn(2027, 2, 2, 5)),
        ("ends_at", vn(2027, 2, 3, 7)),
        ("ends_at", vn(2027, 2, 13, 0, 1)),
        ("needs", {}),
        ("needs", {"lead": "một"}),
        ("note", "N" * 301),
        ("note", 42),
    ],
)
async def test_update_shift_rejects_bad_input(db, field, value):
    shift = await make_shift(await _station())
    await _crew(shift)
    before = await _snapshot()

    with pytest.raises(InvalidInput) as caught:
        await update_shift(shift, by=COORDINATOR, **{field: value})

    assert caught.value.field == field
    assert await _snapshot() == before


async def test_update_cancelled_shift_is_an_invalid_transition(db):
    shift = await make_shift(await _station(), status=ShiftStatus.CANCELLED)

    with pytest.raises(InvalidTransition) as caught:
        await update_shift(shift, note="Đổi", by=COORDINATOR)

    assert caught.value.field == "status"


async def test_update_shift_in_closed_campaign_is_refused(db):
    shift = await make_shift(await _station(campaign={"status": CampaignStatus.CLOSED}))

    with pytest.raises(Conflict) as caught:
        await update_shift(shift, note="Đổi", by=COORDINATOR)

    assert caught.value.field == "campaign"
    assert (await Shift.get(id=shift.id)).note == ""


async def test_update_shift_start_racing_a_check_in_is_a_conflict(db, clock):
    if not db.is_postgres:
        pytest.skip("a race between two connections needs PostgreSQL; SQLite has one writer")
    shift = await make_shift(await _station())
    assignment = await make_assignment(
        shift, await _linked_volunteer(), status=AssignmentStatus.CONFIRMED
    )

    moving = await _while_another_transaction_commits(
        db, assignment, _CHECK_IN, update_shift(shift, starts_at=vn(2027, 2, 2, 7), by=COORDINATOR)
    )

    with pytest.raises(Conflict) as caught:
        moving.result()
    assert caught.value.field == "starts_at"
    assert (await Shift.get(id=shift.id)).starts_at == vn(2027, 2, 2, 6)
    assert await Notification.all().count() == 0


async def _two_shifts_of(volunteer: Volunteer) -> tuple[Shift, Shift]:
    """``volunteer`` on 06:00–10:00 at one station and 10:00–14:00 at another, 03/02/2027."""
    morning = await make_shift(
        await _station(name="Trạm dừng chân Cao Lãnh"),
        starts_at=vn(2027, 2, 3, 6),
        ends_at=vn(2027, 2, 3, 10),
    )
    noon = await make_shift(
        await _station(), starts_at=vn(2027, 2, 3, 10), ends_at=vn(2027, 2, 3, 14)
    )
    for shift in (morning, noon):
        await make_assignment(shift, volunteer)
    return morning, noon


async def test_update_shift_moving_its_start_onto_a_volunteers_other_shift_is_refused(db):
    volunteer = await _linked_volunteer(full_name="Trần Thị Bích")
    _morning, noon = await _two_shifts_of(volunteer)
    before = await _snapshot()

    with pytest.raises(ShiftOverlap) as caught:
        await update_shift(noon, starts_at=vn(2027, 2, 3, 8), by=COORDINATOR)

    assert (caught.value.field, caught.value.params) == (
        "starts_at",
        {
            "name": "Trần Thị Bích",
            "station": "Trạm dừng chân Cao Lãnh",
            "window": "06:00–10:00 03/02/2027",
        },
    )
    assert await _snapshot() == before


async def test_update_shift_moving_its_end_onto_a_volunteers_other_shift_is_refused(db):
    volunteer = await _linked_volunteer()
    morning, _noon = await _two_shifts_of(volunteer)
    before = await _snapshot()

    with pytest.raises(ShiftOverlap) as caught:
        await update_shift(morning, ends_at=vn(2027, 2, 3, 11), by=COORDINATOR)

    assert (caught.value.field, caught.value.params["station"]) == (
        "ends_at",
        "Trạm dừng chân Hồng Ngự",
    )
    assert await _snapshot() == before


async def test_update_shift_moving_it_whole_names_the_start_in_an_overlap(db):
    morning, _noon = await _two_shifts_of(await make_volunteer())

    with pytest.raises(ShiftOverlap) as caught:
        await update_shift(
            morning, starts_at=vn(2027, 2, 3, 7), ends_at=vn(2027, 2, 3, 12), by=COORDINATOR
        )

    assert caught.value.field == "starts_at"


async def test_update_shift_moving_it_to_touch_a_volunteers_other_shift_is_allowed(db):
    volunteer = await make_volunteer()
    morning = await make_shift(
        await _station(), starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10)
    )
    afternoon = await make_shift(
        await _station(), starts_at=vn(2027, 2, 3, 14), ends_at=vn(2027, 2, 3, 18)
    )
    for shift in (morning, afternoon):
        await make_assignment(shift, volunteer)

    await update_shift(afternoon, starts_at=vn(2027, 2, 3, 10), by=COORDINATOR)

    assert (await Shift.get(id=afternoon.id)).starts_at == vn(2027, 2, 3, 10)


@pytest.mark.parametrize(
    "gone",
    ["declined_there", "declined_here", "other_shift_cancelled"],
)
async def test_update_shift_overlap_ignores_inactive_assignments_and_shifts(db, gone):
    volunteer = await make_volunteer()
    morning, noon = await _two_shifts_of(volunteer)
    if gone == "other_shift_cancelled":
        await Shift.filter(id=morning.id).update(status=ShiftStatus.CANCELLED)
    else:
        on = morning if gone == "declined_there" else noon
        await Assignment.filter(shift_id=on.id).update(status=AssignmentStatus.DECLINED)

    await update_shift(noon, starts_at=vn(2027, 2, 3, 8), by=COORDINATOR)

    assert (await Shift.get(id=noon.id)).starts_at == vn(2027, 2, 3, 8)


async def test_update_shift_needs_or_note_ignore_an_existing_overlap(db):
    volunteer = await make_volunteer()
    morning = await make_shift(
        await _station(), starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10)
    )
    overlapping = await make_shift(
        await _station(), starts_at=vn(2027, 2, 3, 8), ends_at=vn(2027, 2, 3, 12)
    )
    for shift in (morning, overlapping):
        await make_assignment(shift, volunteer)

    await update_shift(morning, note="Mang áo mưa", by=COORDINATOR)

    assert (await Shift.get(id=morning.id)).note == "Mang áo mưa"


# cancel_shift


async def test_cancel_shift_cancels_assignments_and_tells_linked_volunteers(db):
    shift = await make_shift(
        await _station(), starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10)
    )
    crew = await _crew(shift)
    for assignment in crew.values():
        await _pending_reminder(assignment)

    await cancel_shift(shift, reason="  Mưa bão, tạm dừng trạm ", by=COORDINATOR)

    statuses = dict(await Assignment.all().values_list("id", "status"))
    messages = {n.dedupe_key: n for n in await Notification.filter(kind="shift_cancelled")}
    event = await AuditEvent.get(action="shift.cancelled")
    assert ((await Shift.get(id=shift.id)).status, shift.status) == (
        ShiftStatus.CANCELLED,
        ShiftStatus.CANCELLED,
    )
    assert {name: statuses[a.id] for name, a in crew.items()} == {
        "linked": AssignmentStatus.CANCELLED,
        "english": AssignmentStatus.CANCELLED,
        "unlinked": AssignmentStatus.CANCELLED,
        "declined": AssignmentStatus.DECLINED,
    }
    assert sorted(messages) == sorted(
        f"shift-cancelled:{shift.id}:{crew[name].id}" for name in ("linked", "english")
    )
    assert messages[f"shift-cancelled:{shift.id}:{crew['linked'].id}"].text == (
        "Ca trực của bạn tại Trạm dừng chân Hồng Ngự, 06:00–10:00 03/02/2027, đã được hủy. "
        "Lý do: Mưa bão, tạm dừng trạm. Địa chỉ: Quốc lộ 30, Hồng Ngự, Đồng Tháp."
    )
    assert await _reminder_statuses(crew) == {
        "linked": NotificationStatus.CANCELLED,
        "english": NotificationStatus.CANCELLED,
        "unlinked": NotificationStatus.CANCELLED,
        "declined": NotificationStatus.PENDING,
    }
    assert event.data == {
        "reason": "Mưa bão, tạm dừng trạm",
        "cancelled_assignment_ids": sorted(
            crew[name].id for name in ("linked", "english", "unlinked")
        ),
    }


async def test_cancel_shift_of_station_without_address_leaves_address_out(db):
    shift = await make_shift(await _station(address=""))
    assignment = await make_assignment(shift, await _linked_volunteer(language=Language.EN))

    await cancel_shift(shift, reason="Not enough people", by=COORDINATOR)

    message = await Notification.get(dedupe_key=f"shift-cancelled:{shift.id}:{assignment.id}")
    assert message.text == (
        "Your shift at Trạm dừng chân Hồng Ngự, 06:00–10:00 02/02/2027, is cancelled: "
        "Not enough people."
    )


@pytest.mark.parametrize("status", [AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT])
async def test_cancel_shift_someone_checked_in_to_is_a_conflict(db, status):
    shift = await make_shift(await _station())
    crew = await _crew(shift)
    for assignment in crew.values():
        await _pending_reminder(assignment)
    await make_assignment(shift, await _linked_volunteer(), status=status)
    before = await _snapshot()

    with pytest.raises(Conflict) as caught:
        await cancel_shift(shift, reason="Mưa bão", by=COORDINATOR)

    assert caught.value.field == "shift"
    assert await _snapshot() == before


async def test_cancel_shift_twice_is_an_invalid_transition(db):
    shift = await make_shift(await _station())
    await cancel_shift(shift, reason="Mưa bão", by=COORDINATOR)

    with pytest.raises(InvalidTransition) as caught:
        await cancel_shift(shift, reason="Mưa bão", by=COORDINATOR)

    assert caught.value.field == "status"
    assert await AuditEvent.all().count() == 1


@pytest.mark.parametrize("reason", ["", "   ", "L" * 301, None, 5])
async def test_cancel_shift_needs_a_reason(db, reason):
    shift = await make_shift(await _station())
    await _crew(shift)
    before = await _snapshot()

    with pytest.raises(InvalidInput) as caught:
        await cancel_shift(shift, reason=reason, by=COORDINATOR)

    assert caught.value.field == "reason"
    assert await _snapshot() == before


async def test_cancel_shift_in_closed_campaign_is_refused(db):
    shift = await make_shift(await _station(campaign={"status": CampaignStatus.CLOSED}))

    with pytest.raises(Conflict) as caught:
        await cancel_shift(shift, reason="Mưa bão", by=COORDINATOR)

    assert caught.value.field == "campaign"
    assert (await Shift.get(id=shift.id)).status == ShiftStatus.ACTIVE


async def test_cancel_shift_racing_a_check_in_keeps_the_check_in(db, clock):
    if not db.is_postgres:
        pytest.skip("a race between two connections needs PostgreSQL; SQLite has one writer")
    shift = await make_shift(await _station())
    assignment = await make_assignment(
        shift, await _linked_volunteer(), status=AssignmentStatus.CONFIRMED
    )

    cancelling = await _while_another_transaction_commits(
        db, assignment, _CHECK_IN, cancel_shift(shift, reason="Mưa bão", by=COORDINATOR)
    )

    with pytest.raises(Conflict) as caught:
        cancelling.result()
    assert caught.value.field == "shift"
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.CHECKED_IN
    assert (await Shift.get(id=shift.id)).status == ShiftStatus.ACTIVE
    assert (await Notification.all().count(), await AuditEvent.all().count()) == (0, 0)


async def test_cancel_shift_racing_a_late_check_in_of_a_no_show_keeps_the_check_in(db, clock):
    if not db.is_postgres:
        pytest.skip("a race between two connections needs PostgreSQL; SQLite has one writer")
    shift = await make_shift(await _station())
    late = await make_assignment(shift, await _linked_volunteer(), status=AssignmentStatus.NO_SHOW)

    cancelling = await _while_another_transaction_commits(
        db, late, _CHECK_IN, cancel_shift(shift, reason="Mưa bão", by=COORDINATOR)
    )

    with pytest.raises(Conflict):
        cancelling.result()
    assert (await Shift.get(id=shift.id)).status == ShiftStatus.ACTIVE


async def test_cancel_shift_racing_a_decline_leaves_the_decline(db, clock):
    if not db.is_postgres:
        pytest.skip("a race between two connections needs PostgreSQL; SQLite has one writer")
    shift = await make_shift(await _station())
    declining = await make_assignment(shift, await _linked_volunteer())
    staying = await make_assignment(
        shift, await _linked_volunteer(), status=AssignmentStatus.CONFIRMED
    )

    cancelling = await _while_another_transaction_commits(
        db, declining, _DECLINE, cancel_shift(shift, reason="Mưa bão", by=COORDINATOR)
    )

    cancelling.result()
    statuses = dict(await Assignment.all().values_list("id", "status"))
    event = await AuditEvent.get(action="shift.cancelled")
    assert statuses == {
        declining.id: AssignmentStatus.DECLINED,
        staying.id: AssignmentStatus.CANCELLED,
    }
    assert event.data["cancelled_assignment_ids"] == [staying.id]
    assert await Notification.filter(kind="shift_cancelled").values_list(
        "dedupe_key", flat=True
    ) == [f"shift-cancelled:{shift.id}:{staying.id}"]
