"""Pytest fixtures; import them in a conftest.py:

from tests.fake_telegram.fixtures import fake_telegram  # noqa: F401
from tests.fake_telegram.fixtures import make_fake_telegram  # noqa: F401
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from .server import FakeTelegram


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started fake Bot API server with Telegram's limits, stopped after the test."""
    async with FakeTelegram() as fake:
        yield fake
    assert not fake.internal_errors, "\n".join(fake.internal_errors)


@pytest.fixture
async def make_fake_telegram() -> AsyncIterator[Callable[..., Awaitable[FakeTelegram]]]:
    """Start fake servers with other settings (``limits=``, ``time_source=``, ``token=``…)."""
    started: list[FakeTelegram] = []

    async def make(**kwargs: Any) -> FakeTelegram:
        fake = FakeTelegram(**kwargs)
        await fake.start()
        started.append(fake)
        return fake

    yield make
    for fake in reversed(started):
        await fake.stop()
    errors = [error for fake in started for error in fake.internal_errors]
    assert not errors, "\n".join(errors)
