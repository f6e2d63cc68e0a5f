"""Reports as people say them, through the real bot and the fake Telegram: any word order,
unit words, numbers written "1.000", plain-text reports confirmed with buttons, Telex
leftovers, and "did you mean" for an unknown word."""

from __future__ import annotations

import pytest

from stations.enums import MovementKind
from stations.models import StockMovement
from stations.services.queries.stock import stock_on_hand
from tests.bot.world import make_world

pytestmark = pytest.mark.e2e

HANDED_OUT_50 = "✅ Đã phát 50 chai nước suối. Tồn kho hiện tại: 150 chai."
HANDED_OUT_30 = "✅ Đã phát 30 khăn lạnh. Tồn kho hiện tại: 170 khăn."


async def _stock(station) -> dict[str, int]:
    return {line.item.code: line.quantity for line in await stock_on_hand(station)}


async def _movements(kind: MovementKind) -> int:
    return await StockMovement.filter(kind=kind).count()


@pytest.mark.parametrize(
    "text", ["/phat 50 nuoc", "/phat nuoc 50", "/phat nuoc 50 chai", "/phat 50 chai nước"]
)
async def test_one_handout_in_any_word_order_means_the_same(webhook_bot, text):
    world = await make_world()
    an = webhook_bot.fake.user(1001)

    (answer,) = await webhook_bot.say(an, text)

    assert answer.text == HANDED_OUT_50
    assert await _stock(world.station) == {"water": 150, "towel": 200}


@pytest.mark.parametrize(
    "text",
    ["/phat 50 chai nuoc, 30 khan", "/phat nuoc 50 chai khăn lạnh 30", "/phat nuoc 50 khăn 30"],
)
async def test_several_items_with_units_and_commas(webhook_bot, text):
    world = await make_world()
    an = webhook_bot.fake.user(1001)

    (answer,) = await webhook_bot.say(an, text)

    assert answer.text == f"{HANDED_OUT_50}\n\n{HANDED_OUT_30}"
    assert await _stock(world.station) == {"water": 150, "towel": 170}


async def test_numbers_are_read_and_written_as_people_write_them(webhook_bot):
    world = await make_world()
    lead = webhook_bot.fake.user(2001)

    (received,) = await webhook_bot.say(lead, "/nhan nuoc 1.300")
    (counted,) = await webhook_bot.say(lead, "/dem nuoc 0")

    assert received.text == "✅ Đã nhận 1.300 chai nước suối. Tồn kho hiện tại: 1.500 chai."
    assert counted.text == (
        "✅ Đã đếm được 0 chai nước suối; tồn kho trên sổ giờ là 0 chai.\n"
        "Sổ ghi 1.500 chai: đã điều chỉnh -1.500.\n"
        "⚠️ Sắp hết hàng: còn dưới 100 chai."
    )
    assert await _stock(world.station) == {"water": 0, "towel": 200}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "/phat nuoc 1.5",
            "“1.5” không phải là số nguyên: số lượng chỉ tính theo đơn vị nguyên, còn dấu "
            "chấm hay dấu phẩy chỉ dùng để tách hàng nghìn (1.000 hoặc 1,000 là một nghìn).",
        ),
        ("/dem nuoc -1", "Không nhận “-1”: số đếm phải từ 0 trở lên (ghi 0 khi đã hết)."),
        ("/phat nuoc 0", "Không nhận “0”: số phải lớn hơn 0."),
        (
            "/phat nuoc 5 thùng",
            "Nước suối được tính theo chai, không theo “thùng”. Bạn hãy ghi số chai.",
        ),
        ("/phat nuoc 50 khan", "Hãy ghi số lượng sau “khan”, ví dụ: /phat nuoc 50."),
    ],
)
async def test_each_refusal_states_the_rule_and_writes_nothing(webhook_bot, text, expected):
    world = await make_world()
    an = webhook_bot.fake.user(2001)

    (answer,) = await webhook_bot.say(an, text)

    assert answer.text == expected
    assert await _stock(world.station) == {"water": 200, "towel": 200}


async def test_telex_leftovers_are_read_as_the_item(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)

    (answer,) = await webhook_bot.say(an, "/phat nuowcs 50 khawn 30")

    assert answer.text == f"{HANDED_OUT_50}\n\n{HANDED_OUT_30}"
    assert await _stock(world.station) == {"water": 150, "towel": 170}


async def test_plain_report_is_confirmed_before_anything_is_written(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)

    (question,) = await webhook_bot.say(an, "nước 50, khăn 30")
    written_before = await _movements(MovementKind.HANDOUT)
    await an.press(question, text="Phát")
    (done,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    assert question.text == (
        "Ghi nhận các mặt hàng sau tại Trạm Hồng Ngự <1>? Chưa có gì được ghi cho đến khi "
        "bạn chọn.\n• Nước suối: 50 chai\n• Khăn lạnh: 30 khăn"
    )
    assert question.button_texts() == ["Phát", "Nhận", "Hủy"]
    assert written_before == 0
    assert done.edited and done.text == f"{HANDED_OUT_50}\n\n{HANDED_OUT_30}"
    assert await _stock(world.station) == {"water": 150, "towel": 170}


async def test_confirmation_pressed_or_delivered_twice_writes_once(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    (question,) = await webhook_bot.say(an, "nuoc 50")

    press = await an.press(question, data=question.buttons()[0]["callback_data"])
    await webhook_bot.fake.wait_for(chat_id=an.id)
    await webhook_bot.fake.deliver_again(press)

    assert await _movements(MovementKind.HANDOUT) == 1
    assert await _stock(world.station) == {"water": 150, "towel": 200}
    assert webhook_bot.fake.unread(an.id) == []


async def test_plain_report_cancelled_writes_nothing(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    (question,) = await webhook_bot.say(an, "50 chai nuoc")

    await an.press(question, text="Hủy")
    (cancelled,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    assert cancelled.text == "Đã hủy. Chưa có gì được ghi lại."
    assert await _stock(world.station) == {"water": 200, "towel": 200}


async def test_received_from_a_plain_report_is_for_station_leads(webhook_bot):
    world = await make_world()
    lead, an = webhook_bot.fake.user(2001), webhook_bot.fake.user(1001)
    (question,) = await webhook_bot.say(lead, "nước 50")
    (other,) = await webhook_bot.say(an, "nước 50")

    await lead.press(question, text="Nhận")
    (done,) = await webhook_bot.fake.wait_for(chat_id=lead.id)
    await an.press(other, text="Nhận")
    (refused,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    assert done.text == "✅ Đã nhận 50 chai nước suối. Tồn kho hiện tại: 250 chai."
    assert refused.text == "Chỉ trưởng trạm mới dùng được lệnh này."
    assert await _stock(world.station) == {"water": 250, "towel": 200}


@pytest.mark.parametrize("text", ["xin chào", "50", "hôm nay đông người"])
async def test_plain_text_that_is_no_report_still_gets_help(webhook_bot, text):
    await make_world()
    an = webhook_bot.fake.user(1001)

    (answer,) = await webhook_bot.say(an, text)

    assert answer.buttons() == []
    assert "/help" in answer.text


async def test_unknown_word_offers_the_closest_items_as_buttons(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)

    (question,) = await webhook_bot.say(an, "/phat nuoc suoii 50")
    await an.press(question, text="Nước suối")
    (done,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    assert question.text == (
        "Chưa rõ mặt hàng “nuoc suoii”. Có phải bạn muốn ghi một trong các mặt hàng dưới đây?"
    )
    assert question.button_texts()[0] == "Nước suối"
    assert question.button_texts()[-1] == "Hủy"
    assert done.text == HANDED_OUT_50
    assert await _stock(world.station) == {"water": 150, "towel": 200}
