"""Guided reports — an item button, then the number — through the real bot and the fake
Telegram."""

from __future__ import annotations

import pytest

from stations.enums import MovementKind
from stations.models import ChatState, StockMovement
from stations.services.queries.stock import stock_on_hand
from tests.bot.world import make_world

pytestmark = pytest.mark.e2e


async def _stock(station) -> dict[str, int]:
    return {line.item.code: line.quantity for line in await stock_on_hand(station)}


async def test_guided_handout_asks_for_item_then_number(bot):
    world = await make_world()
    an = bot.fake.user(1001)

    (menu,) = await bot.say(an, "/phat")
    await an.press(menu, text="Khăn lạnh")
    (prompt,) = await bot.fake.wait_for(chat_id=an.id)
    (done,) = await bot.say(an, "40")

    assert menu.text == "Bạn đã phát gì tại Trạm Hồng Ngự <1>? Hãy chọn mặt hàng."
    assert prompt.edited and prompt.text == (
        "Bạn đã phát bao nhiêu khăn lạnh? Hãy ghi một số, ví dụ 50."
    )
    assert done.text == "✅ Đã phát 40 khăn lạnh. Tồn kho hiện tại: 160 khăn."
    assert await _stock(world.station) == {"water": 200, "towel": 160}


async def test_guided_number_delivered_twice_is_recorded_once(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    (menu,) = await webhook_bot.say(an, "/phat")
    await an.press(menu, text="Nước suối")
    await webhook_bot.fake.wait_for(chat_id=an.id)
    update_id = await an.send("25")
    await webhook_bot.fake.wait_for(chat_id=an.id)

    await webhook_bot.fake.deliver_again(update_id)
    (again,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    assert again.text == "Tin nhắn này mình đã ghi nhận rồi."
    assert await _stock(world.station) == {"water": 175, "towel": 200}


async def test_guided_handout_refuses_bad_numbers_and_keeps_asking(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    (menu,) = await webhook_bot.say(an, "/phat")
    await an.press(menu, text="Nước suối")
    await webhook_bot.fake.wait_for(chat_id=an.id)

    answers = [(await webhook_bot.say(an, text))[0].text for text in ("năm mươi", "-5", "12")]

    assert answers == [
        "“năm mươi” không phải là số. Bạn hãy viết bằng chữ số, ví dụ 50 hoặc 1.000.",
        "Không nhận “-5”: số phải lớn hơn 0.",
        "✅ Đã phát 12 chai nước suối. Tồn kho hiện tại: 188 chai.",
    ]
    assert await _stock(world.station) == {"water": 188, "towel": 200}


async def test_guided_count_writes_the_adjustment(bot):
    world = await make_world()
    an = bot.fake.user(1001)

    (menu,) = await bot.say(an, "/dem")
    await an.press(menu, text="Nước suối")
    (prompt,) = await bot.fake.wait_for(chat_id=an.id)
    (done,) = await bot.say(an, "205")

    assert prompt.text == "Hiện còn bao nhiêu chai nước suối? Hãy ghi số bạn đếm được."
    assert done.text == (
        "✅ Đã đếm được 205 chai nước suối; tồn kho trên sổ giờ là 205 chai.\n"
        "Sổ ghi 200 chai: đã điều chỉnh +5."
    )
    assert await StockMovement.filter(kind=MovementKind.COUNT_ADJUSTMENT).count() == 1
    assert await _stock(world.station) == {"water": 205, "towel": 200}


async def test_guided_report_can_be_cancelled(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1001)
    (menu,) = await webhook_bot.say(an, "/dem")

    await an.press(menu, text="Hủy báo cáo này")
    (cancelled,) = await webhook_bot.fake.wait_for(chat_id=an.id)
    (after,) = await webhook_bot.say(an, "50")

    assert cancelled.text == "Đã hủy. Chưa có gì được ghi lại."
    assert after.text == "Xin lỗi, mình chưa hiểu ý bạn. Gửi /help để xem những việc mình làm được."
    assert await StockMovement.filter(kind=MovementKind.COUNT_ADJUSTMENT).count() == 0


async def test_old_item_button_after_the_conversation_expired_asks_again(webhook_bot, clock):
    import datetime as dt

    world = await make_world()
    an = webhook_bot.fake.user(1001)
    (menu,) = await webhook_bot.say(an, "/phat")
    await an.press(menu, text="Nước suối")
    await webhook_bot.fake.wait_for(chat_id=an.id)
    clock.advance(dt.timedelta(minutes=31))

    (answer,) = await webhook_bot.say(an, "20")

    assert (
        answer.text == "Xin lỗi, mình chưa hiểu ý bạn. Gửi /help để xem những việc mình làm được."
    )
    assert await _stock(world.station) == {"water": 200, "towel": 200}
    assert await ChatState.filter(chat_id=an.id).count() == 1
