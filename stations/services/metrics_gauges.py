"""Gauges of state kept in the database, read when the figures are about to be exposed."""

from __future__ import annotations

import datetime as dt
import logging

from tortoise.connection import connections

from stations.metrics import DB_POOL_CONNECTIONS, OUTBOX_MESSAGES, OUTBOX_OLDEST_DUE
from stations.services.queries.operations import outbox_backlog

log = logging.getLogger(__name__)


def _pool_sizes() -> tuple[int, int]:
    """(open, idle) connections of this process's database client."""
    client = connections.get("default")
    pool = getattr(client, "_pool", None)
    if pool is not None and hasattr(pool, "get_size"):  # asyncpg
        return int(pool.get_size()), int(pool.get_idle_size())
    opened = 1 if getattr(client, "_connection", None) is not None else 0  # SQLite
    return opened, 0


async def refresh_state_gauges(*, now: dt.datetime) -> None:
    """Read the outbox backlog and the pool's use into their gauges (never raises: a scrape
    during a database outage still shows the process's own counters)."""
    try:
        backlog = await outbox_backlog(now=now)
    except Exception as exc:
        log.warning("metrics: the outbox could not be read: %s", exc)
        return
    OUTBOX_MESSAGES.clear()
    for (status, kind), count in backlog.counts.items():
        OUTBOX_MESSAGES.labels(status, kind).set(count)
    OUTBOX_OLDEST_DUE.set(backlog.oldest_due_seconds)
    opened, idle = _pool_sizes()
    DB_POOL_CONNECTIONS.labels("open").set(opened)
    DB_POOL_CONNECTIONS.labels("idle").set(idle)
    DB_POOL_CONNECTIONS.labels("in_use").set(opened - idle)
