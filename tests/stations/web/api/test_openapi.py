"""The OpenAPI document: served without a token, and made from the very declarations the
endpoints check with, so every route is in it and it names nothing that is not a route."""

from __future__ import annotations

import pytest
from starlette.routing import Route

from stations.web.api import OPENAPI, OPERATIONS, ROUTES
from stations.web.api.errors import ERROR_STATUSES
from stations.web.api.openapi import build_document


def document() -> dict:
    return build_document([*OPERATIONS, OPENAPI])


async def test_document_is_served_without_a_token(client):
    response = await client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json() == document()


@pytest.mark.unit
def test_document_lists_exactly_the_routes_of_the_api():
    routed = {
        (method, route.path.replace(":int", ""))
        for route in ROUTES
        if isinstance(route, Route)
        for method in (route.methods or set()) - {"HEAD"}
    }

    documented = {
        (method.upper(), path)
        for path, operations in document()["paths"].items()
        for method in operations
    }

    assert documented == routed


@pytest.mark.unit
def test_document_declares_bearer_security_and_json_errors():
    doc = document()

    assert doc["openapi"] == "3.1.0"
    assert doc["security"] == [{"bearer": []}]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    assert set(doc["components"]["responses"]) == {str(status) for status in ERROR_STATUSES}


@pytest.mark.unit
def test_every_operation_documents_its_errors_and_unique_id():
    doc = document()
    operations = [
        op | {"x-path": path} for path, ops in doc["paths"].items() for op in ops.values()
    ]

    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    for op in operations:
        takes_input = "requestBody" in op or any(p["in"] != "path" for p in op["parameters"])
        assert ("400" in op["responses"]) == takes_input, op["operationId"]
        if op["operationId"] != "getOpenApiDocument":
            assert {"401", "403"} <= set(op["responses"]), op["operationId"]
        if "{" in op.get("x-path", ""):
            assert "404" in op["responses"]
        if "requestBody" in op:
            assert {"409", "413", "415", "422"} <= set(op["responses"]), op["operationId"]


@pytest.mark.unit
def test_path_parameters_are_bounded_ids():
    doc = document()

    parameters = [
        parameter
        for path in doc["paths"].values()
        for op in path.values()
        for parameter in op["parameters"]
        if parameter["in"] == "path"
    ]

    assert {p["name"] for p in parameters} == {
        "campaign_id",
        "station_id",
        "shift_id",
        "volunteer_id",
        "assignment_id",
        "movement_id",
    }
    assert all(
        p["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1} for p in parameters
    )


@pytest.mark.unit
def test_stock_entry_body_is_one_of_its_kinds():
    schemas = document()["components"]["schemas"]

    entry = schemas["NewStockEntry"]

    assert entry["discriminator"]["propertyName"] == "kind"
    assert set(entry["discriminator"]["mapping"]) == {
        "receipt",
        "handout",
        "loss",
        "count",
        "transfer",
    }
    assert schemas["CountEntry"]["required"] == ["kind", "station_id", "item", "counted"]
    assert schemas["TransferEntry"]["additionalProperties"] is False


@pytest.mark.unit
def test_page_cursor_is_declared_as_strictly_as_the_server_reads_it():
    doc = document()

    cursors = [
        parameter["schema"]
        for path in doc["paths"].values()
        for op in path.values()
        for parameter in op["parameters"]
        if parameter["name"] == "cursor"
    ]

    assert cursors
    for schema in cursors:
        assert (schema["minLength"], schema["maxLength"], schema["pattern"]) == (
            1,
            19,
            "^[0-9]{1,19}$",
        )


def _date_schemas(doc: dict, node: object, seen: frozenset[str] = frozenset()) -> list[dict]:
    """Every date or date-time schema under ``node``, following ``$ref``s."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            target = doc
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            return _date_schemas(doc, target, seen | {ref})
        found = [node] if node.get("format") in {"date", "date-time"} else []
        return found + [s for value in node.values() for s in _date_schemas(doc, value, seen)]
    if isinstance(node, list):
        return [s for value in node for s in _date_schemas(doc, value, seen)]
    return []


@pytest.mark.unit
def test_every_date_a_request_carries_declares_the_years_the_server_accepts():
    doc = document()
    requests = [
        part
        for path in doc["paths"].values()
        for op in path.values()
        for part in (op["parameters"], op.get("requestBody", {}))
    ]

    dates = _date_schemas(doc, requests)

    assert len(dates) >= 5
    assert {schema.get("pattern") for schema in dates} == {"^(20[0-9]{2}|2100)-"}


@pytest.mark.unit
def test_campaign_year_is_declared_from_2000_to_2100():
    body = document()["components"]["schemas"]["NewCampaign"]

    assert (body["properties"]["year"]["minimum"], body["properties"]["year"]["maximum"]) == (
        2000,
        2100,
    )
