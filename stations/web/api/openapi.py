"""The OpenAPI 3.1 document at ``/api/v1/openapi.json``, built from the operations'
own declarations (``fields``, ``resources``) so it says exactly what they check and return."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stations.web.api.errors import ERROR_SCHEMA, ERROR_STATUSES
from stations.web.api.operations import Answer, Operation, Reply
from stations.web.api.resources import REPORT_SCHEMA, RESOURCES

TITLE = "Waystation API"
VERSION = "1.0.0"
DESCRIPTION = (
    "The JSON API of Waystation, which coordinates volunteer holiday rest stations "
    "(Trạm dừng chân nghĩa tình). Authenticate with a bearer token made by "
    "`waystation api-token create`: `Authorization: Bearer ws_…`. A token has a role "
    "(viewer tokens only read) and may be scoped to a unit, when it sees and changes only "
    "that unit's stations and volunteers.\n\n"
    "Lists are paginated by keyset: pass `next_cursor` as `cursor` (or follow `next`). "
    'Errors are JSON `{"error": {"code", "message", "field"}}`, the message in the '
    "language of `Accept-Language` (Vietnamese by default, or English). Moments are ISO 8601 "
    "with their offset, shown in Vietnam's time; `date`, `from` and `to` are Vietnam-local days "
    "in the years 2000 to 2100."
)


def build_document(operations: Sequence[Operation]) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA, "CampaignReport": REPORT_SCHEMA}
    for resource in RESOURCES:
        schemas[resource.name] = resource.schema()
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        if operation.body is not None:
            schemas.update(operation.body.components())
        paths.setdefault(operation.full_path, {})[operation.method.lower()] = _operation(operation)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `waystation api-token create` (ws_…).",
                }
            },
            "schemas": schemas,
            "responses": {
                str(status): {
                    "description": description,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
                for status, description in ERROR_STATUSES.items()
            },
        },
    }


def _operation(operation: Operation) -> dict[str, Any]:
    parameters = [spec.parameter("path") for spec in operation.path_parameters]
    parameters += [spec.parameter("query") for spec in operation.query]
    parameters += [spec.parameter("header") for spec in operation.headers]
    responses: dict[str, Any] = {
        str(answer.status): {
            "description": answer.description,
            "content": {"application/json": {"schema": answer.schema}},
        }
        for answer in operation.answers
    }
    for status in operation.error_statuses:
        responses[str(status)] = {"$ref": f"#/components/responses/{status}"}
    if 401 in operation.error_statuses:
        responses["401"] = {
            "description": ERROR_STATUSES[401],
            "headers": {
                "WWW-Authenticate": {
                    "description": "The Bearer scheme.",
                    "schema": {"type": "string"},
                }
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    document: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if operation.description:
        document["description"] = operation.description
    if operation.public:
        document["security"] = []
    if operation.body is not None:
        document["requestBody"] = {
            "required": operation.body_required,
            "content": {"application/json": {"schema": operation.body.reference()}},
        }
    return document


def openapi_operation(operations: Sequence[Operation]) -> Operation:
    """The operation that serves the document itself (it describes itself too)."""
    cache: dict[str, dict[str, Any]] = {}

    async def serve(_call: object) -> Reply:
        if "document" not in cache:
            cache["document"] = build_document([*operations, operation])
        return Reply(200, cache["document"])

    operation = Operation(
        "GET",
        "/openapi.json",
        "getOpenApiDocument",
        "This document",
        "meta",
        serve,
        (Answer(200, "The OpenAPI 3.1 document.", {"type": "object"}),),
        public=True,
        errors=(),
    )
    return operation
