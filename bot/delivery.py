"""The one function that sends an outbox message to Telegram, and what its answer means.

``deliver`` sends a claimed row (text, parse mode, buttons) and sorts Telegram's answer
into an outcome; ``record_outcome`` writes that outcome back through the dispatch
services: sent; "retry after N s" (flood control: wait, the try does not count); a
network failure before the request reached Telegram (try again later with backoff, up to
the attempt limit); no answer after the request went out (*in doubt*: Telegram may have
delivered it, so it is sent once more at most — see ``dispatch.mark_in_doubt``); refused
for good (bad request: failed, the reason kept for coordinators); or the recipient blocked
the bot (failed, the volunteer marked unreachable, a coordinator told).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from stations.enums import NotificationStatus
from stations.services import dispatch
from stations.services.dispatch import ClaimedNotification

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class Result(StrEnum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"
    TRANSIENT = "transient"
    IN_DOUBT = "in_doubt"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    result: Result
    error: str = ""
    #: seconds Telegram asked us to wait (``RETRY_AFTER`` only)
    retry_after: float | None = None
    #: Telegram's id of the sent message (``SENT`` only)
    message_id: int | None = None


async def deliver(bot: Bot, message: ClaimedNotification) -> DeliveryOutcome:
    """Send ``message`` once and say what happened. Never raises for Telegram's answers."""
    try:
        markup = reply_markup_from_dict(message.reply_markup)
    except (ValueError, TypeError, KeyError) as exc:
        return DeliveryOutcome(Result.FAILED, f"invalid keyboard: {exc}")
    try:
        sent = await bot.send_message(
            chat_id=message.chat_id,
            text=message.text,
            parse_mode=message.parse_mode,
            reply_markup=markup,
            link_preview_options=NO_PREVIEW,
        )
    except RetryAfter as exc:
        return DeliveryOutcome(Result.RETRY_AFTER, str(exc), retry_after=_seconds(exc))
    except Forbidden as exc:
        return DeliveryOutcome(Result.BLOCKED, _described("Forbidden", exc))
    except ChatMigrated as exc:
        return DeliveryOutcome(
            Result.FAILED, f"the group became a supergroup with chat id {exc.new_chat_id}"
        )
    # BadRequest and TimedOut are NetworkErrors too: the specific ones first.
    except BadRequest as exc:
        return DeliveryOutcome(Result.FAILED, _described("Bad Request", exc))
    except TimedOut as exc:
        if isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout):
            # The request never left: nothing can have been delivered.
            return DeliveryOutcome(Result.TRANSIENT, f"timed out before sending: {exc}")
        return DeliveryOutcome(Result.IN_DOUBT, f"no answer in time: {exc}")
    except (NetworkError, InvalidToken) as exc:
        # A wrong token or an unreachable API is the operator's to fix; keep retrying.
        return DeliveryOutcome(Result.TRANSIENT, f"{type(exc).__name__}: {exc}")
    except TelegramError as exc:
        return DeliveryOutcome(Result.TRANSIENT, f"{type(exc).__name__}: {exc}")
    return DeliveryOutcome(Result.SENT, message_id=sent.message_id)


async def record_outcome(
    message: ClaimedNotification,
    outcome: DeliveryOutcome,
    *,
    now: dt.datetime,
    max_attempts: int,
    coordinator_chat_id: int | None,
    language: str,
) -> NotificationStatus:
    """Write what happened to the outbox row; the row's new status."""
    match outcome.result:
        case Result.SENT:
            if not await dispatch.mark_sent(message, now=now):
                log.warning("notification %s was sent but was no longer ours to mark", message.id)
            return NotificationStatus.SENT
        case Result.RETRY_AFTER:
            wait = dt.timedelta(seconds=outcome.retry_after or 1)
            return await dispatch.mark_retry(
                message,
                at=now + wait,
                error=outcome.error,
                max_attempts=max_attempts,
                count_attempt=False,
            )
        case Result.TRANSIENT:
            log.warning("notification %s: %s", message.id, outcome.error)
            return await dispatch.mark_retry(
                message,
                at=now + dispatch.backoff(message.attempts),
                error=outcome.error,
                max_attempts=max_attempts,
            )
        case Result.IN_DOUBT:
            log.warning("notification %s: %s (Telegram may have it)", message.id, outcome.error)
            return await dispatch.mark_in_doubt(
                message,
                at=now + dispatch.backoff(message.attempts),
                error=outcome.error,
                max_attempts=max_attempts,
            )
        case Result.BLOCKED:
            volunteer = await dispatch.mark_blocked(
                message,
                error=outcome.error,
                coordinator_chat_id=coordinator_chat_id,
                language=language,
                now=now,
            )
            log.info(
                "chat %s refuses the bot (%s)%s",
                message.chat_id,
                outcome.error,
                f": volunteer {volunteer.id} marked unreachable" if volunteer else "",
            )
            return NotificationStatus.FAILED
        case _:
            log.warning("notification %s failed for good: %s", message.id, outcome.error)
            await dispatch.mark_failed(message, error=outcome.error)
            return NotificationStatus.FAILED


def reply_markup_from_dict(
    markup: dict[str, Any] | None,
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None:
    """The Bot API's JSON form of a keyboard, as python-telegram-bot's object."""
    if not markup:
        return None
    if "inline_keyboard" in markup:
        return InlineKeyboardMarkup.de_json(markup, None)
    if "keyboard" in markup:
        return ReplyKeyboardMarkup.de_json(markup, None)
    if markup.get("remove_keyboard"):
        return ReplyKeyboardRemove(selective=markup.get("selective"))
    if markup.get("force_reply"):
        return ForceReply(selective=markup.get("selective"))
    raise ValueError(f"not a Telegram keyboard: {sorted(markup)}")


def _seconds(exc: RetryAfter) -> float:
    wait = exc._retry_after  # a timedelta; the public property warns about its type change
    return max(1.0, wait.total_seconds())


def _described(prefix: str, exc: TelegramError) -> str:
    # PTB drops Telegram's "Forbidden: " / "Bad Request: " prefix; keep the whole text.
    text = exc.message
    return text if text.lower().startswith(prefix.lower()) else f"{prefix}: {text}"
