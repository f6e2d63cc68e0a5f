"""A chat's conversation in the database: set, read, expire, clear, and the last update."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.models import ChatState
from stations.services.chat_states import (
    DEFAULT_TTL,
    clear_conversation,
    get_conversation,
    set_conversation,
)
from stations.services.errors import InvalidInput

pytestmark = pytest.mark.integration


async def test_a_chat_with_no_row_is_idle(db):
    conversation = await get_conversation(1)

    assert (conversation.state, conversation.data, conversation.last_update_id) == ("", {}, None)
    assert not conversation.handled(1)


async def test_set_then_get_returns_state_and_data(db, clock):
    await set_conversation(1, "handout", data={"item_id": 3}, update_id=10)

    conversation = await get_conversation(1)

    assert (conversation.state, conversation.data, conversation.last_update_id) == (
        "handout",
        {"item_id": 3},
        10,
    )
    assert conversation.handled(10) and not conversation.handled(11)


async def test_an_expired_conversation_reads_as_idle_but_keeps_its_update(db, clock):
    await set_conversation(1, "handout", data={"item_id": 3}, update_id=10)
    clock.advance(DEFAULT_TTL + dt.timedelta(seconds=1))

    conversation = await get_conversation(1)

    assert (conversation.state, conversation.last_update_id) == ("", 10)


async def test_clear_keeps_the_row_and_the_newest_update(db, clock):
    await set_conversation(1, "count", update_id=20)

    await clear_conversation(1, update_id=21)
    # An older update handled late by another worker does not move it back.
    await clear_conversation(1, update_id=15)

    conversation = await get_conversation(1)
    assert (conversation.state, conversation.last_update_id) == ("", 21)
    assert await ChatState.filter(chat_id=1).count() == 1


@pytest.mark.parametrize("state", ["", "x" * 65])
async def test_bad_state_is_refused(db, state):
    with pytest.raises(InvalidInput):
        await set_conversation(1, state)


async def test_bad_chat_id_is_refused(db):
    with pytest.raises(InvalidInput):
        await clear_conversation("1")  # type: ignore[arg-type]
