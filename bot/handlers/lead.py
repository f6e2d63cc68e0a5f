"""For station leads: /tram (who is on duty, who is late) and /baocao (today's totals)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.guard import for_volunteers
from bot.messages import reply
from bot.session import Speaker
from stations import clock
from stations.enums import ServiceKind
from stations.formatting import format_date, format_number, format_time
from stations.i18n import _
from stations.services.phones import format_phone_local
from stations.services.queries.bot import led_station, station_day_totals, station_duty

DUTY_TITLE = _("<b>{station}</b> at {time}")
ON_DUTY = _("On duty ({count}):")
LATE = _("Late, not checked in ({count}):")
NOBODY = _("nobody")
DUTY_LINE = _("• {name}, since {time}")
LATE_LINE = _("• {name}, shift started at {time}, phone {phone}")
UNVERIFIED_MARK = _("(place not verified)")
REPORT_TITLE = _("<b>{station}</b>, today {date}")
REPORT_TURNS = _("Volunteer turns: {count}")
REPORT_HANDED_OUT = _("Handed out:")
REPORT_RECEIVED = _("Received:")
REPORT_ITEM = _("• {item}: {quantity} {unit}")
REPORT_MOTORBIKES = _("Motorbikes checked: {count}")
REPORT_NOTHING = _("Nothing handed out yet today.")


@for_volunteers
async def station(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/tram: who is on duty at my station and who is late."""
    assert speaker.volunteer is not None
    lang = speaker.language
    now = clock.now()
    led = await led_station(speaker.volunteer, now=now)
    if led is None:
        await reply(update, context, texts.render(texts.LEADS_ONLY, lang))
        return
    duty = await station_duty(led, now=now)
    lines = [texts.render(DUTY_TITLE, lang, station=led.name, time=format_time(now))]
    lines.append(texts.render(ON_DUTY, lang, count=len(duty.on_duty)))
    for assignment in duty.on_duty:
        line = texts.render(
            DUTY_LINE,
            lang,
            name=assignment.volunteer.full_name,
            time=format_time(assignment.checked_in_at or assignment.shift.starts_at),
        )
        if not assignment.checkin_verified:
            line = f"{line} {texts.render(UNVERIFIED_MARK, lang)}"
        lines.append(line)
    if not duty.on_duty:
        lines.append(f"• {texts.render(NOBODY, lang)}")
    lines.append(texts.render(LATE, lang, count=len(duty.late)))
    for assignment in duty.late:
        lines.append(
            texts.render(
                LATE_LINE,
                lang,
                name=assignment.volunteer.full_name,
                time=format_time(assignment.shift.starts_at),
                phone=format_phone_local(assignment.volunteer.phone),
            )
        )
    if not duty.late:
        lines.append(f"• {texts.render(NOBODY, lang)}")
    await reply(update, context, "\n".join(lines))


@for_volunteers
async def report(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/baocao: today's totals at my station."""
    assert speaker.volunteer is not None
    lang = speaker.language
    led = await led_station(speaker.volunteer, now=clock.now())
    if led is None:
        await reply(update, context, texts.render(texts.LEADS_ONLY, lang))
        return
    totals = await station_day_totals(led)
    lines = [texts.render(REPORT_TITLE, lang, station=led.name, date=format_date(totals.day, lang))]
    lines.append(
        texts.render(REPORT_TURNS, lang, count=format_number(totals.volunteer_turns, lang))
    )
    for title, rows in ((REPORT_HANDED_OUT, totals.handed_out), (REPORT_RECEIVED, totals.received)):
        if not rows:
            continue
        lines.append(texts.render(title, lang))
        lines.extend(
            texts.render(
                REPORT_ITEM,
                lang,
                item=row.item.name(lang),
                quantity=format_number(row.quantity, lang),
                unit=row.item.unit_label(lang, row.quantity),
            )
            for row in rows
        )
    if not totals.handed_out:
        lines.append(texts.render(REPORT_NOTHING, lang))
    motorbikes = totals.services.get(ServiceKind.MOTORBIKE_CHECK, 0)
    if motorbikes:
        lines.append(texts.render(REPORT_MOTORBIKES, lang, count=format_number(motorbikes, lang)))
    await reply(update, context, "\n".join(lines))
