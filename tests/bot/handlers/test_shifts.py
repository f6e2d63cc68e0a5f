"""/shifts with its buttons, the answers to them (also on reminders), and /next."""

from __future__ import annotations

import pytest

from stations.enums import AssignmentStatus
from stations.models import Assignment
from tests.bot.world import make_world
from tests.factories import make_assignment, make_shift, make_station, make_volunteer, vn

pytestmark = pytest.mark.e2e


async def test_shifts_lists_upcoming_shifts_with_buttons(bot):
    world = await make_world()
    later = await make_shift(world.station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10))
    second = await make_assignment(later, world.volunteer, status=AssignmentStatus.CONFIRMED)
    an = bot.fake.user(1001)

    (answer,) = await bot.say(an, "/ca")

    assert answer.text == (
        "Ca trực của bạn\n"
        "1. ⏳ Trạm Hồng Ngự <1>, 06:00–10:00 02/02/2027 (tình nguyện viên)\n"
        "2. ✅ Trạm Hồng Ngự <1>, 06:00–10:00 03/02/2027 (tình nguyện viên)"
    )
    assert [(b["text"], b["callback_data"]) for b in answer.buttons()] == [
        ("✅ Xác nhận #1", f"asg:confirm:{world.assignment.id}"),
        ("❌ Không đến được #1", f"asg:decline:{world.assignment.id}"),
        ("❌ Không đến được #2", f"asg:decline:{second.id}"),
    ]


async def test_confirm_button_confirms_and_refreshes_the_list(bot):
    world = await make_world()
    an = bot.fake.user(1001)
    (listing,) = await bot.say(an, "/shifts")

    await an.press(listing, text="✅ Xác nhận #1")
    refreshed, thanks = await bot.fake.wait_for(chat_id=an.id, count=2)

    assert (await Assignment.get(id=world.assignment.id)).status == AssignmentStatus.CONFIRMED
    assert bot.fake.callback_answers[-1]["text"] == (
        "Cảm ơn bạn! Ca trực tại Trạm Hồng Ngự <1> đã được xác nhận."
    )
    assert refreshed.edited and refreshed.text.splitlines()[1].startswith("1. ✅")
    assert [b["text"] for b in refreshed.buttons()] == ["❌ Không đến được #1"]
    assert thanks.text == "Cảm ơn bạn! Ca trực tại Trạm Hồng Ngự <1> đã được xác nhận."


async def test_decline_button_on_a_future_shift_frees_it(webhook_bot):
    world = await make_world()
    later = await make_shift(world.station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10))
    future = await make_assignment(later, world.volunteer)
    an = webhook_bot.fake.user(1001)
    (listing,) = await webhook_bot.say(an, "/ca")

    await an.press(listing, data=f"asg:decline:{future.id}")
    _refreshed, done = await webhook_bot.fake.wait_for(chat_id=an.id, count=2)

    assert done.text == (
        "Đã rõ, bạn không tham gia ca trực tại Trạm Hồng Ngự <1>. Cảm ơn bạn đã báo trước."
    )
    assert (await Assignment.get(id=future.id)).status == AssignmentStatus.DECLINED


async def test_button_of_a_shift_that_changed_is_answered_and_removed(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    (listing,) = await webhook_bot.say(an, "/ca")
    # The shift is under way: it can no longer be declined.
    await an.press(listing, data=f"asg:decline:{world.assignment.id}")
    removed, told = await webhook_bot.fake.wait_for(chat_id=an.id, count=2)

    assert webhook_bot.fake.callback_answers[-1]["text"] == (
        "Ca trực này đã thay đổi. Gửi /ca để xem các ca trực hiện tại của bạn."
    )
    assert removed.edited and removed.reply_markup is None
    assert told.text == "Ca trực này đã thay đổi. Gửi /ca để xem các ca trực hiện tại của bạn."
    assert (await Assignment.get(id=world.assignment.id)).status == AssignmentStatus.ASSIGNED


async def test_someone_elses_assignment_button_changes_nothing(webhook_bot):
    world = await make_world()
    binh = webhook_bot.fake.user(2001)
    (listing,) = await webhook_bot.say(binh, "/ca")
    # A reminder forwarded or a crafted press: the data names An's assignment.
    forged = {"text": "OK", "callback_data": f"asg:confirm:{world.assignment.id}"}
    webhook_bot.fake.replace_buttons(listing, {"inline_keyboard": [[forged]]})

    await binh.press(listing, data=f"asg:confirm:{world.assignment.id}")
    await webhook_bot.fake.wait_for(chat_id=binh.id, count=2)

    assert (await Assignment.get(id=world.assignment.id)).status == AssignmentStatus.ASSIGNED


async def test_next_shows_the_address_and_sends_the_place(bot):
    await make_world()
    an = bot.fake.user(1001)

    text, venue = await bot.say(an, "/next", count=2)

    assert text.text == (
        "Ca trực sắp tới của bạn\nTrạm Hồng Ngự <1>\nThời gian: 06:00–10:00 02/02/2027\n"
        "Địa điểm: Quốc lộ 30, Hồng Ngự, Đồng Tháp\nVai trò: tình nguyện viên"
    )
    assert (venue.method, venue.latitude, venue.longitude, venue.title) == (
        "sendVenue",
        10.8076,
        105.3436,
        "Trạm Hồng Ngự <1>",
    )


async def test_no_shifts_is_said_plainly(webhook_bot):
    await make_volunteer(telegram_user_id=3001, telegram_chat_id=3001)
    nobody = webhook_bot.fake.user(3001)

    (shifts,) = await webhook_bot.say(nobody, "/shifts")
    (upcoming,) = await webhook_bot.say(nobody, "/next")

    assert (shifts.text, upcoming.text) == (
        "Bạn chưa có ca trực nào sắp tới.",
        "Bạn chưa có ca trực nào sắp tới.",
    )


async def test_press_delivered_twice_is_harmless(webhook_bot, caplog):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    (listing,) = await webhook_bot.say(an, "/ca")
    update_id = await an.press(listing, text="✅ Xác nhận #1")
    await webhook_bot.fake.wait_for(chat_id=an.id, count=2)

    await webhook_bot.fake.deliver_again(update_id)
    (again,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    assert again.text == "Cảm ơn bạn! Ca trực tại Trạm Hồng Ngự <1> đã được xác nhận."
    assert (await Assignment.get(id=world.assignment.id)).status == AssignmentStatus.CONFIRMED
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []


async def test_a_long_list_of_shifts_is_split_under_telegrams_limit(webhook_bot):
    volunteer = await make_volunteer(telegram_user_id=3002, telegram_chat_id=3002)
    station = await make_station(name="Trạm dừng chân nghĩa tình " + "Đồng Tháp & Long An " * 8)
    for day in range(2, 22):
        shift = await make_shift(
            station, starts_at=vn(2027, 2, day, 6), ends_at=vn(2027, 2, day, 10)
        )
        await make_assignment(shift, volunteer)
    person = webhook_bot.fake.user(3002)

    first, second = await webhook_bot.say(person, "/ca", count=2)

    assert all(len(m.text) <= 4096 for m in (first, second))
    assert (first.reply_markup, len(second.buttons())) == (None, 40)
    assert len((first.text + "\n" + second.text).splitlines()) == 21
