"""bot/delivery.py: one send to the fake Bot API, and what each of Telegram's answers means."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, ForceReply, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.request import HTTPXRequest

from bot.delivery import DeliveryOutcome, Result, deliver, record_outcome, reply_markup_from_dict
from stations.enums import NotificationStatus
from stations.models import Notification, Volunteer
from stations.services import dispatch
from stations.services.dispatch import ClaimedNotification
from stations.services.outbox import enqueue_notification
from stations.services.phones import format_phone_local
from tests.fake_telegram.limits import Limits
from tests.fake_telegram.server import FakeTelegram
from tests.scheduler.helpers import COORDINATORS, linked_volunteer

pytestmark = [
    pytest.mark.e2e,
    # PTB reads RetryAfter.retry_after itself while building the error (its v22.2 deprecation)
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

CHAT = 424242
NOW = dt.datetime(2027, 2, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
async def tg(make_fake_telegram: Any) -> FakeTelegram:
    server: FakeTelegram = await make_fake_telegram(limits=Limits(enforce=False))
    server.user(CHAT)
    server.group(COORDINATORS)
    return server


@pytest.fixture
async def sender(tg: FakeTelegram) -> AsyncIterator[Bot]:
    client = Bot(tg.token, base_url=tg.api_base, request=HTTPXRequest(connection_pool_size=2))
    yield client
    await client.shutdown()


def _message(chat_id: int = CHAT, **overrides: Any) -> ClaimedNotification:
    values: dict[str, Any] = {
        "id": 1,
        "chat_id": chat_id,
        "volunteer_id": None,
        "kind": "test",
        "text": "Xin chào <b>bạn</b>",
        "parse_mode": "HTML",
        "reply_markup": None,
        "due_at": NOW,
        "expires_at": None,
        "attempts": 1,
        "lease_until": NOW + dt.timedelta(minutes=2),
    }
    values.update(overrides)
    return ClaimedNotification(**values)


async def test_deliver_sends_text_parse_mode_and_buttons(tg, sender):
    markup = {
        "inline_keyboard": [[{"text": "❌ Không đến được", "callback_data": "asg:decline:3"}]]
    }

    outcome = await deliver(sender, _message(reply_markup=markup))

    [sent] = tg.messages_to(CHAT)
    assert outcome == DeliveryOutcome(Result.SENT, message_id=sent.message_id)
    assert (sent.text, sent.raw_text, sent.reply_markup) == (
        "Xin chào bạn",
        "Xin chào <b>bạn</b>",
        markup,
    )


@pytest.mark.parametrize(
    ("code", "description", "retry_after", "expected"),
    [
        (
            429,
            "Too Many Requests: retry after 5",
            5,
            DeliveryOutcome(
                Result.RETRY_AFTER, "Flood control exceeded. Retry in 5 seconds", retry_after=5.0
            ),
        ),
        (
            403,
            "Forbidden: bot was blocked by the user",
            None,
            DeliveryOutcome(Result.BLOCKED, "Forbidden: bot was blocked by the user"),
        ),
        (
            403,
            "Forbidden: user is deactivated",
            None,
            DeliveryOutcome(Result.BLOCKED, "Forbidden: user is deactivated"),
        ),
        (
            400,
            "Bad Request: chat not found",
            None,
            DeliveryOutcome(Result.FAILED, "Bad Request: Chat not found"),
        ),
        (502, "Bad Gateway", None, DeliveryOutcome(Result.TRANSIENT, "NetworkError: Bad Gateway")),
        (
            500,
            "Internal Server Error",
            None,
            DeliveryOutcome(Result.TRANSIENT, "NetworkError: Internal Server Error"),
        ),
    ],
)
async def test_deliver_sorts_telegrams_errors(tg, sender, code, description, retry_after, expected):
    tg.fail_next("sendMessage", error_code=code, description=description, retry_after=retry_after)

    outcome = await deliver(sender, _message())

    assert outcome == expected
    assert tg.messages_to(CHAT) == []


async def test_deliver_without_a_reachable_api_is_transient(tg):
    nowhere = Bot(
        tg.token, base_url="http://127.0.0.1:9/bot", request=HTTPXRequest(connect_timeout=1)
    )

    outcome = await deliver(nowhere, _message())

    assert outcome.result is Result.TRANSIENT
    assert outcome.error.startswith("NetworkError")


async def test_deliver_refuses_an_invalid_keyboard_without_calling_telegram(tg, sender):
    outcome = await deliver(sender, _message(reply_markup={"buttons": []}))

    assert outcome == DeliveryOutcome(
        Result.FAILED, "invalid keyboard: not a Telegram keyboard: ['buttons']"
    )
    assert tg.calls == []


async def test_deliver_reports_telegrams_own_check_of_button_data(tg, sender):
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}

    outcome = await deliver(sender, _message(reply_markup=markup))

    assert outcome == DeliveryOutcome(Result.FAILED, "Bad Request: Button_data_invalid")


@pytest.mark.parametrize(
    ("markup", "kind"),
    [
        ({"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}, InlineKeyboardMarkup),
        ({"keyboard": [[{"text": "a"}]], "resize_keyboard": True}, ReplyKeyboardMarkup),
        ({"remove_keyboard": True}, ReplyKeyboardRemove),
        ({"force_reply": True}, ForceReply),
    ],
)
def test_reply_markup_from_dict_builds_each_kind(markup, kind):
    built = reply_markup_from_dict(markup)

    assert isinstance(built, kind)
    assert built.to_dict() | markup == built.to_dict()


@pytest.mark.parametrize("markup", [None, {}])
def test_reply_markup_from_dict_none_for_no_keyboard(markup):
    assert reply_markup_from_dict(markup) is None


async def _claimed(volunteer: Volunteer | None, chat_id: int) -> ClaimedNotification:
    await enqueue_notification(
        chat_id=chat_id, volunteer=volunteer, kind="t", text="x", dedupe_key=f"d:{chat_id}"
    )
    [claimed] = (await dispatch.claim_due(now=NOW, limit=1)).claimed
    return claimed


async def test_record_blocked_marks_volunteer_and_tells_coordinators_once(db, clock, tg):
    volunteer = await linked_volunteer(tg, full_name="Võ Văn Em")
    blocked = DeliveryOutcome(Result.BLOCKED, "Forbidden: bot was blocked by the user")

    first = await record_outcome(
        await _claimed(volunteer, volunteer.telegram_chat_id),
        blocked,
        now=NOW,
        max_attempts=5,
        coordinator_chat_id=COORDINATORS,
        language="en",
    )
    await Notification.filter(kind="t").delete()
    await record_outcome(
        await _claimed(volunteer, volunteer.telegram_chat_id),
        blocked,
        now=NOW,
        max_attempts=5,
        coordinator_chat_id=COORDINATORS,
        language="en",
    )

    told = await Notification.filter(kind="volunteer_blocked")
    assert first == NotificationStatus.FAILED
    assert (await Volunteer.get(id=volunteer.id)).reachable is False
    assert [(n.chat_id, n.text) for n in told] == [
        (
            COORDINATORS,
            f"Võ Văn Em ({format_phone_local(volunteer.phone)}) has blocked the bot, so their Telegram messages "
            "cannot be delivered. Please reach them another way.",
        )
    ]


async def test_record_blocked_group_fails_without_anyone_to_mark(db, clock, tg):
    claimed = await _claimed(None, COORDINATORS)

    status = await record_outcome(
        claimed,
        DeliveryOutcome(Result.BLOCKED, "Forbidden: bot was kicked from the group chat"),
        now=NOW,
        max_attempts=5,
        coordinator_chat_id=COORDINATORS,
        language="vi",
    )

    row = await Notification.get(id=claimed.id)
    assert (status, row.status, row.last_error) == (
        NotificationStatus.FAILED,
        NotificationStatus.FAILED,
        "Forbidden: bot was kicked from the group chat",
    )
    assert await Notification.filter(kind="volunteer_blocked").count() == 0


async def test_record_retry_after_does_not_count_as_an_attempt(db, clock, tg):
    claimed = await _claimed(None, CHAT)

    status = await record_outcome(
        claimed,
        DeliveryOutcome(Result.RETRY_AFTER, "Flood control exceeded", retry_after=9.0),
        now=NOW,
        max_attempts=1,
        coordinator_chat_id=None,
        language="vi",
    )

    row = await Notification.get(id=claimed.id)
    assert (status, row.status, row.attempts, row.due_at, row.not_before) == (
        NotificationStatus.PENDING,
        NotificationStatus.PENDING,
        0,
        claimed.due_at,
        NOW + dt.timedelta(seconds=9),
    )
