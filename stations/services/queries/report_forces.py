"""Turns and hours per force (police, Youth Union, Women's Union, local people, other).

A turn is a served assignment (checked in or out), credited to the volunteer's force as it
stands when the report is made; hours are the checked-out ``worked_minutes``, kept in minutes
until the one rounding of each row. Every force is listed, zeros included, in the order of
``Force``, so the rows read like the report's sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from tortoise.connection import connections

from stations.enums import AssignmentStatus, Force
from stations.models import Campaign
from stations.services.sql import placeholders

FORCE_VALUES = frozenset(force.value for force in Force)


@dataclass(frozen=True)
class ForceRow:
    force: str
    turns: int
    worked_minutes: int

    @property
    def hours(self) -> float:
        return round(self.worked_minutes / 60, 1)


def _forces_sql(dialect: str) -> str:
    checked_in, checked_out = AssignmentStatus.CHECKED_IN.value, AssignmentStatus.CHECKED_OUT.value
    return (
        'SELECT sh.station_id AS station_id, v."force" AS force, COUNT(*) AS turns,'
        f" SUM(CASE WHEN a.status = '{checked_out}' THEN COALESCE(a.worked_minutes, 0) ELSE 0 END)"
        " AS worked_minutes"
        ' FROM "assignment" a'
        ' JOIN "shift" sh ON sh.id = a.shift_id'
        ' JOIN "station" s ON s.id = sh.station_id'
        ' JOIN "volunteer" v ON v.id = a.volunteer_id'
        f" WHERE s.campaign_id = {placeholders(dialect, 1)[0]}"
        f" AND a.status IN ('{checked_in}', '{checked_out}')"
        " GROUP BY 1, 2"
    )


async def campaign_forces(
    campaign: Campaign, *, station_ids: Collection[int] | None = None
) -> list[ForceRow]:
    """Turns and hours per force, counting only ``station_ids`` when given (a unit's scope)."""
    connection = connections.get("default")
    rows = await connection.execute_query_dict(
        _forces_sql(connection.capabilities.dialect), [campaign.id]
    )
    turns: Counter[str] = Counter()
    minutes: Counter[str] = Counter()
    for row in rows:
        if station_ids is not None and row["station_id"] not in station_ids:
            continue
        force = row["force"] if row["force"] in FORCE_VALUES else Force.OTHER.value
        turns[force] += int(row["turns"] or 0)
        minutes[force] += int(row["worked_minutes"] or 0)
    return [ForceRow(force.value, turns[force.value], minutes[force.value]) for force in Force]
