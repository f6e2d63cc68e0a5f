"""Stations near me, for anyone: a location gets the three nearest open stations as venues."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.enums import AssignmentStatus, CampaignStatus
from stations.models import Assignment
from tests.bot.world import STATION_LAT, STATION_LON, make_world
from tests.factories import make_campaign, make_station, make_volunteer

pytestmark = pytest.mark.e2e

#: A traveller on Quốc lộ 30 at Cao Lãnh.
HERE = (10.4812, 105.6071)


async def five_stations() -> None:
    """Four open stations at known distances north of HERE, one nearer in a closed campaign,
    one nearer still that opens only in the evening."""
    running = await make_campaign()
    closed = await make_campaign(name="Tết 2026", status=CampaignStatus.CLOSED)
    for code, km, offers in (
        ("A2", 2, "water cold_towels"),
        ("A5", 5, "water fuel motorbike_check"),
        ("A9", 9, "rest"),
        ("A30", 30, "water"),
    ):
        await make_station(
            running,
            code=code,
            name=f"Trạm {code}",
            address=f"Quốc lộ 30, km {km}, Đồng Tháp",
            latitude=HERE[0] + km / 111.195,
            longitude=HERE[1],
            offers=offers,
        )
    await make_station(closed, code="OLD", name="Trạm cũ", latitude=HERE[0], longitude=HERE[1])
    await make_station(
        running,
        code="EVE",
        name="Trạm buổi tối",
        latitude=HERE[0] + 0.001,
        longitude=HERE[1],
        opens_at=dt.time(18, tzinfo=dt.UTC),
        closes_at=dt.time(23, tzinfo=dt.UTC),
    )


async def test_start_offers_strangers_the_stations_near_me_button(webhook_bot):
    stranger = webhook_bot.fake.user(7001)

    (welcome,) = await webhook_bot.say(stranger, "/start")

    assert welcome.text.startswith("Xin chào! Bạn đang về quê nghỉ lễ, Tết?")
    assert welcome.reply_markup["keyboard"][0][0] == {
        "text": "📍 Trạm gần tôi",
        "request_location": True,
    }


async def test_a_stranger_s_location_gets_the_three_nearest_open_stations(bot):
    await five_stations()
    stranger = bot.fake.user(7002)

    await stranger.send_location(*HERE)
    header, *venues = await bot.fake.wait_for(chat_id=stranger.id, count=4)

    assert header.text == "🛣️ Các trạm dừng chân gần nhất đang mở cửa:"
    assert header.reply_markup["keyboard"][0][0]["request_location"] is True
    assert [(v.method, v.title) for v in venues] == [
        ("sendVenue", "Trạm A2"),
        ("sendVenue", "Trạm A5"),
        ("sendVenue", "Trạm A9"),
    ]
    assert (round(venues[0].latitude, 4), round(venues[0].longitude, 4)) == (10.4992, 105.6071)
    assert venues[0].address == (
        "cách 2 km · Đang mở cửa, cả ngày lẫn đêm · Nước uống, Khăn lạnh · "
        "Quốc lộ 30, km 2, Đồng Tháp"
    )
    assert venues[1].address.startswith(
        "cách 5 km · Đang mở cửa, cả ngày lẫn đêm · Nước uống, Xăng"
    )


async def test_an_english_speaking_traveller_reads_english(webhook_bot):
    await five_stations()
    traveller = webhook_bot.fake.user(7003, language_code="en")

    await traveller.send_location(*HERE)
    header, first, *_ = await webhook_bot.fake.wait_for(chat_id=traveller.id, count=4)

    assert header.text == "🛣️ The nearest rest stations open now:"
    assert first.address.startswith(
        "2 km away · Open now, round the clock · Drinking water, Cold face towels"
    )


async def test_when_nothing_is_open_the_nearest_come_with_their_opening_time(webhook_bot, clock):
    await make_station(
        await make_campaign(),
        code="EVE",
        name="Trạm buổi tối",
        latitude=HERE[0] + 0.01,
        longitude=HERE[1],
        opens_at=dt.time(18, tzinfo=dt.UTC),
        closes_at=dt.time(23, tzinfo=dt.UTC),
    )
    stranger = webhook_bot.fake.user(7004)

    await stranger.send_location(*HERE)
    header, venue = await webhook_bot.fake.wait_for(chat_id=stranger.id, count=2)

    assert header.text.startswith("Hiện chưa có trạm dừng chân nào gần bạn mở cửa.")
    assert venue.address == "cách 1,1 km · Mở cửa lúc 18:00 · Quốc lộ 30, Hồng Ngự, Đồng Tháp"


async def test_a_volunteer_on_shift_who_sends_a_location_is_checked_in_as_before(bot):
    world = await make_world()
    an = bot.fake.user(1001)

    await an.send_location(STATION_LAT, STATION_LON)
    (done,) = await bot.fake.wait_for(chat_id=an.id)

    assert done.text.startswith("✅ Đã điểm danh tại Trạm Hồng Ngự <1>")
    assert (await Assignment.get(id=world.assignment.id)).status == AssignmentStatus.CHECKED_IN
    assert [m.method for m in bot.fake.messages_to(an.id)] == ["sendMessage"]


async def test_a_volunteer_off_shift_gets_the_nearest_stations_too(webhook_bot):
    await five_stations()
    await make_volunteer(telegram_user_id=7005, telegram_chat_id=7005)
    volunteer = webhook_bot.fake.user(7005)

    await volunteer.send_location(*HERE)
    header, *venues = await webhook_bot.fake.wait_for(chat_id=volunteer.id, count=4)

    assert [v.title for v in venues] == ["Trạm A2", "Trạm A5", "Trạm A9"]
    assert header.button_texts() == ["📍 Trạm gần tôi"]
