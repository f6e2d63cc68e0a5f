"""``GET /healthz``: is the service up and can it reach its database."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from stations import __version__
from stations.db import database_status


async def healthz(request: Request) -> JSONResponse:
    """200 with the database's status when it answers, 503 when it does not."""
    database = await database_status()
    healthy = bool(database.get("ok"))
    return JSONResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": database,
            "version": __version__,
        },
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )
