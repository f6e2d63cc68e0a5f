"""Invites: single-use, expiring tokens that tie a volunteer's Telegram account to them.

A coordinator creates one on the volunteer's page (a link and a QR code to
``https://t.me/<bot>?start=<token>``); the bot redeems it on ``/start <token>``. Telegram
allows a deep-link payload of at most 64 characters of ``[A-Za-z0-9_-]``: a token is 32 of
them, and never starts with ``st_`` (that prefix is a station's check-in link).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from stations import clock
from stations.i18n import _
from stations.models import LinkToken, Volunteer
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.volunteers import link_telegram

#: Long enough to pass an invite on by hand during a busy week before Tết.
DEFAULT_VALIDITY = dt.timedelta(days=7)
MAX_VALIDITY = dt.timedelta(days=90)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
STATION_PREFIX = "st_"


@dataclass(frozen=True, slots=True)
class Invite:
    token: str
    volunteer_id: int
    expires_at: dt.datetime

    def deep_link(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username}?start={self.token}"


def _new_token() -> str:
    while True:
        token = secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-]
        if not token.startswith(STATION_PREFIX):
            return token


async def create_invite(
    volunteer: Volunteer,
    *,
    by: Actor,
    valid_for: dt.timedelta = DEFAULT_VALIDITY,
) -> Invite:
    """A fresh invite for ``volunteer``; earlier unused ones stay valid until they expire."""
    if not dt.timedelta(minutes=5) <= valid_for <= MAX_VALIDITY:
        raise InvalidInput(
            _("An invite can be valid for 5 minutes up to 90 days."), field="valid_for"
        )
    now = clock.now()
    async with in_transaction():
        link = await LinkToken.create(
            token=_new_token(),
            volunteer_id=volunteer.id,
            created_by_id=by.user_id,
            expires_at=now + valid_for,
        )
        await record_event(
            by,
            "volunteer.invite_created",
            object_type="volunteer",
            object_id=volunteer.id,
            data={"link_token_id": link.id, "expires_at": link.expires_at.isoformat()},
        )
    return Invite(token=link.token, volunteer_id=volunteer.id, expires_at=link.expires_at)


def looks_like_invite(payload: str) -> bool:
    return bool(TOKEN_PATTERN.fullmatch(payload)) and not payload.startswith(STATION_PREFIX)


async def redeem_invite(
    token: str, *, telegram_user_id: int, chat_id: int, by: Actor | None = None
) -> Volunteer:
    """Link the Telegram account to the invited volunteer and use the token up.

    Raises NotFound for an unknown token, Conflict for one already used (unless by this
    same account: a redelivered ``/start`` is harmless) or expired, and whatever
    ``link_telegram`` raises when the account belongs to someone else.
    """
    if not looks_like_invite(token):
        raise NotFound(_("This invite link is not valid."), field="token")
    now = clock.now()
    async with in_transaction():
        link = await LinkToken.filter(token=token).select_for_update().first()
        if link is None:
            raise NotFound(_("This invite link is not valid."), field="token")
        volunteer = await Volunteer.get(id=link.volunteer_id)
        if link.used_at is not None:
            if volunteer.telegram_user_id == telegram_user_id:
                return volunteer
            raise Conflict(
                _("This invite link has already been used. Ask your coordinator for a new one."),
                field="token",
            )
        if link.expires_at <= now:
            raise Conflict(
                _("This invite link has expired. Ask your coordinator for a new one."),
                field="token",
            )
        actor = by or Actor.volunteer(volunteer.id, volunteer.full_name)
        await link_telegram(
            volunteer, telegram_user_id=telegram_user_id, chat_id=chat_id, by=actor, replace=True
        )
        link.used_at = now
        await link.save(update_fields=["used_at"])
    return volunteer
