"""The ledger's input checks, shared with the other field reports (``service_records``):
quantities, notes, idempotency keys, times, and the station and item a line names."""

from __future__ import annotations

import datetime as dt
from typing import Final

from stations import clock
from stations.enums import CampaignStatus, MovementKind
from stations.i18n import _
from stations.models import Campaign, Station, SupplyItem, User, Volunteer
from stations.services.actor import Actor
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.validation import (
    check_aware_datetime,
    check_optional_text,
    check_whole_number,
    load_existing,
)

MAX_QUANTITY: Final = 1_000_000
MAX_THRESHOLD: Final = 1_000_000
IDEMPOTENCY_KEY_MAX: Final = 128
NOTE_MAX: Final = 300
#: Phones' clocks run a little fast; a report "from the future" beyond this is a typo.
FUTURE_TOLERANCE: Final = dt.timedelta(minutes=5)
#: Supplies arrive before a campaign opens, but not weeks before.
EARLY_TOLERANCE: Final = dt.timedelta(days=7)

CAMPAIGN_CLOSED: Final = _("The campaign {campaign} is closed: its records can no longer change.")
STATION_NOT_FOUND: Final = _("The station was not found.")
ACTOR_GONE: Final = _("The person making this change is no longer on record.")


#: A receipt valued past ten million đồng a unit is a typing slip (a gift pack is ~500.000).
MAX_UNIT_COST_VND: Final = 10_000_000


def check_unit_cost(value: object) -> int | None:
    """A receipt's cost per unit in đồng, or None for the item's current cost."""
    if value is None:
        return None
    return check_whole_number(
        value,
        field="unit_cost_vnd",
        minimum=0,
        maximum=MAX_UNIT_COST_VND,
        message=_("The cost per unit must be a whole number of đồng from 0 to {max}."),
    )


def frozen_unit_cost(kind: MovementKind, item: SupplyItem, entered: int | None) -> int | None:
    """The cost per unit a new line keeps: a receipt's, entered or the item's current one."""
    if kind is not MovementKind.RECEIPT:
        return None
    return entered if entered is not None else item.unit_cost_vnd


def check_quantity(value: object, *, maximum: int = MAX_QUANTITY) -> int:
    return check_whole_number(
        value,
        field="quantity",
        minimum=1,
        maximum=maximum,
        message=_("Quantity must be a whole number between 1 and {max}."),
    )


def check_counted(value: object) -> int:
    return check_whole_number(
        value,
        field="counted",
        minimum=0,
        maximum=MAX_QUANTITY,
        message=_("The count must be a whole number between 0 and {max}."),
    )


def check_actor(by: object) -> Actor:
    if not isinstance(by, Actor):
        raise InvalidInput(_("Who is making this change must be known."), field="by")
    return by


async def check_actor_on_record(actor: Actor) -> None:
    """The volunteer or user named as the actor still exists: a ledger line names its author."""
    if actor.volunteer_id is not None and not await Volunteer.exists(id=actor.volunteer_id):
        raise NotFound(ACTOR_GONE, field="by")
    if actor.user_id is not None and not await User.exists(id=actor.user_id):
        raise NotFound(ACTOR_GONE, field="by")


def clean_note(note: object) -> str:
    if note is None:
        return ""
    return check_optional_text(
        note,
        field="note",
        max_length=NOTE_MAX,
        too_long=_("The note can be at most {max} characters."),
        not_text=_("The note must be text."),
    )


def clean_idempotency_key(key: object) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str):
        raise InvalidInput(_("The idempotency key must be text."), field="idempotency_key")
    key = key.strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise InvalidInput(
            _("The idempotency key can be at most {max} characters."),
            field="idempotency_key",
            max=IDEMPOTENCY_KEY_MAX,
        )
    return key or None


def client_key(by: Actor, key: str) -> str:
    """A key a client chose (an API request's header, a web form's hidden field), put in
    the namespace of where it came from and who sent it, so no client can name another's
    entry: a web form's "api:1:k" is kept as "web:<user id>:api:1:k". (The bot's keys are
    made on the server from Telegram's update id, "tg:<update id>:…".)"""
    return f"{by.source.value}:{by.id}:{key}"


def check_occurred_at_type(occurred_at: object) -> None:
    if occurred_at is not None:
        check_aware_datetime(occurred_at, field="occurred_at")


def check_occurred_at(occurred_at: dt.datetime | None, campaign: Campaign) -> dt.datetime:
    """When it happened, in UTC: now if not given; not in the future, not long before the campaign."""
    return moment_within(occurred_at, campaign.starts_on)


def moment_within(occurred_at: dt.datetime | None, starts_on: dt.date) -> dt.datetime:
    """``check_occurred_at`` for a campaign starting on ``starts_on``."""
    now = clock.now()
    if occurred_at is None:
        return now
    check_occurred_at_type(occurred_at)
    moment = occurred_at.astimezone(dt.UTC)
    if moment > now + FUTURE_TOLERANCE:
        raise InvalidInput(_("The time cannot be in the future."), field="occurred_at")
    earliest = clock.local_midnight(starts_on) - EARLY_TOLERANCE
    if moment < earliest:
        raise InvalidInput(
            _("The time is too early for this campaign, which starts on {date}."),
            field="occurred_at",
            date=starts_on.strftime("%d/%m/%Y"),
        )
    return moment


async def load_station(station: Station, *, field: str, require_open: bool) -> Station:
    """``station`` fresh from the database with its campaign; refused if the campaign is closed."""
    found = await load_existing(
        station, Station, field=field, gone=STATION_NOT_FOUND, related=["campaign"]
    )
    if require_open and found.campaign.status is not CampaignStatus.OPEN:
        raise Conflict(CAMPAIGN_CLOSED, field=field, campaign=found.campaign.name)
    return found


async def load_item(item: SupplyItem, *, require_active: bool = True) -> SupplyItem:
    found = await load_existing(
        item, SupplyItem, field="item", gone=_("The supply item was not found.")
    )
    if require_active and not found.is_active:
        raise InvalidInput(
            _("The supply item {item} is no longer in use."), field="item", item=found.name_vi
        )
    return found


def effective_threshold(balance_threshold: int | None, item_default: int) -> int | None:
    """The level under which stock is low: the station's own, else the item's; None if off."""
    level = balance_threshold if balance_threshold is not None else item_default
    return level if level > 0 else None
