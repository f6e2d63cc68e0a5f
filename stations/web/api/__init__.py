"""The JSON API under ``/api/v1``: bearer tokens, JSON errors, an OpenAPI 3.1 document."""

from __future__ import annotations

from starlette.routing import BaseRoute

from stations.web.api import funds, people, planning, stock
from stations.web.api.openapi import openapi_operation
from stations.web.api.operations import Operation, routes

OPERATIONS: tuple[Operation, ...] = (
    *planning.OPERATIONS,
    *people.OPERATIONS,
    *stock.OPERATIONS,
    *funds.OPERATIONS,
)
OPENAPI = openapi_operation(OPERATIONS)

ROUTES: list[BaseRoute] = routes([OPENAPI, *OPERATIONS])
