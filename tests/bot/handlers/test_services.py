"""Motorbikes checked: /kiemtra xe 3, /bikes 3, and the guided prompt."""

from __future__ import annotations

import pytest

from stations.models import ServiceRecord
from tests.bot.world import make_world

pytestmark = pytest.mark.e2e


async def _motorbikes() -> list[int]:
    return [r.quantity for r in await ServiceRecord.all().order_by("id")]


async def test_quick_motorbike_checks_are_recorded_once_even_if_redelivered(bot):
    await make_world()
    an = bot.fake.user(1001)
    update_id = await an.send("/kiemtra xe 3")
    (answer,) = await bot.fake.wait_for(chat_id=an.id)

    await bot.fake.deliver_again(update_id)
    await bot.fake.wait_for(chat_id=an.id)

    assert answer.text == "✅ Đã ghi nhận 3 xe máy được kiểm tra tại Trạm Hồng Ngự <1>. Cảm ơn bạn!"
    assert await _motorbikes() == [3]


async def test_guided_motorbike_checks_ask_for_the_number(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1001, language_code="en")

    (ask,) = await webhook_bot.say(an, "/bikes")
    (bad,) = await webhook_bot.say(an, "ba")
    (done,) = await webhook_bot.say(an, "4")

    assert ask.text == "Bạn đã kiểm tra bao nhiêu xe máy? Hãy ghi một số, ví dụ 3."
    assert bad.text.startswith("“ba” không phải là số.")
    assert done.text.startswith("✅ Đã ghi nhận 4 xe máy")
    assert await _motorbikes() == [4]


@pytest.mark.parametrize("text", ["/kiemtra xe -2", "/kiemtra xe 99999999999", "/kiemtra loa 5"])
async def test_bad_motorbike_reports_write_nothing(webhook_bot, text):
    await make_world()

    (answer,) = await webhook_bot.say(webhook_bot.fake.user(1001), text)

    assert answer.text
    assert await _motorbikes() == []


@pytest.mark.parametrize("text", ["/kiemtra 3 xe", "/kiemtra 3 xe máy", "/kiemtra 3", "/bikes 3"])
async def test_motorbike_checks_in_any_word_order(webhook_bot, text):
    await make_world()

    (answer,) = await webhook_bot.say(webhook_bot.fake.user(1001), text)

    assert answer.text.startswith("✅ Đã ghi nhận 3 xe máy")
    assert await _motorbikes() == [3]


async def test_motorbike_count_refusals_state_the_rule(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1001)

    (negative,) = await webhook_bot.say(an, "/kiemtra xe -2")
    (too_many,) = await webhook_bot.say(an, "/kiemtra xe 99999999999")

    assert negative.text.startswith("Không nhận “-2”: số phải lớn hơn 0.")
    assert too_many.text == "Số lượng phải là số nguyên từ 1 đến 10.000."
    assert await _motorbikes() == []
