"""Supplies: handouts (/phat, /handout), stock on hand (/ton, /stock), physical counts
(/dem, /count) and receipts for station leads (/nhan, /receive), quick or guided by item
buttons and a number prompt. Every write is keyed by the update, so a redelivered message
counts once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.guard import for_volunteers
from bot.messages import answer_query, edit_pressed, reply
from bot.parsing import Problem, ReportLine, parse_count, parse_quantity, parse_report
from bot.session import Speaker
from stations import clock
from stations.enums import MovementKind
from stations.formatting import format_number, format_signed, unit_and_item
from stations.i18n import _, translate
from stations.models import Station, SupplyItem
from stations.services.catalog import CatalogIndex, catalog_index
from stations.services.chat_states import clear_conversation, get_conversation, set_conversation
from stations.services.field_reports import StockLine, record_stock_lines
from stations.services.inventory import StockChange
from stations.services.queries.bot import active_item, active_items, led_station, working_station
from stations.services.queries.stock import stock_on_hand

HANDOUT, COUNT, RECEIVE = "handout", "count", "receive"
ACTIONS = (HANDOUT, COUNT, RECEIVE)
PICK_PATTERN = re.compile(r"^pick:(handout|count|receive):(\d{1,18}|cancel)$")
#: A report waiting in the chat's state: ``rep:<update id of the report>:<choice>``.
REPORT_PATTERN = re.compile(r"^rep:(\d{1,18}):(handout|receive|cancel|item:\d{1,18})$")
REPORT_STATE = "report"

PICK_HANDOUT = _("What did you hand out at <b>{station}</b>? Choose an item.")
PICK_COUNT = _("Which item are you counting at <b>{station}</b>?")
PICK_RECEIVE = _("What did <b>{station}</b> receive? Choose an item.")
ASK_HANDOUT = _("How many {unit} of {item} did you hand out? Write a number, like 50.")
ASK_COUNT = _("How many {unit} of {item} are there now? Write the number you counted.")
ASK_RECEIVE = _("How many {unit} of {item} arrived? Write a number, like 50.")
HANDED_OUT = _("✅ Handed out {quantity} {unit} of {item}. Stock now: {stock} {stock_unit}.")
COUNTED = _(
    "✅ Counted {quantity} {unit} of {item}; the stock on record is now {stock} {stock_unit}."
)
COUNT_CHANGED = _("The record was {before} {unit}: adjusted by {delta}.")
RECEIVED = _("✅ Received {quantity} {unit} of {item}. Stock now: {stock} {stock_unit}.")
DISCREPANCY = _("This is more than the stock on record; a coordinator will check it.")
STOCK_TITLE = _("<b>Stock at {station}</b>")
STOCK_LINE = _("• {item}: {quantity} {unit}")
NO_ITEMS = _("No supply items are set up yet. Ask your coordinator.")
TOO_MANY_ITEMS = _("Report at most {max} items in one message.")
CONFIRM_REPORT = _("Record this at <b>{station}</b>? Nothing is written until you choose.")
HANDOUT_BUTTON = _("Handed out")
RECEIVE_BUTTON = _("Received")
CANCEL_BUTTON = _("Cancel")

_ASK = {HANDOUT: ASK_HANDOUT, COUNT: ASK_COUNT, RECEIVE: ASK_RECEIVE}
_PICK = {HANDOUT: PICK_HANDOUT, COUNT: PICK_COUNT, RECEIVE: PICK_RECEIVE}
MAX_LINES = 20


def _amount(value: int, lang: str) -> str:
    return format_number(value, lang)


def _unit_and_item(item: SupplyItem, count: int | None, lang: str) -> dict[str, str]:
    """``unit`` and ``item`` for "{quantity} {unit}{item}": "30 khăn lạnh", "50 chai nước
    suối" in Vietnamese, never "30 khăn Khăn lạnh" (docs/glossary.md)."""
    unit, name = unit_and_item(item.unit_label(lang, count), item.name(lang), lang)
    return {"unit": unit, "item": name}


def _change_text(action: str, item: SupplyItem, change: StockChange, lang: str) -> str:
    line = change.movement
    common = {
        "stock": _amount(change.balance_after, lang),
        "stock_unit": item.unit_label(lang, change.balance_after),
    }
    if action == COUNT:
        counted = line.counted_quantity or 0
        parts = [
            texts.render(
                COUNTED,
                lang,
                quantity=_amount(counted, lang),
                **_unit_and_item(item, counted, lang),
                **common,
            )
        ]
        if line.delta:
            parts.append(
                texts.render(
                    COUNT_CHANGED,
                    lang,
                    before=_amount(change.balance_after - line.delta, lang),
                    delta=format_signed(line.delta, lang),
                    unit=item.unit_label(lang, change.balance_after - line.delta),
                )
            )
    else:
        message = HANDED_OUT if action == HANDOUT else RECEIVED
        parts = [
            texts.render(
                message,
                lang,
                quantity=_amount(line.quantity, lang),
                **_unit_and_item(item, line.quantity, lang),
                **common,
            )
        ]
    if change.discrepancy:
        parts.append(texts.render(DISCREPANCY, lang))
    if change.threshold is not None and change.balance_after < change.threshold:
        parts.append(
            texts.render(
                texts.LOW_STOCK,
                lang,
                threshold=_amount(change.threshold, lang),
                unit=item.unit_label(lang, change.threshold),
            )
        )
    return "\n".join(parts)


@dataclass(frozen=True)
class Resolved:
    """A report's lines with their items; ``unknown`` is the first line naming none."""

    lines: list[tuple[SupplyItem | None, int, str]]

    @property
    def unknown(self) -> int | None:
        return next((i for i, (item, _q, _w) in enumerate(self.lines) if item is None), None)

    def known(self) -> list[tuple[SupplyItem, int]]:
        return [(item, quantity) for item, quantity, _words in self.lines if item is not None]


def resolve_report(index: CatalogIndex, lines: list[ReportLine], lang: str) -> Resolved | str:
    """Each line's item (None when no item has its words), or the refusal of a unit that
    is not how its item is counted."""
    resolved: list[tuple[SupplyItem | None, int, str]] = []
    for line in lines:
        match = index.read(line.words, line.unit)
        if match.item is not None and match.wrong_unit:
            if index.find(match.wrong_unit) is not None:
                # "nước 50 khăn": khăn is an item too, whose number is missing.
                return texts.render(
                    texts.MISSING_QUANTITY, lang, text=texts.shorten(match.wrong_unit)
                )
            return texts.render(
                texts.WRONG_UNIT,
                lang,
                item=match.item.name(lang),
                unit=match.item.unit_label(lang, None),
                text=texts.shorten(match.wrong_unit),
            )
        resolved.append((match.item, line.quantity, line.words))
    return Resolved(resolved)


async def _station_for(action: str, speaker: Speaker) -> Station | None:
    assert speaker.volunteer is not None
    if action == RECEIVE:
        return await led_station(speaker.volunteer, now=clock.now())
    return await working_station(speaker.volunteer, now=clock.now())


def _no_station_text(action: str, lang: str) -> str:
    return texts.render(texts.LEADS_ONLY if action == RECEIVE else texts.NO_STATION_NOW, lang)


async def _report(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker, action: str
) -> None:
    lang = speaker.language
    station = await _station_for(action, speaker)
    if station is None:
        await reply(update, context, _no_station_text(action, lang))
        return
    message = update.effective_message
    typed = (message.text or "") if message is not None else ""
    words = typed.split(maxsplit=1)[1] if len(typed.split(maxsplit=1)) > 1 else ""
    if not words.strip():
        await _offer_items(update, context, speaker, action, station)
        return
    index = await catalog_index()
    reader = parse_count if action == COUNT else parse_quantity
    parsed = parse_report(
        words, reader=reader, is_unit=index.is_unit, counted_in=index.names_counted_in
    )
    if isinstance(parsed, Problem):
        await reply(update, context, texts.render(parsed.message, lang, text=parsed.text))
        return
    await _take(update, context, speaker, index, parsed, action=action, station=station)


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
    await _take(update, context, speaker, index, parsed, action="")
    return True


async def _take(
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
        station = station or await _station_for(action, speaker)
        if station is None:
            await reply(update, context, _no_station_text(action, lang))
            return
        changes = await _write(action, station, resolved.known(), speaker, key=speaker.key())
        await reply(update, context, _changes_text(action, resolved.known(), changes, lang))
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


def _changes_text(
    action: str, lines: list[tuple[SupplyItem, int]], changes: list[StockChange], lang: str
) -> str:
    return "\n\n".join(
        _change_text(action, item, change, lang)
        for (item, _quantity), change in zip(lines, changes, strict=True)
    )


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
    station = await _station_for(action, speaker)
    if station is None:
        text = _no_station_text(action, lang)
        await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
        await answer_query(update, texts.plain(text))
        await edit_pressed(update, text)
        return
    known = resolved.known()
    changes = await _write(action, station, known, speaker, key=f"tg:{nonce}")
    await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
    await answer_query(update)
    await edit_pressed(update, _changes_text(action, known, changes, lang))


_KINDS = {
    HANDOUT: MovementKind.HANDOUT,
    COUNT: MovementKind.COUNT_ADJUSTMENT,
    RECEIVE: MovementKind.RECEIPT,
}


async def _write(
    action: str,
    station: Station,
    lines: list[tuple[SupplyItem, int]],
    speaker: Speaker,
    *,
    key: str,
) -> list[StockChange]:
    """Every line or none, each keyed ``<key>:<item code>``: a report sent, pressed or
    delivered twice counts once."""
    return await record_stock_lines(
        station,
        [StockLine(item, quantity) for item, quantity in lines],
        kind=_KINDS[action],
        by=speaker.actor,
        key_prefix=key,
    )


async def _offer_items(
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
async def handout(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/phat, /handout: record what was handed out, e.g. "/phat nuoc 50 khan 30"."""
    await _report(update, context, speaker, HANDOUT)


@for_volunteers
async def count(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/dem, /count: a physical count that writes the adjustment, e.g. "/dem nuoc 120"."""
    await _report(update, context, speaker, COUNT)


@for_volunteers
async def receive(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/nhan, /receive: supplies that arrived, for station leads, e.g. "/nhan nuoc 200"."""
    await _report(update, context, speaker, RECEIVE)


@for_volunteers
async def stock(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/ton, /stock: stock on hand at my station, low items marked."""
    lang = speaker.language
    station = await _station_for(HANDOUT, speaker)
    if station is None:
        await reply(update, context, texts.render(texts.NO_STATION_NOW, lang))
        return
    lines = await stock_on_hand(station)
    if not lines:
        await reply(update, context, texts.render(NO_ITEMS, lang))
        return
    text = [texts.render(STOCK_TITLE, lang, station=station.name)]
    for line in lines:
        row = texts.render(
            STOCK_LINE,
            lang,
            item=line.item.name(lang),
            quantity=_amount(line.quantity, lang),
            unit=line.item.unit_label(lang, line.quantity),
        )
        text.append(f"{row} ⚠️" if line.low else row)
    await reply(update, context, "\n".join(text))


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
    station = await _station_for(action, speaker)
    if item is None or station is None:
        text = (
            texts.render(texts.STALE_BUTTON, lang)
            if item is None
            else _no_station_text(action, lang)
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
            **_unit_and_item(item, None, lang),
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
    station = await _station_for(action, speaker)
    if item is None or station is None:
        await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
        await reply(
            update,
            context,
            texts.render(texts.STALE_BUTTON, lang)
            if item is None
            else _no_station_text(action, lang),
        )
        return
    changes = await _write(action, station, [(item, value)], speaker, key=speaker.key())
    await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
    await reply(update, context, _change_text(action, item, changes[0], lang))
