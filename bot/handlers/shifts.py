"""A volunteer's shifts: /shifts (/ca) with Confirm and Can't-come buttons, /next with the
station's address and place, and the answers to those buttons (also on reminders)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.guard import for_volunteers
from bot.messages import answer_query, edit_pressed, remove_buttons, reply, split_text
from bot.session import Speaker
from stations import clock
from stations.enums import AssignmentStatus, Language
from stations.formatting import format_window
from stations.i18n import _, translate
from stations.models import Assignment
from stations.services.assignments import confirm_assignment, decline_assignment, role_label
from stations.services.errors import StationsError
from stations.services.queries.bot import own_assignment, upcoming_shifts

BUTTON_PATTERN = re.compile(r"^asg:(confirm|decline):(\d{1,18})$")

NO_UPCOMING = _("You have no upcoming shifts.")
YOUR_SHIFTS = _("<b>Your shifts</b>")
SHIFT_LINE = _("{number}. {status} <b>{station}</b>, {window} ({role})")
NEXT_SHIFT = _("<b>Your next shift</b>\n{station}\nWhen: {window}\nWhere: {address}\nRole: {role}")
CONFIRMED = _("Thank you! Your shift at {station} is confirmed.")
DECLINED = _("Okay, you are off the shift at {station}. Thank you for letting us know.")

_STATUS_MARKS = {
    AssignmentStatus.ASSIGNED: "⏳",
    AssignmentStatus.CONFIRMED: "✅",
    AssignmentStatus.CHECKED_IN: "📍",
}


def _shift_list(
    assignments: list[Assignment], lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [texts.render(YOUR_SHIFTS, lang)]
    rows: list[list[InlineKeyboardButton]] = []
    for number, assignment in enumerate(assignments, start=1):
        shift = assignment.shift
        lines.append(
            texts.render(
                SHIFT_LINE,
                lang,
                number=number,
                status=_STATUS_MARKS.get(AssignmentStatus(assignment.status), "•"),
                station=shift.station.name,
                window=format_window(shift.starts_at, shift.ends_at, lang),
                role=role_label(assignment.role, lang),
            )
        )
        buttons = []
        if assignment.status == AssignmentStatus.ASSIGNED:
            buttons.append(
                InlineKeyboardButton(
                    translate(keyboards.CONFIRM, lang, number=number),
                    callback_data=keyboards.callback("asg", "confirm", assignment.id),
                )
            )
        if assignment.status in (AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED):
            buttons.append(
                InlineKeyboardButton(
                    translate(keyboards.DECLINE, lang, number=number),
                    callback_data=keyboards.callback("asg", "decline", assignment.id),
                )
            )
        if buttons:
            rows.append(buttons)
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


@for_volunteers
async def shifts(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/shifts, /ca: upcoming shifts with Confirm and Can't-come buttons."""
    assert speaker.volunteer is not None
    found = await upcoming_shifts(speaker.volunteer, now=clock.now())
    if not found:
        await reply(update, context, texts.render(NO_UPCOMING, speaker.language))
        return
    text, buttons = _shift_list(found, speaker.language)
    await reply(update, context, text, reply_markup=buttons)


@for_volunteers
async def next_shift(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/next: the next shift with the station's address, then its place on the map."""
    assert speaker.volunteer is not None
    found = await upcoming_shifts(speaker.volunteer, now=clock.now())
    if not found:
        await reply(update, context, texts.render(NO_UPCOMING, speaker.language))
        return
    assignment = found[0]
    shift, lang = assignment.shift, speaker.language
    station = shift.station
    await reply(
        update,
        context,
        texts.render(
            NEXT_SHIFT,
            lang,
            station=station.name,
            window=format_window(shift.starts_at, shift.ends_at, lang),
            address=station.address or station.name,
            role=role_label(assignment.role, lang),
        ),
    )
    if station.latitude is not None and station.longitude is not None:
        await context.bot.send_venue(
            chat_id=speaker.chat_id,
            latitude=station.latitude,
            longitude=station.longitude,
            title=station.name,
            address=station.address or station.name,
        )


@for_volunteers
async def shift_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker
) -> None:
    """A Confirm or Can't-come press; a changed or foreign shift is answered as such."""
    assert speaker.volunteer is not None
    query = update.callback_query
    assert query is not None
    match = BUTTON_PATTERN.match(query.data or "")
    assert match is not None
    action, assignment_id = match.group(1), int(match.group(2))
    lang = speaker.language
    assignment = await own_assignment(speaker.volunteer, assignment_id)
    if assignment is None:
        await _shift_changed(update, context, lang)
        return
    try:
        if action == "confirm":
            await confirm_assignment(assignment, by=speaker.actor)
            done = texts.render(CONFIRMED, lang, station=assignment.shift.station.name)
        else:
            await decline_assignment(assignment, by=speaker.actor)
            done = texts.render(DECLINED, lang, station=assignment.shift.station.name)
    except StationsError:
        await _shift_changed(update, context, lang)
        return
    await answer_query(update, texts.plain(done))
    await _refresh(update, context, speaker)
    await reply(update, context, done)


async def _shift_changed(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    text = texts.render(texts.SHIFT_CHANGED, lang)
    await answer_query(update, texts.plain(text), alert=True)
    await remove_buttons(update)
    await reply(update, context, text)


async def _refresh(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """Show the pressed list as it is now (a reminder's buttons simply go away)."""
    query = update.callback_query
    assert query is not None and speaker.volunteer is not None
    message = query.message
    shown = getattr(message, "text", None) or ""
    if not shown:
        return
    titles = {texts.plain(translate(YOUR_SHIFTS, lang)) for lang in Language}
    if not shown.startswith(tuple(titles)):
        await remove_buttons(update)
        return
    found = await upcoming_shifts(speaker.volunteer, now=clock.now())
    text, buttons = (
        _shift_list(found, speaker.language)
        if found
        else (
            texts.render(NO_UPCOMING, speaker.language),
            None,
        )
    )
    if len(split_text(text)) > 1:
        await remove_buttons(update)
        return
    await edit_pressed(update, text, reply_markup=buttons)
