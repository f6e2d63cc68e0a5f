"""The bot's hot path: a check-in by location and a two-item handout each send a fixed,
small number of SQL statements (BEGIN and COMMIT not counted), and the catalog the bot
keeps a copy of follows the changes made to it."""

from __future__ import annotations

import pytest

from stations.services.actor import Actor
from stations.services.catalog import update_item
from tests.bot.world import STATION_LAT, STATION_LON, make_world
from tests.sql import count_statements


def _of_the_update(statements: list[str]) -> list[str]:
    """The statements without the bot's heartbeat, which is written on a timer of its own."""
    return [sql for sql in statements if "process_heartbeat" not in sql]


pytestmark = pytest.mark.e2e


async def test_check_in_by_location_costs_a_fixed_number_of_statements(webhook_bot, monkeypatch):
    await make_world()
    an = webhook_bot.fake.user(1001)
    statements = count_statements(monkeypatch)

    await an.send_location(STATION_LAT + 0.0005, STATION_LON)
    (done,) = await webhook_bot.fake.wait_for(chat_id=an.id)

    # The volunteer, the chat's state, their current shift, then in one transaction the
    # assignment locked with its shift and station, its update and the audit event.
    assert done.text.startswith("✅")
    assert len(_of_the_update(statements)) == 6


async def test_two_item_handout_costs_a_fixed_number_of_statements(webhook_bot, monkeypatch):
    await make_world()
    an = webhook_bot.fake.user(1001)
    await webhook_bot.say(an, "/phat 1 nuoc, 1 khan")
    statements = count_statements(monkeypatch)

    (answer,) = await webhook_bot.say(an, "/phat 50 nuoc, 30 khan")

    # The volunteer, their station (one query wherever it comes from), then in one
    # transaction the author, station, campaign and items checked, one UPDATE per balance,
    # the ledger lines, the day's tallies and the audit events. The catalog is this
    # process's copy: read by the first handout, not again.
    assert answer.text.startswith("✅")
    assert len(_of_the_update(statements)) == 8


async def test_an_alias_added_and_a_rename_are_seen_by_the_next_message(webhook_bot):
    world = await make_world()
    an = webhook_bot.fake.user(1001)
    await webhook_bot.say(an, "/phat 1 nuoc")

    await update_item(
        world.water, name_vi="Nước khoáng", aliases=["nuoc", "h2o"], by=Actor.system("test")
    )
    (answer,) = await webhook_bot.say(an, "/phat 5 h2o")

    assert answer.text == "✅ Đã phát 5 chai nước khoáng. Tồn kho hiện tại: 194 chai."
