"""What the bot reads for a volunteer or a station lead: their shifts, their station, who is
on duty or late, and today's totals. Each answer is a fixed number of queries, whatever
the number of shifts, people or ledger lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.connection import connections
from tortoise.functions import Sum

from stations import clock
from stations.enums import (
    AssignmentStatus,
    CampaignStatus,
    MovementKind,
    ServiceKind,
    ShiftRole,
    ShiftStatus,
)
from stations.models import (
    Assignment,
    Campaign,
    ServiceRecord,
    Shift,
    Station,
    StockMovement,
    SupplyItem,
    Volunteer,
)
from stations.services.assignments import CHECKIN_OPENS_BEFORE
from stations.services.queries.assignments import assignments_for_volunteer
from stations.services.sql import Parameters

#: Statuses of someone expected at a shift who has not arrived.
_EXPECTED = [AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED, AssignmentStatus.NO_SHOW]
_SERVED = [AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT]
#: Statuses of someone still ahead of or on a shift (``current_or_next_assignment``'s).
_AHEAD = [AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED, AssignmentStatus.CHECKED_IN]
#: How far ahead a lead's shift makes them the lead of its station.
LEAD_HORIZON = dt.timedelta(hours=24)
SHIFTS_SHOWN = 20


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite compares stored text: a moment given in Vietnam time must be written in UTC too.
    return moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class StationDuty:
    station: Station
    on_duty: list[Assignment]
    #: expected on a shift already started, not checked in
    late: list[Assignment]


@dataclass(frozen=True)
class ItemTotal:
    item: SupplyItem
    quantity: int


@dataclass(frozen=True)
class StationDayTotals:
    station: Station
    day: dt.date
    handed_out: list[ItemTotal]
    received: list[ItemTotal]
    services: dict[ServiceKind, int]
    volunteer_turns: int


async def upcoming_shifts(volunteer: Volunteer, *, now: dt.datetime) -> list[Assignment]:
    """The volunteer's shifts still ahead or under way, shift and station loaded (one query)."""
    now = _utc(now)
    return await assignments_for_volunteer(volunteer, now=now, limit=SHIFTS_SHOWN)


#: Where a volunteer's station can come from, in order of precedence: 1, a shift they are
#: expected at or on, check-in open (the first such is the first ahead of them: a later one
#: cannot be open when an earlier one is not); 2, a shift under way they were marked a
#: no-show on (a late arrival); 3, a shift they lead, under way or within a day; 4, a
#: station they are the named lead of, in an open campaign.
ALL_SOURCES = (1, 2, 3, 4)
LEAD_SOURCES = (3, 4)


async def _first_station(
    volunteer: Volunteer, now: dt.datetime, sources: Sequence[int]
) -> Station | None:
    """The station of the first of ``sources`` (see ``ALL_SOURCES``) that has one, in one
    query: the sources are one ``UNION ALL`` ranked in their order of precedence, which the
    ORM cannot say in one statement."""
    now = _utc(now)
    connection = connections.get("default")
    p = Parameters(connection.capabilities.dialect)

    def among(statuses: Sequence[AssignmentStatus]) -> str:
        return ", ".join(p(status.value) for status in statuses)

    shift_table, assignment_table = Shift._meta.db_table, Assignment._meta.db_table
    station_table, campaign_table = Station._meta.db_table, Campaign._meta.db_table

    def shifts(rank: int, condition: str) -> str:
        return (
            f'SELECT sh."station_id" AS station_id, {rank} AS rank, sh."starts_at" AS starts_at,'
            f' CAST(NULL AS DATE) AS campaign_starts_on, a."id" AS tie FROM "{assignment_table}" AS a'
            f' JOIN "{shift_table}" AS sh ON sh."id" = a."shift_id"'
            f' WHERE a."volunteer_id" = {p(volunteer.id)}'
            f' AND sh."status" = {p(ShiftStatus.ACTIVE.value)}'
            f' AND sh."ends_at" > {p(now)} AND {condition}'
        )

    every = {
        1: lambda: shifts(
            1,
            f'a."status" IN ({among(_AHEAD)})'
            f' AND sh."starts_at" <= {p(now + CHECKIN_OPENS_BEFORE)}',
        ),
        2: lambda: shifts(
            2,
            f'a."status" = {p(AssignmentStatus.NO_SHOW.value)} AND sh."starts_at" <= {p(now)}',
        ),
        3: lambda: shifts(
            3,
            f'a."role" = {p(ShiftRole.LEAD.value)}'
            f' AND a."status" IN ({among([*_EXPECTED, *_SERVED])})'
            f' AND sh."starts_at" <= {p(now + LEAD_HORIZON)}',
        ),
        4: lambda: (
            f'SELECT s."id" AS station_id, 4 AS rank, NULL AS starts_at,'
            f' c."starts_on" AS campaign_starts_on, s."id" AS tie FROM "{station_table}" AS s'
            f' JOIN "{campaign_table}" AS c ON c."id" = s."campaign_id"'
            f' WHERE s."lead_id" = {p(volunteer.id)} AND s."is_active" = {p(True)}'
            f' AND c."status" = {p(CampaignStatus.OPEN.value)}'
        ),
    }
    candidates = " UNION ALL ".join(every[source]() for source in sources)
    columns = ", ".join(
        f'station."{column}"' for column in Station._meta.fields_db_projection.values()
    )
    rows = await connection.execute_query_dict(
        f'SELECT {columns} FROM "{station_table}" AS station JOIN ({candidates}) AS candidate'
        ' ON candidate.station_id = station."id" ORDER BY candidate.rank,'
        " candidate.starts_at, candidate.campaign_starts_on DESC, candidate.tie LIMIT 1",
        p.values,
    )
    if not rows:
        return None
    return Station._init_from_db(**rows[0])


async def working_station(volunteer: Volunteer, *, now: dt.datetime) -> Station | None:
    """The station a volunteer reports supplies for now: their shift under way (check-in
    open; as ``current_or_next_assignment`` chooses it), else a station they lead (as
    ``led_station`` chooses it). One query, on every report the bot writes."""
    return await _first_station(volunteer, now, ALL_SOURCES)


async def led_station(volunteer: Volunteer, *, now: dt.datetime) -> Station | None:
    """The station a volunteer leads: as ``lead`` on a shift under way or within a day,
    else as the station's named lead in an open campaign (the newest). One query."""
    return await _first_station(volunteer, now, LEAD_SOURCES)


async def open_check_in(volunteer: Volunteer) -> Assignment | None:
    """The assignment the volunteer is checked in to and has not checked out of (one query)."""
    return (
        await Assignment.filter(volunteer_id=volunteer.id, status=AssignmentStatus.CHECKED_IN)
        .select_related("shift__station")
        .order_by("-checked_in_at", "-id")
        .first()
    )


async def assignment_at_station(
    volunteer: Volunteer, station: Station, *, now: dt.datetime
) -> Assignment | None:
    """The volunteer's shift at ``station`` under way or starting within a day (one query)."""
    now = _utc(now)
    return (
        await Assignment.filter(
            volunteer_id=volunteer.id,
            shift__station_id=station.id,
            status__in=[*_EXPECTED, AssignmentStatus.CHECKED_IN],
            shift__status=ShiftStatus.ACTIVE,
            shift__ends_at__gt=now,
            shift__starts_at__lte=now + dt.timedelta(hours=24),
        )
        .select_related("shift__station")
        .order_by("shift__starts_at", "id")
        .first()
    )


async def station_duty(station: Station, *, now: dt.datetime) -> StationDuty:
    """Who is on duty at the station and who is late, in one query."""
    now = _utc(now)
    rows = (
        await Assignment.filter(
            shift__station_id=station.id,
            shift__status=ShiftStatus.ACTIVE,
            shift__starts_at__lte=now + CHECKIN_OPENS_BEFORE,
            shift__ends_at__gt=now,
            status__in=[*_EXPECTED, AssignmentStatus.CHECKED_IN],
        )
        .select_related("shift", "volunteer")
        .order_by("shift__starts_at", "volunteer__search_name", "id")
    )
    on_duty = [a for a in rows if a.status == AssignmentStatus.CHECKED_IN]
    late = [a for a in rows if a.status in _EXPECTED and a.shift.starts_at <= now]
    return StationDuty(station=station, on_duty=on_duty, late=late)


async def station_leads(station: Station, *, now: dt.datetime) -> list[Volunteer]:
    """The station's leads: ``lead`` on its shift under way, else on its nearest upcoming
    one; the station's named lead when no shift has one. Two queries at most."""
    now = _utc(now)
    rows = (
        await Assignment.filter(
            shift__station_id=station.id,
            role=ShiftRole.LEAD,
            status__in=[*_EXPECTED, *_SERVED],
            shift__status=ShiftStatus.ACTIVE,
            shift__ends_at__gt=now,
        )
        .select_related("shift", "volunteer")
        .order_by("shift__starts_at", "id")
        .limit(50)
    )
    if rows:
        first_start = rows[0].shift.starts_at
        return [a.volunteer for a in rows if a.shift.starts_at == first_start]
    if station.lead_id is None:
        return []
    lead = await Volunteer.get_or_none(id=station.lead_id)
    return [lead] if lead is not None else []


async def station_day_totals(station: Station, *, day: dt.date | None = None) -> StationDayTotals:
    """What the station handed out, received and served on a Vietnamese calendar day (today
    by default), and how many volunteer turns served there: four queries."""
    day = day or clock.today_local()
    # In UTC, as stored: SQLite compares the stored text, so the offsets must agree.
    start = clock.local_midnight(day).astimezone(dt.UTC)
    end = clock.local_midnight(day + dt.timedelta(days=1)).astimezone(dt.UTC)
    moved = (
        await StockMovement.filter(
            station_id=station.id,
            kind__in=[MovementKind.HANDOUT, MovementKind.RECEIPT],
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .annotate(total=Sum("quantity"))
        .group_by("item_id", "kind")
        .values("item_id", "kind", "total")
    )
    services = (
        await ServiceRecord.filter(
            station_id=station.id, occurred_at__gte=start, occurred_at__lt=end
        )
        .annotate(total=Sum("quantity"))
        .group_by("kind")
        .values("kind", "total")
    )
    turns = await Assignment.filter(
        shift__station_id=station.id,
        status__in=_SERVED,
        shift__starts_at__gte=start,
        shift__starts_at__lt=end,
    ).count()
    item_ids = sorted({row["item_id"] for row in moved})
    items = {item.id: item for item in await SupplyItem.filter(id__in=item_ids or [0])}
    handed: list[ItemTotal] = []
    received: list[ItemTotal] = []
    for row in sorted(moved, key=lambda r: r["item_id"]):
        line = ItemTotal(item=items[row["item_id"]], quantity=int(row["total"] or 0))
        if MovementKind(row["kind"]) is MovementKind.HANDOUT:
            handed.append(line)
        else:
            received.append(line)
    return StationDayTotals(
        station=station,
        day=day,
        handed_out=handed,
        received=received,
        services={ServiceKind(row["kind"]): int(row["total"] or 0) for row in services},
        volunteer_turns=turns,
    )


async def own_assignment(volunteer: Volunteer, assignment_id: object) -> Assignment | None:
    """The volunteer's assignment ``assignment_id`` with its shift, station and volunteer;
    None when it is gone, someone else's, or the id is not one (one query)."""
    if isinstance(assignment_id, bool) or not isinstance(assignment_id, int):
        return None
    return await Assignment.get_or_none(id=assignment_id, volunteer_id=volunteer.id).select_related(
        "shift__station", "volunteer"
    )


async def station_by_id(station_id: int) -> Station | None:
    if isinstance(station_id, bool) or not isinstance(station_id, int):
        return None
    return await Station.get_or_none(id=station_id)


async def active_item(item_id: int) -> SupplyItem | None:
    """A supply item still in use, or None (one query)."""
    if isinstance(item_id, bool) or not isinstance(item_id, int):
        return None
    return await SupplyItem.get_or_none(id=item_id, is_active=True)


async def active_items() -> list[SupplyItem]:
    """The items in use, in catalog order (one query)."""
    return await SupplyItem.filter(is_active=True).order_by("id")
