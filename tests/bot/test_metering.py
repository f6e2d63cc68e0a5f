"""The bot's figures: each update counted by kind and outcome and timed, and its heartbeat
(mode, last update) written for the operations page."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from bot.metering import update_kind
from stations.models import ProcessHeartbeat
from tests.bot.world import make_world

pytestmark = pytest.mark.e2e


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_updates_are_counted_by_kind_and_timed(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1101)
    commands = _sample("waystation_bot_updates_total", kind="command", outcome="ok")
    texts = _sample("waystation_bot_updates_total", kind="text", outcome="ok")
    timed = _sample("waystation_bot_update_duration_seconds_count", kind="command")

    await webhook_bot.say(an, "/help")
    await webhook_bot.say(an, "xin chào")

    assert _sample("waystation_bot_updates_total", kind="command", outcome="ok") == commands + 1
    assert _sample("waystation_bot_updates_total", kind="text", outcome="ok") == texts + 1
    assert _sample("waystation_bot_update_duration_seconds_count", kind="command") == timed + 1
    assert _sample("waystation_bot_last_update_timestamp_seconds") > 0


async def test_an_update_whose_handler_fails_is_counted_as_an_error(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1103)
    errors = _sample("waystation_bot_updates_total", kind="command", outcome="error")
    oks = _sample("waystation_bot_updates_total", kind="command", outcome="ok")
    # Telegram refuses the handler's reply: the handler fails, the error handler answers.
    webhook_bot.fake.fail_next("sendMessage", error_code=500, description="Internal Server Error")

    (answer,) = await webhook_bot.say(an, "/help")

    assert answer.text.startswith("Xin lỗi, hệ thống vừa gặp trục trặc.")
    assert _sample("waystation_bot_updates_total", kind="command", outcome="error") == errors + 1
    assert _sample("waystation_bot_updates_total", kind="command", outcome="ok") == oks


async def test_the_bot_writes_its_heartbeat_with_mode_and_last_update(webhook_bot):
    await make_world()
    an = webhook_bot.fake.user(1102)
    heartbeat = webhook_bot.app.state.telegram_application.heartbeat
    # The bot is shared by the module's tests: start this one with no beat written yet.
    heartbeat._last_beat = heartbeat.last_update_at = None

    await webhook_bot.say(an, "/help")
    # The reply can reach the fake server a moment before the update's handling ends.
    for _ in range(500):
        if heartbeat._pending is not None:
            break
        await asyncio.sleep(0.01)
    assert heartbeat._pending is not None
    await heartbeat._pending

    [row] = await ProcessHeartbeat.filter(role="bot")
    assert row.detail["mode"] == "webhook"
    assert row.detail["last_update_at"] is not None


def test_update_kinds_are_a_bounded_set():
    assert update_kind(object()) == "other"
