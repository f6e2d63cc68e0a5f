"""The bot's sending budget shared through one row: slots never closer than the rate."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from stations.models import SendBudget
from stations.services.send_budget import Slots, take_send_slots
from tests.sql import count_statements

pytestmark = pytest.mark.integration

T0 = 1_800_000_000.0


def _moments(slots: Slots) -> list[float]:
    return [slots.first + n * slots.interval for n in range(slots.count)]


async def test_the_first_take_starts_now_and_spaces_slots_at_the_rate(db):
    slots = await take_send_slots(now=T0, rate=25.0, wanted=5)

    assert (slots.first, slots.count, slots.interval) == (T0, 5, 0.04)
    assert (await SendBudget.get(name="telegram")).next_free == pytest.approx(T0 + 0.2, abs=1e-6)


async def test_takers_at_once_get_consecutive_slots_never_closer_than_the_rate(db):
    takes = await asyncio.gather(*(take_send_slots(now=T0, rate=30.0, wanted=6) for _ in range(4)))

    moments = sorted(m for slots in takes for m in _moments(slots))
    assert len(moments) == 24
    gaps = [b - a for a, b in itertools.pairwise(moments)]
    assert (min(gaps), max(gaps)) == (
        pytest.approx(1 / 30, abs=1e-6),
        pytest.approx(1 / 30, abs=1e-6),
    )


async def test_no_slot_further_ahead_than_allowed(db):
    await take_send_slots(now=T0, rate=10.0, wanted=10, reserve_ahead=1.0)

    full = await take_send_slots(now=T0, rate=10.0, wanted=5, reserve_ahead=1.0)
    later = await take_send_slots(now=T0 + 0.5, rate=10.0, wanted=10, reserve_ahead=1.0)

    # Ten slots cover T0 … T0 + 0.9: one more, at T0 + 1.0, is in reach; half a second on,
    # those up to T0 + 1.5.
    assert (full.count, full.first) == (1, pytest.approx(T0 + 1.0, abs=1e-6))
    assert (later.count, later.first) == (5, pytest.approx(T0 + 1.1, abs=1e-6))


async def test_slots_nobody_took_are_not_saved_up_for_a_burst(db):
    await take_send_slots(now=T0, rate=30.0, wanted=3)

    # A replica that went quiet (or died) for a minute: the next take starts now.
    slots = await take_send_slots(now=T0 + 60, rate=30.0, wanted=6)

    assert (slots.first, slots.count) == (T0 + 60, 6)


async def test_a_take_is_one_statement_on_postgresql_and_a_read_and_an_update_on_sqlite(
    db, monkeypatch
):
    await take_send_slots(now=T0, rate=30.0, wanted=3)
    statements = count_statements(monkeypatch)

    slots = await take_send_slots(now=T0, rate=30.0, wanted=3)

    assert (slots.first, slots.count) == (pytest.approx(T0 + 0.1, abs=1e-6), 3)
    assert len(statements) == (1 if db.is_postgres else 2)


async def test_a_take_with_no_slot_in_reach_leaves_the_budget_as_it_was(db):
    await take_send_slots(now=T0, rate=10.0, wanted=11, reserve_ahead=1.0)

    full = await take_send_slots(now=T0, rate=10.0, wanted=1, reserve_ahead=1.0)

    assert (full.count, full.first) == (0, pytest.approx(T0 + 0.1, abs=1e-6))
    assert (await SendBudget.get(name="telegram")).next_free == pytest.approx(T0 + 1.1, abs=1e-6)
