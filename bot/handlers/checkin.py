"""Arriving and leaving: /checkin asks for the location (shared once or live: a live
location's updates arrive as edited messages), /checkout reports the time worked."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.guard import for_anyone, for_volunteers
from bot.messages import reply
from bot.session import Speaker
from stations import clock
from stations.enums import AssignmentStatus
from stations.formatting import format_minutes, format_time, format_window
from stations.i18n import _
from stations.models import Assignment
from stations.services.assignments import CheckInResult, check_out
from stations.services.chat_states import (
    Conversation,
    clear_conversation,
    get_conversation,
    set_conversation,
)
from stations.services.field_reports import check_in_and_report
from stations.services.queries.assignments import current_or_next_assignment
from stations.services.queries.bot import open_check_in, own_assignment

CHECKIN_STATE = "checkin"

ASK_LOCATION = _(
    "Your shift: <b>{station}</b>, {window}.\nPress “📍 Send my location” below so I can "
    "check you in. If you can't share it, press “Check in without location”."
)
ALREADY_CHECKED_IN = _("You are already checked in at <b>{station}</b> since {time}.")
CHECKED_IN = _(
    "✅ Checked in at <b>{station}</b>, {distance} m from the station. Have a good shift!"
)
CHECKED_IN_FAR = _(
    "Checked in at <b>{station}</b>, but you are {distance} m away, outside the {radius} m "
    "check-in radius. Your station lead has been told."
)
CHECKED_IN_UNLOCATED = _(
    "Checked in at <b>{station}</b> without a verified location. Your station lead has been told."
)
USE_THE_BUTTONS = _("Please use the buttons below to check in, or send /cancel to stop.")
NOT_CHECKED_IN = _("You are not checked in, so there is nothing to check out of.")
CHECKED_OUT = _("👋 Checked out of <b>{station}</b>. You worked {worked}. Thank you!")


async def ask_for_location(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker, assignment: Assignment
) -> None:
    """Offer the check-in buttons for ``assignment``; the chat waits for the location."""
    shift = assignment.shift
    lang = speaker.language
    if assignment.status == AssignmentStatus.CHECKED_IN:
        await reply(
            update,
            context,
            texts.render(
                ALREADY_CHECKED_IN,
                lang,
                station=shift.station.name,
                time=format_time(assignment.checked_in_at or shift.starts_at),
            ),
        )
        return
    await set_conversation(
        speaker.chat_id,
        CHECKIN_STATE,
        data={"assignment_id": assignment.id},
        update_id=speaker.update_id,
    )
    await reply(
        update,
        context,
        texts.render(
            ASK_LOCATION,
            lang,
            station=shift.station.name,
            window=format_window(shift.starts_at, shift.ends_at, lang),
        ),
        reply_markup=keyboards.location_keyboard(lang),
    )


@for_volunteers
async def checkin(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/checkin: pick the current or next shift and ask for the location."""
    assert speaker.volunteer is not None
    assignment = await current_or_next_assignment(speaker.volunteer, now=clock.now())
    if assignment is None:
        await reply(update, context, texts.render(texts.NO_SHIFT_NOW, speaker.language))
        return
    await ask_for_location(update, context, speaker, assignment)


@for_anyone
async def location_moved(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker
) -> None:
    """A live location's position update: it checks in when the chat waits for a check-in
    location, and says nothing otherwise (Telegram sends one every few seconds)."""
    message = update.effective_message
    if speaker.volunteer is None or message is None or message.location is None:
        return
    conversation = await get_conversation(speaker.chat_id)
    if conversation.state != CHECKIN_STATE or conversation.handled(speaker.update_id):
        return
    place = message.location
    await check_in_now(
        update,
        context,
        speaker,
        latitude=place.latitude,
        longitude=place.longitude,
        target=await check_in_target(speaker, conversation),
    )


@dataclass(frozen=True)
class CheckInTarget:
    """What a check-in goes by: the chat's conversation and the assignment it is for."""

    conversation: Conversation
    assignment: Assignment | None

    @property
    def expected(self) -> bool:
        """A location now means a check-in: the chat asked for one, or a shift is on."""
        return self.conversation.state == CHECKIN_STATE or self.assignment is not None


async def check_in_target(
    speaker: Speaker, conversation: Conversation | None = None
) -> CheckInTarget:
    """The shift the chat asked to check in to, else the current or next one (two queries,
    the conversation given: one)."""
    assert speaker.volunteer is not None
    if conversation is None:
        conversation = await get_conversation(speaker.chat_id)
    assignment: Assignment | None = None
    if conversation.state == CHECKIN_STATE:
        assignment = await own_assignment(speaker.volunteer, conversation.data.get("assignment_id"))
    if assignment is None:
        assignment = await current_or_next_assignment(speaker.volunteer, now=clock.now())
    return CheckInTarget(conversation, assignment)


async def check_in_now(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    speaker: Speaker,
    *,
    latitude: float | None,
    longitude: float | None,
    target: CheckInTarget | None = None,
) -> None:
    """Check in with or without a location and say how it went; ``target`` when the
    caller has looked it up already."""
    assert speaker.volunteer is not None
    target = target or await check_in_target(speaker)
    assignment, conversation = target.assignment, target.conversation
    if assignment is None:
        await reply(
            update,
            context,
            texts.render(texts.NO_SHIFT_NOW, speaker.language),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    result = await check_in_and_report(
        assignment, by=speaker.actor, latitude=latitude, longitude=longitude
    )
    if conversation.active:
        await clear_conversation(speaker.chat_id, update_id=speaker.update_id)
    await reply(
        update,
        context,
        _check_in_text(result, speaker.language),
        reply_markup=ReplyKeyboardRemove(),
    )


def _check_in_text(result: CheckInResult, lang: str) -> str:
    assignment = result.assignment
    station = assignment.shift.station
    if result.already:
        return texts.render(
            ALREADY_CHECKED_IN,
            lang,
            station=station.name,
            time=format_time(assignment.checked_in_at or assignment.shift.starts_at),
        )
    if result.verified:
        return texts.render(CHECKED_IN, lang, station=station.name, distance=result.distance_m)
    if result.distance_m is not None:
        return texts.render(
            CHECKED_IN_FAR,
            lang,
            station=station.name,
            distance=result.distance_m,
            radius=station.checkin_radius_m,
        )
    return texts.render(CHECKED_IN_UNLOCATED, lang, station=station.name)


@for_volunteers
async def checkout(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """/checkout: close the open check-in and report the time worked."""
    assert speaker.volunteer is not None
    assignment = await open_check_in(speaker.volunteer)
    if assignment is None:
        await reply(update, context, texts.render(NOT_CHECKED_IN, speaker.language))
        return
    station = assignment.shift.station
    done = await check_out(assignment, by=speaker.actor)
    await reply(
        update,
        context,
        texts.render(
            CHECKED_OUT,
            speaker.language,
            station=station.name,
            worked=format_minutes(done.worked_minutes or 0, speaker.language),
        ),
    )
