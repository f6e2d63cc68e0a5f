"""Every kind of message the scheduler sends, through the jobs, the dispatcher and the real
delivery code, to the fake Bot API with Telegram's limits and its strict HTML parser."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler import jobs
from stations.enums import NotificationStatus, ShiftRole
from stations.models import Notification
from stations.services.actor import Actor
from stations.services.assignments import assign_volunteer, check_in, decline_assignment
from stations.services.campaigns import close_campaign
from stations.services.inventory import record_handout, record_receipt
from stations.services.shifts import cancel_shift, update_shift
from tests.factories import make_item, make_shift, vn
from tests.scheduler.helpers import COORDINATORS, dispatcher_for, linked_volunteer, shift_world

pytestmark = pytest.mark.e2e

ADMIN = Actor.system("test")


async def test_a_day_of_messages_reaches_everyone_once_within_the_limits(
    db, clock, fake, bot, settings, vtime, routing
):
    world = await shift_world(fake, starts_at=vn(2027, 2, 2, 10), name="Trạm <Tràm> Chim")
    newcomer = await linked_volunteer(fake, language="en", full_name="Mai & Lan")
    moved = await make_shift(world.station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 9))
    cancelled = await make_shift(
        world.station, starts_at=vn(2027, 2, 4, 6), ends_at=vn(2027, 2, 4, 9)
    )
    blocked = await linked_volunteer(fake)
    fake.block(blocked.telegram_chat_id)
    water = await make_item("water")
    dispatcher = dispatcher_for(bot, settings, vtime)

    async def step(at: dt.datetime) -> None:
        clock.set(at)
        for job in (
            jobs.job_shift_follow_up,
            jobs.job_low_stock_sweep,
            jobs.job_daily_summary,
            jobs.job_unfilled_shifts,
            jobs.job_closing_reports,
        ):
            await job(now=clock.now())
        await jobs.job_materialise_reminders(now=clock.now(), settings=settings)
        await dispatcher.drain()

    # 07:30: assignments and changes; the 2-hour reminders fall due at 08:00.
    await step(vn(2027, 2, 2, 7, 30))
    await assign_volunteer(world.shift, newcomer, role=ShiftRole.VOLUNTEER, by=ADMIN)
    await assign_volunteer(moved, blocked, role=ShiftRole.VOLUNTEER, by=ADMIN)
    await assign_volunteer(cancelled, newcomer, role=ShiftRole.VOLUNTEER, by=ADMIN)
    await update_shift(moved, by=ADMIN, starts_at=vn(2027, 2, 3, 7), ends_at=vn(2027, 2, 3, 10))
    await cancel_shift(cancelled, reason="mưa <bão>", by=ADMIN)
    await step(vn(2027, 2, 2, 8))
    await decline_assignment(
        world.assignment, by=Actor.volunteer(world.volunteer.id, "v"), reason="ốm"
    )
    # 10:00 the lead checks in, the newcomer never comes; stock runs low.
    clock.set(vn(2027, 2, 2, 10))
    await check_in(world.lead_assignment, by=ADMIN)
    await record_receipt(world.station, water, 120, by=ADMIN)
    await record_handout(world.station, water, 30, by=ADMIN)
    await step(vn(2027, 2, 2, 10, 15))
    await step(vn(2027, 2, 2, 14))  # shift over: check-out reminder
    await step(vn(2027, 2, 2, 16))  # automatic check-out
    await step(vn(2027, 2, 2, 20))  # the day so far
    await step(vn(2027, 2, 3, 7))  # the whole of yesterday, unfilled shifts
    await close_campaign(world.station.campaign, by=ADMIN)
    await step(vn(2027, 2, 3, 7, 10))  # closing report

    kinds = {
        chat: [
            n.kind for n in await Notification.filter(chat_id=chat, status="sent").order_by("id")
        ]
        for chat in (
            world.lead.telegram_chat_id,
            newcomer.telegram_chat_id,
            world.volunteer.telegram_chat_id,
            COORDINATORS,
        )
    }
    assert kinds == {
        world.lead.telegram_chat_id: [
            "reminder",
            "declined",
            "low_stock",
            "no_show",
            "check_out_reminder",
            "auto_checked_out",
        ],
        newcomer.telegram_chat_id: ["assigned", "assigned", "shift_cancelled", "reminder"],
        world.volunteer.telegram_chat_id: ["reminder"],
        COORDINATORS: [
            "daily_summary",  # 07:30, the whole of yesterday (01/02)
            "unfilled_shifts",
            "volunteer_blocked",
            "low_stock",
            "no_show",
            "daily_summary",  # 20:00, the day so far
            "daily_summary",  # 07:00 the next morning, the whole of 02/02
            "unfilled_shifts",
            "closing_report",
        ],
    }
    failed = await Notification.filter(status=NotificationStatus.FAILED).values_list(
        "kind", "last_error"
    )
    # Both queued before the first refusal; nothing is queued to the volunteer after it.
    assert failed == [
        ("assigned", "Forbidden: bot was blocked by the user"),
        ("shift_moved", "Forbidden: bot was blocked by the user"),
    ]
    assert fake.count_429 == 0
    sent_rows = await Notification.filter(status=NotificationStatus.SENT).count()
    assert len(fake.sent) == sent_rows
    [reminder] = [m for m in fake.messages_to(newcomer.telegram_chat_id) if m.text.startswith("⏰")]
    assert reminder.text.startswith("⏰ Shift reminder: your shift starts in 2 hours.")
    assert reminder.button_texts() == ["✅ Confirm", "❌ Can't come"]
    assert "Trạm <Tràm> Chim" in reminder.text
