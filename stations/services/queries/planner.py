"""What the shift planner pages read: a station's week of shifts with their head-counts, one
shift with its people, the units a coordinator may put a station in.

Each function runs a fixed number of queries, however many shifts, stations or units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from tortoise.queryset import QuerySet

from stations.clock import VN_TZ, local_midnight
from stations.enums import AssignmentStatus, ShiftRole, ShiftStatus
from stations.i18n import _
from stations.models import Assignment, Campaign, Shift, Station, Unit, Volunteer
from stations.services.campaigns import outside_campaign_error, shift_bounds
from stations.services.errors import InvalidInput
from stations.services.queries.assignments import shift_coverage
from stations.services.queries.volunteers import matching_volunteers
from stations.services.shifts import MAX_PATTERN_DAYS, check_slots
from stations.text import fold

WEEK = dt.timedelta(days=7)
MAX_CANDIDATES = 20
_ROLE_ORDER = {role.value: index for index, role in enumerate(ShiftRole)}
_STATUS_ORDER = {status.value: index for index, status in enumerate(AssignmentStatus)}


@dataclass(frozen=True)
class RoleCoverage:
    role: ShiftRole
    filled: int
    needed: int

    @property
    def short(self) -> bool:
        return self.filled < self.needed


@dataclass(frozen=True)
class PlannedShift:
    """A shift with how full it is, in Vietnam time."""

    shift: Shift
    roles: tuple[RoleCoverage, ...]

    @property
    def starts_at(self) -> dt.datetime:
        return self.shift.starts_at.astimezone(VN_TZ)

    @property
    def ends_at(self) -> dt.datetime:
        return self.shift.ends_at.astimezone(VN_TZ)

    @property
    def cancelled(self) -> bool:
        return self.shift.status is ShiftStatus.CANCELLED

    @property
    def filled(self) -> int:
        return sum(min(role.filled, role.needed) for role in self.roles)

    @property
    def needed(self) -> int:
        return sum(role.needed for role in self.roles)

    @property
    def unfilled(self) -> bool:
        """An active shift still short of someone in at least one role."""
        return not self.cancelled and any(role.short for role in self.roles)

    @property
    def missing(self) -> int:
        return sum(max(0, role.needed - role.filled) for role in self.roles)


@dataclass(frozen=True)
class PlannerRow:
    """One daily time slot ("06:00–14:00") across the days of the week."""

    starts: dt.time
    ends: dt.time
    #: per day of the week, the shifts of this slot starting that day
    cells: tuple[tuple[PlannedShift, ...], ...]


@dataclass(frozen=True)
class PlannerWeek:
    station: Station
    first_day: dt.date
    days: tuple[dt.date, ...]
    rows: tuple[PlannerRow, ...]
    #: every shift of the week in time order: the planner as a list, for small screens
    shifts: tuple[PlannedShift, ...]

    @property
    def previous_first_day(self) -> dt.date:
        return self.first_day - WEEK

    @property
    def next_first_day(self) -> dt.date:
        return self.first_day + WEEK

    @property
    def unfilled_count(self) -> int:
        return sum(1 for planned in self.shifts if planned.unfilled)


@dataclass(frozen=True)
class ShiftPeople:
    """A shift, its station and campaign, everyone ever assigned to it and how full it is."""

    planned: PlannedShift
    station: Station
    campaign: Campaign
    assignments: tuple[Assignment, ...] = field(default_factory=tuple)

    @property
    def shift(self) -> Shift:
        return self.planned.shift


async def campaign_or_none(campaign_id: int) -> Campaign | None:
    return await Campaign.get_or_none(id=campaign_id)


async def station_or_none(station_id: int) -> Station | None:
    """The station with its campaign and unit. One query."""
    return await Station.get_or_none(id=station_id).select_related("campaign", "unit")


async def assignment_or_none(assignment_id: int) -> Assignment | None:
    """The assignment with its shift's station (for the scope check) and its volunteer."""
    return await Assignment.get_or_none(id=assignment_id).select_related(
        "shift__station", "volunteer"
    )


async def planner_week(station: Station, *, first_day: dt.date) -> PlannerWeek:
    """The shifts starting in the seven Vietnam days from ``first_day``, cancelled ones
    included (marked), laid out by daily slot. Two queries."""
    days = tuple(first_day + dt.timedelta(days=offset) for offset in range(7))
    shifts = await Shift.filter(
        station_id=station.id,
        starts_at__gte=local_midnight(days[0]).astimezone(dt.UTC),
        starts_at__lt=local_midnight(days[-1] + dt.timedelta(days=1)).astimezone(dt.UTC),
    ).order_by("starts_at", "id")
    planned = await _with_coverage(shifts)
    slots = sorted({(p.starts_at.time(), p.ends_at.time()) for p in planned})
    day_index = {day: index for index, day in enumerate(days)}
    grid: dict[tuple[dt.time, dt.time], list[list[PlannedShift]]] = {
        slot: [[] for _day in days] for slot in slots
    }
    for shift in planned:
        grid[(shift.starts_at.time(), shift.ends_at.time())][
            day_index[shift.starts_at.date()]
        ].append(shift)
    rows = tuple(
        PlannerRow(starts=slot[0], ends=slot[1], cells=tuple(tuple(cell) for cell in grid[slot]))
        for slot in slots
    )
    return PlannerWeek(
        station=station, first_day=first_day, days=days, rows=rows, shifts=tuple(planned)
    )


async def shift_people(shift_id: int) -> ShiftPeople | None:
    """The shift page's data, or None for an unknown shift. Three queries."""
    shift = await Shift.get_or_none(id=shift_id).select_related("station__campaign")
    if shift is None:
        return None
    assignments = await Assignment.filter(shift_id=shift.id).select_related("volunteer")
    assignments.sort(
        key=lambda a: (
            _STATUS_ORDER.get(a.status.value, 99) if a.status in _LIVE_STATUSES else 50,
            _ROLE_ORDER.get(a.role.value, 99),
            a.volunteer.search_name,
            a.id,
        )
    )
    (planned,) = await _with_coverage([shift])
    return ShiftPeople(
        planned=planned,
        station=shift.station,
        campaign=shift.station.campaign,
        assignments=tuple(assignments),
    )


async def units_to_choose(unit_ids: Collection[int] | None) -> list[Unit]:
    """The units a principal may put a station in, by name."""
    query: QuerySet[Unit] = Unit.all()
    if unit_ids is not None:
        query = query.filter(id__in=sorted(unit_ids))
    return await query.order_by("name", "id")


async def candidates_for_shift(
    query: str, *, unit_ids: Collection[int] | None, limit: int = MAX_CANDIDATES
) -> list[Volunteer]:
    """Volunteers in scope matching ``query`` by name (diacritics and case ignored) or by
    the digits of their phone, in name order, each with its unit (two people of one name are
    told apart by it); nothing for an empty query. One query.

    The matching is the volunteer search's own, narrowed to the scope in the database so
    nobody in scope is crowded off the page by people outside it."""
    if not fold(query or ""):
        return []
    found = matching_volunteers(query)
    if unit_ids is not None:
        found = found.filter(unit_id__in=sorted(unit_ids))
    return await found.select_related("unit").order_by("search_name", "id").limit(limit)


def pattern_windows(
    first_day: dt.date, last_day: dt.date, slots: Sequence[tuple[dt.time, dt.time]]
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The UTC windows a daily pattern makes: a slot ending at or before its start ends the
    next day, as ``generate_shift_pattern`` reads it."""
    windows = []
    day = first_day
    while day <= last_day:
        for slot_start, slot_end in slots:
            starts, ends = slot_start.replace(tzinfo=None), slot_end.replace(tzinfo=None)
            end_day = day if ends > starts else day + dt.timedelta(days=1)
            windows.append(
                (
                    dt.datetime.combine(day, starts, tzinfo=VN_TZ).astimezone(dt.UTC),
                    dt.datetime.combine(end_day, ends, tzinfo=VN_TZ).astimezone(dt.UTC),
                )
            )
        day += dt.timedelta(days=1)
    return sorted(windows)


async def pattern_preview(
    station: Station,
    *,
    first_day: dt.date,
    last_day: dt.date,
    slots: Sequence[tuple[dt.time, dt.time]],
) -> tuple[int, int]:
    """``(new, existing)``: how many shifts a pattern would create, and how many of its
    windows the station already has (skipped, as the pattern service skips them).

    Refuses, with the pattern service's own errors, what it would refuse: too many days,
    overlapping slots, days outside the campaign. Two queries: the station's campaign and
    the shifts already there.
    """
    if last_day < first_day:
        raise InvalidInput(_("The last day cannot be before the first day."), field="end_date")
    if (last_day - first_day).days + 1 > MAX_PATTERN_DAYS:
        raise InvalidInput(
            _("A pattern can cover at most {max} days at a time."),
            field="end_date",
            max=MAX_PATTERN_DAYS,
        )
    windows = pattern_windows(first_day, last_day, check_slots(list(slots)))
    await station.fetch_related("campaign")
    first_moment, last_moment = shift_bounds(station.campaign)
    if windows[0][0] < first_moment:
        raise outside_campaign_error(station.campaign, field="start_date")
    if max(end for _start, end in windows) > last_moment:
        raise outside_campaign_error(station.campaign, field="end_date")
    taken = set(
        await Shift.filter(
            station_id=station.id,
            starts_at__gte=windows[0][0],
            starts_at__lte=windows[-1][0],
        ).values_list("starts_at", "ends_at")
    )
    existing = sum(1 for window in windows if window in taken)
    return len(windows) - existing, existing


_LIVE_STATUSES = frozenset(
    {
        AssignmentStatus.ASSIGNED,
        AssignmentStatus.CONFIRMED,
        AssignmentStatus.CHECKED_IN,
        AssignmentStatus.CHECKED_OUT,
    }
)


async def _with_coverage(shifts: Sequence[Shift]) -> list[PlannedShift]:
    coverage = await shift_coverage(shift.id for shift in shifts)
    return [
        PlannedShift(
            shift=shift,
            roles=tuple(
                RoleCoverage(role=ShiftRole(role), filled=filled, needed=needed)
                for role, (filled, needed) in sorted(
                    coverage.get(shift.id, {}).items(), key=lambda item: _ROLE_ORDER[item[0]]
                )
            ),
        )
        for shift in shifts
    ]
