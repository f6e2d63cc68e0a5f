"""Services a station gives besides supplies: motorbike checks, loudspeaker time, first aid."""

from __future__ import annotations

import datetime as dt
from typing import Final

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import ServiceKind
from stations.i18n import _
from stations.models import ServiceRecord, Station, Unit
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.campaign_window import check_inside_window
from stations.services.errors import Conflict, NotFound
from stations.services.inventory import (
    check_actor,
    check_actor_on_record,
    check_occurred_at,
    check_occurred_at_type,
    check_quantity,
    clean_idempotency_key,
    clean_note,
    load_station,
)
from stations.services.validation import check_choice, check_whole_number

#: A loudspeaker report is in minutes: at most a whole day at one station.
MAX_LOUDSPEAKER_MINUTES: Final = 24 * 60
#: Vehicles checked, people helped: a busy Tết day is hundreds, not tens of thousands.
MAX_SERVICE_QUANTITY: Final = 10_000


async def record_service(
    station: Station,
    kind: ServiceKind | str,
    quantity: int,
    *,
    by: Actor,
    partner: Unit | None = None,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    idempotency_key: str | None = None,
    outside_reason: str = "",
) -> ServiceRecord:
    """Record a service given at ``station``; the same idempotency key again returns the original.
    Outside the campaign window only with ``outside_reason``."""
    service = _check_kind(kind)
    amount = _check_amount(service, quantity)
    check_occurred_at_type(occurred_at)
    actor = check_actor(by)
    await check_actor_on_record(actor)
    text = clean_note(note)
    key = clean_idempotency_key(idempotency_key)
    if partner is not None and (not isinstance(partner, Unit) or partner.id is None):
        raise NotFound(_("The partner unit was not found."), field="partner")
    if key and (original := await _replay(key, station, service, amount)):
        return original
    try:
        async with in_transaction():
            target = await load_station(station, field="station", require_open=True)
            when = check_occurred_at(occurred_at, target.campaign)
            reason = await check_inside_window(
                target.campaign, service, when, by=actor, outside_reason=outside_reason
            )
            if partner is not None and not await Unit.exists(id=partner.id):
                raise NotFound(_("The partner unit was not found."), field="partner")
            try:
                async with in_transaction():
                    record = await ServiceRecord.create(
                        station_id=target.id,
                        kind=service,
                        quantity=amount,
                        partner_id=partner.id if partner is not None else None,
                        by_volunteer_id=actor.volunteer_id,
                        by_user_id=actor.user_id,
                        source=actor.source,
                        idempotency_key=key,
                        note=text,
                        outside_reason=reason,
                        occurred_at=when,
                        recorded_at=clock.now(),
                    )
            except IntegrityError:
                if key is None:
                    raise
                record = None  # the same report, committed a moment ago by another writer
            if record is not None:
                await record_event(
                    actor,
                    f"service.{service.value}",
                    object_type="service_record",
                    object_id=record.id,
                    data={
                        "station_id": target.id,
                        "quantity": amount,
                        "partner_id": record.partner_id,
                    },
                )
                return record
    except IntegrityError as exc:
        raise Conflict(
            _("The service could not be recorded. Please try again."), field=None
        ) from exc
    original = await _replay(key or "", station, service, amount)
    if original is None:
        raise _key_conflict()
    return original


def _check_kind(kind: object) -> ServiceKind:
    return check_choice(
        kind,
        ServiceKind,
        field="kind",
        message=_("Choose a kind of service from the list."),
        exact=True,
    )


def _check_amount(kind: ServiceKind, quantity: object) -> int:
    if kind is ServiceKind.LOUDSPEAKER:
        return check_whole_number(
            quantity,
            field="quantity",
            minimum=1,
            maximum=MAX_LOUDSPEAKER_MINUTES,
            message=_("Loudspeaker time must be a whole number of minutes between 1 and {max}."),
        )
    return check_quantity(quantity, maximum=MAX_SERVICE_QUANTITY)


def _key_conflict() -> Conflict:
    return Conflict(
        _("This idempotency key was already used for a different service report."),
        field="idempotency_key",
    )


async def _replay(
    key: str, station: Station, kind: ServiceKind, quantity: int
) -> ServiceRecord | None:
    original = await ServiceRecord.get_or_none(idempotency_key=key)
    if original is None:
        return None
    if (
        original.station_id != getattr(station, "id", None)
        or original.kind is not kind
        or original.quantity != quantity
    ):
        raise _key_conflict()
    return original
