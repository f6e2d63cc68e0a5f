from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from stations.enums import CampaignStatus, ServiceKind, Source, UnitKind
from stations.models import AuditEvent, Campaign, ServiceRecord, Unit
from stations.services.actor import Actor
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.service_records import record_service
from tests.factories import make_station, make_unit, make_volunteer, vn

SYSTEM = Actor.system()


async def test_motorbike_checks_with_a_partner_garage_are_recorded(db, clock):
    station = await make_station()
    garage = await make_unit(name="Trung tâm Head Honda Hồng Ngự", kind=UnitKind.GARAGE)
    volunteer = await make_volunteer()

    record = await record_service(
        station,
        ServiceKind.MOTORBIKE_CHECK,
        12,
        partner=garage,
        by=Actor.volunteer(volunteer.id, volunteer.full_name),
        note=" Kiểm tra  phanh, đèn ",
    )

    assert (record.kind, record.quantity, record.partner_id) == (
        ServiceKind.MOTORBIKE_CHECK,
        12,
        garage.id,
    )
    assert (record.by_volunteer_id, record.source) == (volunteer.id, Source.BOT)
    assert record.note == "Kiểm tra phanh, đèn"
    assert record.occurred_at == clock.now()
    event = await AuditEvent.get(action="service.motorbike_check")
    assert (event.object_type, event.object_id) == ("service_record", record.id)


async def test_kind_may_be_given_as_text(db, clock):
    station = await make_station()

    record = await record_service(station, "first_aid", 2, by=SYSTEM)

    assert record.kind is ServiceKind.FIRST_AID


async def test_loudspeaker_time_is_minutes_up_to_a_day(db, clock):
    station = await make_station()

    record = await record_service(station, ServiceKind.LOUDSPEAKER, 1440, by=SYSTEM)
    with pytest.raises(InvalidInput) as caught:
        await record_service(station, ServiceKind.LOUDSPEAKER, 1441, by=SYSTEM)

    assert record.quantity == 1440
    assert caught.value.field == "quantity"
    assert await ServiceRecord.all().count() == 1


async def test_other_services_count_up_to_ten_thousand(db, clock):
    station = await make_station()

    record = await record_service(station, ServiceKind.DIRECTIONS, 10_000, by=SYSTEM)
    with pytest.raises(InvalidInput) as caught:
        await record_service(station, ServiceKind.DIRECTIONS, 10_001, by=SYSTEM)

    assert record.quantity == 10_000
    assert caught.value.field == "quantity"
    assert await ServiceRecord.all().count() == 1


@pytest.mark.parametrize("quantity", [0, -5, 1e9, 1.5, "50", True, None])
async def test_a_bad_quantity_is_refused(db, clock, quantity):
    station = await make_station()

    with pytest.raises(InvalidInput) as caught:
        await record_service(station, ServiceKind.FIRST_AID, quantity, by=SYSTEM)

    assert caught.value.field == "quantity"
    assert await ServiceRecord.all().count() == 0


@pytest.mark.parametrize("kind", ["massage", "", None, 3])
async def test_an_unknown_kind_is_refused(db, clock, kind):
    station = await make_station()

    with pytest.raises(InvalidInput) as caught:
        await record_service(station, kind, 1, by=SYSTEM)

    assert caught.value.field == "kind"
    assert await ServiceRecord.all().count() == 0


async def test_a_partner_that_does_not_exist_is_not_found(db, clock):
    station = await make_station()
    gone = await make_unit()
    await Unit.filter(id=gone.id).delete()

    with pytest.raises(NotFound) as caught:
        await record_service(station, ServiceKind.REPAIR, 1, partner=gone, by=SYSTEM)

    assert caught.value.field == "partner"
    assert await ServiceRecord.all().count() == 0


async def test_a_closed_campaign_refuses_new_services(db, clock):
    station = await make_station()
    await Campaign.filter(id=station.campaign_id).update(status=CampaignStatus.CLOSED)

    with pytest.raises(Conflict) as caught:
        await record_service(station, ServiceKind.FIRST_AID, 1, by=SYSTEM)

    assert caught.value.field == "station"
    assert await ServiceRecord.all().count() == 0


@pytest.mark.parametrize(
    "occurred_at",
    [
        dt.datetime(2027, 2, 2, 7),
        "08:00",
        vn(2027, 2, 2, 8, 6),
        vn(2027, 1, 22, 23, 59),
    ],
)
async def test_a_bad_time_is_refused(db, clock, occurred_at):
    station = await make_station()

    with pytest.raises(InvalidInput) as caught:
        await record_service(station, ServiceKind.FIRST_AID, 1, occurred_at=occurred_at, by=SYSTEM)

    assert caught.value.field == "occurred_at"
    assert await ServiceRecord.all().count() == 0


@pytest.mark.parametrize(("field", "value"), [("note", "x" * 301), ("idempotency_key", "k" * 129)])
async def test_a_too_long_text_is_refused(db, clock, field, value):
    station = await make_station()

    with pytest.raises(InvalidInput) as caught:
        await record_service(station, ServiceKind.FIRST_AID, 1, by=SYSTEM, **{field: value})

    assert caught.value.field == field
    assert await ServiceRecord.all().count() == 0


async def test_the_same_key_again_returns_the_original(db, clock):
    station = await make_station()
    first = await record_service(
        station, ServiceKind.LOUDSPEAKER, 90, by=SYSTEM, idempotency_key="tg:5001"
    )

    again = await record_service(
        station, ServiceKind.LOUDSPEAKER, 90, by=SYSTEM, idempotency_key="tg:5001"
    )

    assert again.id == first.id
    assert await ServiceRecord.all().count() == 1
    assert await AuditEvent.filter(action="service.loudspeaker").count() == 1


async def test_a_key_reused_for_another_report_is_a_conflict(db, clock):
    station = await make_station()
    await record_service(station, ServiceKind.LOUDSPEAKER, 90, by=SYSTEM, idempotency_key="k1")

    with pytest.raises(Conflict) as caught:
        await record_service(station, ServiceKind.FIRST_AID, 90, by=SYSTEM, idempotency_key="k1")

    assert caught.value.field == "idempotency_key"
    assert await ServiceRecord.all().count() == 1


async def test_the_same_key_at_once_writes_one_record(db, clock):
    station = await make_station()

    records = await asyncio.gather(
        *(
            record_service(station, ServiceKind.FIRST_AID, 3, by=SYSTEM, idempotency_key="burst")
            for _ in range(20)
        )
    )

    assert len({r.id for r in records}) == 1
    assert await ServiceRecord.all().count() == 1
    assert await AuditEvent.filter(action="service.first_aid").count() == 1
