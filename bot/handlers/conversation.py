"""Plain text: the answer to what the chat was asked (a number, "check in without
location"), a report said in plain words ("nước 50, khăn 30", confirmed with buttons before
anything is written), /cancel, and a kind word for text that answers nothing."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.guard import for_anyone
from bot.handlers import checkin, services, start
from bot.handlers.supplies import actions as supply_actions
from bot.handlers.supplies import guided, typed_reports
from bot.messages import reply
from bot.session import Speaker
from stations.i18n import _
from stations.services.chat_states import clear_conversation, get_conversation

NOT_UNDERSTOOD = _("Sorry, I didn't understand that. Send /help to see what I can do.")


@for_anyone
async def text(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """Text that is not a command: the answer to the chat's open question, if it has one."""
    message = update.effective_message
    assert message is not None
    typed = message.text or ""
    lang = speaker.language
    conversation = await get_conversation(speaker.chat_id)
    if conversation.handled(speaker.update_id):
        await reply(update, context, texts.render(texts.ALREADY_DONE, lang))
        return
    state = conversation.state
    if state == start.LINK_STATE:
        await reply(
            update,
            context,
            texts.render(start.SHARE_WITH_BUTTON, lang),
            reply_markup=keyboards.contact_keyboard(lang),
        )
        return
    if speaker.volunteer is None:
        await reply(update, context, texts.render(texts.NOT_LINKED, lang))
        return
    if state == checkin.CHECKIN_STATE and keyboards.is_without_location(typed):
        await checkin.check_in_now(update, context, speaker, latitude=None, longitude=None)
    elif state == checkin.CHECKIN_STATE:
        await reply(
            update,
            context,
            texts.render(checkin.USE_THE_BUTTONS, lang),
            reply_markup=keyboards.location_keyboard(lang),
        )
    elif state in supply_actions.ACTIONS:
        await guided.answer_number(
            update, context, speaker, state, conversation.data.get("item_id"), typed
        )
    elif state == services.MOTORBIKE_STATE:
        await services.record_motorbikes(update, context, speaker, typed)
    elif not await typed_reports.free_report(update, context, speaker, typed):
        await reply(update, context, texts.render(NOT_UNDERSTOOD, lang))


@for_anyone
async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/cancel, /huy: forget the open question."""
    await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
    await reply(
        update,
        context,
        texts.render(texts.CANCELLED, speaker.language),
        reply_markup=ReplyKeyboardRemove(),
    )
