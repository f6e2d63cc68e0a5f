"""The bot's overall sending budget, shared by every dispatcher replica through one row.

Telegram counts about 30 messages a second per bot, whichever process sends them. Each
dispatcher takes a few send *slots* at a time from one ``SendBudget`` row (the generic cell
rate algorithm: the row holds the moment the next slot is free, and taking ``n`` slots
moves it ``n / rate`` seconds on). Slots are spaced ``1 / rate`` apart whoever holds
them, so replicas together never send faster than the rate, and nobody's share is fixed:
a replica that stops taking slots (stopped, dead) leaves them to the others at once, and
what it had taken runs out within ``reserve_ahead`` seconds.

The row is moved by a compare-and-set UPDATE (``… WHERE next_free = <what was read>``),
which is atomic on PostgreSQL and SQLite alike; a replica that loses the race reads again.
Times are Unix seconds of the caller's clock (every replica reads the same wall clock).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations.models import SendBudget

#: The one budget the bot's dispatchers share (the row's name).
TELEGRAM: Final = "telegram"
#: Give up a take after this many lost races in a row (the caller waits a moment, then asks
#: again): replicas are a handful, so this is never reached in practice.
MAX_RACES: Final = 20


@dataclass(frozen=True, slots=True)
class Slots:
    """``count`` send slots: the first at ``first``, then one every ``interval`` seconds.
    With ``count == 0``, ask again at ``first``."""

    first: float
    count: int
    interval: float


async def take_send_slots(
    *,
    now: float,
    rate: float,
    wanted: int,
    reserve_ahead: float = 1.0,
    name: str = TELEGRAM,
) -> Slots:
    """Take up to ``wanted`` slots of the shared budget at ``rate`` per second, none of
    them more than ``reserve_ahead`` seconds after ``now``."""
    interval = 1.0 / rate
    wanted = max(1, wanted)
    for _race in range(MAX_RACES):
        free = await _next_free(name, now=now)
        first = max(free, now)
        room = math.floor((now + reserve_ahead - first) / interval + 1e-9) + 1
        if room < 1:
            return Slots(first=first - reserve_ahead, count=0, interval=interval)
        count = min(wanted, room)
        moved = await SendBudget.filter(name=name, next_free=free).update(
            next_free=first + count * interval
        )
        if moved:
            return Slots(first=first, count=count, interval=interval)
    return Slots(first=now + interval, count=0, interval=interval)


async def _next_free(name: str, *, now: float) -> float:
    row = await SendBudget.filter(name=name).values_list("next_free", flat=True)
    if row:
        return float(row[0])  # type: ignore[arg-type]
    try:
        async with in_transaction():  # a savepoint: a lost race leaves the caller clean
            await SendBudget.create(name=name, next_free=now)
    except IntegrityError:
        pass  # another replica made it first
    row = await SendBudget.filter(name=name).values_list("next_free", flat=True)
    return float(row[0])  # type: ignore[arg-type]
