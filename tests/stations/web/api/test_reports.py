"""The campaign report as JSON."""

from __future__ import annotations

from stations.enums import UserRole
from stations.services.queries.reports import campaign_report, report_to_dict
from tests.factories import make_campaign, make_item, make_station, make_unit


async def test_report_is_the_campaign_report_as_json(token_client, clock):
    campaign = await make_campaign()
    station = await make_station(campaign, code="HN01")
    await make_item("water")
    admin = await token_client()
    for key, kind, quantity in (("r", "receipt", 100), ("h", "handout", 40)):
        await admin.post(
            "/api/v1/stock-movements",
            json={"kind": kind, "station_id": station.id, "item": "water", "quantity": quantity},
            headers={"Idempotency-Key": key},
        )

    response = await admin.get(f"/api/v1/campaigns/{campaign.id}/report")

    assert response.status_code == 200
    expected = report_to_dict(await campaign_report(campaign))
    assert response.json() == {
        "data": {**expected, "stations_next_cursor": None, "stations_next": None}
    }
    assert response.json()["data"]["totals"]["water_bottles"] == 40
    assert response.json()["data"]["totals"]["cost_vnd"] == 400_000


async def test_unit_token_sees_only_its_stations_figures(token_client, clock):
    ward = await make_unit()
    campaign = await make_campaign()
    own = await make_station(campaign, unit=ward, code="A1")
    await make_station(campaign, unit=await make_unit(), code="B1")
    coordinator = await token_client(UserRole.VIEWER, ward)

    response = await coordinator.get(f"/api/v1/campaigns/{campaign.id}/report")

    data = response.json()["data"]
    assert [row["station_id"] for row in data["stations"]] == [own.id]
    assert data["totals"]["stations"] == 1
    assert data["budget_vnd"] is None


async def test_report_of_unknown_campaign_is_404(token_client):
    admin = await token_client(language="en")

    response = await admin.get("/api/v1/campaigns/31337/report")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "There is no campaign with id 31337."


async def test_report_lists_the_stations_page_by_page_with_the_same_totals(token_client, clock):
    campaign = await make_campaign()
    stations = [await make_station(campaign, code=f"P{n}") for n in range(3)]
    admin = await token_client()

    first = (await admin.get(f"/api/v1/campaigns/{campaign.id}/report?limit=2")).json()["data"]
    second = (await admin.get(first["stations_next"])).json()["data"]

    assert [row["station_id"] for row in first["stations"]] == [s.id for s in stations[:2]]
    assert first["stations_next_cursor"] == str(stations[1].id)
    assert first["stations_next"] == (
        f"/api/v1/campaigns/{campaign.id}/report?cursor={stations[1].id}&limit=2"
    )
    assert [row["station_id"] for row in second["stations"]] == [stations[2].id]
    assert (second["stations_next_cursor"], second["stations_next"]) == (None, None)
    assert first["totals"] == second["totals"]
    assert first["totals"]["stations"] == 3


async def test_report_gives_totals_per_unit_under_the_organising_unit(token_client, clock):
    province = await make_unit(name="Công an tỉnh Đồng Tháp")
    ward = await make_unit(name="Công an phường 1", parent=province)
    street = await make_unit(name="Tổ dân phố 3", parent=ward)
    other_ward = await make_unit(name="Công an xã 2", parent=province)
    campaign = await make_campaign(unit=province)
    await make_station(campaign, unit=ward)
    await make_station(campaign, unit=street)
    admin = await token_client()

    data = (await admin.get(f"/api/v1/campaigns/{campaign.id}/report")).json()["data"]

    assert [
        (row["unit_id"], row["unit"], row["totals"]["stations"]) for row in data["unit_totals"]
    ] == [
        (ward.id, "Công an phường 1", 2),
        (other_ward.id, "Công an xã 2", 0),
    ]


async def test_report_cursor_past_every_station_lists_none(token_client, clock):
    campaign = await make_campaign()
    await make_station(campaign)
    admin = await token_client()

    response = await admin.get(f"/api/v1/campaigns/{campaign.id}/report?cursor=1033624205853543897")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["stations"], data["stations_next"], data["totals"]["stations"]) == ([], None, 1)
