"""Everything else a person can send: edited messages, stickers, photos, unknown commands
and presses on buttons that no longer mean anything. Each gets a short answer; nothing is
written."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.guard import for_anyone
from bot.messages import answer_query, remove_buttons, reply
from bot.session import Speaker
from stations.i18n import _

EDITED = _("I don't read edited messages. Please send a new message instead.")
UNSUPPORTED = _(
    "I can only read text, your location and your phone number. Send /help to see what I can do."
)
UNKNOWN_COMMAND = _("I don't know the command {command}. Send /help to see what I can do.")


@for_anyone
async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """An edited message: not acted on, and the person is told so."""
    await reply(update, context, texts.render(EDITED, speaker.language))


@for_anyone
async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """A sticker, photo, voice note or anything else the bot cannot read."""
    await reply(update, context, texts.render(UNSUPPORTED, speaker.language))


@for_anyone
async def unknown_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker
) -> None:
    """A command the bot does not have."""
    message = update.effective_message
    word = (message.text or "").split()[0] if message is not None and message.text else "/"
    await reply(
        update,
        context,
        texts.render(UNKNOWN_COMMAND, speaker.language, command=texts.shorten(word, 40)),
    )


@for_anyone
async def stale_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker
) -> None:
    """A press on a button whose data is not ours or no longer valid."""
    text = texts.render(texts.STALE_BUTTON, speaker.language)
    await answer_query(update, texts.plain(text))
    await remove_buttons(update)
    await reply(update, context, text)
