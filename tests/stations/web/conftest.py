"""Fixtures for the web app's tests: the app on the test database, an anonymous client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from stations.services import users
from stations.settings import Settings
from stations.web.app import create_app
from tests.conftest import TestDatabase

TEST_SETTINGS = Settings(secret_key="x" * 40, bot_username="waystation_test_bot")


#: argon2 at its cheapest: web tests sign in hundreds of times, and the production cost
#: (about 0.3 s a hash on a busy CI machine) would make the suite crawl. What the tests check
#: is the flow around the hash; the hasher's own strength is tested in the users service tests.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="module", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", FAST_HASHER)
        users._dummy_hash.cache_clear()
        yield
    users._dummy_hash.cache_clear()


@pytest.fixture
def app(db: TestDatabase) -> Starlette:
    """The whole web app on the test's (empty) database, which the test suite manages."""
    return create_app(TEST_SETTINGS, manage_database=False)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous visitor; redirects are not followed, so tests see each one."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        follow_redirects=False,
    ) as anonymous:
        yield anonymous
