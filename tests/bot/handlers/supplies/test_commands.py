"""/phat, /dem, /nhan with their items written at once, and /ton, through the real bot and
the fake Telegram."""

from __future__ import annotations

import pytest

from stations.enums import MovementKind
from stations.models import StockMovement
from stations.services.actor import Actor
from stations.services.inventory import set_low_stock_threshold
from stations.services.queries.stock import stock_on_hand
from tests.bot.world import make_world
from tests.factories import make_volunteer, vn

pytestmark = pytest.mark.e2e


async def _stock(station) -> dict[str, int]:
    return {line.item.code: line.quantity for line in await stock_on_hand(station)}


async def _handouts() -> int:
    return await StockMovement.filter(kind=MovementKind.HANDOUT).count()


async def test_quick_handout_records_each_item_and_shows_new_stock(bot):
    world = await make_world()
    an = bot.fake.user(1001)

    (answer,) = await bot.say(an, "/phat nuoc 50 khăn lạnh 30")

    assert answer.text == (
        "✅ Đã phát 50 chai nước suối. Tồn kho hiện tại: 150 chai.\n\n"
        "✅ Đã phát 30 khăn lạnh. Tồn kho hiện tại: 170 khăn."
    )
    assert await _stock(world.station) == {"water": 150, "towel": 170}


async def test_quick_handout_in_english_for_an_english_volunteer(webhook_bot):
    world = await make_world()
    world.volunteer.language = "en"
    await world.volunteer.save()
    an = webhook_bot.fake.user(1001, language_code="en")

    (answer,) = await webhook_bot.say(an, "/handout water 50 towels 30")

    assert answer.text == (
        "✅ Handed out 50 bottles of Bottled water. Stock now: 150 bottles.\n\n"
        "✅ Handed out 30 towels of Cold towel. Stock now: 170 towels."
    )


async def test_redelivered_handout_counts_once(bot):
    world = await make_world()
    an = bot.fake.user(1001)
    update_id = await an.send("/phat nuoc 50")
    await bot.fake.wait_for(chat_id=an.id)

    await bot.fake.deliver_again(update_id)
    (again,) = await bot.fake.wait_for(chat_id=an.id)

    assert again.text == "✅ Đã phát 50 chai nước suối. Tồn kho hiện tại: 150 chai."
    assert await _stock(world.station) == {"water": 150, "towel": 200}
    assert await _handouts() == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/phat nuoc -5", "Không nhận “-5”: số phải lớn hơn 0."),
        (
            "/phat nuoc 1e9",
            "“1e9” không phải là số nguyên: số lượng chỉ tính theo đơn vị nguyên, còn dấu chấm hay dấu phẩy chỉ dùng để tách hàng nghìn (1.000 hoặc 1,000 là một nghìn).",
        ),
        (
            "/phat nuoc 2.5",
            "“2.5” không phải là số nguyên: số lượng chỉ tính theo đơn vị nguyên, còn dấu chấm hay dấu phẩy chỉ dùng để tách hàng nghìn (1.000 hoặc 1,000 là một nghìn).",
        ),
        ("/phat nuoc năm mươi", "Hãy ghi số lượng sau “nuoc năm mươi”, ví dụ: /phat nuoc 50."),
        ("/phat nuoc 0", "Không nhận “0”: số phải lớn hơn 0."),
        ("/phat 50", "Hãy ghi tên mặt hàng trước số “50”, ví dụ: /phat nuoc 50."),
        (
            "/phat nuoc 99999999999",
            "Số lượng phải là số nguyên từ 1 đến 1.000.000.",
        ),
        (
            "/phat nuoc 10 banh mi 5",
            "Mình không biết mặt hàng “banh mi”. Gửi /ton để xem các mặt hàng của trạm.",
        ),
        ("/phat nuoc 10 nuoc 5", "Mỗi mặt hàng chỉ ghi một lần trong một báo cáo."),
    ],
)
async def test_bad_handout_is_answered_and_nothing_is_written(webhook_bot, text, expected):
    await make_world()
    an = webhook_bot.fake.user(1001)

    (answer,) = await webhook_bot.say(an, text)

    assert answer.text == expected
    assert await _handouts() == 0


async def test_handout_warns_when_stock_runs_low(webhook_bot):
    world = await make_world()
    await set_low_stock_threshold(world.station, world.water, 100, by=Actor.system("test"))
    an = webhook_bot.fake.user(1001)

    (answer,) = await webhook_bot.say(an, "/phat nuoc 150")

    assert answer.text == (
        "✅ Đã phát 150 chai nước suối. Tồn kho hiện tại: 50 chai.\n"
        "⚠️ Sắp hết hàng: còn dưới 100 chai."
    )


async def test_handout_beyond_the_record_is_kept_and_flagged(webhook_bot):
    world = await make_world(stock=10)
    an = webhook_bot.fake.user(1001)

    (answer,) = await webhook_bot.say(an, "/phat nuoc 30")

    assert answer.text.splitlines()[:2] == [
        "✅ Đã phát 30 chai nước suối. Tồn kho hiện tại: -20 chai.",
        "Số này nhiều hơn tồn kho trên sổ; điều phối viên sẽ kiểm tra lại.",
    ]
    assert await _stock(world.station) == {"water": -20, "towel": 10}


async def test_handout_without_a_shift_is_refused_kindly(webhook_bot):
    await make_world()
    await make_volunteer(telegram_user_id=3001, telegram_chat_id=3001)
    stranger = webhook_bot.fake.user(3001)

    (answer,) = await webhook_bot.say(stranger, "/phat nuoc 5")

    assert answer.text.startswith("Bạn đang không trong ca trực")
    assert await _handouts() == 0


async def test_stock_lists_items_and_marks_low_ones(webhook_bot):
    world = await make_world()
    await set_low_stock_threshold(world.station, world.towel, 500, by=Actor.system("test"))
    an = webhook_bot.fake.user(1001)

    (answer,) = await webhook_bot.say(an, "/ton")

    assert answer.text == (
        "Tồn kho tại Trạm Hồng Ngự <1>\n• Nước suối: 200 chai\n• Khăn lạnh: 200 khăn ⚠️"
    )


async def test_quick_count_writes_the_adjustment(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)

    (answer,) = await webhook_bot.say(an, "/dem nuoc 180 khan 0")

    assert answer.text == (
        "✅ Đã đếm được 180 chai nước suối; tồn kho trên sổ giờ là 180 chai.\n"
        "Sổ ghi 200 chai: đã điều chỉnh -20.\n\n"
        "✅ Đã đếm được 0 khăn lạnh; tồn kho trên sổ giờ là 0 khăn.\n"
        "Sổ ghi 200 khăn: đã điều chỉnh -200.\n"
        "⚠️ Sắp hết hàng: còn dưới 100 khăn."
    )
    assert await _stock(world.station) == {"water": 180, "towel": 0}


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("/dem nuoc 5 nuoc 6", "Mỗi mặt hàng chỉ ghi một lần trong một báo cáo."),
        ("/dem nuoc 5 khan 99999999999", "Số kiểm đếm phải là số nguyên từ 0 đến 1.000.000."),
        ("/nhan nuoc 5 nuoc 6", "Mỗi mặt hàng chỉ ghi một lần trong một báo cáo."),
        ("/nhan nuoc 5 khan 99999999999", "Số lượng phải là số nguyên từ 1 đến 1.000.000."),
    ],
)
async def test_bad_multi_item_count_or_receipt_writes_nothing(webhook_bot, text, refusal):
    world = await make_world()
    user = webhook_bot.fake.user(2001)  # the lead may do both

    (answer,) = await webhook_bot.say(user, text)

    assert answer.text == refusal
    assert await _stock(world.station) == {"water": 200, "towel": 200}
    assert await StockMovement.filter(kind=MovementKind.COUNT_ADJUSTMENT).count() == 0


async def test_receive_is_for_station_leads(webhook_bot):
    world = await make_world()
    an, binh = webhook_bot.fake.user(1001), webhook_bot.fake.user(2001)

    (refused,) = await webhook_bot.say(an, "/nhan nuoc 100")
    (received,) = await webhook_bot.say(binh, "/receive nuoc 100")

    assert refused.text == "Chỉ trưởng trạm mới dùng được lệnh này."
    assert received.text == "✅ Đã nhận 100 chai nước suối. Tồn kho hiện tại: 300 chai."
    assert await _stock(world.station) == {"water": 300, "towel": 200}


async def test_handout_on_the_eve_of_the_campaign_is_refused_with_its_dates(bot, clock):
    world = await make_world()
    # A shift may start the evening before the first day (30/01/2027); handouts may not.
    world.shift.starts_at, world.shift.ends_at = vn(2027, 1, 29, 18), vn(2027, 1, 29, 23)
    await world.shift.save()
    clock.set(vn(2027, 1, 29, 20))
    an = bot.fake.user(1001)

    (answer,) = await bot.say(an, "/phat nuoc 5")

    assert "30/01/2027" in answer.text and "11/02/2027" in answer.text
    assert "không ghi nhận việc phát hàng và hoạt động hỗ trợ ngoài những ngày này" in answer.text
    assert await _handouts() == 0
