"""What the coordinators' volunteer pages show: a scoped, searchable list, one volunteer's
shifts, hours and check-ins, and what a roster import would do to known volunteers.

Each function runs a fixed number of queries, however many volunteers or shifts there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.queryset import QuerySet

from stations import clock
from stations.enums import AssignmentStatus
from stations.i18n import _
from stations.iterables import batched
from stations.models import Assignment, Unit, Volunteer
from stations.services.errors import NotFound
from stations.services.queries.volunteers import matching_volunteers
from stations.services.roster_import import BATCH_SIZE, RosterRow, names_differ, row_outside_scope

PER_PAGE = 50
#: The largest id an INTEGER column holds.
MAX_ID = 2_147_483_647
#: Far more assignments than one person serves in a year of holidays.
MAX_ASSIGNMENTS = 500
VOLUNTEER_GONE = _("There is no such volunteer.")


@dataclass(frozen=True)
class VolunteerListPage:
    volunteers: list[Volunteer]  # each with its unit loaded
    total: int
    page: int  # 1-based, within 1..pages
    pages: int
    per_page: int


def _in_scope(query: str, unit_ids: frozenset[int] | None) -> QuerySet[Volunteer]:
    found = matching_volunteers(query)
    if unit_ids is not None:
        found = found.filter(unit_id__in=sorted(unit_ids))
    return found


async def volunteer_list_page(
    query: str, *, unit_ids: frozenset[int] | None, page: int, per_page: int = PER_PAGE
) -> VolunteerListPage:
    """One page of the volunteers in ``unit_ids`` (None: all) matching ``query`` (name words
    without diacritics, or a piece of a phone number in any usual form), in name order.

    A page past the end shows the last one.
    """
    matching = _in_scope(query, unit_ids)
    total = await matching.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    volunteers = (
        await _in_scope(query, unit_ids)
        .select_related("unit")
        .order_by("search_name", "id")
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return VolunteerListPage(
        volunteers=list(volunteers), total=total, page=page, pages=pages, per_page=per_page
    )


async def units_to_choose(unit_ids: frozenset[int] | None) -> list[Unit]:
    """The units a form may put a volunteer into, by name."""
    units = Unit.all()
    if unit_ids is not None:
        units = units.filter(id__in=sorted(unit_ids))
    return list(await units.order_by("name", "id"))


def volunteer_missing() -> NotFound:
    """What a page answers for a volunteer it cannot show: unknown, or outside the scope."""
    return NotFound(VOLUNTEER_GONE)


async def volunteer_with_unit(volunteer_id: int) -> Volunteer:
    """The volunteer with their unit loaded; ``NotFound`` when there is none."""
    if isinstance(volunteer_id, bool) or not isinstance(volunteer_id, int):
        raise NotFound(VOLUNTEER_GONE)
    if not 1 <= volunteer_id <= MAX_ID:
        raise NotFound(VOLUNTEER_GONE)  # PostgreSQL would refuse to compare it at all
    volunteer = await Volunteer.filter(id=volunteer_id).select_related("unit").first()
    if volunteer is None:
        raise NotFound(VOLUNTEER_GONE)
    return volunteer


@dataclass(frozen=True)
class VolunteerRecord:
    """A volunteer's service: assignments with their shift and station loaded."""

    upcoming: list[Assignment]  # soonest first; shifts that have not ended yet
    past: list[Assignment]  # latest first
    checkins: list[Assignment]  # latest check-in first
    worked_minutes: int  # over checked-out assignments
    truncated: bool  # more assignments than are shown


async def volunteer_record(
    volunteer: Volunteer, *, now: dt.datetime | None = None
) -> VolunteerRecord:
    """Every assignment of ``volunteer`` split into upcoming and past, in one query."""
    moment = now or clock.now()
    assignments = list(
        await Assignment.filter(volunteer_id=volunteer.id)
        .select_related("shift__station")
        .order_by("-shift__starts_at", "-id")
        .limit(MAX_ASSIGNMENTS + 1)
    )
    truncated = len(assignments) > MAX_ASSIGNMENTS
    assignments = assignments[:MAX_ASSIGNMENTS]
    upcoming = [a for a in reversed(assignments) if a.shift.ends_at > moment]
    past = [a for a in assignments if a.shift.ends_at <= moment]
    checkins = sorted(
        (a for a in assignments if a.checked_in_at is not None),
        key=lambda a: a.checked_in_at or moment,
        reverse=True,
    )
    worked = sum(
        a.worked_minutes or 0 for a in assignments if a.status == AssignmentStatus.CHECKED_OUT
    )
    return VolunteerRecord(
        upcoming=upcoming, past=past, checkins=checkins, worked_minutes=worked, truncated=truncated
    )


@dataclass(frozen=True)
class RosterPlan:
    """What importing checked roster rows would do, before anything is written."""

    #: line → the known volunteer with that phone, whose record the row updates
    updates: dict[int, Volunteer]
    #: line → the known volunteer with that phone but another name: the row renames them
    #: only if the importer chooses so, and is skipped otherwise
    conflicts: dict[int, Volunteer]
    #: lines of rows that would create a volunteer
    creates: list[int]
    #: lines a scoped coordinator may not import: a unit outside their scope, no unit at
    #: all, or a phone that belongs to a volunteer of another unit
    outside_scope: list[int]


async def roster_plan(rows: Sequence[RosterRow], *, unit_ids: frozenset[int] | None) -> RosterPlan:
    """Which rows create a volunteer, which update one (matched by phone, as the import
    does), which would rename another person (a name conflict), and which fall outside ``unit_ids`` (None: province-wide, nothing does)."""
    known: dict[str, Volunteer] = {}
    for phones in batched([row.phone for row in rows], BATCH_SIZE):
        for found in await Volunteer.filter(phone__in=list(phones)):
            known[found.phone] = found
    unit_by_code: dict[str, int] = {}
    codes = sorted({row.unit_code for row in rows if row.unit_code})
    if unit_ids is not None and codes:
        for found_id, code in await Unit.filter(code__in=codes).values_list("id", "code"):
            unit_by_code[str(code)] = int(found_id)
    updates: dict[int, Volunteer] = {}
    conflicts: dict[int, Volunteer] = {}
    creates: list[int] = []
    outside: list[int] = []
    for row in rows:
        volunteer = known.get(row.phone)
        if volunteer is None:
            creates.append(row.line)
        elif names_differ(volunteer.full_name, row.full_name):
            conflicts[row.line] = volunteer
        else:
            updates[row.line] = volunteer
        unit_id = unit_by_code.get(row.unit_code) if row.unit_code else None
        if row_outside_scope(unit_id, volunteer, unit_ids):
            outside.append(row.line)
    return RosterPlan(
        updates=updates, conflicts=conflicts, creates=creates, outside_scope=sorted(outside)
    )
