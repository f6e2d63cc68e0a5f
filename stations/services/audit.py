"""The audit trail: services call ``record_event`` inside the transaction of their change."""

from __future__ import annotations

from typing import Any

from stations import clock
from stations.models import AuditEvent
from stations.services.actor import Actor


async def record_event(
    actor: Actor,
    action: str,
    *,
    object_type: str,
    object_id: int | None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return await AuditEvent.create(
        at=clock.now(),
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label[:200],
        source=actor.source.value,
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=data or {},
    )
