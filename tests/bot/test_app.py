"""The bot's wiring: handlers, command menus, the webhook and its secret, the off switch."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from telegram.ext import AIORateLimiter, CommandHandler

from bot.app import ALLOWED_UPDATES, build_application, file_url_for, reply_rate_limiter
from bot.commands import ENGLISH_MENU, VIETNAMESE_MENU
from bot.runtime import WEBHOOK_PATH, bot_lifespans, bot_routes, webhook_secret
from stations.settings import Settings
from tests.bot.conftest import WEBHOOK_SECRET, running_bot

pytestmark = pytest.mark.e2e


def _registered_commands() -> set[str]:
    application = build_application(Settings(telegram_token="1:T"))
    return {
        command
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


@pytest.mark.unit
def test_every_menu_command_has_a_handler():
    menus = {command for command, _text in (*VIETNAMESE_MENU, *ENGLISH_MENU)}

    assert menus - _registered_commands() == set()


@pytest.mark.unit
def test_file_url_sits_beside_the_method_url():
    assert file_url_for("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url_for("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/file/bot"


@pytest.mark.unit
def test_bot_is_off_without_a_token(caplog):
    caplog.set_level(logging.INFO, logger="bot")

    lifespans = bot_lifespans(Settings())
    routes = bot_routes(Settings(public_url="https://example.org"))

    assert (lifespans, routes) == ([], [])
    assert caplog.messages == ["Telegram bot is off: WAYSTATION_TELEGRAM_TOKEN is not set"]


@pytest.mark.unit
def test_webhook_secret_without_one_set_is_derived_from_the_server_secret():
    derived = webhook_secret(Settings(secret_key="k" * 40))

    assert derived == webhook_secret(Settings(secret_key="k" * 40))
    assert derived != webhook_secret(Settings(secret_key="j" * 40))
    assert webhook_secret(Settings(webhook_secret="given")) == "given"


async def test_webhook_mode_registers_the_webhook_and_the_menus(bot_db, clock, fake):
    async with running_bot(fake, "webhook") as running:
        webhook = dict(fake.webhook or {})
        commands = dict(fake.commands)

    assert webhook["url"] == f"{running.url}{WEBHOOK_PATH}"
    assert webhook["secret_token"] == WEBHOOK_SECRET
    assert webhook["allowed_updates"] == sorted(ALLOWED_UPDATES)
    assert [c["command"] for c in commands[("default", None)]][:2] == ["ca", "next"]
    assert [c["command"] for c in commands[("default", "en")]][:2] == ["shifts", "next"]
    assert commands[("default", "en")][0]["description"] == "My shifts"
    assert commands[("default", None)][0]["description"] == "Ca trực của tôi"


async def test_webhook_refuses_requests_without_the_secret(bot_db, clock, fake):
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 77, "type": "private"},
            "from": {"id": 77, "is_bot": False, "first_name": "X"},
            "text": "/help",
        },
    }
    async with running_bot(fake, "webhook") as running, httpx.AsyncClient() as client:
        url = f"{running.url}{WEBHOOK_PATH}"
        missing = await client.post(url, json=update)
        wrong = await client.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
        )
        garbage = await client.post(
            url, content=b"{not json", headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        )

    assert (missing.status_code, wrong.status_code, garbage.status_code) == (403, 403, 400)
    assert fake.messages_to(77) == []


MALFORMED_BODIES = [
    b"[1,2]",
    b"null",
    b"5",
    b'"text"',
    b"{}",
    b'{"update_id": "1"}',
    b'{"update_id": true}',
    b'{"update_id": 1, "message": 5}',
    b'{"update_id": 1, "message": {"text": "/help"}}',
    b"\xff\xfe{",
]


async def test_webhook_answers_400_to_a_malformed_body_with_the_right_secret(bot_db, clock, fake):
    async with running_bot(fake, "webhook") as running, httpx.AsyncClient() as client:
        url = f"{running.url}{WEBHOOK_PATH}"
        statuses = [
            (
                await client.post(
                    url,
                    content=body,
                    headers={
                        "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                        "Content-Type": "application/json",
                    },
                )
            ).status_code
            for body in MALFORMED_BODIES
        ]

    assert statuses == [400] * len(MALFORMED_BODIES)


async def test_polling_mode_removes_the_webhook_and_answers(bot_db, clock, fake):
    await fake.preset_webhook("https://old.example.org/hook")
    async with running_bot(fake, "polling") as running:
        (answer,) = await running.say(fake.user(9001, language_code="en"), "/help")

    assert fake.webhook is None
    assert answer.text.startswith("What I can do")


async def test_a_failing_handler_is_logged_and_the_person_told(bot_db, clock, fake, caplog):
    # Telegram refuses the first reply: the error handler logs it, then answers anyway.
    fake.fail_next("sendMessage", error_code=500, description="Internal Server Error")
    caplog.set_level(logging.ERROR, logger="bot")
    async with running_bot(fake, "webhook") as running:
        (answer,) = await running.say(fake.user(9002), "/help")

    assert answer.text == (
        "Xin lỗi, hệ thống vừa gặp trục trặc. Chưa có gì được ghi lại; bạn vui lòng thử lại "
        "sau ít phút."
    )
    assert caplog.records[0].message.startswith("handling update")
    assert caplog.records[0].exc_info is not None


async def test_bot_that_cannot_reach_telegram_leaves_the_web_app_running(bot_db, clock, caplog):
    settings = Settings(telegram_token="1:T", telegram_api_url="http://127.0.0.1:9/bot")
    (lifespan,) = bot_lifespans(settings)
    from starlette.applications import Starlette

    app = Starlette()
    async with lifespan(app):
        running = getattr(app.state, "telegram_application", None)

    assert running is None
    assert "could not start" in caplog.text


#: More replies to one chat at once than Telegram lets through without a 429 (a burst of 3).
BURST = 7
#: PTB reads RetryAfter.retry_after itself while retrying (its v22.2 deprecation).
ptb_reads_retry_after = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)


@ptb_reads_retry_after
@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_burst_of_replies_to_one_chat_all_arrive_under_telegrams_limits(
    bot_db, clock, make_fake_telegram, caplog, mode
):
    fake = await make_fake_telegram()  # Telegram's limits, enforced
    an = fake.user(9101, language_code="en")
    caplog.set_level(logging.ERROR)

    async with running_bot(fake, mode):
        for _ in range(BURST):
            await an.send("/help")
        answers = await fake.wait_for(chat_id=an.id, count=BURST, timeout=BURST + 10)

    assert [answer.text.splitlines()[0] for answer in answers] == ["What I can do"] * BURST
    assert fake.count_429 > 0
    assert fake.unread(an.id) == []
    assert caplog.records == []


@ptb_reads_retry_after
async def test_burst_of_commands_in_a_group_is_answered_every_time(
    bot_db, clock, make_fake_telegram, caplog
):
    fake = await make_fake_telegram()
    group = fake.group(-100777)
    people = [fake.user(9200 + n) for n in range(5)]
    caplog.set_level(logging.ERROR)

    async with running_bot(fake, "webhook"):
        for person in people:
            await group.send(person, "/ca")
        answers = await fake.wait_for(chat_id=group.id, count=len(people), timeout=15)

    assert [answer.text for answer in answers] == ["Bạn hãy nhắn riêng cho mình nhé."] * 5
    assert fake.count_429 > 0
    assert caplog.records == []


async def _passes(limiter: AIORateLimiter, chat_id: int, *, within: float = 0.3) -> bool:
    """Whether one request to ``chat_id`` gets through the limiter within ``within`` seconds."""

    async def request(*_args: object, **_kwargs: object) -> bool:
        return True

    pending = limiter.process_request(request, (), {}, "sendMessage", {"chat_id": chat_id}, None)
    try:
        return await asyncio.wait_for(pending, within)
    except TimeoutError:
        return False


@pytest.mark.unit
async def test_reply_limiter_holds_a_group_to_its_per_minute_cap_but_not_private_chats():
    limiter = reply_rate_limiter(Settings(group_per_minute=20))

    group_burst = [await _passes(limiter, -100777) for _ in range(21)]
    # Under an overall cap of 30/s, 100 replies at once would need more than 2 s.
    private_burst = await asyncio.gather(
        *(_passes(limiter, 9000 + n, within=1) for n in range(100))
    )

    assert group_burst == [True] * 20 + [False]
    assert private_burst == [True] * 100
