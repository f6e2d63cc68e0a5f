"""A report typed as text — after a command ("/phat nuoc 50 khan 30") or in plain words
("nước 50, khăn 30"): written when its action and items are known, else kept in the chat's
state while buttons ask for the item an unknown word meant, or handed out or received."""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.guard import for_volunteers
from bot.handlers.supplies.actions import (
    HANDOUT,
    RECEIVE,
    no_station_text,
    station_for,
    write_lines,
)
from bot.handlers.supplies.replies import STOCK_LINE, changes_text
from bot.handlers.supplies.report_items import Resolved, resolve_report
from bot.messages import answer_query, edit_pressed, reply
from bot.parsing import Problem, ReportLine, parse_report
from bot.session import Speaker
from stations import clock
from stations.i18n import _, translate
from stations.models import Station
from stations.services.catalog import CatalogIndex, catalog_index
from stations.services.chat_states import clear_conversation, get_conversation, set_conversation
from stations.services.queries.bot import working_station

#: A report waiting in the chat's state: ``rep:<update id of the report>:<choice>``.
REPORT_PATTERN = re.compile(r"^rep:(\d{1,18}):(handout|receive|cancel|item:\d{1,18})$")
REPORT_STATE = "report"

TOO_MANY_ITEMS = _("Report at most {max} items in one message.")
CONFIRM_REPORT = _("Record this at <b>{station}</b>? Nothing is written until you choose.")
HANDOUT_BUTTON = _("Handed out")
RECEIVE_BUTTON = _("Received")
CANCEL_BUTTON = _("Cancel")

MAX_LINES = 20


async def free_report(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker, text: str
) -> bool:
    """Plain text that reads as a report ("nước 50, khăn 30"): offered for confirmation as
    a handout or a receipt, nothing written yet. False when it is not one."""
    index = await catalog_index()
    parsed = parse_report(text, is_unit=index.is_unit, counted_in=index.names_counted_in)
    if isinstance(parsed, Problem) or not parsed:
        return False
    resolved = resolve_report(index, parsed, speaker.language)
    if isinstance(resolved, str):
        return False
    unknown = resolved.unknown
    if unknown is not None and not index.suggest(resolved.lines[unknown][2]):
        return False
    await take(update, context, speaker, index, parsed, action="")
    return True


async def take(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    speaker: Speaker,
    index: CatalogIndex,
    parsed: list[ReportLine],
    *,
    action: str,
    station: Station | None = None,
) -> None:
    """A parsed report: written when its action and items are known, else kept in the
    chat's state while the person picks the missing item or confirms. ``station``: the one
    the action is for, when the caller has found it already."""
    lang = speaker.language
    if len(parsed) > MAX_LINES:
        await reply(update, context, texts.render(TOO_MANY_ITEMS, lang, max=MAX_LINES))
        return
    resolved = resolve_report(index, parsed, lang)
    if isinstance(resolved, str):
        await reply(update, context, resolved)
        return
    unknown = resolved.unknown
    if unknown is None and action:
        station = station or await station_for(action, speaker)
        if station is None:
            await reply(update, context, no_station_text(action, lang))
            return
        changes = await write_lines(action, station, resolved.known(), speaker, key=speaker.key())
        await reply(update, context, changes_text(action, resolved.known(), changes, lang))
        return
    if unknown is not None and not index.suggest(resolved.lines[unknown][2]):
        await reply(
            update,
            context,
            texts.render(texts.UNKNOWN_ITEM, lang, text=texts.shorten(resolved.lines[unknown][2])),
        )
        return
    station_name = ""
    if not action:
        # Handed out at the station one works at, or received at the one one leads.
        assert speaker.volunteer is not None
        # working_station already falls back to a station the person leads.
        station = await working_station(speaker.volunteer, now=clock.now())
        if station is None:
            await reply(update, context, texts.render(texts.NO_STATION_NOW, lang))
            return
        station_name = station.name
    pending = {
        "action": action,
        "nonce": speaker.update_id,
        "station": station_name,
        "lines": [[item.id if item else 0, q, w] for item, q, w in resolved.lines],
    }
    await set_conversation(speaker.chat_id, REPORT_STATE, data=pending, update_id=speaker.update_id)
    text, markup = await _pending_prompt(index, resolved, pending, speaker)
    await reply(update, context, text, reply_markup=markup)


async def _pending_prompt(
    index: CatalogIndex, resolved: Resolved, pending: dict[str, Any], speaker: Speaker
) -> tuple[str, InlineKeyboardMarkup]:
    """What a waiting report asks: the item an unknown word meant, or handed out/received."""
    lang = speaker.language
    nonce = pending["nonce"]
    unknown = resolved.unknown
    if unknown is not None:
        words = resolved.lines[unknown][2]
        choices = [
            (item.name(lang), keyboards.callback("rep", nonce, f"item:{item.id}"))
            for item in index.suggest(words)
        ]
        choices.append((translate(CANCEL_BUTTON, lang), keyboards.callback("rep", nonce, "cancel")))
        text = texts.render(texts.DID_YOU_MEAN, lang, text=texts.shorten(words))
        return text, keyboards.choice_buttons(choices)
    lines = [
        texts.render(
            STOCK_LINE,
            lang,
            item=item.name(lang),
            quantity=quantity,
            unit=item.unit_label(lang, quantity),
        )
        for item, quantity in resolved.known()
    ]
    title = texts.render(CONFIRM_REPORT, lang, station=str(pending.get("station") or ""))
    choices = [
        (translate(HANDOUT_BUTTON, lang), keyboards.callback("rep", nonce, HANDOUT)),
        (translate(RECEIVE_BUTTON, lang), keyboards.callback("rep", nonce, RECEIVE)),
        (translate(CANCEL_BUTTON, lang), keyboards.callback("rep", nonce, "cancel")),
    ]
    return "\n".join([title, *lines]), keyboards.choice_buttons(choices, per_row=3)


@for_volunteers
async def report_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker
) -> None:
    """A button of a waiting report: the item an unknown word meant, handed out or
    received (written now, once however often it is pressed or delivered), or cancel."""
    query = update.callback_query
    assert query is not None
    match = REPORT_PATTERN.match(query.data or "")
    assert match is not None
    nonce, choice = int(match.group(1)), match.group(2)
    lang = speaker.language
    conversation = await get_conversation(speaker.chat_id)
    if conversation.handled(speaker.update_id):
        await answer_query(update, texts.plain(texts.render(texts.ALREADY_DONE, lang)))
        return
    pending = dict(conversation.data)
    if conversation.state != REPORT_STATE or pending.get("nonce") != nonce:
        text = texts.render(texts.STALE_BUTTON, lang)
        await answer_query(update, texts.plain(text))
        await edit_pressed(update, text)
        return
    if choice == "cancel":
        await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
        await answer_query(update)
        await edit_pressed(update, texts.render(texts.CANCELLED, lang))
        return
    index = await catalog_index()
    by_id = {item.id: item for item in index.items}
    lines = pending.get("lines") or []
    if choice.startswith("item:"):
        chosen = by_id.get(int(choice.removeprefix("item:")))
        position = next((i for i, line in enumerate(lines) if not line[0]), None)
        if chosen is None or position is None:
            text = texts.render(texts.STALE_BUTTON, lang)
            await answer_query(update, texts.plain(text))
            await edit_pressed(update, text)
            return
        lines[position][0] = chosen.id
    else:
        pending["action"] = choice
    resolved = Resolved([(by_id.get(line[0]), line[1], line[2]) for line in lines])
    action = pending.get("action") or ""
    if resolved.unknown is not None or not action:
        await set_conversation(
            speaker.chat_id, REPORT_STATE, data=pending, update_id=speaker.update_id
        )
        text, markup = await _pending_prompt(index, resolved, pending, speaker)
        await answer_query(update)
        await edit_pressed(update, text, reply_markup=markup)
        return
    station = await station_for(action, speaker)
    if station is None:
        text = no_station_text(action, lang)
        await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
        await answer_query(update, texts.plain(text))
        await edit_pressed(update, text)
        return
    known = resolved.known()
    changes = await write_lines(action, station, known, speaker, key=f"tg:{nonce}")
    await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
    await answer_query(update)
    await edit_pressed(update, changes_text(action, known, changes, lang))
