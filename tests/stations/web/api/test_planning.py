"""Campaigns, stations and shifts: reading them, a page at a time, within the token's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from stations.enums import CampaignStatus, ShiftStatus, UserRole
from tests.factories import make_campaign, make_shift, make_station, make_unit, vn
from tests.sql import count_queries


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["data"]]


async def test_campaign_list_pages_by_cursor_and_next_link(api):
    made = [await make_campaign(name=f"Chiến dịch {n}") for n in range(5)]

    first = await api.get("/api/v1/campaigns?limit=2")
    second = await api.get(first.json()["next"])
    third = await api.get(f"/api/v1/campaigns?limit=2&cursor={second.json()['next_cursor']}")

    assert [ids(first), ids(second), ids(third)] == [
        [made[0].id, made[1].id],
        [made[2].id, made[3].id],
        [made[4].id],
    ]
    assert first.json()["next"] == f"/api/v1/campaigns?cursor={made[1].id}&limit=2"
    assert (third.json()["next_cursor"], third.json()["next"]) == (None, None)


async def test_cursor_beyond_any_id_is_an_empty_last_page(api):
    await make_campaign()

    answers = [
        await api.get(f"/api/v1/campaigns?cursor={cursor}")
        for cursor in ("3000000000", "9223372036854775807")
    ]

    assert [(r.status_code, r.json()) for r in answers] == [
        (200, {"data": [], "next_cursor": None, "next": None})
    ] * 2


async def test_campaign_list_filters_by_status(api):
    await make_campaign(name="Tết 2026", status=CampaignStatus.CLOSED)
    open_one = await make_campaign(name="Tết 2027")

    response = await api.get("/api/v1/campaigns?status=open")

    assert ids(response) == [open_one.id]


async def test_campaign_is_returned_with_every_field(api):
    campaign = await make_campaign(
        name="Tết Đinh Mùi 2027 <b>",
        budget_vnd=None,
        closed_at=dt.datetime(2027, 2, 12, tzinfo=dt.UTC),
    )

    response = await api.get(f"/api/v1/campaigns/{campaign.id}")

    assert response.json() == {
        "data": {
            "id": campaign.id,
            "name": "Tết Đinh Mùi 2027 <b>",
            "kind": "tet",
            "year": 2027,
            "starts_on": "2027-01-30",
            "ends_on": "2027-02-11",
            "budget_vnd": None,
            "status": "open",
            "unit_id": None,
            "closed_at": "2027-02-12T07:00:00+07:00",
        }
    }


async def test_station_list_keeps_to_campaign_and_token_scope(token_client):
    ward, other = await make_unit(), await make_unit()
    campaign, last_year = await make_campaign(), await make_campaign(name="Tết 2026")
    own = await make_station(campaign, unit=ward)
    await make_station(campaign, unit=other)
    own_last_year = await make_station(last_year, unit=ward)
    coordinator = await token_client(UserRole.COORDINATOR, ward)
    admin = await token_client(UserRole.ADMIN)

    scoped = await coordinator.get("/api/v1/stations")
    scoped_in_campaign = await coordinator.get(f"/api/v1/stations?campaign_id={campaign.id}")
    everything = await admin.get(f"/api/v1/stations?campaign_id={campaign.id}")

    assert ids(scoped) == [own.id, own_last_year.id]
    assert ids(scoped_in_campaign) == [own.id]
    assert len(ids(everything)) == 2


async def test_station_of_another_unit_cannot_be_read(token_client):
    ward, other = await make_unit(), await make_unit()
    foreign = await make_station(unit=other)
    coordinator = await token_client(UserRole.COORDINATOR, ward, language="en")

    station = await coordinator.get(f"/api/v1/stations/{foreign.id}")
    shift = await make_shift(foreign)
    shifts = await coordinator.get(f"/api/v1/shifts/{shift.id}")
    unknown = await coordinator.get("/api/v1/stations/999999")

    # Word for word what an unknown id gets, but for the id itself.
    assert (station.status_code, shifts.status_code, unknown.status_code) == (404, 404, 404)
    assert station.json() == {
        "error": {
            "code": "not_found",
            "message": f"There is no station with id {foreign.id}.",
            "field": "station_id",
        }
    }
    assert unknown.json()["error"]["message"] == "There is no station with id 999999."
    assert shifts.json()["error"]["message"] == f"There is no shift with id {shift.id}."


async def test_station_is_returned_with_every_field(api):
    station = await make_station(code="HN01", opens_at=dt.time(6, 0), closes_at=dt.time(22, 30))

    response = await api.get(f"/api/v1/stations/{station.id}")

    assert response.json()["data"] == {
        "id": station.id,
        "campaign_id": station.campaign_id,
        "unit_id": station.unit_id,
        "code": "HN01",
        "name": station.name,
        "address": "Quốc lộ 30, Hồng Ngự, Đồng Tháp",
        "latitude": 10.8076,
        "longitude": 105.3436,
        "checkin_radius_m": 300,
        "opens_at": "06:00",
        "closes_at": "22:30",
        "lead_volunteer_id": None,
        "is_active": True,
    }


async def test_shift_filters_use_vietnam_local_days(api):
    station = await make_station()
    other_station = await make_station(station.campaign)
    # 23:00 on the 2nd to 02:00 on the 3rd in Vietnam: 16:00–19:00 UTC on the 2nd.
    night = await make_shift(station, starts_at=vn(2027, 2, 2, 23), ends_at=vn(2027, 2, 3, 2))
    morning = await make_shift(station, starts_at=vn(2027, 2, 4, 6), ends_at=vn(2027, 2, 4, 10))
    elsewhere = await make_shift(other_station)
    cancelled = await make_shift(
        station,
        starts_at=vn(2027, 2, 4, 12),
        ends_at=vn(2027, 2, 4, 14),
        status=ShiftStatus.CANCELLED,
    )

    def shifts(query: str) -> Any:
        return api.get(f"/api/v1/shifts?station_id={station.id}&{query}")

    assert ids(await shifts("date=2027-02-02")) == [night.id]
    assert ids(await shifts("date=2027-02-03")) == [night.id]
    assert ids(await shifts("from=2027-02-03&to=2027-02-04")) == [
        night.id,
        morning.id,
        cancelled.id,
    ]
    assert ids(await shifts("from=2027-02-04&status=active")) == [morning.id]
    assert ids(await shifts("to=2027-02-01")) == []
    assert ids(
        await api.get(f"/api/v1/shifts?campaign_id={station.campaign_id}&date=2027-02-02")
    ) == [
        night.id,
        elsewhere.id,
    ]


async def test_shift_is_returned_with_its_times_in_vietnam(api):
    shift = await make_shift(note="Mang áo phản quang")

    response = await api.get(f"/api/v1/shifts/{shift.id}")

    assert response.json()["data"] == {
        "id": shift.id,
        "station_id": shift.station_id,
        "campaign_id": (await shift.station).campaign_id,
        "starts_at": "2027-02-02T06:00:00+07:00",
        "ends_at": "2027-02-02T10:00:00+07:00",
        "needs": {"lead": 1, "volunteer": 3},
        "status": "active",
        "note": "Mang áo phản quang",
    }


async def test_list_query_count_does_not_grow_with_the_page(token_client, monkeypatch):
    unit = await make_unit()
    station = await make_station(unit=unit)
    for hour in range(30):
        start = vn(2027, 2, 1, 0) + dt.timedelta(hours=hour)
        await make_shift(station, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    coordinator = await token_client(UserRole.COORDINATOR, unit)
    await coordinator.get("/api/v1/shifts?limit=1")  # the token's last use is written once
    statements = count_queries(monkeypatch)

    small = await coordinator.get("/api/v1/shifts?limit=2")
    small_count = len(statements)
    statements.clear()
    large = await coordinator.get("/api/v1/shifts?limit=30")

    assert (len(ids(small)), len(ids(large))) == (2, 30)
    assert len(statements) == small_count
