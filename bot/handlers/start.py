"""Linking a Telegram account: ``/start <invite>``, ``/start`` and a shared phone number,
or ``/start st_<code>`` from a station's QR code (then check-in is offered there)."""

from __future__ import annotations

import dataclasses

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.guard import for_anyone
from bot.handlers.checkin import ask_for_location
from bot.handlers.nearby import welcome_stranger
from bot.messages import reply
from bot.session import Speaker
from stations import clock
from stations.i18n import _
from stations.models import Station
from stations.services.chat_states import clear_conversation, get_conversation, set_conversation
from stations.services.queries.bot import assignment_at_station, station_by_id
from stations.services.telegram_accounts import (
    link_by_contact,
    link_by_invite,
    station_code_of,
    station_for_code,
)

LINK_STATE = "link"

WELCOME = _(
    "Welcome, {name}! Your Telegram account is now linked. Send /shifts to see your shifts "
    "and /help for everything I can do."
)
WELCOME_BACK = _("Hello again, {name}! Send /shifts to see your shifts or /help for more.")
ASK_PHONE = _(
    "Hello! To find you on the volunteer roster, press the button below to share your phone "
    "number. If you have an invite link from your coordinator, you can open it instead."
)
UNKNOWN_STATION = _("I don't know this station. Please scan the QR code at the station again.")
NO_SHIFT_AT_STATION = _(
    "You have no shift at <b>{station}</b> now or in the next 24 hours. Send /shifts to see "
    "your shifts."
)
SHARE_WITH_BUTTON = _("Please press the button below to share your phone number.")


@for_anyone
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/start: link by invite, by station QR code, or ask for the phone number."""
    payload = context.args[0] if context.args else ""
    code = station_code_of(payload)
    if code is not None:
        await _from_station_code(update, context, speaker, code)
    elif payload:
        volunteer = await link_by_invite(
            payload,
            telegram_user_id=speaker.user_id,
            chat_id=speaker.chat_id,
            language_code=speaker.language_code,
        )
        await reply(
            update,
            context,
            texts.render(WELCOME, volunteer.language, name=volunteer.full_name),
            reply_markup=ReplyKeyboardRemove(),
        )
    elif speaker.volunteer is not None:
        await reply(
            update,
            context,
            texts.render(WELCOME_BACK, speaker.language, name=speaker.volunteer.full_name),
        )
    else:
        await set_conversation(speaker.chat_id, LINK_STATE, update_id=speaker.update_id)
        await welcome_stranger(update, context, speaker)


async def _from_station_code(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker, code: str
) -> None:
    station = await station_for_code(code)
    if station is None:
        await reply(update, context, texts.render(UNKNOWN_STATION, speaker.language))
        return
    if speaker.volunteer is None:
        await set_conversation(
            speaker.chat_id,
            LINK_STATE,
            data={"station_id": station.id},
            update_id=speaker.update_id,
        )
        await reply(
            update,
            context,
            texts.render(ASK_PHONE, speaker.language),
            reply_markup=keyboards.contact_keyboard(speaker.language),
        )
        return
    await offer_check_in(update, context, speaker, station)


async def offer_check_in(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker, station: Station
) -> None:
    assert speaker.volunteer is not None
    assignment = await assignment_at_station(speaker.volunteer, station, now=clock.now())
    if assignment is None:
        await reply(
            update,
            context,
            texts.render(NO_SHIFT_AT_STATION, speaker.language, station=station.name),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    await ask_for_location(update, context, speaker, assignment)


@for_anyone
async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """A shared phone number: link the account if exactly one volunteer has it."""
    message = update.effective_message
    assert message is not None and message.contact is not None
    volunteer = await link_by_contact(
        message.contact.phone_number,
        telegram_user_id=speaker.user_id,
        chat_id=speaker.chat_id,
        contact_user_id=message.contact.user_id,
        language_code=speaker.language_code,
    )
    conversation = await get_conversation(speaker.chat_id)
    station_id = conversation.data.get("station_id") if conversation.state == LINK_STATE else None
    await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
    linked = dataclasses.replace(speaker, volunteer=volunteer)
    await reply(
        update,
        context,
        texts.render(WELCOME, linked.language, name=volunteer.full_name),
        reply_markup=ReplyKeyboardRemove(),
    )
    station = await station_by_id(station_id) if isinstance(station_id, int) else None
    if station is not None:
        await offer_check_in(update, context, linked, station)
