"""Check-in with and without a location, inside and outside the radius; check-out."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.handlers.nearby import NEARBY_COUNT
from stations import clock as clock_module
from stations.enums import AssignmentStatus
from stations.models import Assignment, Notification
from stations.services.queries.public_stations import public_stations
from tests.bot.world import FAR_LAT, FAR_LON, STATION_LAT, STATION_LON, make_world
from tests.factories import make_assignment, make_volunteer

pytestmark = pytest.mark.e2e


async def test_check_in_inside_the_radius_is_verified(bot):
    world = await make_world()
    an = bot.fake.user(1001)

    (ask,) = await bot.say(an, "/checkin")
    await an.send_location(STATION_LAT + 0.0005, STATION_LON)
    (done,) = await bot.fake.wait_for(chat_id=an.id)

    assert ask.reply_markup["keyboard"][0][0] == {
        "text": "📍 Gửi vị trí của tôi",
        "request_location": True,
    }
    assert done.text == (
        "✅ Đã điểm danh tại Trạm Hồng Ngự <1>, cách trạm 56 m. Chúc bạn trực ca thuận lợi!"
    )
    assert done.reply_markup == {"remove_keyboard": True}
    checked = await Assignment.get(id=world.assignment.id)
    assert (checked.status, checked.checkin_verified, checked.checkin_distance_m) == (
        AssignmentStatus.CHECKED_IN,
        True,
        56,
    )
    assert await Notification.filter(kind="checkin_unverified").count() == 0


async def test_check_in_outside_the_radius_is_unverified_and_the_lead_is_told(bot):
    world = await make_world()
    an = bot.fake.user(1001)
    await bot.say(an, "/checkin")

    await an.send_location(FAR_LAT, FAR_LON)
    (done,) = await bot.fake.wait_for(chat_id=an.id)

    assert done.text == (
        "Đã điểm danh tại Trạm Hồng Ngự <1>, nhưng bạn đang cách trạm 1.112 m, ngoài bán kính "
        "điểm danh 300 m. Trưởng trạm đã được báo."
    )
    checked = await Assignment.get(id=world.assignment.id)
    assert (checked.status, checked.checkin_verified) == (AssignmentStatus.CHECKED_IN, False)
    told = await Notification.get(kind="checkin_unverified")
    assert (told.chat_id, told.volunteer_id, told.dedupe_key) == (
        2001,
        world.lead.id,
        f"checkin_unverified:{world.assignment.id}:{world.lead.id}",
    )
    assert told.text == (
        "Nguyễn Văn An đã điểm danh tại Trạm Hồng Ngự <1> khi đang cách trạm 1.112 m, "
        "ngoài bán kính điểm danh."
    )


async def test_check_in_without_location_is_unverified_and_the_lead_is_told(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    await webhook_bot.say(an, "/checkin")

    (done,) = await webhook_bot.say(an, "Điểm danh không kèm vị trí")

    assert done.text == (
        "Đã điểm danh tại Trạm Hồng Ngự <1> nhưng chưa xác minh được vị trí. "
        "Trưởng trạm đã được báo."
    )
    checked = await Assignment.get(id=world.assignment.id)
    assert (checked.checkin_verified, checked.checkin_latitude) == (False, None)
    assert await Notification.filter(kind="checkin_unverified", chat_id=2001).count() == 1


async def test_checking_in_twice_is_harmless(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    await webhook_bot.say(an, "/checkin")
    update_id = await an.send_location(FAR_LAT, FAR_LON)
    await webhook_bot.fake.wait_for(chat_id=an.id)

    await webhook_bot.fake.deliver_again(update_id)
    (again,) = await webhook_bot.fake.wait_for(chat_id=an.id)
    (command,) = await webhook_bot.say(an, "/checkin")

    expected = "Bạn đã điểm danh tại Trạm Hồng Ngự <1> từ lúc 08:00."
    assert (again.text, command.text) == (expected, expected)
    assert await Notification.filter(kind="checkin_unverified").count() == 1
    checked = await Assignment.get(id=world.assignment.id)
    assert checked.checkin_distance_m == 1112


async def test_typing_instead_of_pressing_a_check_in_button_asks_again(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    await webhook_bot.say(an, "/checkin")

    (answer,) = await webhook_bot.say(an, "ở đây rồi")

    assert answer.text == "Bạn hãy dùng các nút bên dưới để điểm danh, hoặc gửi /huy để dừng."
    assert (await Assignment.get(id=world.assignment.id)).status == AssignmentStatus.ASSIGNED


async def test_check_in_with_no_shift_is_answered(webhook_bot):
    await make_volunteer(telegram_user_id=3001, telegram_chat_id=3001)
    nobody = webhook_bot.fake.user(3001)

    (command,) = await webhook_bot.say(nobody, "/checkin")
    await nobody.send_location(STATION_LAT, STATION_LON)
    (located,) = await webhook_bot.fake.wait_for(chat_id=nobody.id)

    # Off shift, a shared location asks for the stations near it, like anyone's.
    assert command.text == "Bạn không có ca trực nào bây giờ hoặc trong 24 giờ tới."
    assert located.text.startswith("Hiện không có trạm dừng chân nào phục vụ người đi đường.")


async def test_check_out_reports_the_time_worked(bot, clock):
    world = await make_world()
    an = bot.fake.user(1001)
    await bot.say(an, "/checkin")
    await an.send_location(STATION_LAT, STATION_LON)
    await bot.fake.wait_for(chat_id=an.id)
    clock.advance(dt.timedelta(hours=1, minutes=45))

    (done,) = await bot.say(an, "/checkout")
    (again,) = await bot.say(an, "/checkout")

    assert (
        done.text
        == "👋 Đã kết thúc ca tại Trạm Hồng Ngự <1>. Thời gian trực: 1 giờ 45 phút. Cảm ơn bạn!"
    )
    assert again.text == "Bạn chưa điểm danh nên chưa có ca nào để kết thúc."
    checked = await Assignment.get(id=world.assignment.id)
    assert (checked.status, checked.worked_minutes) == (AssignmentStatus.CHECKED_OUT, 105)


async def test_check_in_before_it_opens_is_refused_with_the_reason(webhook_bot, clock):
    world = await make_world()
    clock.set(world.shift.starts_at - dt.timedelta(hours=3))
    an = webhook_bot.fake.user(1001)
    await webhook_bot.say(an, "/checkin")

    await an.send_location(STATION_LAT, STATION_LON)
    (refused,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    assert refused.text == "Điểm danh mở từ 05:00 02/02/2027, trước giờ vào ca 60 phút."
    assert (await Assignment.get(id=world.assignment.id)).status == AssignmentStatus.ASSIGNED


async def test_live_location_updates_check_in_when_asked_and_are_silent_otherwise(webhook_bot):
    world = await make_world()
    volunteer = await make_volunteer(telegram_user_id=3002, telegram_chat_id=3002)
    bao = webhook_bot.fake.user(3002)
    (no_shift,) = await webhook_bot.say(bao, "/checkin")
    await bao.share_live_location(FAR_LAT, FAR_LON)
    # Not on shift: the nearest stations (a line, then a venue each), as for any traveller.
    await webhook_bot.fake.wait_for(
        chat_id=bao.id, count=1 + await _nearby_venues(FAR_LAT, FAR_LON)
    )
    await bao.move_live_location(FAR_LAT, FAR_LON)  # nothing asked: nothing said
    assignment = await make_assignment(world.shift, volunteer)
    before = len(webhook_bot.fake.messages_to(bao.id))

    await webhook_bot.say(bao, "/checkin")
    await bao.move_live_location(STATION_LAT, STATION_LON)
    (done,) = await webhook_bot.fake.wait_for(chat_id=bao.id)
    for _ in range(3):
        await bao.move_live_location(STATION_LAT + 0.0001, STATION_LON)

    assert no_shift.text == "Bạn không có ca trực nào bây giờ hoặc trong 24 giờ tới."
    assert len(webhook_bot.fake.messages_to(bao.id)) == before + 2
    assert done.text.startswith("✅ Đã điểm danh tại Trạm Hồng Ngự <1>, cách trạm 0 m.")
    assert webhook_bot.fake.unread(bao.id) == []
    checked = await Assignment.get(id=assignment.id)
    assert (checked.status, checked.checkin_verified) == (AssignmentStatus.CHECKED_IN, True)


async def test_live_location_of_someone_unlinked_is_answered_once(webhook_bot):
    stranger = webhook_bot.fake.user(9001)
    await stranger.share_live_location(STATION_LAT, STATION_LON)
    (first,) = await webhook_bot.fake.wait_for(chat_id=stranger.id)

    await stranger.move_live_location(STATION_LAT, STATION_LON + 0.001)

    # No station anywhere: the traveller is told so once; the moves that follow are silent.
    assert first.text.startswith("Hiện không có trạm dừng chân nào phục vụ người đi đường.")
    assert webhook_bot.fake.unread(stranger.id) == []


async def _nearby_venues(latitude: float, longitude: float) -> int:
    """How many venues the bot sends for a location: the nearest open stations, or when none
    is open the nearest that will be (``bot.handlers.nearby``)."""
    now = clock_module.now()
    for open_only in (True, False):
        listing = await public_stations(now=now, near=(latitude, longitude), open_only=open_only)
        rows = [row for row in listing.stations if row.distance_m is not None]
        if rows:
            return min(len(rows), NEARBY_COUNT)
    return 0
