"""Services given at the station: /kiemtra xe 3 (/bikes 3) records motorbikes checked."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.guard import for_volunteers
from bot.messages import reply
from bot.parsing import Problem, parse_quantity
from bot.session import Speaker
from stations import clock
from stations.enums import ServiceKind
from stations.formatting import format_number
from stations.i18n import _
from stations.numbers import looks_like_number
from stations.services.chat_states import clear_conversation, set_conversation
from stations.services.queries.bot import working_station
from stations.services.service_records import record_service
from stations.text import fold

MOTORBIKE_STATE = "motorbikes"
#: What volunteers call motorbikes, folded: "xe", "xe máy", "bikes", "motorbikes".
MOTORBIKE_WORDS = frozenset({"xe", "xe may", "bike", "bikes", "motorbike", "motorbikes"})

ASK_MOTORBIKES = _("How many motorbikes did you check? Write a number, like 3.")
MOTORBIKES_RECORDED = _("✅ Recorded {count} motorbikes checked at <b>{station}</b>. Thank you!")
ONLY_MOTORBIKES = _("I can record motorbike checks: write /kiemtra xe 3 (or /bikes 3 in English).")


@for_volunteers
async def motorbikes(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/kiemtra, /bikes: record motorbikes given a safety check, e.g. "/kiemtra xe 3"."""
    assert speaker.volunteer is not None
    lang = speaker.language
    station = await working_station(speaker.volunteer, now=clock.now())
    if station is None:
        await reply(update, context, texts.render(texts.NO_STATION_NOW, lang))
        return
    args = list(context.args or [])
    # "xe 3", "3 xe", "3 xe máy" or "3": the number, wherever it stands, beside the word.
    numbers = [arg for arg in args if looks_like_number(arg)]
    words = fold(" ".join(arg for arg in args if not looks_like_number(arg)))
    if (words and words not in MOTORBIKE_WORDS) or len(numbers) > 1:
        await reply(update, context, texts.render(ONLY_MOTORBIKES, lang))
        return
    if not numbers:
        await set_conversation(speaker.chat_id, MOTORBIKE_STATE, update_id=speaker.update_id)
        await reply(update, context, texts.render(ASK_MOTORBIKES, lang))
        return
    await record_motorbikes(update, context, speaker, numbers[0])


async def record_motorbikes(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker, text: str
) -> None:
    """Record the number in ``text``, keyed by the update; or say why it is not a number."""
    assert speaker.volunteer is not None
    lang = speaker.language
    value = parse_quantity(text)
    if isinstance(value, Problem):
        hint = texts.render(value.message, lang, text=value.text)
        await reply(update, context, f"{hint}\n{texts.render(ONLY_MOTORBIKES, lang)}")
        return
    station = await working_station(speaker.volunteer, now=clock.now())
    if station is None:
        await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
        await reply(update, context, texts.render(texts.NO_STATION_NOW, lang))
        return
    await record_service(
        station,
        ServiceKind.MOTORBIKE_CHECK,
        value,
        by=speaker.actor,
        idempotency_key=speaker.key("xe"),
    )
    await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
    await reply(
        update,
        context,
        texts.render(
            MOTORBIKES_RECORDED, lang, count=format_number(value, lang), station=station.name
        ),
    )
