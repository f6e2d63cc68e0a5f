"""Creating campaigns, stations, shifts and volunteers, and cancelling shifts, through the API."""

from __future__ import annotations

import pytest

from stations.enums import AssignmentStatus, CampaignStatus, ShiftStatus, UserRole
from stations.models import Assignment, Campaign, Shift, Station, Volunteer
from tests.factories import (
    make_assignment,
    make_campaign,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
)


async def test_campaign_is_created_with_holiday_defaults(api):
    response = await api.post("/api/v1/campaigns", json={"kind": "tet", "year": 2028})

    assert response.status_code == 201
    campaign = await Campaign.get()
    data = response.json()["data"]
    assert (data["id"], data["name"], data["status"]) == (campaign.id, "Tết Mậu Thân 2028", "open")
    assert data["starts_on"] == campaign.starts_on.isoformat()


@pytest.mark.parametrize("year", [1900, 1999, 2101])
async def test_campaign_year_outside_2000_to_2100_is_refused_as_the_document_says(api, year):
    response = await api.post("/api/v1/campaigns", json={"kind": "tet", "year": year})

    assert response.status_code in {400, 422}
    assert response.json()["error"]["field"] == "year"
    assert await Campaign.all().count() == 0


async def test_campaign_creation_is_for_province_wide_managers(token_client):
    ward = await make_unit()
    ward_coordinator = await token_client(UserRole.COORDINATOR, ward)
    province_coordinator = await token_client(UserRole.COORDINATOR)
    body = {"kind": "custom", "year": 2027, "name": "Lễ hội", "starts_on": "2027-03-01"}

    refused = await ward_coordinator.post(
        "/api/v1/campaigns", json=body | {"ends_on": "2027-03-02"}
    )
    allowed = await province_coordinator.post(
        "/api/v1/campaigns", json=body | {"ends_on": "2027-03-02"}
    )
    backwards = await province_coordinator.post(
        "/api/v1/campaigns", json=body | {"ends_on": "2027-02-01"}
    )

    assert [refused.status_code, allowed.status_code, backwards.status_code] == [403, 201, 422]
    assert backwards.json()["error"]["field"] == "ends_on"
    assert await Campaign.all().count() == 1


async def test_station_is_created_in_scope_only(token_client, clock):
    ward, other = await make_unit(), await make_unit()
    campaign = await make_campaign()
    coordinator = await token_client(UserRole.COORDINATOR, ward, language="en")
    body = {"campaign_id": campaign.id, "code": "hn-01", "name": "Trạm Hồng Ngự"}

    created = await coordinator.post(
        "/api/v1/stations",
        json=body
        | {
            "unit_id": ward.id,
            "opens_at": "06:00",
            "closes_at": "22:00",
            "latitude": 10.8,
            "longitude": 105.3,
        },
    )
    foreign = await coordinator.post("/api/v1/stations", json=body | {"unit_id": other.id})
    duplicate = await coordinator.post("/api/v1/stations", json=body | {"unit_id": ward.id})

    assert created.status_code == 201
    assert (created.json()["data"]["code"], created.json()["data"]["opens_at"]) == (
        "HN-01",
        "06:00",
    )
    assert (foreign.status_code, duplicate.status_code) == (403, 409)
    assert duplicate.json()["error"]["field"] == "code"
    assert await Station.all().count() == 1


async def test_station_refused_in_closed_or_unknown_campaign(api):
    unit = await make_unit()
    closed = await make_campaign(status=CampaignStatus.CLOSED)
    body = {"unit_id": unit.id, "code": "A1", "name": "Trạm A"}

    answers = [
        await api.post("/api/v1/stations", json=body | {"campaign_id": closed.id}),
        await api.post("/api/v1/stations", json=body | {"campaign_id": closed.id + 1}),
        await api.post("/api/v1/stations", json=body | {"campaign_id": closed.id, "unit_id": 999}),
        await api.post(
            "/api/v1/stations", json=body | {"campaign_id": closed.id, "opens_at": "25:00"}
        ),
    ]

    assert [(r.status_code, r.json()["error"]["field"]) for r in answers] == [
        (409, "campaign_id"),
        (404, "campaign_id"),
        (404, "unit_id"),
        (400, "opens_at"),
    ]
    assert await Station.all().count() == 0


async def test_shift_is_created_and_checked_against_the_campaign(api, clock):
    station = await make_station()
    body = {
        "station_id": station.id,
        "starts_at": "2027-02-04T06:00:00+07:00",
        "ends_at": "2027-02-04T10:00:00+07:00",
        "needs": {"lead": 1, "volunteer": 3},
    }

    created = await api.post("/api/v1/shifts", json=body)
    again = await api.post("/api/v1/shifts", json=body)
    outside = await api.post(
        "/api/v1/shifts",
        json=body
        | {"starts_at": "2027-05-01T06:00:00+07:00", "ends_at": "2027-05-01T10:00:00+07:00"},
    )
    bad_needs = [
        await api.post("/api/v1/shifts", json=body | {"needs": needs})
        for needs in ({"chef": 1}, {"lead": -1}, {"lead": 101}, [1], {"lead": "1"})
    ]
    nobody = await api.post("/api/v1/shifts", json=body | {"needs": {"lead": 0}})

    assert created.status_code == 201
    assert created.json()["data"]["starts_at"] == "2027-02-04T06:00:00+07:00"
    assert (again.status_code, outside.status_code, nobody.status_code) == (409, 422, 422)
    assert [(r.status_code, r.json()["error"]["field"]) for r in bad_needs] == [(400, "needs")] * 5
    assert await Shift.all().count() == 1


async def test_cancelling_a_shift_takes_its_volunteers_off(api, clock):
    assignment = await make_assignment()

    response = await api.post(
        f"/api/v1/shifts/{assignment.shift_id}/cancel", json={"reason": "Mưa lớn"}
    )
    without_reason = await api.post(f"/api/v1/shifts/{assignment.shift_id}/cancel", json={})

    assert response.status_code == 200
    assert response.json()["data"]["status"] == ShiftStatus.CANCELLED.value
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.CANCELLED
    assert without_reason.status_code == 400


async def test_cancelling_another_units_shift_is_refused(token_client, clock):
    shift = await make_shift(await make_station(unit=await make_unit()))
    coordinator = await token_client(UserRole.COORDINATOR, await make_unit())

    response = await coordinator.post(f"/api/v1/shifts/{shift.id}/cancel", json={"reason": "x"})

    assert response.status_code == 404
    assert (await Shift.get(id=shift.id)).status == ShiftStatus.ACTIVE


async def test_volunteer_is_registered_with_normalised_phone(token_client):
    ward = await make_unit()
    coordinator = await token_client(UserRole.COORDINATOR, ward, language="en")
    body = {"full_name": "  Trần   Văn Bình ", "phone": "0912 345 678", "unit_id": ward.id}

    created = await coordinator.post("/api/v1/volunteers", json=body | {"skills": ["sơ cứu"]})
    same_phone = await coordinator.post("/api/v1/volunteers", json=body | {"phone": "+84912345678"})
    no_unit = await coordinator.post("/api/v1/volunteers", json=body | {"unit_id": None})
    bad_phone = await coordinator.post("/api/v1/volunteers", json=body | {"phone": "12"})

    assert created.status_code == 201
    data = created.json()["data"]
    assert (data["full_name"], data["phone"], data["skills"]) == (
        "Trần Văn Bình",
        "+84912345678",
        ["sơ cứu"],
    )
    assert (same_phone.status_code, same_phone.json()["error"]["field"]) == (409, "phone")
    assert (no_unit.status_code, no_unit.json()["error"]["field"]) == (422, "unit_id")
    assert bad_phone.status_code == 422
    assert await Volunteer.all().count() == 1


async def test_a_phone_of_another_units_volunteer_is_refused_without_their_name(token_client):
    ward, other = await make_unit(), await make_unit()
    await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802", unit=other)
    coordinator = await token_client(UserRole.COORDINATOR, ward, language="en")
    body = {"full_name": "Huỳnh Ngọc Ánh", "phone": "0983 681 802", "unit_id": ward.id}

    response = await coordinator.post("/api/v1/volunteers", json=body)

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "This phone number already belongs to another volunteer.",
        "field": "phone",
    }


async def test_campaign_is_closed_once_by_a_manager(token_client):
    campaign = await make_campaign()
    manager = await token_client(UserRole.COORDINATOR)
    ward_coordinator = await token_client(UserRole.COORDINATOR, await make_unit())
    path = f"/api/v1/campaigns/{campaign.id}/close"

    refused = await ward_coordinator.post(path)
    closed = await manager.post(path)
    again = await manager.post(path)

    assert [refused.status_code, closed.status_code, again.status_code] == [403, 200, 409]
    assert closed.json()["data"]["status"] == "closed"
    assert again.json()["error"]["code"] == "invalid_transition"
