"""/language: Vietnamese or English, by buttons or ``/language en``."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.guard import for_volunteers
from bot.messages import answer_query, edit_pressed, reply
from bot.session import Speaker
from stations.enums import Language
from stations.i18n import _
from stations.services.volunteers import clean_language, set_volunteer_language

CHOOSE_LANGUAGE = _("Choose your language.")
LANGUAGE_SET = _("Okay, I will write to you in English from now on.")


async def _set(speaker: Speaker, language: Language) -> str:
    assert speaker.volunteer is not None
    await set_volunteer_language(speaker.volunteer, language=language, by=speaker.actor)
    return texts.render(LANGUAGE_SET, language)


@for_volunteers
async def language(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/language, /ngonngu: choose Vietnamese or English."""
    args = context.args or []
    if not args:
        await reply(
            update,
            context,
            texts.render(CHOOSE_LANGUAGE, speaker.language),
            reply_markup=keyboards.language_buttons(),
        )
        return
    chosen = clean_language(" ".join(args))
    await reply(update, context, await _set(speaker, chosen))


@for_volunteers
async def language_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker
) -> None:
    """A language button: switch and say so in the new language."""
    query = update.callback_query
    assert query is not None
    chosen = clean_language((query.data or "").removeprefix("lang:"))
    done = await _set(speaker, chosen)
    await answer_query(update)
    await edit_pressed(update, done)
