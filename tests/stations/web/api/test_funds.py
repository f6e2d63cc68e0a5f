"""Partners, donations and expenses through the JSON API, with bad input refused."""

from __future__ import annotations

import pytest

from stations.enums import UserRole
from stations.models import Donation, Expense, Partner, StockMovement
from stations.services.actor import Actor
from stations.services.campaigns import close_campaign
from tests.factories import make_campaign, make_item, make_station, make_unit

pytestmark = pytest.mark.integration


async def test_partners_are_created_and_listed_per_campaign(api, clock) -> None:
    campaign, other = await make_campaign(), await make_campaign(name="Lễ 30/4 2027")
    garage = await make_unit(code="HEAD", name="Head Honda")

    created = await api.post(
        "/api/v1/partners",
        json={
            "campaign_id": campaign.id,
            "name": "Head Honda",
            "kind": "garage",
            "unit_id": garage.id,
        },
    )
    await api.post("/api/v1/partners", json={"campaign_id": other.id, "name": "Đài PT-TH"})
    listed = await api.get("/api/v1/partners", params={"campaign_id": campaign.id})

    assert created.status_code == 201
    assert created.json()["data"] | {"id": 0} == {
        "id": 0,
        "campaign_id": campaign.id,
        "name": "Head Honda",
        "kind": "garage",
        "unit_id": garage.id,
        "note": "",
    }
    assert [p["name"] for p in listed.json()["data"]] == ["Head Honda"]


async def test_a_partner_named_twice_is_409(api, clock) -> None:
    campaign = await make_campaign()
    body = {"campaign_id": campaign.id, "name": "Head Honda"}
    await api.post("/api/v1/partners", json=body)

    response = await api.post("/api/v1/partners", json=body)

    assert response.status_code == 409
    assert await Partner.all().count() == 1


async def test_cash_donation_with_its_partner(api, clock) -> None:
    campaign = await make_campaign()
    partner = (
        await api.post("/api/v1/partners", json={"campaign_id": campaign.id, "name": "Ngân hàng"})
    ).json()["data"]

    response = await api.post(
        "/api/v1/donations",
        json={
            "kind": "cash",
            "campaign_id": campaign.id,
            "donor": "Ngân hàng Nông nghiệp",
            "amount_vnd": 150_000_000,
            "received_on": "2027-01-25",
            "partner_id": partner["id"],
        },
    )

    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["kind"], data["amount_vnd"], data["partner_id"], data["movement_id"]) == (
        "cash",
        150_000_000,
        partner["id"],
        None,
    )


async def test_in_kind_donation_is_a_receipt_at_its_station(api, clock) -> None:
    station = await make_station()
    await make_item("water", unit_cost_vnd=4_000)

    response = await api.post(
        "/api/v1/donations",
        json={
            "kind": "in_kind",
            "station_id": station.id,
            "item": "water",
            "quantity": 240,
            "unit_cost_vnd": 3_000,
            "donor": "Công ty nước Sa Đéc",
        },
    )

    assert response.status_code == 201
    line = await StockMovement.get(id=response.json()["data"]["movement_id"])
    assert (line.quantity, line.unit_cost_vnd, response.json()["data"]["amount_vnd"]) == (
        240,
        3_000,
        720_000,
    )


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"amount_vnd": -1}, 400, "amount_vnd"),
        ({"received_on": "2027-05-01"}, 422, "received_on"),
        ({"received_on": "2026-01-01"}, 422, "received_on"),
        ({"donor": ""}, 400, "donor"),
        ({"partner_id": 999}, 404, "partner_id"),
    ],
)
async def test_bad_donations_are_refused_and_write_nothing(api, clock, changes, status, field):
    campaign = await make_campaign()
    body = {
        "kind": "cash",
        "campaign_id": campaign.id,
        "donor": "Người dân",
        "amount_vnd": 1_000_000,
        "received_on": "2027-02-01",
    } | changes

    response = await api.post("/api/v1/donations", json=body)

    assert (response.status_code, response.json()["error"]["field"]) == (status, field)
    assert await Donation.all().count() == 0


async def test_a_closed_campaign_takes_no_donation(api, clock) -> None:
    campaign = await close_campaign(await make_campaign(), by=Actor.system("tests"))

    response = await api.post(
        "/api/v1/donations",
        json={
            "kind": "cash",
            "campaign_id": campaign.id,
            "donor": "Muộn",
            "amount_vnd": 1,
            "received_on": "2027-02-01",
        },
    )

    assert response.status_code == 409


async def test_expense_is_recorded_and_bad_ones_are_refused(api, clock) -> None:
    campaign = await make_campaign()
    good = {
        "campaign_id": campaign.id,
        "category": "printing",
        "amount_vnd": 24_000_000,
        "spent_on": "2027-01-25",
        "receipt_number": "HĐ 0000917",
    }

    created = await api.post("/api/v1/expenses", json=good)
    negative = await api.post("/api/v1/expenses", json=good | {"amount_vnd": -24_000_000})
    unknown = await api.post("/api/v1/expenses", json=good | {"category": "gifts"})

    assert created.status_code == 201
    assert (negative.status_code, unknown.status_code) == (400, 400)
    assert await Expense.all().count() == 1


async def test_money_is_written_only_by_campaign_managers(token_client, clock) -> None:
    ward = await make_unit()
    campaign = await make_campaign()
    coordinator = await token_client(UserRole.COORDINATOR, ward)

    response = await coordinator.post(
        "/api/v1/expenses",
        json={
            "campaign_id": campaign.id,
            "category": "meals",
            "amount_vnd": 1,
            "spent_on": "2027-02-01",
        },
    )

    assert response.status_code == 403
    assert await Expense.all().count() == 0


async def test_volunteer_force_is_set_and_an_unknown_one_refused(api, clock) -> None:
    created = await api.post(
        "/api/v1/volunteers",
        json={"full_name": "Nguyễn Thị Mai", "phone": "0912 345 678", "force": "womens_union"},
    )
    unknown = await api.post(
        "/api/v1/volunteers",
        json={"full_name": "Trần Văn Bình", "phone": "0912 345 679", "force": "army"},
    )

    assert (created.status_code, created.json()["data"]["force"]) == (201, "womens_union")
    assert (unknown.status_code, unknown.json()["error"]["field"]) == (400, "force")


async def test_openapi_documents_the_funds_operations(api) -> None:
    document = (await api.get("/api/v1/openapi.json")).json()

    assert {"/api/v1/partners", "/api/v1/donations", "/api/v1/expenses"} <= set(document["paths"])
    report = document["components"]["schemas"]["CampaignReport"]
    assert {"funds", "forces", "units", "units_taking_part", "units_total", "partners"} <= set(
        report["required"]
    )
