"""Finding and linking volunteers from Telegram: invites, shared contacts, station QR codes."""

from __future__ import annotations

import pytest

from stations.enums import CampaignStatus, Language
from stations.models import Volunteer
from stations.services.actor import Actor
from stations.services.errors import Conflict, NotFound, PermissionDenied
from stations.services.invites import create_invite
from stations.services.telegram_accounts import (
    find_volunteer_by_telegram,
    link_by_contact,
    link_by_invite,
    station_code_of,
    station_for_code,
)
from tests.factories import make_campaign, make_station, make_volunteer

pytestmark = pytest.mark.integration


async def test_find_volunteer_by_telegram(db):
    linked = await make_volunteer(telegram_user_id=42, telegram_chat_id=42)

    assert (await find_volunteer_by_telegram(42)).id == linked.id
    assert await find_volunteer_by_telegram(43) is None
    assert await find_volunteer_by_telegram(True) is None  # type: ignore[arg-type]


async def test_link_by_contact_with_own_number_in_any_writing(db):
    volunteer = await make_volunteer(phone="+84912345678")

    linked = await link_by_contact(
        "0912.345.678", telegram_user_id=7, chat_id=7, contact_user_id=7, language_code="en-GB"
    )

    assert linked.id == volunteer.id
    stored = await Volunteer.get(id=volunteer.id)
    assert (stored.telegram_user_id, stored.telegram_chat_id, stored.language) == (
        7,
        7,
        Language.EN,
    )


async def test_link_by_contact_twice_is_harmless(db):
    await make_volunteer(phone="+84912345678")
    for _ in range(2):
        await link_by_contact("+84912345678", telegram_user_id=7, chat_id=7, contact_user_id=7)

    assert await Volunteer.filter(telegram_user_id=7).count() == 1


@pytest.mark.parametrize(
    ("phone", "contact_user_id", "error"),
    [
        ("+84912345678", 8, PermissionDenied),  # someone else's card
        ("+84912345678", None, PermissionDenied),  # a card with no Telegram account
        ("+84987654321", 7, NotFound),  # nobody on the rosters
        ("not a phone", 7, NotFound),
    ],
)
async def test_link_by_contact_refuses(db, phone, contact_user_id, error):
    await make_volunteer(phone="+84912345678")

    with pytest.raises(error):
        await link_by_contact(phone, telegram_user_id=7, chat_id=7, contact_user_id=contact_user_id)

    assert await Volunteer.filter(telegram_user_id=7).count() == 0


async def test_link_by_contact_of_a_number_linked_to_another_account_is_refused(db):
    await make_volunteer(phone="+84912345678", telegram_user_id=99, telegram_chat_id=99)

    with pytest.raises(Conflict):
        await link_by_contact("+84912345678", telegram_user_id=7, chat_id=7, contact_user_id=7)


async def test_link_by_invite_keeps_the_language_on_a_repeat(db):
    volunteer = await make_volunteer(language=Language.VI)
    invite = await create_invite(volunteer, by=Actor.system("test"))

    first = await link_by_invite(invite.token, telegram_user_id=5, chat_id=5, language_code="en")
    await Volunteer.filter(id=volunteer.id).update(language=Language.VI)
    again = await link_by_invite(invite.token, telegram_user_id=5, chat_id=5, language_code="en")

    assert (first.language, again.language) == (Language.EN, Language.VI)


@pytest.mark.parametrize(
    ("payload", "code"),
    [("st_hn01", "HN01"), ("st_HN-02", "HN-02"), ("st_", None), ("abc", None), ("", None)],
)
def test_station_code_of(payload, code):
    assert station_code_of(payload) == code


async def test_station_for_code_takes_the_open_campaign(db):
    old = await make_campaign(name="Tết 2026", year=2026, status=CampaignStatus.CLOSED)
    new = await make_campaign()
    await make_station(old, code="HN01")
    current = await make_station(new, code="HN01")
    await make_station(new, code="OFF", is_active=False)

    assert (await station_for_code("hn01")).id == current.id
    assert await station_for_code("OFF") is None
    assert await station_for_code("NOPE") is None
