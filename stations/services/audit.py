"""The audit trail: services call ``record_event`` inside the transaction of their change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from stations import clock
from stations.models import AuditEvent
from stations.services.actor import Actor
from stations.services.sql import insert_rows


@dataclass(frozen=True)
class AuditEntry:
    """One event of ``record_events``: what was done, to what."""

    action: str
    object_type: str
    object_id: int | None
    data: dict[str, Any] = field(default_factory=dict)


async def record_event(
    actor: Actor,
    action: str,
    *,
    object_type: str,
    object_id: int | None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return await AuditEvent.create(
        **_event_fields(actor, AuditEntry(action, object_type, object_id, data or {}))
    )


async def record_events(
    actor: Actor, entries: Sequence[AuditEntry], *, connection: BaseDBAsyncClient
) -> None:
    """Several events by one actor in one INSERT, on ``connection`` (the caller's
    transaction): a report of several lines is audited line by line without a round trip
    per line."""
    if entries:
        rows = [AuditEvent(**_event_fields(actor, entry)) for entry in entries]
        await insert_rows(connection, rows)


def _event_fields(actor: Actor, entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": clock.now(),
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_label": actor.label[:200],
        "source": actor.source.value,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
    }
