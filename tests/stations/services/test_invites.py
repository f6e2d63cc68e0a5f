"""Invites: a single-use, expiring token links a Telegram account to a volunteer."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.models import AuditEvent, LinkToken, Volunteer
from stations.services.actor import Actor
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.invites import (
    STATION_PREFIX,
    create_invite,
    looks_like_invite,
    redeem_invite,
)
from tests.factories import make_volunteer

pytestmark = pytest.mark.integration

COORDINATOR = Actor.system("coordinator")


async def test_create_invite_makes_a_deep_link_payload_telegram_accepts(db, clock):
    volunteer = await make_volunteer()

    invite = await create_invite(volunteer, by=COORDINATOR)

    assert looks_like_invite(invite.token)
    assert not invite.token.startswith(STATION_PREFIX)
    assert invite.expires_at == clock.now() + dt.timedelta(days=7)
    assert invite.deep_link("tram_bot") == f"https://t.me/tram_bot?start={invite.token}"
    assert await AuditEvent.filter(action="volunteer.invite_created").count() == 1


@pytest.mark.parametrize(
    "valid_for", [dt.timedelta(0), dt.timedelta(minutes=-5), dt.timedelta(days=91)]
)
async def test_create_invite_refuses_an_unreasonable_validity(db, valid_for):
    volunteer = await make_volunteer()

    with pytest.raises(InvalidInput) as caught:
        await create_invite(volunteer, by=COORDINATOR, valid_for=valid_for)

    assert caught.value.field == "valid_for"
    assert await LinkToken.all().count() == 0


async def test_redeem_invite_links_the_account_and_uses_the_token_up(db, clock):
    volunteer = await make_volunteer()
    invite = await create_invite(volunteer, by=COORDINATOR)

    linked = await redeem_invite(invite.token, telegram_user_id=555, chat_id=555)

    assert linked.id == volunteer.id
    refreshed = await Volunteer.get(id=volunteer.id)
    assert (refreshed.telegram_user_id, refreshed.telegram_chat_id) == (555, 555)
    link = await LinkToken.get(token=invite.token)
    assert link.used_at == clock.now()


async def test_redeem_invite_twice_by_the_same_account_is_harmless(db):
    volunteer = await make_volunteer()
    invite = await create_invite(volunteer, by=COORDINATOR)
    await redeem_invite(invite.token, telegram_user_id=555, chat_id=555)

    again = await redeem_invite(invite.token, telegram_user_id=555, chat_id=555)

    assert again.id == volunteer.id


async def test_redeem_invite_refuses_a_token_used_by_someone_else(db):
    volunteer = await make_volunteer()
    invite = await create_invite(volunteer, by=COORDINATOR)
    await redeem_invite(invite.token, telegram_user_id=555, chat_id=555)

    with pytest.raises(Conflict) as caught:
        await redeem_invite(invite.token, telegram_user_id=777, chat_id=777)

    assert "already been used" in caught.value.translated("en")
    assert (await Volunteer.get(id=volunteer.id)).telegram_user_id == 555


async def test_redeem_invite_refuses_an_expired_token(db, clock):
    volunteer = await make_volunteer()
    invite = await create_invite(volunteer, by=COORDINATOR, valid_for=dt.timedelta(hours=1))
    clock.advance(dt.timedelta(hours=1))

    with pytest.raises(Conflict) as caught:
        await redeem_invite(invite.token, telegram_user_id=555, chat_id=555)

    assert "expired" in caught.value.translated("en")
    assert "hết hạn" in caught.value.translated("vi")
    assert (await Volunteer.get(id=volunteer.id)).telegram_user_id is None


@pytest.mark.parametrize(
    "token", ["", "short", "st_BT01_check_in_payload", "x" * 65, "bad token!!!!!!!!!!"]
)
async def test_redeem_invite_refuses_an_unknown_or_malformed_token(db, token):
    with pytest.raises(NotFound):
        await redeem_invite(token, telegram_user_id=555, chat_id=555)


async def test_redeem_invite_refuses_an_account_linked_to_another_volunteer(db):
    await make_volunteer(telegram_user_id=555, telegram_chat_id=555)
    volunteer = await make_volunteer()
    invite = await create_invite(volunteer, by=COORDINATOR)

    with pytest.raises(Conflict):
        await redeem_invite(invite.token, telegram_user_id=555, chat_id=555)

    assert (await LinkToken.get(token=invite.token)).used_at is None
