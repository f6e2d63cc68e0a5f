"""Shift reminders in the outbox: when, to whom, in which words, and never stale."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest

from scheduler.jobs import job_materialise_reminders
from stations.enums import AssignmentStatus, CampaignStatus, NotificationStatus
from stations.models import Notification
from stations.services.actor import Actor
from stations.services.assignments import cancel_assignment, decline_assignment
from stations.services.errors import InvalidInput
from stations.services.reminders import materialise_reminders, reminder_key
from stations.services.shifts import cancel_shift, update_shift
from stations.settings import Settings
from tests.factories import make_assignment, make_campaign, make_shift, make_station, vn
from tests.scheduler.helpers import linked_volunteer, shift_world

HORIZON = dt.timedelta(hours=6)
ADMIN = Actor.system("test")


async def _reminders() -> list[Notification]:
    return await Notification.filter(kind="reminder").order_by("due_at", "id")


async def test_materialise_writes_both_lead_times_with_buttons(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 3, 6))  # 22 hours from now
    clock.set(vn(2027, 2, 2, 5))  # 25 hours before the start

    result = await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    rows = await Notification.filter(volunteer_id=world.volunteer.id).order_by("due_at")
    assert (result.assignments, result.created) == (2, 2)
    assert [(r.dedupe_key, r.due_at, r.expires_at, r.status) for r in rows] == [
        (
            reminder_key(world.assignment.id, 24, world.shift.starts_at),
            vn(2027, 2, 2, 6),
            world.shift.starts_at,
            NotificationStatus.PENDING,
        )
    ]
    assert rows[0].reply_markup == {
        "inline_keyboard": [
            [
                {"text": "✅ Xác nhận", "callback_data": f"asg:confirm:{world.assignment.id}"},
                {
                    "text": "❌ Không đến được",
                    "callback_data": f"asg:decline:{world.assignment.id}",
                },
            ]
        ]
    }
    assert rows[0].parse_mode == "HTML"
    assert "Nhắc ca trực" in rows[0].text and world.station.name in rows[0].text


async def test_materialise_in_the_volunteers_language(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 10), language="en")

    await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    row = await Notification.get(volunteer_id=world.volunteer.id)
    assert row.text.startswith("⏰ <b>Shift reminder</b>: your shift starts in 2 hours.")
    assert [b["text"] for b in row.reply_markup["inline_keyboard"][0]] == [
        "✅ Confirm",
        "❌ Can't come",
    ]


async def test_materialise_twice_writes_each_reminder_once(db, clock):
    await shift_world(starts_at=vn(2027, 2, 2, 12))

    first = await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)
    second = await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    assert (first.created, second.created, await Notification.all().count()) == (2, 0, 2)


async def test_two_schedulers_at_once_count_only_the_reminders_they_wrote(db, clock, caplog):
    for hour in range(8, 12):
        await shift_world(starts_at=vn(2027, 2, 2, hour))
    settings = Settings(reminder_hours=(24.0, 2.0))
    caplog.set_level(logging.INFO, logger="scheduler.jobs")

    counts = await asyncio.gather(
        job_materialise_reminders(now=clock.now(), settings=settings),
        job_materialise_reminders(now=clock.now(), settings=settings),
    )

    rows = await Notification.all().count()
    logged = [int(record.args[0]) for record in caplog.records if "queued" in record.message]
    assert rows > 0
    assert (sum(counts), sum(logged)) == (rows, rows)


async def test_missed_lead_time_is_sent_late_only_when_no_later_reminder_comes(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 9))  # in 1 hour: both moments passed

    await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    row = await Notification.get(volunteer_id=world.volunteer.id)
    assert (row.dedupe_key, row.due_at) == (
        reminder_key(world.assignment.id, 2, world.shift.starts_at),
        clock.now(),
    )
    assert "bắt đầu sau 60 phút" in row.text


async def test_missed_lead_time_is_skipped_when_a_later_one_is_ahead(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 14))  # 24 h passed, 2 h at 12:00

    await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    keys = [r.dedupe_key for r in await _reminders() if r.volunteer_id == world.volunteer.id]
    assert keys == [reminder_key(world.assignment.id, 2, world.shift.starts_at)]


async def test_only_expected_reachable_linked_volunteers_on_open_campaigns(db, clock):
    start = vn(2027, 2, 2, 12)
    shift = await make_shift(starts_at=start, ends_at=start + dt.timedelta(hours=4))
    for status in (AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED):
        await make_assignment(shift, await linked_volunteer(), status=status)
    await make_assignment(shift, await linked_volunteer(reachable=False))
    from tests.factories import make_volunteer

    await make_assignment(shift, await make_volunteer())  # not on Telegram
    closed = await make_station(await make_campaign(status=CampaignStatus.CLOSED))
    closed_shift = await make_shift(closed, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    await make_assignment(closed_shift, await linked_volunteer())
    started = await make_shift(starts_at=vn(2027, 2, 2, 7), ends_at=vn(2027, 2, 2, 11))
    await make_assignment(started, await linked_volunteer())

    result = await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    assert (result.assignments, result.created) == (0, 0)


async def test_moved_shift_cancels_old_reminders_and_gets_new_ones(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    await update_shift(
        world.shift, by=ADMIN, starts_at=vn(2027, 2, 2, 13), ends_at=vn(2027, 2, 2, 17)
    )
    await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    mine = [r for r in await _reminders() if r.volunteer_id == world.volunteer.id]
    assert [(r.dedupe_key, r.status, r.due_at) for r in mine] == [
        (
            reminder_key(world.assignment.id, 2, vn(2027, 2, 2, 12)),
            NotificationStatus.CANCELLED,
            vn(2027, 2, 2, 10),
        ),
        (
            reminder_key(world.assignment.id, 2, vn(2027, 2, 2, 13)),
            NotificationStatus.PENDING,
            vn(2027, 2, 2, 11),
        ),
    ]


async def test_cancelled_shift_and_assignment_withdraw_their_reminders(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    other = await shift_world(starts_at=vn(2027, 2, 2, 12))
    await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    await cancel_assignment(world.assignment, by=ADMIN, reason="đổi người")
    await cancel_shift(other.shift, reason="mưa bão", by=ADMIN)
    again = await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    statuses = {
        r.volunteer_id: r.status for r in await _reminders() if r.volunteer_id != world.lead.id
    }
    assert again.created == 0
    assert statuses == {
        world.volunteer.id: NotificationStatus.CANCELLED,
        other.volunteer.id: NotificationStatus.CANCELLED,
        other.lead.id: NotificationStatus.CANCELLED,
    }


async def test_decline_frees_the_slot_and_tells_the_station_lead(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)
    volunteer_actor = Actor.volunteer(world.volunteer.id, world.volunteer.full_name)

    await decline_assignment(world.assignment, by=volunteer_actor, reason="con ốm")

    told = await Notification.get(kind="declined")
    reminder = await Notification.get(
        dedupe_key=reminder_key(world.assignment.id, 2, world.shift.starts_at)
    )
    assert (told.chat_id, told.volunteer_id) == (world.lead.telegram_chat_id, world.lead.id)
    assert told.text == (
        "Lê Văn Cường không đến được ca trực tại "
        f"{world.station.name}, 12:00–16:00 02/02/2027, nên chỗ của họ đã trống trở lại. "
        "Lý do: con ốm"
    )
    assert reminder.status == NotificationStatus.CANCELLED


async def test_reassigned_volunteer_gets_the_cancelled_reminder_back(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)
    await cancel_assignment(world.assignment, by=ADMIN)
    await world.assignment.refresh_from_db()
    world.assignment.status = AssignmentStatus.ASSIGNED
    await world.assignment.save()

    result = await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    row = await Notification.get(
        dedupe_key=reminder_key(world.assignment.id, 2, world.shift.starts_at)
    )
    assert (result.created, row.status, row.last_error) == (1, NotificationStatus.PENDING, "")


async def test_a_reminder_brought_back_does_not_keep_the_old_sends_hold_back(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)
    key = reminder_key(world.assignment.id, 2, world.shift.starts_at)
    # A send that failed and was held back for a retry, then the assignment cancelled.
    await Notification.filter(dedupe_key=key).update(not_before=clock.now() + dt.timedelta(hours=3))
    await cancel_assignment(world.assignment, by=ADMIN)
    await world.assignment.refresh_from_db()
    world.assignment.status = AssignmentStatus.ASSIGNED
    await world.assignment.save()

    await materialise_reminders(now=clock.now(), lead_hours=(24, 2), horizon=HORIZON)

    row = await Notification.get(dedupe_key=key)
    assert (row.status, row.not_before) == (NotificationStatus.PENDING, None)


@pytest.mark.parametrize(
    ("lead_hours", "horizon"),
    [
        ((), HORIZON),
        ((0,), HORIZON),
        ((-2,), HORIZON),
        (("two",), HORIZON),
        ((24 * 8,), HORIZON),
        ((2,), dt.timedelta(days=15)),
        ((2,), dt.timedelta(hours=-1)),
        ((2,), 6),
    ],
)
async def test_materialise_refuses_bad_lead_times_and_horizons(db, clock, lead_hours, horizon):
    with pytest.raises(InvalidInput) as caught:
        await materialise_reminders(now=clock.now(), lead_hours=lead_hours, horizon=horizon)

    assert caught.value.field in {"lead_hours", "horizon"}
    assert caught.value.translated("vi") != caught.value.message
