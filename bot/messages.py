"""Sending replies that Telegram accepts: HTML, split under the 4,096-character limit on
line boundaries, to the chat the update came from."""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

log = logging.getLogger("bot")

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove

TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible.

    A single line longer than the limit is cut at the limit: a reply is never refused for
    length. Cuts never fall inside an HTML tag because lines carry balanced tags.
    """
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


async def reply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    *,
    reply_markup: ReplyMarkup | None = None,
) -> Message | None:
    """Send ``text`` to the update's chat; a keyboard goes with the last piece."""
    chat = update.effective_chat
    if chat is None:
        return None
    pieces = split_text(text)
    sent: Message | None = None
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        sent = await context.bot.send_message(
            chat_id=chat.id,
            text=piece,
            parse_mode=ParseMode.HTML,
            reply_markup=reply_markup if last else None,
        )
    return sent


async def answer_query(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the button press of ``update`` (plain ``text``, if any), so its spinner stops.

    A press Telegram delivers again (a webhook answer was lost) was answered the first
    time; Telegram then refuses a second answer as "too old", which changes nothing.
    """
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        # python-telegram-bot capitalises Telegram's description: compare in lower case.
        if "query is too old" not in error.message.lower():
            raise
        log.info("button press %s was answered before", query.id)


async def edit_pressed(
    update: Update, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the text (and buttons) of the message whose button was pressed.

    The same press delivered twice finds the message already so; an old message may be
    gone. Neither is worth an error.
    """
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=reply_markup)
    except BadRequest as error:
        if not _harmless_edit_error(error):
            raise


async def remove_buttons(update: Update) -> None:
    """Take the buttons off the pressed message (already gone or too old: nothing to do)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as error:
        if not _harmless_edit_error(error):
            raise


def _harmless_edit_error(error: BadRequest) -> bool:
    description = error.message.lower()
    return "not modified" in description or "not found" in description
