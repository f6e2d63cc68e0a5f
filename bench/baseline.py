"""The baseline every page benchmark measures beside the app, in the same server and run:
one row of the same database, read and sent as JSON, with nothing of the app around it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise.connection import connections

PATH = "/bench/baseline"


def baseline_route(campaign_id: int) -> Route:
    """``GET /bench/baseline``: the campaign's id, name and first day."""

    async def baseline(request: Request) -> Response:
        rows = await connections.get("default").execute_query_dict(
            'SELECT id, name, starts_on FROM "campaign" WHERE id = $1', [campaign_id]
        )
        row = rows[0]
        return JSONResponse(
            {"id": row["id"], "name": row["name"], "starts_on": row["starts_on"].isoformat()}
        )

    return Route(PATH, baseline, methods=["GET"])
