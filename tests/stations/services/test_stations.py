"""Stations: codes that fit a deep link, places, opening hours, and a closed campaign's rule."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.enums import CampaignStatus
from stations.models import AuditEvent, Station, Unit, Volunteer
from stations.services.actor import Actor
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.stations import create_station, update_station
from tests.factories import make_campaign, make_station, make_unit, make_volunteer

COORDINATOR = Actor.user(1, "dieuphoi@congan.dongthap.gov.vn")


async def _counts() -> tuple[int, int]:
    return await Station.all().count(), await AuditEvent.all().count()


def _wall_clock(moment: dt.time | None) -> tuple[int, int] | None:
    return None if moment is None else (moment.hour, moment.minute)


async def test_create_station_with_every_field(db):
    campaign, unit = await make_campaign(), await make_unit()
    lead = await make_volunteer(full_name="Trần Thị Bích")

    station = await create_station(
        campaign,
        unit=unit,
        code=" hn-01 ",
        name=" Trạm dừng chân  Hồng Ngự ",
        address="Quốc lộ 30, phường An Lộc, Hồng Ngự",
        latitude=10.8076,
        longitude=105.3436,
        checkin_radius_m=500,
        opens_at=dt.time(6, 0),
        closes_at=dt.time(22, 30),
        lead=lead,
        by=COORDINATOR,
    )

    stored = await Station.get(id=station.id)
    assert (stored.campaign_id, stored.unit_id, stored.lead_id) == (campaign.id, unit.id, lead.id)
    assert (stored.code, stored.name, stored.address) == (
        "HN-01",
        "Trạm dừng chân Hồng Ngự",
        "Quốc lộ 30, phường An Lộc, Hồng Ngự",
    )
    assert (stored.latitude, stored.longitude, stored.checkin_radius_m) == (10.8076, 105.3436, 500)
    assert (_wall_clock(stored.opens_at), _wall_clock(stored.closes_at)) == ((6, 0), (22, 30))
    assert (await AuditEvent.get(object_id=station.id)).action == "station.created"


async def test_create_station_defaults(db):
    campaign, unit = await make_campaign(), await make_unit()

    station = await create_station(campaign, unit=unit, code="S1", name="Trạm 1", by=COORDINATOR)

    stored = await Station.get(id=station.id)
    assert (
        stored.address,
        stored.latitude,
        stored.longitude,
        stored.checkin_radius_m,
        stored.opens_at,
        stored.closes_at,
        stored.lead_id,
        stored.is_active,
    ) == ("", None, None, 300, None, None, None, True)


async def test_create_station_open_overnight(db):
    campaign, unit = await make_campaign(), await make_unit()

    station = await create_station(
        campaign,
        unit=unit,
        code="DEM",
        name="Trạm đêm",
        opens_at=dt.time(18, 0),
        closes_at=dt.time(6, 0),
        by=COORDINATOR,
    )

    stored = await Station.get(id=station.id)
    assert (_wall_clock(stored.opens_at), _wall_clock(stored.closes_at)) == ((18, 0), (6, 0))


async def test_create_station_with_code_in_use_is_a_conflict_naming_the_code(db):
    campaign, unit = await make_campaign(), await make_unit()
    await make_station(campaign, code="HN1")
    before = await _counts()

    with pytest.raises(Conflict) as caught:
        await create_station(campaign, unit=unit, code="hn1", name="Trạm 2", by=COORDINATOR)

    assert (caught.value.field, caught.value.params["code"]) == ("code", "HN1")
    assert "HN1" in str(caught.value)
    assert await _counts() == before


async def test_create_station_reuses_a_code_of_another_campaign(db):
    unit = await make_unit()
    await make_station(await make_campaign(), code="HN1")

    station = await create_station(
        await make_campaign(name="30/4–1/5 2027"),
        unit=unit,
        code="HN1",
        name="Trạm",
        by=COORDINATOR,
    )

    assert station.code == "HN1"


async def test_create_station_in_closed_campaign_is_refused(db):
    campaign = await make_campaign(status=CampaignStatus.CLOSED)

    with pytest.raises(Conflict) as caught:
        await create_station(
            campaign, unit=await make_unit(), code="S1", name="Trạm 1", by=COORDINATOR
        )

    assert caught.value.field == "campaign"
    assert "Tết Đinh Mùi 2027" in str(caught.value)
    assert await _counts() == (0, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", ""),
        ("code", "HN 1"),
        ("code", "st_HN1/x"),
        ("code", "TRẠM1"),
        ("code", "A" * 17),
        ("code", None),
        ("name", ""),
        ("name", " "),
        ("name", "T" * 201),
        ("name", None),
        ("address", "A" * 301),
        ("address", 12),
        ("latitude", 91),
        ("latitude", -90.5),
        ("latitude", "10.8"),
        ("latitude", float("nan")),
        ("latitude", True),
        ("longitude", 181),
        ("longitude", float("inf")),
        ("checkin_radius_m", 9),
        ("checkin_radius_m", 5001),
        ("checkin_radius_m", 300.0),
        ("checkin_radius_m", "300"),
        ("checkin_radius_m", None),
        ("opens_at", "06:00"),
        ("opens_at", dt.datetime(2027, 2, 2, 6, 0)),
        ("closes_at", 22),
        ("lead", "Trần Thị Bích"),
        ("lead", Volunteer(full_name="Chưa lưu", search_name="chua luu", phone="+84900000000")),
        ("unit", None),
        ("unit", "CA-DT"),
        ("unit", Unit(code="UNSAVED", name="Chưa lưu")),
    ],
)
async def test_create_station_rejects_bad_input(db, field, value):
    campaign, unit = await make_campaign(), await make_unit()
    arguments = {
        "unit": unit,
        "code": "S1",
        "name": "Trạm 1",
        "latitude": 10.8,
        "longitude": 105.3,
        "opens_at": dt.time(6, 0),
        "closes_at": dt.time(22, 0),
        field: value,
    }

    with pytest.raises(InvalidInput) as caught:
        await create_station(campaign, **arguments, by=COORDINATOR)

    assert caught.value.field == field
    assert await _counts() == (0, 0)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"latitude": 10.8}, "longitude"),
        ({"longitude": 105.3}, "latitude"),
        ({"opens_at": dt.time(6, 0)}, "closes_at"),
        ({"closes_at": dt.time(22, 0)}, "opens_at"),
        ({"opens_at": dt.time(6, 0), "closes_at": dt.time(6, 0)}, "closes_at"),
    ],
)
async def test_create_station_needs_both_halves_of_a_pair(db, arguments, field):
    campaign, unit = await make_campaign(), await make_unit()

    with pytest.raises(InvalidInput) as caught:
        await create_station(
            campaign, unit=unit, code="S1", name="Trạm 1", **arguments, by=COORDINATOR
        )

    assert caught.value.field == field
    assert await _counts() == (0, 0)


async def test_create_station_rejects_an_unsaved_campaign(db):
    with pytest.raises(InvalidInput) as caught:
        await create_station(
            "Tết 2027", unit=await make_unit(), code="S1", name="Trạm 1", by=COORDINATOR
        )

    assert caught.value.field == "campaign"


@pytest.mark.parametrize("missing", ["unit", "lead"])
async def test_create_station_with_deleted_unit_or_lead_is_not_found(db, missing):
    campaign, unit, lead = await make_campaign(), await make_unit(), await make_volunteer()
    gone = {"unit": unit, "lead": lead}[missing]
    await type(gone).filter(id=gone.id).delete()

    with pytest.raises(NotFound) as caught:
        await create_station(
            campaign, unit=unit, lead=lead, code="S1", name="Trạm 1", by=COORDINATOR
        )

    assert caught.value.field == missing
    assert await _counts() == (0, 0)


async def test_update_station_changes_fields_and_records_them(db):
    station = await make_station(code="S1", name="Trạm 1", checkin_radius_m=300)
    unit, lead = await make_unit(), await make_volunteer()

    await update_station(
        station,
        code="hn-02",
        name="Trạm Hồng Ngự 2",
        address="Ngã ba Mương Ông Thuộc",
        checkin_radius_m=150,
        opens_at=dt.time(5, 30),
        closes_at=dt.time(21, 0),
        unit=unit,
        lead=lead,
        is_active=False,
        by=COORDINATOR,
    )

    stored = await Station.get(id=station.id)
    event = await AuditEvent.get(action="station.updated")
    assert (stored.code, stored.name, stored.address, stored.checkin_radius_m) == (
        "HN-02",
        "Trạm Hồng Ngự 2",
        "Ngã ba Mương Ông Thuộc",
        150,
    )
    assert (stored.unit_id, stored.lead_id, stored.is_active) == (unit.id, lead.id, False)
    assert (_wall_clock(stored.opens_at), _wall_clock(stored.closes_at)) == ((5, 30), (21, 0))
    assert (station.code, station.lead_id, station.unit_id) == ("HN-02", lead.id, unit.id)
    assert event.data["code"] == ["S1", "HN-02"]
    assert event.data["opens_at"] == [None, "05:30"]


async def test_update_station_moves_one_coordinate_against_the_other_on_record(db):
    station = await make_station(latitude=10.8, longitude=105.3)

    await update_station(station, latitude=10.9, by=COORDINATOR)

    stored = await Station.get(id=station.id)
    assert (stored.latitude, stored.longitude) == (10.9, 105.3)


async def test_update_station_clears_position_and_lead(db):
    station = await make_station(lead=await make_volunteer())

    await update_station(station, latitude=None, longitude=None, lead=None, by=COORDINATOR)

    stored = await Station.get(id=station.id)
    assert (stored.latitude, stored.longitude, stored.lead_id) == (None, None, None)


async def test_update_station_to_a_code_in_use_is_a_conflict(db):
    campaign = await make_campaign()
    await make_station(campaign, code="HN1")
    station = await make_station(campaign, code="HN2")

    with pytest.raises(Conflict) as caught:
        await update_station(station, code="hn1", by=COORDINATOR)

    assert (caught.value.field, caught.value.params["code"]) == ("code", "HN1")
    assert (await Station.get(id=station.id)).code == "HN2"
    assert await AuditEvent.all().count() == 0


async def test_update_station_keeping_its_own_code_is_no_change(db):
    station = await make_station(code="HN1")

    await update_station(station, code=" hn1 ", by=COORDINATOR)

    assert await AuditEvent.all().count() == 0


async def test_update_station_of_closed_campaign_is_allowed(db):
    station = await make_station(await make_campaign(status=CampaignStatus.CLOSED))

    await update_station(station, address="Km 12, Quốc lộ 30", by=COORDINATOR)

    assert (await Station.get(id=station.id)).address == "Km 12, Quốc lộ 30"


@pytest.mark.parametrize(
    ("field", "value", "blamed"),
    [
        ("code", "HN 1", "code"),
        ("name", "", "name"),
        ("address", "A" * 301, "address"),
        ("latitude", 95.0, "latitude"),
        ("longitude", None, "longitude"),
        ("checkin_radius_m", 0, "checkin_radius_m"),
        # the station has no closing time on record to pair with
        ("opens_at", dt.time(7, 0), "closes_at"),
        ("lead", 3, "lead"),
        ("unit", None, "unit"),
        ("is_active", "no", "is_active"),
        ("campaign", None, "campaign"),
        ("colour", "red", "colour"),
    ],
)
async def test_update_station_rejects_bad_input_and_keeps_the_row(db, field, value, blamed):
    station = await make_station(code="S1", name="Trạm 1", latitude=10.8, longitude=105.3)

    with pytest.raises(InvalidInput) as caught:
        await update_station(station, by=COORDINATOR, **{field: value})

    stored = await Station.get(id=station.id)
    assert caught.value.field == blamed
    assert (stored.code, stored.name, stored.latitude, stored.longitude) == (
        "S1",
        "Trạm 1",
        10.8,
        105.3,
    )
    assert await AuditEvent.all().count() == 0
