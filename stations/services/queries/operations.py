"""What an operator checks first: the outbox's backlog, who is running, the last backup.

Read by the admins' operations page and, for the outbox gauges, by ``/metrics`` at each
scrape. Every query here is a small aggregate, whatever the size of the campaign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.connection import connections
from tortoise.functions import Count

from stations.enums import NotificationStatus
from stations.models import BackupRecord, Notification, ProcessHeartbeat
from stations.services.backup import backup_is_stale

#: Outbox states worth watching: waiting, being sent, given up. Sent rows only grow.
BACKLOG_STATES = (
    NotificationStatus.PENDING,
    NotificationStatus.SENDING,
    NotificationStatus.FAILED,
)
#: A replica that has not beaten for this long is not counted as running.
ALIVE_WITHIN = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    #: (status, kind) → how many rows
    counts: dict[tuple[str, str], int]
    #: how long the oldest message that is due has waited, in seconds (0: none is due)
    oldest_due_seconds: float

    def total(self, status: NotificationStatus) -> int:
        return sum(n for (s, _kind), n in self.counts.items() if s == status.value)


@dataclass(frozen=True, slots=True)
class ProcessSeen:
    name: str
    role: str
    started_at: dt.datetime
    seen_at: dt.datetime
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OperationsStatus:
    engine: str
    migrations: list[str]
    backlog: OutboxBacklog
    schedulers: list[ProcessSeen]
    bots: list[ProcessSeen]
    last_backup: BackupRecord | None
    #: no backup recorded, or the last one too old (``backup_is_stale``)
    backup_stale: bool


async def outbox_backlog(*, now: dt.datetime) -> OutboxBacklog:
    rows = (
        await Notification.filter(status__in=[s.value for s in BACKLOG_STATES])
        .annotate(count=Count("id"))
        .group_by("status", "kind")
        .values_list("status", "kind", "count")
    )
    oldest = (
        await Notification.filter(status=NotificationStatus.PENDING, due_at__lte=now)
        .order_by("due_at")
        .first()
        .values_list("due_at", flat=True)
    )
    waited = (now - oldest).total_seconds() if isinstance(oldest, dt.datetime) else 0.0
    return OutboxBacklog(
        counts={(str(status), str(kind)): int(count) for status, kind, count in rows},
        oldest_due_seconds=max(0.0, waited),
    )


async def applied_migrations() -> list[str]:
    connection = connections.get("default")
    _count, rows = await connection.execute_query(
        'SELECT name FROM "tortoise_migrations" ORDER BY name'
    )
    return [str(row["name"]) for row in rows]


async def processes_seen(*, now: dt.datetime) -> list[ProcessSeen]:
    rows = await ProcessHeartbeat.filter(seen_at__gte=now - ALIVE_WITHIN).order_by("role", "name")
    return [ProcessSeen(r.name, r.role, r.started_at, r.seen_at, r.detail) for r in rows]


async def last_bot_beat() -> ProcessSeen | None:
    row = await ProcessHeartbeat.filter(role="bot").order_by("-seen_at").first()
    return ProcessSeen(row.name, row.role, row.started_at, row.seen_at, row.detail) if row else None


async def operations_status(*, now: dt.datetime) -> OperationsStatus:
    """Everything the operations page shows, in a fixed handful of queries."""
    seen = await processes_seen(now=now)
    bot = await last_bot_beat()
    last_backup = await BackupRecord.all().order_by("-taken_at").first()
    return OperationsStatus(
        engine=connections.get("default").capabilities.dialect,
        migrations=await applied_migrations(),
        backlog=await outbox_backlog(now=now),
        schedulers=[p for p in seen if p.role == "scheduler"],
        bots=[bot] if bot else [],
        last_backup=last_backup,
        backup_stale=backup_is_stale(last_backup.taken_at if last_backup else None, now=now),
    )
