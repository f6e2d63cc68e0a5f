"""Supplies: handouts (/phat, /handout), stock on hand (/ton, /stock), physical counts
(/dem, /count) and receipts for station leads (/nhan, /receive), quick or guided by item
buttons and a number prompt. Every write is keyed by the update, so a redelivered message
counts once."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.guard import for_volunteers
from bot.messages import answer_query, edit_pressed, reply
from bot.parsing import Problem, ReportLine, parse_count, parse_quantity, parse_report
from bot.session import Speaker
from stations import clock
from stations.enums import MovementKind
from stations.formatting import format_number, unit_and_item
from stations.i18n import _
from stations.models import Station, SupplyItem
from stations.services.catalog import find_items
from stations.services.chat_states import clear_conversation, set_conversation
from stations.services.field_reports import StockLine, record_stock_lines
from stations.services.inventory import StockChange
from stations.services.queries.bot import active_item, active_items, led_station, working_station
from stations.services.queries.stock import stock_on_hand

HANDOUT, COUNT, RECEIVE = "handout", "count", "receive"
ACTIONS = (HANDOUT, COUNT, RECEIVE)
PICK_PATTERN = re.compile(r"^pick:(handout|count|receive):(\d{1,18}|cancel)$")

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
                    delta=f"{line.delta:+d}",
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


async def _resolve(
    lines: list[ReportLine],
) -> list[tuple[SupplyItem, int]] | Problem:
    resolved: list[tuple[SupplyItem, int]] = []
    for line, item in zip(lines, await find_items([line.words for line in lines]), strict=True):
        if item is None:
            return Problem(texts.UNKNOWN_ITEM, texts.shorten(line.words))
        resolved.append((item, line.quantity))
    return resolved


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
    args = list(context.args or [])
    if not args:
        await _offer_items(update, context, speaker, action, station)
        return
    parsed = parse_report(args) if action != COUNT else _parse_counts(args)
    if isinstance(parsed, Problem):
        await reply(update, context, texts.render(parsed.message, lang, text=parsed.text))
        return
    if len(parsed) > MAX_LINES:
        await reply(update, context, texts.render(TOO_MANY_ITEMS, lang, max=MAX_LINES))
        return
    resolved = await _resolve(parsed)
    if isinstance(resolved, Problem):
        await reply(update, context, texts.render(resolved.message, lang, text=resolved.text))
        return
    changes = await _write(action, station, resolved, speaker)
    await reply(
        update,
        context,
        "\n\n".join(
            _change_text(action, item, change, lang)
            for (item, _quantity), change in zip(resolved, changes, strict=True)
        ),
    )


def _parse_counts(args: list[str]) -> list[ReportLine] | Problem:
    # A count may be 0: read "0" as a count, then the rest as a report would be read.
    return parse_report(args, reader=parse_count)


_KINDS = {
    HANDOUT: MovementKind.HANDOUT,
    COUNT: MovementKind.COUNT_ADJUSTMENT,
    RECEIVE: MovementKind.RECEIPT,
}


async def _write(
    action: str, station: Station, lines: list[tuple[SupplyItem, int]], speaker: Speaker
) -> list[StockChange]:
    return await record_stock_lines(
        station,
        [StockLine(item, quantity) for item, quantity in lines],
        kind=_KINDS[action],
        by=speaker.actor,
        key_prefix=speaker.key(),
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
    changes = await _write(action, station, [(item, value)], speaker)
    await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
    await reply(update, context, _change_text(action, item, changes[0], lang))
