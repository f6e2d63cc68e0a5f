"""A guided report: item buttons for the action, then the number asked for in words."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.guard import for_volunteers
from bot.handlers.supplies.actions import (
    COUNT,
    HANDOUT,
    RECEIVE,
    no_station_text,
    station_for,
    write_lines,
)
from bot.handlers.supplies.replies import NO_ITEMS, change_text, item_words
from bot.messages import answer_query, edit_pressed, reply
from bot.parsing import Problem, parse_count, parse_quantity
from bot.session import Speaker
from stations.i18n import _
from stations.models import Station
from stations.services.chat_states import clear_conversation, set_conversation
from stations.services.queries.bot import active_item, active_items

PICK_PATTERN = re.compile(r"^pick:(handout|count|receive):(\d{1,18}|cancel)$")

PICK_HANDOUT = _("What did you hand out at <b>{station}</b>? Choose an item.")
PICK_COUNT = _("Which item are you counting at <b>{station}</b>?")
PICK_RECEIVE = _("What did <b>{station}</b> receive? Choose an item.")
ASK_HANDOUT = _("How many {unit} of {item} did you hand out? Write a number, like 50.")
ASK_COUNT = _("How many {unit} of {item} are there now? Write the number you counted.")
ASK_RECEIVE = _("How many {unit} of {item} arrived? Write a number, like 50.")

_ASK = {HANDOUT: ASK_HANDOUT, COUNT: ASK_COUNT, RECEIVE: ASK_RECEIVE}
_PICK = {HANDOUT: PICK_HANDOUT, COUNT: PICK_COUNT, RECEIVE: PICK_RECEIVE}


async def offer_items(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    speaker: Speaker,
    action: str,
    station: Station,
) -> None:
    lang = speaker.language
    items = await active_items()
    if not items:
        await reply(update, context, texts.render(NO_ITEMS, lang))
        return
    await reply(
        update,
        context,
        texts.render(_PICK[action], lang, station=station.name),
        reply_markup=keyboards.item_buttons(action, items, lang),
    )


@for_volunteers
async def pick_item(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """An item button of a guided report: ask for the number."""
    query = update.callback_query
    assert query is not None
    match = PICK_PATTERN.match(query.data or "")
    assert match is not None
    action, choice = match.group(1), match.group(2)
    lang = speaker.language
    if choice == "cancel":
        await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
        await answer_query(update)
        await edit_pressed(update, texts.render(texts.CANCELLED, lang))
        return
    item = await active_item(int(choice))
    station = await station_for(action, speaker)
    if item is None or station is None:
        text = (
            texts.render(texts.STALE_BUTTON, lang)
            if item is None
            else no_station_text(action, lang)
        )
        await answer_query(update, texts.plain(text))
        await edit_pressed(update, text)
        return
    await set_conversation(
        speaker.chat_id, action, data={"item_id": item.id}, update_id=speaker.update_id
    )
    await answer_query(update)
    await edit_pressed(
        update,
        texts.render(
            _ASK[action],
            lang,
            **item_words(item, None, lang),
        ),
    )


async def answer_number(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    speaker: Speaker,
    action: str,
    item_id: object,
    text: str,
) -> None:
    """The number a guided report asked for: write it, or say what is wrong and keep asking."""
    lang = speaker.language
    value = parse_count(text) if action == COUNT else parse_quantity(text)
    if isinstance(value, Problem):
        await reply(update, context, texts.render(value.message, lang, text=value.text))
        return
    item = await active_item(item_id) if isinstance(item_id, int) else None
    station = await station_for(action, speaker)
    if item is None or station is None:
        await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
        await reply(
            update,
            context,
            texts.render(texts.STALE_BUTTON, lang)
            if item is None
            else no_station_text(action, lang),
        )
        return
    changes = await write_lines(action, station, [(item, value)], speaker, key=speaker.key())
    await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
    await reply(update, context, change_text(action, item, changes[0], lang))
