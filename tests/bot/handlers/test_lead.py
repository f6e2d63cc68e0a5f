"""For station leads: who is on duty and who is late (/tram), today's totals (/baocao)."""

from __future__ import annotations

import pytest

from stations.enums import AssignmentStatus, ServiceKind
from stations.services.actor import Actor
from stations.services.inventory import record_handout
from stations.services.phones import format_phone_local
from stations.services.service_records import record_service
from tests.bot.world import make_world
from tests.factories import make_volunteer

pytestmark = pytest.mark.e2e


async def test_station_shows_who_is_on_duty_and_who_is_late(webhook_bot):
    world = await make_world()
    world.lead_assignment.status = AssignmentStatus.CHECKED_IN
    world.lead_assignment.checked_in_at = world.shift.starts_at
    world.lead_assignment.checkin_verified = True
    await world.lead_assignment.save()
    binh = webhook_bot.fake.user(2001)

    (answer,) = await webhook_bot.say(binh, "/tram")

    assert answer.text == (
        "Trạm Hồng Ngự <1> lúc 08:00\n"
        "Đang trực (1):\n"
        "• Trần Thị Bình, từ 06:00\n"
        "Đến muộn, chưa điểm danh (1):\n"
        f"• Nguyễn Văn An, ca bắt đầu lúc 06:00, điện thoại {format_phone_local(world.volunteer.phone)}"
    )


async def test_report_shows_todays_totals(webhook_bot):
    world = await make_world()
    volunteer = Actor.volunteer(world.volunteer.id, world.volunteer.full_name)
    await record_handout(world.station, world.water, 40, by=volunteer)
    await record_handout(world.station, world.water, 10, by=volunteer)
    await record_service(world.station, ServiceKind.MOTORBIKE_CHECK, 7, by=volunteer)
    world.assignment.status = AssignmentStatus.CHECKED_IN
    await world.assignment.save()
    binh = webhook_bot.fake.user(2001, language_code="en")
    world.lead.language = "en"
    await world.lead.save()

    (answer,) = await webhook_bot.say(binh, "/report")

    assert answer.text == (
        "Trạm Hồng Ngự <1>, today 02/02/2027\n"
        "Volunteer turns: 1\n"
        "Handed out:\n"
        "• Bottled water: 50 bottles\n"
        "Received:\n"
        "• Bottled water: 200 bottles\n"
        "• Cold towel: 200 towels\n"
        "Motorbikes checked: 7"
    )


async def test_lead_commands_are_refused_to_volunteers(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1001)

    answers = [(await webhook_bot.say(an, text))[0].text for text in ("/tram", "/baocao")]

    assert answers == ["Chỉ trưởng trạm mới dùng được lệnh này."] * 2


async def test_named_station_lead_without_a_shift_can_see_the_station(webhook_bot):
    world = await make_world()
    chief = await make_volunteer(telegram_user_id=4001, telegram_chat_id=4001)
    world.station.lead = chief
    await world.station.save()

    (answer,) = await webhook_bot.say(webhook_bot.fake.user(4001), "/tram")

    assert answer.text.startswith("Trạm Hồng Ngự <1> lúc 08:00\nĐang trực (0):\n• không có ai")
