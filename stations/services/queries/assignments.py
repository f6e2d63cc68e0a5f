"""Read-only views of assignments: a volunteer's shifts, who is on duty, how full shifts are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tortoise.expressions import Q
from tortoise.functions import Count

from stations import clock
from stations.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, ShiftRole, ShiftStatus
from stations.i18n import _
from stations.models import Assignment, Shift, Station, Volunteer
from stations.services.assignments import CHECKIN_OPENS_BEFORE
from stations.services.errors import InvalidInput

MAX_LIMIT = 500
#: How far ahead ``current_or_next_assignment`` looks for the next shift.
NEXT_SHIFT_HORIZON = dt.timedelta(hours=24)
#: A shift that ended longer ago than this is history, not a no-show to chase.
NO_SHOW_LOOKBACK = dt.timedelta(hours=12)

_ACTIVE_STATUSES = sorted(ACTIVE_ASSIGNMENT_STATUSES)
_PENDING_STATUSES = [AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED]
_AHEAD_STATUSES = [*_PENDING_STATUSES, AssignmentStatus.CHECKED_IN]


async def assignments_for_volunteer(
    volunteer: Volunteer,
    *,
    upcoming_only: bool = True,
    now: dt.datetime | None = None,
    limit: int = 50,
) -> list[Assignment]:
    """A volunteer's assignments by start, shift and station loaded.

    ``upcoming_only``: what still lies ahead (shifts not yet ended, not cancelled, the
    volunteer still expected or on duty). Otherwise every assignment, whatever its status.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            _("The limit must be a whole number between 1 and {max}."), field="limit", max=MAX_LIMIT
        )
    query = Assignment.filter(volunteer_id=volunteer.id)
    if upcoming_only:
        query = query.filter(
            status__in=_AHEAD_STATUSES,
            shift__status=ShiftStatus.ACTIVE,
            shift__ends_at__gt=now or clock.now(),
        )
    return (
        await query.select_related("shift__station").order_by("shift__starts_at", "id").limit(limit)
    )


async def current_or_next_assignment(
    volunteer: Volunteer, *, now: dt.datetime
) -> Assignment | None:
    """The assignment under way, else the next one starting within 24 hours (the bot's /checkin).

    A shift under way that the volunteer was marked a no-show on counts too, so a late
    arrival can still check in; one they are expected at and can check in to comes first.
    One query: a volunteer's shifts not yet ended within the horizon are few (they do not
    overlap), so all are read and the choice is made here.
    """
    rows = (
        await Assignment.filter(
            volunteer_id=volunteer.id,
            status__in=[*_AHEAD_STATUSES, AssignmentStatus.NO_SHOW],
            shift__status=ShiftStatus.ACTIVE,
            shift__ends_at__gt=now,
            shift__starts_at__lte=now + NEXT_SHIFT_HORIZON,
        )
        .select_related("shift__station")
        .order_by("shift__starts_at", "id")
    )
    ahead = next((row for row in rows if row.status in _AHEAD_STATUSES), None)
    if ahead is not None and ahead.shift.starts_at - CHECKIN_OPENS_BEFORE <= now:
        return ahead
    late = next(
        (
            row
            for row in rows
            if row.status == AssignmentStatus.NO_SHOW and row.shift.starts_at <= now
        ),
        None,
    )
    return late or ahead


async def shift_coverage(shift_ids: Iterable[int]) -> dict[int, dict[str, tuple[int, int]]]:
    """``{shift_id: {role: (filled, needed)}}`` for many shifts, in one query.

    Lists every role a shift needs, and any role it has people in without needing them
    (the need was lowered after they were assigned). Unknown ids are left out.
    """
    ids = sorted({int(shift_id) for shift_id in shift_ids})
    if not ids:
        return {}
    # One filtered count per role: a single GROUP BY shift, whatever the number of shifts.
    counts = {
        _count_alias(role): Count(
            "assignments",
            _filter=Q(assignments__role=role, assignments__status__in=_ACTIVE_STATUSES),
        )
        for role in ShiftRole
    }
    rows = (
        await Shift.filter(id__in=ids)
        .annotate(**counts)
        .group_by("id", "needs")
        .values("id", "needs", *counts)
    )
    coverage: dict[int, dict[str, tuple[int, int]]] = {}
    for row in rows:
        needs = row["needs"] or {}
        by_role: dict[str, tuple[int, int]] = {}
        for role in ShiftRole:
            filled, needed = int(row[_count_alias(role)] or 0), _as_count(needs.get(role.value))
            if filled or needed:
                by_role[role.value] = (filled, needed)
        coverage[row["id"]] = by_role
    return coverage


async def on_duty(station: Station, *, now: dt.datetime) -> list[Assignment]:
    """Who is at the station now: checked in, not out, on a shift under way.

    "Under way" starts when check-in opens, so an early arrival counts as on duty.
    """
    return (
        await Assignment.filter(
            shift__station_id=station.id,
            status=AssignmentStatus.CHECKED_IN,
            shift__status=ShiftStatus.ACTIVE,
            shift__starts_at__lte=now + CHECKIN_OPENS_BEFORE,
            shift__ends_at__gt=now,
        )
        .select_related("shift", "volunteer")
        .order_by("shift__starts_at", "volunteer__search_name", "id")
    )


async def find_no_shows(
    *, now: dt.datetime, grace: dt.timedelta = dt.timedelta(minutes=15)
) -> list[Assignment]:
    """Assignments still waiting for a volunteer ``grace`` after their shift started.

    Shifts that ended more than 12 hours ago are left alone: that is history.
    """
    return (
        await Assignment.filter(
            status__in=_PENDING_STATUSES,
            shift__status=ShiftStatus.ACTIVE,
            shift__starts_at__lte=now - grace,
            shift__ends_at__gte=now - NO_SHOW_LOOKBACK,
        )
        .select_related("shift__station", "volunteer")
        .order_by("shift__starts_at", "id")
    )


def _count_alias(role: ShiftRole) -> str:
    return f"filled_{role.value}"


def _as_count(value: object) -> int:
    try:
        return max(0, int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0
