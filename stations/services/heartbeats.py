"""Processes saying they are alive, so the operator's page can tell who is running.

A scheduler replica beats every half minute from its clock; the bot beats when it starts
and, at most every ``BOT_BEAT_INTERVAL``, when it handles an update, so a busy bot costs one
small write a minute, not one per update.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from typing import Any

from stations.models import ProcessHeartbeat

BOT_BEAT_INTERVAL = dt.timedelta(seconds=30)
#: Rows of processes silent this long are removed when the next one beats.
FORGET_AFTER = dt.timedelta(days=1)


def process_name(role: str) -> str:
    """This process's name among the replicas: role, host (the container) and pid."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}"


async def beat(
    role: str, *, now: dt.datetime, started_at: dt.datetime, detail: dict[str, Any] | None = None
) -> None:
    """Record that this process (of ``role``) is alive at ``now``."""
    name = process_name(role)
    changed = await ProcessHeartbeat.filter(name=name).update(seen_at=now, detail=detail or {})
    if not changed:
        await ProcessHeartbeat.create(
            name=name, role=role, started_at=started_at, seen_at=now, detail=detail or {}
        )
    await ProcessHeartbeat.filter(seen_at__lt=now - FORGET_AFTER).delete()
