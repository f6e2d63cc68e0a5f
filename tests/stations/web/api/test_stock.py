"""Stock: the catalog, stock on hand, and ledger entries made idempotent by their key."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.enums import CampaignStatus, MovementKind, UserRole
from stations.models import ApiToken, StockBalance, StockMovement
from tests.factories import make_campaign, make_item, make_station, make_unit
from tests.stations.web.helpers import csrf_token_of, make_user, signed_in

MOVEMENTS = "/api/v1/stock-movements"


@pytest.fixture
async def world(db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    return {
        "unit": unit,
        "campaign": campaign,
        "station": await make_station(campaign, unit=unit),
        "other": await make_station(campaign, unit=unit),
        "water": await make_item("water"),
        "towel": await make_item("towel"),
    }


async def enter(client, key: str, **body):
    return await client.post(MOVEMENTS, json=body, headers={"Idempotency-Key": key})


async def balance(station, item) -> int:
    row = await StockBalance.get_or_none(station_id=station.id, item_id=item.id)
    return row.quantity if row else 0


async def test_each_kind_of_entry_moves_the_stock(api, world):
    station, other, water = world["station"], world["other"], world["water"]

    received = await enter(
        api, "r1", kind="receipt", station_id=station.id, item="water", quantity=200
    )
    handed = await enter(
        api, "h1", kind="handout", station_id=station.id, item="water", quantity=30, note="Ca sáng"
    )
    lost = await enter(api, "l1", kind="loss", station_id=station.id, item="water", quantity=5)
    moved = await enter(
        api,
        "t1",
        kind="transfer",
        station_id=station.id,
        to_station_id=other.id,
        item="water",
        quantity=15,
    )
    counted = await enter(api, "c1", kind="count", station_id=station.id, item="water", counted=140)

    assert [r.status_code for r in (received, handed, lost, moved, counted)] == [201] * 5
    assert [
        r.json()["data"]["balance_after"] for r in (received, handed, lost, moved, counted)
    ] == [
        200,
        170,
        165,
        150,
        140,
    ]
    transfer_lines = moved.json()["data"]["movements"]
    assert [(m["kind"], m["station_id"], m["delta"]) for m in transfer_lines] == [
        ("transfer_out", station.id, -15),
        ("transfer_in", other.id, 15),
    ]
    assert counted.json()["data"]["movements"][0]["counted_quantity"] == 140
    assert handed.json()["data"]["movements"][0]["note"] == "Ca sáng"
    assert (await balance(station, water), await balance(other, water)) == (140, 15)


async def test_entry_answers_with_the_ledger_line(api, world):
    station = world["station"]

    response = await enter(
        api,
        "first",
        kind="receipt",
        station_id=station.id,
        item="water",
        quantity=12,
        occurred_at="2027-02-02T00:30:00Z",
    )

    movement = await StockMovement.get()
    assert response.json() == {
        "data": {
            "movements": [
                {
                    "id": movement.id,
                    "station_id": station.id,
                    "campaign_id": station.campaign_id,
                    "item": "water",
                    "kind": "receipt",
                    "quantity": 12,
                    "delta": 12,
                    "counted_quantity": None,
                    "counterpart_station_id": None,
                    "transfer_group": None,
                    "discrepancy": False,
                    "source": "api",
                    "note": "",
                    "outside_reason": "",
                    "occurred_at": "2027-02-02T07:30:00+07:00",
                    "recorded_at": "2027-02-02T08:00:00+07:00",
                }
            ],
            "balance_after": 12,
            "discrepancy": False,
            "low_stock": False,
            "superseded": False,
            "duplicate": False,
        }
    }


async def test_handout_beyond_the_record_is_accepted_and_flagged(api, world):
    station = world["station"]

    response = await enter(
        api, "h", kind="handout", station_id=station.id, item="towel", quantity=9
    )

    assert response.status_code == 201
    assert (response.json()["data"]["discrepancy"], response.json()["data"]["balance_after"]) == (
        True,
        -9,
    )


async def test_same_key_and_entry_returns_the_original_and_writes_nothing(api, world):
    station = world["station"]
    body = {"kind": "receipt", "station_id": station.id, "item": "water", "quantity": 50}

    first = await enter(api, "retry-me", **body)
    retried = await enter(api, "retry-me", **body)

    assert (first.status_code, retried.status_code) == (201, 200)
    assert retried.json()["data"]["duplicate"] is True
    assert retried.json()["data"]["movements"] == first.json()["data"]["movements"]
    assert await StockMovement.all().count() == 1
    assert await balance(station, world["water"]) == 50


async def test_same_key_with_another_entry_is_a_conflict(api, world):
    station = world["station"]
    await enter(api, "once", kind="receipt", station_id=station.id, item="water", quantity=50)

    response = await enter(
        api, "once", kind="receipt", station_id=station.id, item="water", quantity=60
    )

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "This idempotency key was already used for a different stock entry.",
        "field": "Idempotency-Key",
    }
    assert await balance(station, world["water"]) == 50


@pytest.mark.parametrize(
    "changed",
    [
        {"note": "Xe thứ hai"},
        {"occurred_at": "2027-02-02T07:30:00+07:00"},
    ],
    ids=["another note", "another time"],
)
@pytest.mark.parametrize("kind", ["receipt", "count", "transfer"])
async def test_same_key_with_another_note_or_time_is_a_conflict(api, world, kind, changed):
    station = world["station"]
    body = {
        "kind": kind,
        "station_id": station.id,
        "item": "water",
        "occurred_at": "2027-02-02T07:00:00+07:00",
        "note": "Xe thứ nhất",
        **({"counted": 50} if kind == "count" else {"quantity": 50}),
        **({"to_station_id": world["other"].id} if kind == "transfer" else {}),
    }
    first = await enter(api, "once", **body)

    again = await enter(api, "once", **(body | changed))
    same = await enter(api, "once", **body)

    assert (first.status_code, again.status_code, same.status_code) == (201, 409, 200)
    assert again.json()["error"]["field"] == "Idempotency-Key"
    assert await StockMovement.all().count() == (2 if kind == "transfer" else 1)


async def test_a_web_form_cannot_take_an_api_clients_key(app, token_client, world):
    station = world["station"]
    admin_api = await token_client(UserRole.ADMIN)
    token_id = (await ApiToken.all().order_by("-id").first()).id
    coordinator = await signed_in(app, await make_user(role="coordinator"))
    planted = await coordinator.post(
        f"/stations/{station.id}/receipts",
        data={
            "item": str(world["water"].id),
            "quantity": "1",
            "idempotency_key": f"api:{token_id}:victim-key",
            "csrf_token": await csrf_token_of(coordinator),
        },
    )

    body = {"kind": "receipt", "station_id": station.id, "item": "water", "quantity": 40}
    answer = await enter(admin_api, "victim-key", **body)

    assert (planted.status_code, answer.status_code) == (303, 201)
    assert answer.json()["data"]["duplicate"] is False
    assert sorted(line.quantity for line in await StockMovement.all()) == [1, 40]
    assert await balance(station, world["water"]) == 41


async def test_two_tokens_may_choose_the_same_key(token_client, world):
    station = world["station"]
    first, second = await token_client(), await token_client()
    body = {"kind": "receipt", "station_id": station.id, "item": "water", "quantity": 10}

    answers = [await enter(first, "1", **body), await enter(second, "1", **body)]

    assert [r.status_code for r in answers] == [201, 201]
    assert await balance(station, world["water"]) == 20


async def test_transfer_repeated_with_its_key_moves_stock_once(api, world):
    station, other = world["station"], world["other"]
    body = {
        "kind": "transfer",
        "station_id": station.id,
        "to_station_id": other.id,
        "item": "water",
        "quantity": 8,
    }

    answers = [await enter(api, "move", **body), await enter(api, "move", **body)]

    assert [r.status_code for r in answers] == [201, 200]
    assert len(answers[1].json()["data"]["movements"]) == 2
    assert await balance(other, world["water"]) == 8


async def test_entries_refused_for_what_does_not_exist_or_fit(api, world):
    station = world["station"]
    elsewhere = await make_station(await make_campaign(name="Tết 2026"))
    closed = await make_station(await make_campaign(name="Lễ 30/4", status=CampaignStatus.CLOSED))
    receipt = {"kind": "receipt", "item": "water", "quantity": 1}
    transfer = {"kind": "transfer", "station_id": station.id, "item": "water", "quantity": 1}

    answers = {
        "unknown item": await enter(
            api, "a", **(receipt | {"station_id": station.id, "item": "gold"})
        ),
        "unknown station": await enter(api, "b", **(receipt | {"station_id": 424242})),
        "closed campaign": await enter(api, "c", **(receipt | {"station_id": closed.id})),
        "to itself": await enter(api, "d", **(transfer | {"to_station_id": station.id})),
        "other campaign": await enter(api, "e", **(transfer | {"to_station_id": elsewhere.id})),
        "unknown target": await enter(api, "f", **(transfer | {"to_station_id": 424242})),
    }

    assert {name: (r.status_code, r.json()["error"]["field"]) for name, r in answers.items()} == {
        "unknown item": (404, "item"),
        "unknown station": (404, "station_id"),
        "closed campaign": (409, "station_id"),
        "to itself": (422, "to_station_id"),
        "other campaign": (422, "to_station_id"),
        "unknown target": (404, "to_station_id"),
    }
    assert await StockMovement.all().count() == 0


async def test_unit_token_enters_stock_only_at_its_stations(token_client, world):
    foreign = await make_station(world["campaign"], unit=await make_unit())
    coordinator = await token_client(UserRole.COORDINATOR, world["unit"])
    receipt = {"kind": "receipt", "item": "water", "quantity": 3}

    refused = await enter(coordinator, "x", **(receipt | {"station_id": foreign.id}))
    to_foreign = await enter(
        coordinator,
        "y",
        kind="transfer",
        station_id=world["station"].id,
        to_station_id=foreign.id,
        item="water",
        quantity=1,
    )
    allowed = await enter(coordinator, "z", **(receipt | {"station_id": world["station"].id}))

    assert [refused.status_code, to_foreign.status_code, allowed.status_code] == [404, 404, 201]
    assert to_foreign.json()["error"]["field"] == "to_station_id"
    assert await StockMovement.all().count() == 1


async def test_stock_on_hand_per_station_and_campaign_in_scope(token_client, world):
    station, water = world["station"], world["water"]
    await make_station(world["campaign"], unit=await make_unit())
    admin = await token_client()
    coordinator = await token_client(UserRole.COORDINATOR, world["unit"])
    await enter(admin, "r", kind="receipt", station_id=station.id, item="water", quantity=150)

    at_station = await admin.get(f"/api/v1/stations/{station.id}/stock")
    in_campaign = await coordinator.get(f"/api/v1/campaigns/{world['campaign'].id}/stock")

    assert at_station.json() == {
        "data": [
            {
                "station_id": station.id,
                "item": "water",
                "quantity": 150,
                "threshold": water.default_low_stock,
                "low": False,
                "discrepancy_today": False,
            },
            {
                "station_id": station.id,
                "item": "towel",
                "quantity": 0,
                "threshold": 100,
                "low": True,
                "discrepancy_today": False,
            },
        ]
    }
    assert {line["station_id"] for line in in_campaign.json()["data"]} == {
        station.id,
        world["other"].id,
    }


async def test_ledger_list_filters_and_one_line(api, world):
    station, other = world["station"], world["other"]
    await enter(api, "1", kind="receipt", station_id=station.id, item="water", quantity=10)
    await enter(api, "2", kind="handout", station_id=station.id, item="towel", quantity=1)
    await enter(
        api,
        "3",
        kind="receipt",
        station_id=other.id,
        item="water",
        quantity=10,
        occurred_at="2027-02-01T09:00:00+07:00",
    )
    lines = {m.idempotency_key: m.id for m in await StockMovement.all()}

    def listed(query: str):
        return api.get(f"{MOVEMENTS}?{query}")

    async def ids(query: str) -> list[int]:
        return [m["id"] for m in (await listed(query)).json()["data"]]

    assert await ids(f"station_id={station.id}") == [lines["api:1:1"], lines["api:1:2"]]
    assert await ids("item=water") == [lines["api:1:1"], lines["api:1:3"]]
    assert await ids(f"kind={MovementKind.HANDOUT.value}") == [lines["api:1:2"]]
    assert await ids("date=2027-02-01") == [lines["api:1:3"]]
    assert await ids(f"campaign_id={world['campaign'].id}&from=2027-02-02") == [
        lines["api:1:1"],
        lines["api:1:2"],
    ]
    one = await api.get(f"{MOVEMENTS}/{lines['api:1:3']}")
    assert (one.status_code, one.json()["data"]["station_id"]) == (200, other.id)


async def test_item_list(api, world):
    response = await api.get("/api/v1/items?limit=1")

    assert [item["code"] for item in response.json()["data"]] == ["water"]
    assert response.json()["next_cursor"] == str(world["water"].id)


async def test_handout_before_the_campaign_is_refused_unless_given_a_reason(api, world, clock):
    station = world["station"]
    clock.set(dt.datetime(2026, 12, 7, 2, tzinfo=dt.UTC))  # the campaign starts 30/01/2027

    refused = await enter(
        api, "early-1", kind="handout", station_id=station.id, item="water", quantity=5
    )
    received = await enter(
        api, "early-2", kind="receipt", station_id=station.id, item="water", quantity=50
    )
    accepted = await enter(
        api,
        "early-3",
        kind="handout",
        station_id=station.id,
        item="water",
        quantity=5,
        outside_reason="Tặng đoàn xe từ thiện",
    )

    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "outside_reason"
    assert (received.status_code, accepted.status_code) == (201, 201)
    assert accepted.json()["data"]["movements"][0]["outside_reason"] == "Tặng đoàn xe từ thiện"
    assert await balance(station, world["water"]) == 45
