"""Updates reach a webhook bot by POST, with the secret header, kept and retried on failure."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot, Update
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from tests.fake_telegram import FakeTelegram, Limits, serve_asgi

pytestmark = pytest.mark.e2e

SECRET = "s3cret_Token-1"


class Receiver:
    """A webhook endpoint that records what Telegram POSTs and answers ``status``."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        self.app = Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> Response:
        self.received.append(
            (request.headers.get("x-telegram-bot-api-secret-token"), await request.json())
        )
        return Response(status_code=self.status)

    @property
    def update_ids(self) -> list[int]:
        return [update["update_id"] for _, update in self.received]


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver()
    async with serve_asgi(receiver.app) as url:
        yield receiver, f"{url}/hook"


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake_telegram.token, base_url=fake_telegram.api_base) as bot:
        yield bot


async def test_updates_are_posted_with_the_secret_header(fake_telegram, bot, receiver):
    endpoint, url = receiver
    await bot.set_webhook(url, secret_token=SECRET, allowed_updates=["message", "callback_query"])
    user = fake_telegram.user(42)

    update_id = await user.send("/start")

    assert endpoint.received[0][0] == SECRET
    assert endpoint.received[0][1]["update_id"] == update_id
    assert endpoint.received[0][1]["message"]["text"] == "/start"
    assert fake_telegram.webhook == {
        "url": url,
        "secret_token": SECRET,
        "allowed_updates": ["callback_query", "message"],
        "max_connections": 40,
        "ip_address": None,
        "drop_pending_updates": False,
    }


async def test_failed_delivery_is_kept_and_redelivered_in_order(fake_telegram, bot, receiver):
    endpoint, url = receiver
    await bot.set_webhook(url, secret_token=SECRET)
    user = fake_telegram.user(42)
    endpoint.status = 500

    first = await user.send("một")
    second = await user.send("hai")  # waits behind the failed one, like Telegram
    info = await bot.get_webhook_info()

    assert endpoint.update_ids == [first]
    assert info.pending_update_count == 2
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    endpoint.status = 200
    assert await fake_telegram.redeliver_pending() == 2
    assert endpoint.update_ids == [first, first, second]
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_unreachable_webhook_keeps_updates(fake_telegram, bot):
    async with serve_asgi(Receiver().app) as url:
        dead_url = f"{url}/hook"
    await bot.set_webhook(dead_url)
    user = fake_telegram.user(42)

    update_id = await user.send("xin chào")

    assert [u["update_id"] for u in fake_telegram.pending_updates] == [update_id]
    assert fake_telegram.deliveries[-1]["status"] is None
    assert (await bot.get_webhook_info()).last_error_message == "Connection refused"
    assert await fake_telegram.redeliver_pending() == 0


async def test_deliver_again_posts_the_same_update(fake_telegram, bot, receiver):
    endpoint, url = receiver
    await bot.set_webhook(url)
    update_id = await fake_telegram.user(42).send("phát nước 50")

    await fake_telegram.deliver_again(update_id)

    assert endpoint.update_ids == [update_id, update_id]
    assert endpoint.received[0][1] == endpoint.received[1][1]
    assert endpoint.received[0][0] is None  # no secret was set


async def test_delete_webhook_hands_pending_updates_to_get_updates(fake_telegram, bot, receiver):
    endpoint, url = receiver
    await bot.set_webhook(url)
    endpoint.status = 502
    update_id = await fake_telegram.user(42).send("một")

    await bot.delete_webhook()
    updates = await bot.get_updates()

    assert fake_telegram.webhook is None
    assert [u.update_id for u in updates] == [update_id]


async def test_drop_pending_updates_forgets_them(fake_telegram, bot, receiver):
    _, url = receiver
    user = fake_telegram.user(42)
    await user.send("cũ")

    await bot.set_webhook(url, drop_pending_updates=True)

    assert fake_telegram.pending_updates == []


async def test_updates_waiting_for_get_updates_go_to_a_new_webhook(fake_telegram, bot, receiver):
    endpoint, url = receiver
    update_id = await fake_telegram.user(42).send("trước webhook")

    await bot.set_webhook(url)
    await fake_telegram.redeliver_pending()

    assert endpoint.update_ids == [update_id]


async def test_disallowed_update_kinds_are_not_posted(fake_telegram, bot, receiver):
    endpoint, url = receiver
    await bot.set_webhook(url, allowed_updates=["callback_query"])

    await fake_telegram.user(42).send("tin nhắn")

    assert endpoint.received == []


@pytest.mark.parametrize(
    ("kwargs", "description"),
    [
        (
            {"url": "http://example.com/hook"},
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
        ),
        (
            {"url": "ftp://127.0.0.1/hook"},
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
        ),
        (
            {"url": "https://example.com/hook", "secret_token": "có dấu"},
            "Bad Request: secret token contains unallowed characters",
        ),
    ],
)
async def test_invalid_webhooks_are_refused(fake_telegram, bot, kwargs, description):
    with pytest.raises(BadRequest):
        await bot.set_webhook(**kwargs)

    assert (fake_telegram.calls[-1].status, fake_telegram.calls[-1].description) == (
        400,
        description,
    )
    assert fake_telegram.webhook is None


async def test_https_webhook_is_accepted_and_reported(fake_telegram, bot):
    await bot.set_webhook("https://tram.example.vn/telegram/webhook", max_connections=10)

    info = await bot.get_webhook_info()

    assert (info.url, info.max_connections, info.pending_update_count) == (
        "https://tram.example.vn/telegram/webhook",
        10,
        0,
    )


async def test_conversation_with_a_webhook_application(make_fake_telegram):
    fake = await make_fake_telegram(limits=Limits(enforce=False))
    application = (
        Application.builder().token(fake.token).base_url(fake.api_base).updater(None).build()
    )
    handled: list[int] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled.append(update.update_id)
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"nhận: {update.effective_message.text}")

    async def webhook(request: Request) -> Response:
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not hmac.compare_digest(given, SECRET):
            return Response(status_code=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.update_queue.put(update)
        return Response()

    application.add_handler(MessageHandler(filters.TEXT, echo))
    app = Starlette(routes=[Route("/telegram/webhook", webhook, methods=["POST"])])
    async with serve_asgi(app) as url, application:
        await application.start()
        await application.bot.set_webhook(f"{url}/telegram/webhook", secret_token=SECRET)
        user = fake.user(42)

        first = await user.send("phát nước 50")
        await fake.wait_for(chat_id=42)
        await fake.deliver_again(first)
        await fake.wait_for(chat_id=42)
        await application.bot.set_webhook(f"{url}/telegram/webhook", secret_token="wrong")
        refused = await user.send("bị từ chối")
        await application.stop()

    assert handled == [first, first]
    assert [m.text for m in fake.messages_to(42)] == ["nhận: phát nước 50"] * 2
    assert fake.deliveries[-1] == {"update_id": refused, "status": 403, "error": None}
