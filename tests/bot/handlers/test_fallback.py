"""Whatever else people send gets a short, kind, translated answer and writes nothing."""

from __future__ import annotations

import pytest

from stations.models import Volunteer
from stations.services.queries.stock import stock_on_hand
from tests.bot.world import make_world

pytestmark = pytest.mark.e2e

UNSUPPORTED = (
    "Mình chỉ đọc được chữ, vị trí và số điện thoại của bạn. Gửi /help để xem những việc mình "
    "làm được."
)


async def test_stickers_and_photos_are_answered(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1001)

    await an.send_sticker()
    (sticker,) = await webhook_bot.fake.wait_for(chat_id=an.id)
    await an.send_photo()
    (photo,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    assert (sticker.text, photo.text) == (UNSUPPORTED, UNSUPPORTED)


async def test_edited_message_is_not_acted_on(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    (reply,) = await webhook_bot.say(an, "xin chào")

    # Message ids run in order within a private chat: the greeting came just before.
    await an.edit(reply.message_id - 1, "/phat nuoc 50")
    (answer,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    assert answer.text == "Mình không đọc tin nhắn đã sửa. Bạn hãy gửi một tin nhắn mới nhé."
    assert [line.quantity for line in await stock_on_hand(world.station)] == [200, 200]


async def test_unknown_command_and_unlinked_people_are_answered(webhook_bot):
    stranger = webhook_bot.fake.user(6001, language_code="en")

    (unknown,) = await webhook_bot.say(stranger, "/launch <now>")
    (shifts,) = await webhook_bot.say(stranger, "/shifts")
    (text,) = await webhook_bot.say(stranger, "hello")

    assert unknown.text == "I don't know the command /launch. Send /help to see what I can do."
    not_linked = (
        "I don't know you yet. Open the invite link your coordinator sent you, or send /start "
        "to share your phone number."
    )
    assert (shifts.text, text.text) == (not_linked, not_linked)
    assert await Volunteer.filter(telegram_user_id=6001).count() == 0


async def test_help_in_both_languages(webhook_bot):
    vi, en = webhook_bot.fake.user(6002), webhook_bot.fake.user(6003, language_code="en")

    (vietnamese,) = await webhook_bot.say(vi, "/help")
    (english,) = await webhook_bot.say(en, "/help")

    assert vietnamese.text.splitlines()[:3] == [
        "Những việc mình làm được",
        "Trước hết hãy liên kết tài khoản: mở liên kết mời của điều phối viên, hoặc gửi /start "
        "rồi chia sẻ số điện thoại.",
        "/ca — Ca trực của tôi",
    ]
    assert english.text.splitlines()[2] == "/shifts — My shifts"


async def test_language_buttons_switch_the_language(bot):
    world = await make_world()
    an = bot.fake.user(1001)

    (choose,) = await bot.say(an, "/language")
    await an.press(choose, data="lang:en")
    (switched,) = await bot.fake.wait_for(chat_id=an.id)
    (english,) = await bot.say(an, "/ton")

    assert switched.text == "Okay, I will write to you in English from now on."
    assert english.text.startswith("Stock at Trạm Hồng Ngự <1>\n• Bottled water: 200 bottle")
    assert (await Volunteer.get(id=world.volunteer.id)).language == "en"


async def test_language_by_word_and_a_bad_one(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1001)

    (english,) = await webhook_bot.say(an, "/language english")
    (bad,) = await webhook_bot.say(an, "/language klingon")
    (back,) = await webhook_bot.say(an, "/ngonngu tiếng việt")

    assert english.text == "Okay, I will write to you in English from now on."
    assert bad.text == "The language must be Vietnamese (vi) or English (en)."
    assert back.text == "Được rồi, từ giờ mình sẽ nhắn cho bạn bằng tiếng Việt."


async def test_old_unknown_button_is_answered_as_stale(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1001)
    (menu,) = await webhook_bot.say(an, "/phat")
    # A button of an older build of the bot, with data this one does not read.
    webhook_bot.fake.replace_buttons(
        menu, {"inline_keyboard": [[{"text": "old", "callback_data": "v0:water"}]]}
    )

    await an.press(menu, data="v0:water")
    _removed, answer = await webhook_bot.fake.wait_for(chat_id=an.id, count=2)

    assert answer.text == "Nút này không còn dùng được nữa. Bạn hãy gửi lại lệnh nhé."
    assert webhook_bot.fake.callback_answers[-1]["text"] == answer.text


async def test_group_chats_are_asked_to_write_privately(webhook_bot):
    await make_world()
    group = webhook_bot.fake.group(-100123)

    # A person writes a command in a group the bot is in.
    an = webhook_bot.fake.user(1001)
    await group.send(an, "/ca")
    (answer,) = await webhook_bot.fake.wait_for(chat_id=group.id)

    assert answer.text == "Bạn hãy nhắn riêng cho mình nhé."


async def test_group_conversation_around_the_bot_is_left_alone(webhook_bot):
    group = webhook_bot.fake.group(-100124)
    an = webhook_bot.fake.user(1001)

    await group.send(an, "ai trực chiều nay?")
    await group.send(an, "/help")
    (answer,) = await webhook_bot.fake.wait_for(chat_id=group.id)

    assert answer.text == "Bạn hãy nhắn riêng cho mình nhé."
    assert webhook_bot.fake.messages_to(group.id) == [answer]
