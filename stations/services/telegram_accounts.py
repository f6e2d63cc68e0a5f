"""Who is writing to the bot: a volunteer found by their Telegram account, linked by an
invite, by the phone number they share, or reached through a station's QR code.

A shared contact links only when the person shares their *own* number (Telegram says whose
contact it is) and exactly one volunteer on the rosters has it.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from stations.enums import CampaignStatus, Language
from stations.i18n import _
from stations.models import Station, Volunteer
from stations.services.actor import Actor
from stations.services.errors import InvalidInput, NotFound, PermissionDenied
from stations.services.invites import STATION_PREFIX, redeem_invite
from stations.services.phones import normalize_phone
from stations.services.volunteers import link_telegram, set_volunteer_language

NO_VOLUNTEER_WITH_PHONE = _(
    "No volunteer on our rosters has this phone number. Ask your coordinator for an invite link."
)


async def find_volunteer_by_telegram(telegram_user_id: int) -> Volunteer | None:
    if isinstance(telegram_user_id, bool) or not isinstance(telegram_user_id, int):
        return None
    return await Volunteer.get_or_none(telegram_user_id=telegram_user_id)


def _explicit_language(language_code: str | None) -> Language | None:
    """Our language when Telegram names one we speak ("en-US" → en); None otherwise."""
    if not language_code:
        return None
    primary = language_code.replace("_", "-").split("-", 1)[0].lower()
    try:
        return Language(primary)
    except ValueError:
        return None


async def _adopt_language(volunteer: Volunteer, language_code: str | None) -> Volunteer:
    """On a first link, the volunteer reads in the language their Telegram app speaks."""
    language = _explicit_language(language_code)
    if language is None or language == volunteer.language:
        return volunteer
    actor = Actor.volunteer(volunteer.id, volunteer.full_name)
    return await set_volunteer_language(volunteer, language=language, by=actor)


async def link_by_invite(
    token: str, *, telegram_user_id: int, chat_id: int, language_code: str | None = None
) -> Volunteer:
    """Redeem an invite (``/start <token>``); see ``redeem_invite`` for what it refuses."""
    async with in_transaction():
        before = await find_volunteer_by_telegram(telegram_user_id)
        volunteer = await redeem_invite(token, telegram_user_id=telegram_user_id, chat_id=chat_id)
        if before is None or before.id != volunteer.id:
            volunteer = await _adopt_language(volunteer, language_code)
    return volunteer


async def link_by_contact(
    phone: str,
    *,
    telegram_user_id: int,
    chat_id: int,
    contact_user_id: int | None,
    language_code: str | None = None,
) -> Volunteer:
    """Link the account whose owner shared their own phone number, if a roster has it.

    Raises PermissionDenied for someone else's contact, InvalidInput for a number that is
    not one, NotFound when no volunteer has it, and what ``link_telegram`` raises.
    """
    if contact_user_id != telegram_user_id:
        raise PermissionDenied(
            _("Please share your own phone number with the button below."), field="phone"
        )
    try:
        e164 = normalize_phone(phone)
    except InvalidInput:
        raise NotFound(NO_VOLUNTEER_WITH_PHONE, field="phone") from None
    async with in_transaction():
        matches = await Volunteer.filter(phone=e164).limit(2)
        if len(matches) != 1:
            raise NotFound(NO_VOLUNTEER_WITH_PHONE, field="phone")
        volunteer = matches[0]
        already = volunteer.telegram_user_id == telegram_user_id
        actor = Actor.volunteer(volunteer.id, volunteer.full_name)
        volunteer = await link_telegram(
            volunteer, telegram_user_id=telegram_user_id, chat_id=chat_id, by=actor
        )
        if not already:
            volunteer = await _adopt_language(volunteer, language_code)
    return volunteer


def station_code_of(payload: str) -> str | None:
    """The station code of a QR deep link payload ``st_<code>``; None for anything else."""
    if not isinstance(payload, str) or not payload.startswith(STATION_PREFIX):
        return None
    code = payload[len(STATION_PREFIX) :].strip().upper()
    return code or None


async def station_for_code(code: str) -> Station | None:
    """The active station of an open campaign with ``code``, the newest campaign first.

    Codes are unique within a campaign; a code printed on last year's QR code can come back
    in this year's campaign, and this year's station is the one meant.
    """
    if not isinstance(code, str) or not code:
        return None
    return (
        await Station.filter(
            code=code.upper(), is_active=True, campaign__status=CampaignStatus.OPEN
        )
        .select_related("campaign")
        .order_by("-campaign__starts_on", "-id")
        .first()
    )
