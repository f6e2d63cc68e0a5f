"""The bot's overall sending budget, shared by every dispatcher replica through one row.

Telegram counts about 30 messages a second per bot, whichever process sends them. Each
dispatcher takes a few send *slots* at a time from one ``SendBudget`` row (the generic cell
rate algorithm: the row holds the moment the next slot is free, and taking ``n`` slots
moves it ``n / rate`` seconds on). Slots are spaced ``1 / rate`` apart whoever holds
them, so replicas together never send faster than the rate, and nobody's share is fixed:
a replica that stops taking slots (stopped, dead) leaves them to the others at once, and
what it had taken runs out within ``reserve_ahead`` seconds.

The row is moved in one UPDATE computing the new moment from the row itself, so two
takers never get the same slots. On PostgreSQL that is the whole take, one statement: the
row is locked as it is read (``FOR UPDATE`` in the statement), and the moment it held is
returned beside the new one. SQLite cannot return a row's old value, so there the row is
read first and the UPDATE is a compare-and-set (``… WHERE next_free = <what was read>``);
a taker that loses the race reads again.
Times are Unix seconds of the caller's clock (every replica reads the same wall clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tortoise.connection import connections
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
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    taken = _taken(postgres)
    params = [name, now, reserve_ahead, interval, max(1, wanted)]
    for _race in range(MAX_RACES):
        if postgres:
            # The row locked as read: the moment it held comes back beside the new one.
            rows = await connection.execute_query_dict(
                f'UPDATE "send_budget" AS b SET "next_free" = {taken}'
                ' FROM (SELECT "next_free" AS old FROM "send_budget" WHERE "name" = $1'
                " FOR UPDATE) AS held"
                ' WHERE b."name" = $1 RETURNING held.old AS old, b."next_free" AS new',
                params,
            )
            if not rows:
                await _create(name, now=now)
                continue
            old, new = float(rows[0]["old"]), float(rows[0]["new"])
        else:
            old = await _next_free(name, now=now)
            rows = await connection.execute_query_dict(
                f'UPDATE "send_budget" SET "next_free" = {taken}'
                ' WHERE "name" = ?1 AND "next_free" = ?6 RETURNING "next_free" AS new',
                [*params, old],
            )
            if not rows:
                continue  # another taker moved it since it was read
            new = float(rows[0]["new"])
        first = max(old, now)
        count = round((new - first) / interval)
        if count < 1:
            return Slots(first=first - reserve_ahead, count=0, interval=interval)
        return Slots(first=first, count=count, interval=interval)
    return Slots(first=now + interval, count=0, interval=interval)


def _taken(postgres: bool) -> str:
    """The new ``next_free`` of a take, from the row's own (unchanged when no slot is in
    reach), with the take's ``now``, ``reserve_ahead``, slot interval and ``wanted`` as
    parameters 2 to 5: the first slot is the later of ``next_free`` and ``now``; ``room``
    slots, one every interval, lie between it and ``now + reserve_ahead``; ``wanted`` of
    them at most are taken. Only the engines' spelling differs (SQLite has no ``FLOOR``
    everywhere: its whole-number cast truncates, which is the floor where it is used)."""
    if postgres:
        greatest, least, epsilon = "GREATEST", "LEAST", "CAST(1e-9 AS DOUBLE PRECISION)"
        now, reserve, interval = (f"${n}::double precision" for n in (2, 3, 4))
        wanted = "$5::integer"
        whole = "FLOOR({})"
    else:
        greatest, least, epsilon = "MAX", "MIN", "1e-9"
        now, reserve, interval, wanted = "?2", "?3", "?4", "?5"
        whole = "CAST({} AS INTEGER)"
    first = f"{greatest}(next_free, {now})"
    room = f"(({now} + {reserve} - {first}) / {interval} + {epsilon})"
    return (
        f"CASE WHEN {room} < 0 THEN next_free"
        f" ELSE {first} + {least}({wanted}, {whole.format(room)} + 1) * {interval} END"
    )


async def _create(name: str, *, now: float) -> None:
    try:
        async with in_transaction():  # a savepoint: a lost race leaves the caller clean
            await SendBudget.create(name=name, next_free=now)
    except IntegrityError:
        pass  # another replica made it first


async def _next_free(name: str, *, now: float) -> float:
    row = await SendBudget.filter(name=name).values_list("next_free", flat=True)
    if not row:
        await _create(name, now=now)
        row = await SendBudget.filter(name=name).values_list("next_free", flat=True)
    return float(row[0])  # type: ignore[arg-type]
