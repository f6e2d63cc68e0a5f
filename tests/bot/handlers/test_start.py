"""Linking a Telegram account three ways: an invite, a shared phone number, a station QR code."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.models import Volunteer
from stations.services.actor import Actor
from stations.services.invites import create_invite
from tests.bot.world import make_world
from tests.factories import make_volunteer

pytestmark = pytest.mark.e2e

WELCOME_AN = (
    "Chào mừng Nguyễn Văn An! Tài khoản Telegram của bạn đã được liên kết. Gửi /ca để xem ca "
    "trực và /help để xem mọi việc mình làm được."
)


async def _linked(user_id: int) -> Volunteer | None:
    return await Volunteer.get_or_none(telegram_user_id=user_id)


async def test_invite_link_links_the_account(bot):
    volunteer = await make_volunteer(full_name="Nguyễn Văn An")
    invite = await create_invite(volunteer, by=Actor.system("test"))
    an = bot.fake.user(5001)

    (answer,) = await bot.say(an, f"/start {invite.token}")

    assert answer.text == WELCOME_AN
    linked = await _linked(5001)
    assert linked is not None and (linked.id, linked.telegram_chat_id) == (volunteer.id, 5001)


async def test_invite_link_adopts_the_language_of_an_english_app(webhook_bot):
    volunteer = await make_volunteer(full_name="John Smith")
    invite = await create_invite(volunteer, by=Actor.system("test"))
    john = webhook_bot.fake.user(5002, language_code="en-US")

    (answer,) = await webhook_bot.say(john, f"/start {invite.token}")

    assert answer.text.startswith("Welcome, John Smith! Your Telegram account is now linked.")
    assert (await Volunteer.get(id=volunteer.id)).language == "en"


async def test_used_expired_and_unknown_invites_are_answered(webhook_bot, clock):
    first = await make_volunteer()
    used = await create_invite(first, by=Actor.system("test"))
    expired = await create_invite(
        await make_volunteer(), by=Actor.system("test"), valid_for=dt.timedelta(minutes=5)
    )
    await webhook_bot.say(webhook_bot.fake.user(5003), f"/start {used.token}")
    clock.advance(dt.timedelta(minutes=10))
    other = webhook_bot.fake.user(5004)

    answers = [
        (await webhook_bot.say(other, text))[0].text
        for text in (
            f"/start {used.token}",
            f"/start {expired.token}",
            "/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "/start <b>",
        )
    ]

    assert answers == [
        "Liên kết mời này đã được dùng. Hãy xin điều phối viên một liên kết mới.",
        "Liên kết mời này đã hết hạn. Hãy xin điều phối viên một liên kết mới.",
        "Liên kết mời này không hợp lệ.",
        "Liên kết mời này không hợp lệ.",
    ]
    assert await _linked(5004) is None


async def test_start_alone_asks_for_the_phone_then_links_by_contact(bot):
    volunteer = await make_volunteer(full_name="Nguyễn Văn An", phone="+84912345678")
    an = bot.fake.user(5005)

    (ask,) = await bot.say(an, "/start")
    await an.send_contact("0912 345 678")
    (welcome,) = await bot.fake.wait_for(chat_id=an.id)

    assert ask.button_texts() == ["📍 Trạm gần tôi", "📱 Chia sẻ số điện thoại của tôi"]
    assert ask.reply_markup["keyboard"][1][0]["request_contact"] is True
    assert welcome.text == WELCOME_AN
    assert (await _linked(5005)).id == volunteer.id


async def test_someone_elses_contact_or_an_unknown_number_does_not_link(webhook_bot):
    await make_volunteer(phone="+84912345678")
    an = webhook_bot.fake.user(5006)

    await an.send_contact("+84912345678", own=False)
    (foreign,) = await webhook_bot.fake.wait_for(chat_id=an.id)
    await an.send_contact("+84987654321")
    (unknown,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    assert foreign.text == "Bạn hãy chia sẻ số điện thoại của chính mình bằng nút bên dưới."
    assert unknown.text.startswith("Không có tình nguyện viên nào trong danh sách")
    assert await _linked(5006) is None


async def test_station_qr_code_links_by_phone_then_offers_check_in(bot):
    world = await make_world()
    world.volunteer.telegram_user_id = None
    world.volunteer.telegram_chat_id = None
    await world.volunteer.save()
    an = bot.fake.user(5007)

    (ask,) = await bot.say(an, "/start st_hn01")
    await an.send_contact(world.volunteer.phone)
    welcome, offer = await bot.fake.wait_for(chat_id=an.id, count=2)

    assert ask.button_texts() == ["📱 Chia sẻ số điện thoại của tôi"]
    assert welcome.text == WELCOME_AN
    assert offer.text.startswith("Ca trực của bạn: Trạm Hồng Ngự <1>, 06:00–10:00 02/02/2027.")
    assert offer.button_texts() == ["📍 Gửi vị trí của tôi", "Điểm danh không kèm vị trí"]


async def test_station_qr_code_of_a_linked_volunteer_offers_check_in_there(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1001)

    (offer,) = await webhook_bot.say(an, "/start st_HN01")

    assert offer.reply_markup["keyboard"][0][0]["request_location"] is True


async def test_unknown_station_code_and_station_without_my_shift(webhook_bot):
    world = await make_world()
    await make_volunteer(telegram_user_id=5008, telegram_chat_id=5008)
    stranger = webhook_bot.fake.user(5008)

    (unknown,) = await webhook_bot.say(stranger, "/start st_NOPE")
    (no_shift,) = await webhook_bot.say(stranger, f"/start st_{world.station.code}")

    assert unknown.text == "Mình không tìm thấy trạm này. Bạn hãy quét lại mã QR tại trạm nhé."
    assert no_shift.text.startswith("Bạn không có ca trực tại Trạm Hồng Ngự <1>")


async def test_start_of_a_linked_volunteer_greets_them(webhook_bot):
    await make_world()

    (answer,) = await webhook_bot.say(webhook_bot.fake.user(1001), "/start")

    assert answer.text == ("Chào Nguyễn Văn An! Gửi /ca để xem ca trực hoặc /help để biết thêm.")


async def test_unlinked_person_typing_while_asked_for_the_phone_is_reminded(webhook_bot):
    an = webhook_bot.fake.user(5009)
    await webhook_bot.say(an, "/start")

    (answer,) = await webhook_bot.say(an, "0912345678")

    assert answer.text == "Bạn hãy bấm nút bên dưới để chia sẻ số điện thoại."
    assert await _linked(5009) is None
