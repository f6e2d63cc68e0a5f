"""Malformed requests: every one answered with a JSON error and the right 4xx, never a 500,
and nothing written."""

from __future__ import annotations

import json

import pytest
from starlette.routing import Mount

from stations.models import Assignment, StockMovement
from stations.web.api import ROUTES
from tests.factories import make_item, make_shift, make_station, make_volunteer

MOVEMENTS = "/api/v1/stock-movements"


def error_of(response) -> dict:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    return body["error"]


@pytest.fixture
async def station(db, clock):
    station = await make_station()
    await make_item("water")
    return station


def receipt(station, **changes) -> dict:
    return {"kind": "receipt", "station_id": station.id, "item": "water", "quantity": 5} | changes


async def post_entry(api, body, *, key="key-1", **kwargs):
    headers = {"Idempotency-Key": key} if key is not None else {}
    if not isinstance(body, bytes):
        # json.dumps escapes what UTF-8 cannot carry (a lone surrogate), as a client may.
        body = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    return await api.post(MOVEMENTS, content=body, headers=headers | kwargs)


# Each table below is checked in one test (one database setup), every row reported.
UNKNOWN_PATHS = [
    "/api/v1/nothing-here",
    "/api/v1/campaigns/abc",
    "/api/v1/campaigns/-1",
    "/api/v1/campaigns/1.5",
    "/api/v1/campaigns/",
    "/api/v1/stations/99999999999999999999999999",
    "/api/v1/stations/2147483648",
    "/api/v1/stations/0",
    "/api/v1/shifts/%00",
    "/api/v1/volunteers/%F0%9F%98%80",
]


async def test_unknown_address_is_json_404(api):
    answers = {path: await api.get(path) for path in UNKNOWN_PATHS}

    assert {path: (r.status_code, error_of(r)["code"]) for path, r in answers.items()} == {
        path: (404, "not_found") for path in UNKNOWN_PATHS
    }


async def test_unknown_id_names_the_parameter(api):
    response = await api.get("/api/v1/campaigns/12345")

    assert response.status_code == 404
    assert error_of(response) == {
        "code": "not_found",
        "message": "There is no campaign with id 12345.",
        "field": "campaign_id",
    }


WRONG_METHODS = [
    ("DELETE", "/api/v1/campaigns", "GET, HEAD, POST"),
    ("PUT", "/api/v1/campaigns/1", "GET, HEAD"),
    ("PUT", "/api/v1/stock-movements", "GET, HEAD, POST"),
    ("GET", "/api/v1/assignments/1/cancel", "POST"),
    ("PATCH", "/api/v1/openapi.json", "GET, HEAD"),
]


async def test_wrong_method_is_json_405_with_allow_header(api):
    answers = [
        (await api.request(method, path), allowed) for method, path, allowed in WRONG_METHODS
    ]

    assert [(r.status_code, r.headers["allow"], error_of(r)["code"]) for r, _ in answers] == [
        (405, allowed, "method_not_allowed") for _, allowed in answers
    ]


BAD_QUERIES = [
    ("limit=0", "limit"),
    ("limit=201", "limit"),
    ("limit=-5", "limit"),
    ("limit=abc", "limit"),
    ("limit=1e3", "limit"),
    ("limit=" + "9" * 40, "limit"),
    ("limit=%00", "limit"),
    ("cursor=abc", "cursor"),
    ("cursor=-1", "cursor"),
    ("cursor=" + "1" * 30, "cursor"),
    ("campaign_id=0", "campaign_id"),
    ("campaign_id=99999999999", "campaign_id"),
    ("date=2027-02-30", "date"),
    ("date=02/02/2027", "date"),
    ("date=0001-01-01", "date"),
    ("date=9999-12-31", "date"),
    ("from=2027-02-05&to=2027-02-01", "from"),
    ("status=whatever", "status"),
]


async def test_bad_query_parameter_is_400_naming_it(api):
    answers = {query: await api.get(f"/api/v1/shifts?{query}") for query, _field in BAD_QUERIES}

    assert {q: (r.status_code, error_of(r)["field"]) for q, r in answers.items()} == {
        query: (400, field) for query, field in BAD_QUERIES
    }


async def test_bad_query_parameter_message_is_translated(api):
    english = await api.get("/api/v1/campaigns?limit=500")
    vietnamese = await api.get("/api/v1/campaigns?limit=500", headers={"Accept-Language": "vi"})

    assert error_of(english)["message"] == "“limit” must be a whole number from 1 to 200."
    assert error_of(vietnamese)["message"] == "“limit” phải là số nguyên từ 1 đến 200."


NOT_AN_OBJECT = [
    b"{not json",
    b"",
    b"\xff\xfe\x00garbage",
    b'{"kind": NaN}',
    b"[" * 100_000 + b"]" * 100_000,
    b'"a string"',
    b"[1, 2, 3]",
    b"null",
    b'{"quantity": 1' + b"0" * 5000 + b"}",
]


async def test_body_that_is_not_a_json_object_is_400(api, station):
    answers = [
        await post_entry(api, body, **{"Content-Type": "application/json"})
        for body in NOT_AN_OBJECT
    ]

    assert [(r.status_code, error_of(r)["code"], error_of(r)["field"]) for r in answers] == [
        (400, "invalid", None)
    ] * len(NOT_AN_OBJECT)
    assert await StockMovement.all().count() == 0


BAD_FIELDS = [
    ({"quantity": "5"}, "quantity"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": -3}, "quantity"),
    ({"quantity": 2.5}, "quantity"),
    ({"quantity": 10**30}, "quantity"),
    ({"quantity": True}, "quantity"),
    ({"quantity": None}, "quantity"),
    ({"quantity": [5]}, "quantity"),
    ({"station_id": "1"}, "station_id"),
    ({"station_id": -1}, "station_id"),
    ({"station_id": 2**40}, "station_id"),
    ({"item": ""}, "item"),
    ({"item": 7}, "item"),
    ({"item": "x" * 33}, "item"),
    ({"item": "wa\x00ter"}, "item"),
    ({"note": "\ud800"}, "note"),
    ({"note": "n" * 301}, "note"),
    ({"occurred_at": "2027-02-30T08:00:00+07:00"}, "occurred_at"),
    ({"occurred_at": "2027-02-02T08:00:00"}, "occurred_at"),
    ({"occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"kind": "gift"}, "kind"),
    ({"kind": 3}, "kind"),
    ({"counted": 5}, "counted"),
    ({"extra": 1}, "extra"),
    ({"<script>alert(1)</script>": 1}, "<script>alert(1)</script>"),
]


async def test_body_field_of_wrong_type_or_range_is_400_naming_it(api, station):
    answers = [
        (await post_entry(api, receipt(station, **changes), key=f"k{n}"), field)
        for n, (changes, field) in enumerate(BAD_FIELDS)
    ]

    assert [(r.status_code, error_of(r)["field"]) for r, _ in answers] == [
        (400, field) for _, field in answers
    ]
    assert await StockMovement.all().count() == 0


async def test_missing_required_field_is_400_naming_it(api, station):
    body = receipt(station)
    del body["quantity"]

    response = await post_entry(api, body)

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "invalid",
        "message": "“quantity” is required.",
        "field": "quantity",
    }


async def test_missing_idempotency_key_is_400(api, station):
    response = await post_entry(api, receipt(station), key=None)

    assert response.status_code == 400
    assert error_of(response)["field"] == "Idempotency-Key"
    assert await StockMovement.all().count() == 0


async def test_too_long_idempotency_key_is_400(api, station):
    response = await post_entry(api, receipt(station), key="k" * 101)

    assert response.status_code == 400
    assert error_of(response)["field"] == "Idempotency-Key"


async def test_body_that_is_not_json_is_415(api, station):
    response = await post_entry(
        api, b"kind=receipt&quantity=5", **{"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


async def test_oversized_body_is_413_without_reading_it_all(api, station):
    huge = json.dumps(receipt(station, note="x" * 2_000_000)).encode()

    response = await post_entry(api, huge, **{"Content-Type": "application/json"})

    assert response.status_code == 413
    assert error_of(response) == {
        "code": "too_large",
        "message": "The request body is larger than 1,000,000 bytes.",
        "field": None,
    }
    assert await StockMovement.all().count() == 0


async def test_oversized_body_without_content_length_is_413(api, station):
    async def chunks():
        for _ in range(20):
            yield b"x" * 100_000

    response = await api.post(
        MOVEMENTS,
        content=chunks(),
        headers={"Idempotency-Key": "k", "Content-Type": "application/json"},
    )

    assert response.status_code == 413


async def test_domain_rule_broken_is_422_with_service_message(api, station, clock):
    response = await post_entry(api, receipt(station, occurred_at="2027-03-30T08:00:00+07:00"))

    assert response.status_code == 422
    assert error_of(response) == {
        "code": "invalid",
        "message": "The time cannot be in the future.",
        "field": "occurred_at",
    }


async def test_assignment_refusal_leaves_nothing_half_written(api, clock):
    shift = await make_shift(needs={"volunteer": 1})
    first, second = await make_volunteer(), await make_volunteer()
    assert (
        await api.post("/api/v1/assignments", json={"shift_id": shift.id, "volunteer_id": first.id})
    ).status_code == 201

    response = await api.post(
        "/api/v1/assignments", json={"shift_id": shift.id, "volunteer_id": second.id}
    )

    assert response.status_code == 409
    assert error_of(response)["code"] == "capacity_exceeded"
    assert await Assignment.filter(volunteer_id=second.id).count() == 0


async def test_head_and_language_parameter_are_understood(api):
    head = await api.head("/api/v1/campaigns")
    vietnamese = await api.get("/api/v1/campaigns/1?lang=vi")

    assert head.status_code == 200
    assert error_of(vietnamese)["message"] == "Không có chiến dịch nào có mã số 1."


@pytest.mark.unit
async def test_websocket_under_the_api_is_turned_away():
    fallback = next(route for route in ROUTES if isinstance(route, Mount)).app
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await fallback({"type": "websocket", "path": "/api/v1/x", "headers": []}, receive, send)

    assert sent == [{"type": "websocket.close", "code": 1000}]
