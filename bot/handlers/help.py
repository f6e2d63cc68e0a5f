"""/help, /trogiup: what the bot can do, in the reader's language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.commands import ENGLISH_MENU, VIETNAMESE_MENU
from bot.guard import for_anyone
from bot.messages import reply
from bot.session import Speaker
from stations.enums import Language
from stations.i18n import _, translate

HELP_TITLE = _("<b>What I can do</b>")
HELP_LINKING = _(
    "First link your account: open the invite link from your coordinator, or send /start "
    "and share your phone number."
)
HELP_GUIDED = _(
    "Commands without details (like /phat) show buttons and ask for the number. /huy cancels."
)


@for_anyone
async def help_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker
) -> None:
    """/help: the commands, explained in the reader's language."""
    lang = speaker.language
    menu = ENGLISH_MENU if lang is Language.EN else VIETNAMESE_MENU
    lines = [texts.render(HELP_TITLE, lang)]
    if speaker.volunteer is None:
        lines.append(texts.render(HELP_LINKING, lang))
    lines.extend(f"/{command} — {translate(text, lang)}" for command, text in menu)
    lines.append(texts.render(HELP_GUIDED, lang))
    await reply(update, context, "\n".join(lines))
