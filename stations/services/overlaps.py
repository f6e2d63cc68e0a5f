"""Which shift a volunteer is already on at a given time.

One rule for every service that puts a volunteer somewhere in time (assigning, a late
check-in, moving a shift): a volunteer's active assignments on active shifts may not overlap.
The caller holds the volunteers' row locks, so no assignment or move slips in between this
read and its write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from stations.enums import ACTIVE_ASSIGNMENT_STATUSES, ShiftStatus
from stations.models import Assignment

_ACTIVE_STATUSES = sorted(ACTIVE_ASSIGNMENT_STATUSES)


async def first_overlapping_assignment(
    volunteer_ids: Collection[int],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    excluding_shift_id: int | None = None,
) -> Assignment | None:
    """The earliest active assignment of any of ``volunteer_ids`` on an active shift that
    overlaps ``starts_at``–``ends_at``, with its volunteer and shift's station; else None.

    Windows are half-open: a shift ending at 10:00 and one starting at 10:00 do not collide.
    ``excluding_shift_id`` leaves out the shift being assigned to or moved.
    """
    if not volunteer_ids:
        return None
    query = Assignment.filter(
        volunteer_id__in=sorted(volunteer_ids),
        status__in=_ACTIVE_STATUSES,
        shift__status=ShiftStatus.ACTIVE,
        shift__starts_at__lt=ends_at,
        shift__ends_at__gt=starts_at,
    )
    if excluding_shift_id is not None:
        query = query.exclude(shift_id=excluding_shift_id)
    return (
        await query.select_related("volunteer", "shift__station")
        .order_by("shift__starts_at", "volunteer_id", "id")
        .first()
    )
