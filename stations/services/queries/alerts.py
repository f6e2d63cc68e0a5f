"""Reads behind the scheduler's alerts: follow-ups after shifts, a station's day, gaps ahead."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from tortoise.functions import Sum

from stations import clock
from stations.enums import (
    AssignmentStatus,
    CampaignStatus,
    MovementKind,
    ServiceKind,
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
)
from stations.services.queries.assignments import shift_coverage
from stations.services.queries.stock import StockLine, stock_for_stations

#: A check-in older than this after its shift's end is history, not one to close now.
FOLLOW_UP_LOOKBACK = dt.timedelta(days=2)


@dataclass
class StationDay:
    station: Station
    volunteers: int = 0
    worked_minutes: int = 0
    #: (item, quantity handed out), in catalog order
    handouts: list[tuple[SupplyItem, int]] = field(default_factory=list)
    services: dict[ServiceKind, int] = field(default_factory=dict)
    low_stock: list[StockLine] = field(default_factory=list)


@dataclass(frozen=True)
class UnfilledShift:
    shift: Shift
    #: role → (filled, needed), only the roles short of people
    short: dict[str, tuple[int, int]]


async def checked_in_after_end(
    *, now: dt.datetime, ended_before: dt.datetime, ended_after: dt.datetime
) -> list[Assignment]:
    """Volunteers still checked in on shifts that ended in ``(ended_after, ended_before]``."""
    return (
        await Assignment.filter(
            status=AssignmentStatus.CHECKED_IN,
            shift__ends_at__lte=min(ended_before, now),
            shift__ends_at__gt=ended_after,
        )
        .select_related("shift__station", "volunteer")
        .order_by("shift__ends_at", "id")
    )


async def campaigns_running_on(day: dt.date) -> list[Campaign]:
    return await Campaign.filter(
        status=CampaignStatus.OPEN, starts_on__lte=day, ends_on__gte=day
    ).order_by("starts_on", "id")


async def campaigns_ended_since(*, now: dt.datetime, since: dt.datetime) -> list[Campaign]:
    """Campaigns closed since ``since``, or whose last day ended since then."""
    closed = await Campaign.filter(
        status=CampaignStatus.CLOSED, closed_at__gt=since, closed_at__lte=now
    )
    today = clock.local(now).date()
    first_day = clock.local(since).date()
    over = await Campaign.filter(
        status=CampaignStatus.OPEN, ends_on__lt=today, ends_on__gte=first_day
    )
    # An open campaign's last day ends at the next local midnight.
    over = [c for c in over if since < clock.local_midnight(c.ends_on + dt.timedelta(days=1))]
    return sorted({c.id: c for c in [*closed, *over]}.values(), key=lambda c: c.id)


async def station_days(campaign: Campaign, day: dt.date) -> list[StationDay]:
    """Each active station of ``campaign`` on Vietnam-local ``day``: volunteers served, hours,
    handouts, services and what is low now. Six queries, however many stations."""
    # In UTC: SQLite compares the stored ISO text, which tortoise writes in UTC.
    start = clock.local_midnight(day).astimezone(dt.UTC)
    end = clock.local_midnight(day + dt.timedelta(days=1)).astimezone(dt.UTC)
    stations = await Station.filter(campaign_id=campaign.id, is_active=True).order_by("code")
    days = {s.id: StationDay(station=s) for s in stations}
    if not days:
        return []
    ids = list(days)
    served = await Assignment.filter(
        shift__station_id__in=ids,
        shift__starts_at__gte=start,
        shift__starts_at__lt=end,
        status__in=[AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT],
    ).values("shift__station_id", "volunteer_id", "worked_minutes")
    people: dict[int, set[int]] = defaultdict(set)
    for row in served:
        station_id = row["shift__station_id"]
        people[station_id].add(row["volunteer_id"])
        days[station_id].worked_minutes += int(row["worked_minutes"] or 0)
    for station_id, volunteers in people.items():
        days[station_id].volunteers = len(volunteers)
    handed = (
        await StockMovement.filter(
            station_id__in=ids,
            kind=MovementKind.HANDOUT,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .annotate(total=Sum("quantity"))
        .group_by("station_id", "item_id")
        .values("station_id", "item_id", "total")
    )
    items = {i.id: i for i in await SupplyItem.filter(id__in={r["item_id"] for r in handed} or {0})}
    for row in sorted(handed, key=lambda r: r["item_id"]):
        days[row["station_id"]].handouts.append((items[row["item_id"]], int(row["total"] or 0)))
    services = (
        await ServiceRecord.filter(station_id__in=ids, occurred_at__gte=start, occurred_at__lt=end)
        .annotate(total=Sum("quantity"))
        .group_by("station_id", "kind")
        .values("station_id", "kind", "total")
    )
    for row in services:
        days[row["station_id"]].services[ServiceKind(row["kind"])] = int(row["total"] or 0)
    for station_id, lines in (await stock_for_stations(ids)).items():
        days[station_id].low_stock = [line for line in lines if line.low]
    return list(days.values())


async def unfilled_shifts(*, start: dt.datetime, end: dt.datetime) -> list[UnfilledShift]:
    """Active shifts of open campaigns' active stations starting in ``[start, end)`` that
    still need people, by start."""
    shifts = (
        await Shift.filter(
            status=ShiftStatus.ACTIVE,
            starts_at__gte=start,
            starts_at__lt=end,
            station__is_active=True,
            station__campaign__status=CampaignStatus.OPEN,
        )
        .select_related("station")
        .order_by("starts_at", "station__code", "id")
    )
    coverage = await shift_coverage(s.id for s in shifts)
    result = []
    for shift in shifts:
        short = {
            role: (filled, needed)
            for role, (filled, needed) in coverage.get(shift.id, {}).items()
            if filled < needed
        }
        if short:
            result.append(UnfilledShift(shift=shift, short=short))
    return result


async def low_stock_now() -> list[StockLine]:
    """Every station × item under its threshold, at active stations of open campaigns."""
    station_ids: list[int] = await Station.filter(  # type: ignore[assignment]
        is_active=True, campaign__status=CampaignStatus.OPEN
    ).values_list("id", flat=True)
    stock = await stock_for_stations(station_ids)
    return [line for lines in stock.values() for line in lines if line.low]


async def last_crossing(station_id: int, item_id: int, threshold: int) -> int | None:
    """The id of the last ledger line that took the stock from ``threshold`` or more to
    below it; 0 if the stock was never that high; None if the station never had the item."""
    deltas = (
        await StockMovement.filter(station_id=station_id, item_id=item_id)
        .order_by("id")
        .values_list("id", "delta")
    )
    if not deltas:
        return None
    balance, crossing = 0, 0
    for line_id, delta in deltas:
        before, balance = balance, balance + int(delta)
        if before >= threshold > balance:
            crossing = int(line_id)
    return crossing
