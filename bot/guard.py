"""What every handler does before and around its own work: find the speaker, refuse
group chats and unlinked people kindly, and turn a service's refusal into a translated
answer. Nothing here writes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.messages import answer_query, reply
from bot.session import Speaker, speaker_of
from stations.services.errors import StationsError

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
SpeakerHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Speaker], Coroutine[Any, Any, None]]


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Tell the person ``text``: on a button press as its answer too, so the spinner stops."""
    if update.callback_query is not None:
        await answer_query(update, texts.plain(text))
    await reply(update, context, text)


def _addressed_to_bot(update: Update) -> bool:
    if update.callback_query is not None:
        return True
    message = update.message
    return message is not None and (message.text or "").startswith("/")


def _guarded(func: SpeakerHandler, *, linked: bool) -> Handler:
    @functools.wraps(func)
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        speaker = await speaker_of(update)
        if speaker is None:
            return
        if not speaker.private:
            # In a group (the coordinators' chat) only what is meant for the bot is answered:
            # its commands and its buttons, never the conversation around them.
            if _addressed_to_bot(update):
                await answer(
                    update, context, texts.render(texts.USE_PRIVATE_CHAT, speaker.language)
                )
            return
        if linked and speaker.volunteer is None:
            await answer(update, context, texts.render(texts.NOT_LINKED, speaker.language))
            return
        try:
            await func(update, context, speaker)
        except StationsError as error:
            await answer(update, context, texts.render_error(error, speaker.language))

    return handler


def for_volunteers(func: SpeakerHandler) -> Handler:
    """The handler runs for a linked volunteer in a private chat."""
    return _guarded(func, linked=True)


def for_anyone(func: SpeakerHandler) -> Handler:
    """The handler runs for anyone in a private chat, linked or not."""
    return _guarded(func, linked=False)
