"""The one error handler: log first, then tell the person kindly that nothing was recorded."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.messages import answer_query
from bot.metering import mark_failed
from stations.i18n import normalize_language

log = logging.getLogger("bot")


async def error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with its update, then answer the person if there is one."""
    mark_failed()
    log.error(
        "handling update %s failed",
        update.update_id if isinstance(update, Update) else update,
        exc_info=context.error,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    text = texts.render(
        texts.SOMETHING_WENT_WRONG, normalize_language(user.language_code if user else None)
    )
    try:
        if update.callback_query is not None:
            await answer_query(update, texts.plain(text))
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    except TelegramError:
        # Telegram itself refused (blocked, rate limit): the log above is all we can do.
        log.warning("could not tell chat %s about the failure", update.effective_chat.id)
