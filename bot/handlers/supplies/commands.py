"""The supplies commands: /phat, /dem and /nhan with items written at once or, without
them, guided by buttons; /ton for the stock on hand."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.guard import for_volunteers
from bot.handlers.supplies.actions import COUNT, HANDOUT, RECEIVE, no_station_text, station_for
from bot.handlers.supplies.guided import offer_items
from bot.handlers.supplies.replies import NO_ITEMS, STOCK_LINE, amount
from bot.handlers.supplies.typed_reports import take
from bot.messages import reply
from bot.parsing import Problem, parse_count, parse_quantity, parse_report
from bot.session import Speaker
from stations.i18n import _
from stations.services.catalog import catalog_index
from stations.services.queries.stock import stock_on_hand

STOCK_TITLE = _("<b>Stock at {station}</b>")


async def _report(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker, action: str
) -> None:
    lang = speaker.language
    station = await station_for(action, speaker)
    if station is None:
        await reply(update, context, no_station_text(action, lang))
        return
    message = update.effective_message
    typed = (message.text or "") if message is not None else ""
    words = typed.split(maxsplit=1)[1] if len(typed.split(maxsplit=1)) > 1 else ""
    if not words.strip():
        await offer_items(update, context, speaker, action, station)
        return
    index = await catalog_index()
    reader = parse_count if action == COUNT else parse_quantity
    parsed = parse_report(
        words, reader=reader, is_unit=index.is_unit, counted_in=index.names_counted_in
    )
    if isinstance(parsed, Problem):
        await reply(update, context, texts.render(parsed.message, lang, text=parsed.text))
        return
    await take(update, context, speaker, index, parsed, action=action, station=station)


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
    station = await station_for(HANDOUT, speaker)
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
            quantity=amount(line.quantity, lang),
            unit=line.item.unit_label(lang, line.quantity),
        )
        text.append(f"{row} ⚠️" if line.low else row)
    await reply(update, context, "\n".join(text))
