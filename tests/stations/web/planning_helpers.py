"""Shared by the planning pages' tests (campaigns, stations, shifts)."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from stations.models import Unit
from tests.stations.web.helpers import make_user, signed_in

XSS = '<script>alert("x")</script>'
ESCAPED_XSS = "&lt;script&gt;alert("


async def client_for(
    app: Starlette, role: str = "coordinator", unit: Unit | None = None
) -> httpx.AsyncClient:
    """A client signed in through the real form as a new user of ``role`` in ``unit``."""
    return await signed_in(app, await make_user(role=role, unit=unit))
