"""Who leads a station right now: whom alerts about the station go to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from stations.enums import AssignmentStatus, ShiftRole, ShiftStatus
from stations.models import Assignment, Station, Volunteer

#: A lead still expected at, or on duty for, their shift.
_LEADING_STATUSES = [
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.CONFIRMED,
    AssignmentStatus.CHECKED_IN,
]


async def station_leads(
    station_ids: Iterable[int], *, now: dt.datetime
) -> dict[int, list[Volunteer]]:
    """``{station_id: [lead, …]}``: the volunteers assigned as lead on the station's current
    shift, else on its nearest upcoming shift; else the station's standing lead, if it has
    one. Two queries, however many stations."""
    ids = sorted(set(station_ids))
    if not ids:
        return {}
    rows = (
        await Assignment.filter(
            shift__station_id__in=ids,
            shift__status=ShiftStatus.ACTIVE,
            shift__ends_at__gt=now,
            role=ShiftRole.LEAD,
            status__in=_LEADING_STATUSES,
        )
        .select_related("shift", "volunteer")
        .order_by("shift__starts_at", "shift_id", "id")
    )
    leads: dict[int, list[Volunteer]] = {}
    chosen_shift: dict[int, int] = {}
    for row in rows:
        station_id = row.shift.station_id
        shift_id = chosen_shift.setdefault(station_id, row.shift_id)
        if shift_id == row.shift_id:
            leads.setdefault(station_id, []).append(row.volunteer)
    missing = [station_id for station_id in ids if station_id not in leads]
    if missing:
        standing = await Station.filter(id__in=missing, lead_id__not_isnull=True).select_related(
            "lead"
        )
        for station in standing:
            leads[station.id] = [station.lead]  # type: ignore[list-item]
    return leads
