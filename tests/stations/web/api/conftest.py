"""Fixtures for the JSON API: bearer tokens made through the real service, and clients
that carry them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from starlette.applications import Starlette

from stations.enums import UserRole
from stations.models import Unit
from stations.services.actor import Actor
from stations.services.users import create_api_token

TokenClient = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def token_client(app: Starlette) -> AsyncIterator[TokenClient]:
    """``await token_client(role="coordinator", unit=unit)``: a client with a fresh token."""
    made: list[httpx.AsyncClient] = []

    async def make(
        role: UserRole | str = UserRole.ADMIN,
        unit: Unit | None = None,
        *,
        language: str | None = None,
    ) -> httpx.AsyncClient:
        _token, plaintext = await create_api_token(
            f"token {len(made) + 1}", role=role, unit=unit, by=Actor.system("tests")
        )
        headers = {"Authorization": f"Bearer {plaintext}"}
        if language:
            headers["Accept-Language"] = language
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers=headers,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
async def api(token_client: TokenClient) -> httpx.AsyncClient:
    """A client with a province-wide admin token, answered in English."""
    return await token_client(UserRole.ADMIN, language="en")
