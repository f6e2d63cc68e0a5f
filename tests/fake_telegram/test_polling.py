"""Updates reach a polling bot through getUpdates, with Telegram's long-poll semantics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fake_telegram import FakeTelegram, Limits

pytestmark = pytest.mark.e2e


class Api:
    """Raw Bot API calls, to see exactly what the fake answers."""

    def __init__(self, fake: FakeTelegram, client: httpx.AsyncClient) -> None:
        self.fake = fake
        self.client = client

    async def __call__(self, method: str, **params: object) -> httpx.Response:
        url = f"{self.fake.api_base}{self.fake.token}/{method}"
        return await self.client.post(url, json=params, timeout=30)


@pytest.fixture
async def fake_telegram(make_fake_telegram) -> FakeTelegram:
    """People here type at machine speed; the per-chat flood limit has tests of its own."""
    return await make_fake_telegram(limits=Limits(enforce=False))


@pytest.fixture
async def api(fake_telegram: FakeTelegram) -> AsyncIterator[Api]:
    async with httpx.AsyncClient() as client:
        yield Api(fake_telegram, client)


async def until_polling(fake: FakeTelegram) -> None:
    for _ in range(1000):
        if fake.waiting_polls:
            return
        await asyncio.sleep(0.001)
    raise AssertionError("nobody is polling")


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [update["update_id"] for update in response.json()["result"]]


async def test_get_updates_returns_pending_updates_in_order(fake_telegram, api):
    user = fake_telegram.user(42)
    sent = [await user.send("/start"), await user.send("xin chào"), await user.send_sticker()]

    response = await api("getUpdates")

    assert ids(response) == sent
    first = response.json()["result"][0]["message"]
    assert first["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert first["from"] == {"id": 42, "is_bot": False, "first_name": "An", "language_code": "vi"}
    assert first["chat"] == {"id": 42, "type": "private", "first_name": "An"}


async def test_offset_confirms_earlier_updates(fake_telegram, api):
    user = fake_telegram.user(42)
    first, second, third = [await user.send(f"{i}") for i in range(3)]

    assert ids(await api("getUpdates", offset=second)) == [second, third]
    assert ids(await api("getUpdates", offset=third + 1)) == []
    assert ids(await api("getUpdates")) == []
    assert first < second


async def test_limit_caps_the_batch(fake_telegram, api):
    user = fake_telegram.user(42)
    sent = [await user.send(f"{i}") for i in range(5)]

    assert ids(await api("getUpdates", limit=2)) == sent[:2]


async def test_long_poll_is_held_until_an_update_arrives(fake_telegram, api):
    user = fake_telegram.user(42)
    poll = asyncio.create_task(api("getUpdates", timeout=10))
    await until_polling(fake_telegram)

    assert not poll.done()
    update_id = await user.send("chào")

    assert ids(await asyncio.wait_for(poll, 2)) == [update_id]


async def test_long_poll_without_updates_ends_empty_after_its_timeout(fake_telegram, api):
    started = asyncio.get_running_loop().time()

    response = await api("getUpdates", timeout=1)

    assert ids(response) == []
    assert asyncio.get_running_loop().time() - started >= 0.95


async def test_second_poll_terminates_the_first_with_conflict(fake_telegram, api):
    first = asyncio.create_task(api("getUpdates", timeout=10))
    await until_polling(fake_telegram)

    second = asyncio.create_task(api("getUpdates", timeout=0))
    conflict = await asyncio.wait_for(first, 2)
    await second

    assert conflict.status_code == 409
    assert conflict.json()["description"] == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running"
    )


async def test_set_webhook_terminates_a_waiting_poll(fake_telegram, api):
    poll = asyncio.create_task(api("getUpdates", timeout=10))
    await until_polling(fake_telegram)

    await api("setWebhook", url="http://127.0.0.1:9/hook")
    answer = await asyncio.wait_for(poll, 2)

    assert answer.status_code == 409
    assert answer.json()["description"] == "Conflict: terminated by setWebhook request"


async def test_get_updates_while_webhook_is_set_is_a_conflict(fake_telegram, api):
    await api("setWebhook", url="http://127.0.0.1:9/hook")

    response = await api("getUpdates")

    assert response.status_code == 409
    assert response.json() == {
        "ok": False,
        "error_code": 409,
        "description": "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    }


async def test_allowed_updates_filters_kinds(fake_telegram, api):
    user = fake_telegram.user(42)
    await user.send("tin nhắn")

    assert ids(await api("getUpdates", allowed_updates=["callback_query"])) == []
    assert len(ids(await api("getUpdates", allowed_updates=[]))) == 1


async def test_stop_ends_a_waiting_poll(make_fake_telegram):
    fake = await make_fake_telegram()
    async with httpx.AsyncClient() as client:
        poll = asyncio.create_task(
            client.post(f"{fake.api_base}{fake.token}/getUpdates", json={"timeout": 30}, timeout=30)
        )
        await until_polling(fake)
        started = asyncio.get_running_loop().time()
        await fake.stop()
        response = await asyncio.wait_for(poll, 5)

    assert ids(response) == []
    assert asyncio.get_running_loop().time() - started < 3


class Recorder:
    """A small bot: answers each kind of update, and remembers the update ids it handled."""

    def __init__(self) -> None:
        self.handled: list[int] = []

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.handled.append(update.update_id)
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Xác nhận", callback_data="ok:7")]])
        await update.effective_message.reply_html("<b>Ca 7</b> lúc 08:00", reply_markup=keyboard)

    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.handled.append(update.update_id)
        message = update.effective_message
        assert message is not None
        if message.contact:
            own = message.contact.user_id == update.effective_user.id  # type: ignore[union-attr]
            await message.reply_text(f"contact {message.contact.phone_number} own={own}")
        elif message.location:
            await message.reply_location(message.location.latitude, message.location.longitude)
        elif message.sticker or message.photo:
            await message.reply_text("chỉ nhận chữ")
        elif update.edited_message:
            await message.reply_text(f"sửa: {message.text}")
        else:
            await message.reply_text(f"nhận: {message.text}")

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.handled.append(update.update_id)
        query = update.callback_query
        assert query is not None
        await query.answer("Đã xác nhận")
        await query.edit_message_text(f"Đã xác nhận ({query.data})")


@pytest.fixture
async def polling_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Recorder]:
    recorder = Recorder()
    application = (
        Application.builder()
        .token(fake_telegram.token)
        .base_url(fake_telegram.api_base)
        .base_file_url(fake_telegram.file_base)
        .build()
    )
    application.add_handler(CommandHandler("start", recorder.start))
    application.add_handler(CallbackQueryHandler(recorder.press))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGES & ~filters.COMMAND, recorder.message)
    )
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=5)
        yield recorder
        await application.updater.stop()
        await application.stop()


async def test_conversation_with_a_polling_application(fake_telegram, polling_bot):
    user = fake_telegram.user(42, first_name="Bình", language_code="en")

    await user.send("/start")
    [shift] = await fake_telegram.wait_for(chat_id=42)
    await user.press(shift, text="Xác nhận")
    [confirmed] = await fake_telegram.wait_for(chat_id=42)
    await user.send_contact("+84901234567")
    await user.send_contact("+84907654321", own=False)
    await user.send_location(10.7769, 106.7009)
    await user.send_sticker()
    await user.send_photo()
    typed = await fake_telegram.wait_for(chat_id=42, count=5)

    assert (shift.text, shift.entities) == (
        "Ca 7 lúc 08:00",
        [{"type": "bold", "offset": 0, "length": 4}],
    )
    assert (confirmed.message_id, confirmed.edited, confirmed.text) == (
        shift.message_id,
        True,
        "Đã xác nhận (ok:7)",
    )
    assert [answer["text"] for answer in fake_telegram.callback_answers] == ["Đã xác nhận"]
    assert [(m.text, m.latitude) for m in typed] == [
        ("contact +84901234567 own=True", None),
        ("contact +84907654321 own=False", None),
        (None, 10.7769),
        ("chỉ nhận chữ", None),
        ("chỉ nhận chữ", None),
    ]


async def test_edited_message_reaches_the_bot(fake_telegram, polling_bot):
    user = fake_telegram.user(42)
    await user.send("phát nước 50")
    await fake_telegram.wait_for(chat_id=42)
    await user.edit(1, "phát nước 40")
    [reply] = await fake_telegram.wait_for(chat_id=42)

    assert reply.text == "sửa: phát nước 40"


async def test_deliver_again_gives_a_polling_bot_the_same_update(fake_telegram, polling_bot):
    user = fake_telegram.user(42)
    update_id = await user.send("phát nước 50")
    await fake_telegram.wait_for(chat_id=42)
    later = await user.send("khăn 30")
    await fake_telegram.wait_for(chat_id=42)

    await fake_telegram.deliver_again(update_id)
    [again] = await fake_telegram.wait_for(chat_id=42)

    assert again.text == "nhận: phát nước 50"
    assert polling_bot.handled == [update_id, later, update_id]


async def test_negative_offset_keeps_only_the_last_updates(fake_telegram, api):
    user = fake_telegram.user(42)
    sent = [await user.send(f"{i}") for i in range(4)]

    assert ids(await api("getUpdates", offset=-1)) == sent[-1:]
    assert ids(await api("getUpdates")) == sent[-1:]
