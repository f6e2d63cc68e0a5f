"""Stations near me, for anyone: a shared location gets the three nearest open stations as
venues. A volunteer on shift who shares a location is checked in, as before."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.guard import for_anyone
from bot.handlers import checkin
from bot.keyboards import SHARE_PHONE
from bot.messages import reply
from bot.session import Speaker
from stations import clock
from stations.enums import Language
from stations.i18n import _, translate
from stations.services.queries.public_stations import ListedStation, public_stations
from stations.traveller_texts import distance_label, services_label, state_label

NEARBY_COUNT = 3
#: Telegram shows a venue's address on one or two lines: keep it to what decides a stop.
VENUE_ADDRESS_MAX = 200

STATIONS_NEAR_ME = _("📍 Stations near me")
WELCOME_STRANGER = _(
    "Hello! Travelling home for the holiday? Press “📍 Stations near me” and I will show the "
    "three nearest rest stations: free drinking water, cold towels and a place to rest.\n"
    "Volunteers: press “📱 Share my phone number” to link your account."
)
NEAREST_OPEN = _("🛣️ The nearest rest stations open now:")
NONE_OPEN_NOW = _(
    "No rest station near you is open right now. The nearest ones, and when they open:"
)
NO_STATIONS = _(
    "There is no rest station open to travellers at the moment. Have a safe trip, and rest "
    "whenever you feel tired!"
)


def nearby_keyboard(language: str, *, with_phone: bool) -> ReplyKeyboardMarkup:
    """The location button (and, for someone not yet linked, the phone button)."""
    rows = [[KeyboardButton(translate(STATIONS_NEAR_ME, language), request_location=True)]]
    if with_phone:
        rows.append([KeyboardButton(translate(SHARE_PHONE, language), request_contact=True)])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True)


async def welcome_stranger(
    update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker
) -> None:
    """/start from someone who is not a volunteer: stations near them, or link as one."""
    await reply(
        update,
        context,
        texts.render(WELCOME_STRANGER, speaker.language),
        reply_markup=nearby_keyboard(speaker.language, with_phone=True),
    )


@for_anyone
async def location(update: Update, context: ContextTypes.DEFAULT_TYPE, speaker: Speaker) -> None:
    """A shared location: check-in for a volunteer on shift, else the nearest stations."""
    message = update.effective_message
    assert message is not None and message.location is not None
    place = message.location
    if speaker.volunteer is not None:
        target = await checkin.check_in_target(speaker)
        if target.expected:
            await checkin.check_in_now(
                update,
                context,
                speaker,
                latitude=place.latitude,
                longitude=place.longitude,
                target=target,
            )
            return
    await send_nearest(update, context, speaker, place.latitude, place.longitude)


def venue_address(row: ListedStation, language: Language) -> str:
    now = clock.now()
    station = row.station
    parts = [
        distance_label(row.distance_m, language),
        state_label(station, row.state, language, now),
        ", ".join(services_label(station, language)),
        station.address,
    ]
    text = " · ".join(part for part in parts if part)
    return text if len(text) <= VENUE_ADDRESS_MAX else text[: VENUE_ADDRESS_MAX - 1] + "…"


async def send_nearest(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    speaker: Speaker,
    latitude: float,
    longitude: float,
) -> None:
    """The nearest open stations as venues; when none is open, the nearest that will be."""
    language = speaker.language
    now = clock.now()
    near = (latitude, longitude)
    listing = await public_stations(now=now, near=near, open_only=True)
    header = NEAREST_OPEN
    rows = [row for row in listing.stations if row.distance_m is not None][:NEARBY_COUNT]
    if not rows:
        listing = await public_stations(now=now, near=near)
        rows = [row for row in listing.stations if row.distance_m is not None][:NEARBY_COUNT]
        header = NONE_OPEN_NOW
    keyboard = nearby_keyboard(language, with_phone=speaker.volunteer is None)
    if not rows:
        await reply(update, context, texts.render(NO_STATIONS, language), reply_markup=keyboard)
        return
    await reply(update, context, texts.render(header, language), reply_markup=keyboard)
    chat = update.effective_chat
    assert chat is not None
    for row in rows:
        station = row.station
        assert station.latitude is not None and station.longitude is not None
        await context.bot.send_venue(
            chat_id=chat.id,
            latitude=station.latitude,
            longitude=station.longitude,
            title=station.name,
            address=venue_address(row, language),
        )
