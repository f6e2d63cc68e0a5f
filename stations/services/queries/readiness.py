"""A campaign in planning, as the overview shows it: what is left to do before the first day.

For the active stations in the reader's scope: how many are ready (they have shifts, every
shift is filled, every planned opening stock received), how many have no shift, how many
shifts are not filled, how many station × item plans are still short; then the stations
that are *not* ready, a page at a time in code order, each with its shifts and its supplies
received against the plan; and the volunteers on their shifts who have not linked Telegram
yet (reminders and check-in need it), the first few named and all counted.

A nationwide campaign has a thousand stations and 36,000 shifts: every statement selects
them by their campaign in SQL (never a list of their ids, which passed PostgreSQL's limit
of 32,767 parameters), the figures are summed in SQL, and only one page of stations is
loaded. Nine statements however many stations: the figures, the page's ids, its stations,
their planned stock, receipts and items, and the unlinked volunteers (named, counted).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from tortoise.connection import connections
from tortoise.expressions import Subquery
from tortoise.functions import Sum

from stations import clock
from stations.enums import ACTIVE_ASSIGNMENT_STATUSES, MovementKind, ShiftStatus
from stations.models import (
    Assignment,
    Campaign,
    DailyStockTally,
    PlannedStock,
    Station,
    SupplyItem,
    Volunteer,
)
from stations.services.campaign_phases import days_to_go
from stations.services.errors import InvalidInput
from stations.services.queries.unit_figures import _Query, _shifts_sql, _stations
from stations.services.queries.unit_overview import PAGE_PAST_THE_END

#: How many unlinked volunteers the page names; the rest are counted.
NAMED_VOLUNTEERS: Final = 12
#: How many stations that are not ready one page lists.
STATIONS_PER_PAGE: Final = 25


@dataclass(frozen=True)
class SupplyReadiness:
    item: SupplyItem
    planned: int
    received: int

    @property
    def missing(self) -> int:
        return max(0, self.planned - self.received)


@dataclass(frozen=True)
class StationReadiness:
    station: Station
    shifts: int
    unfilled_shifts: int
    supplies: list[SupplyReadiness]

    @property
    def supplies_missing(self) -> int:
        """Items whose receipts are still short of the plan."""
        return sum(1 for supply in self.supplies if supply.missing)

    @property
    def ready(self) -> bool:
        return self.shifts > 0 and not self.unfilled_shifts and not self.supplies_missing


@dataclass(frozen=True)
class CampaignReadiness:
    campaign: Campaign
    today: dt.date
    days_to_go: int
    #: the active stations in scope, and how many of them are ready
    station_count: int
    ready_stations: int
    stations_without_shifts: int
    unfilled_shifts: int
    #: station × item plans whose receipts are still short
    supplies_missing: int
    #: one page of the stations that are not ready, in code order
    not_ready: list[StationReadiness]
    page: int
    page_count: int
    unlinked_volunteers: list[Volunteer]
    unlinked_count: int

    @property
    def not_ready_count(self) -> int:
        return self.station_count - self.ready_stations


def _per_station_sql(query: _Query, where: str) -> str:
    """A row per active station of the campaign in scope (``where``, on ``s``): its code,
    active shifts, shifts short of people, planned items whose receipts are short, and
    whether it is ready."""
    shifts = _shifts_sql(query, where, None, "station_id")
    missing = (
        'SELECT p."station_id", COUNT(*) AS missing FROM "planned_stock" p'
        ' JOIN "station" s ON s."id" = p."station_id"'
        ' LEFT JOIN (SELECT t."station_id", t."item_id", SUM(t."quantity") AS received'
        ' FROM "daily_stock_tally" t JOIN "station" s ON s."id" = t."station_id"'
        f" WHERE {where} AND t.\"kind\" = '{MovementKind.RECEIPT.value}'"
        ' GROUP BY t."station_id", t."item_id") r'
        ' ON r."station_id" = p."station_id" AND r."item_id" = p."item_id"'
        f' WHERE {where} AND p."quantity" > COALESCE(r."received", 0)'
        ' GROUP BY p."station_id"'
    )
    return (
        'SELECT s."id", s."code", COALESCE(h."shifts", 0) AS shifts,'
        ' COALESCE(h."short", 0) AS short, COALESCE(m."missing", 0) AS missing,'
        ' CASE WHEN COALESCE(h."shifts", 0) > 0 AND COALESCE(h."short", 0) = 0'
        ' AND COALESCE(m."missing", 0) = 0 THEN 1 ELSE 0 END AS ready'
        f' FROM "station" s LEFT JOIN ({shifts}) h ON h."key" = s."id"'
        f' LEFT JOIN ({missing}) m ON m."station_id" = s."id" WHERE {where}'
    )


async def _rows(campaign_id: int, unit_ids: Collection[int] | None, build: Any) -> list[Any]:
    query = _Query(connections.get("default"))
    where = _stations(query, campaign_id, unit_ids)
    return await query.rows(build(query, _per_station_sql(query, where)))


def _figures_sql(_query: _Query, per_station: str) -> str:
    return (
        "SELECT COUNT(*) AS stations, SUM(x.ready) AS ready,"
        " SUM(CASE WHEN x.shifts = 0 THEN 1 ELSE 0 END) AS without_shifts,"
        f" SUM(x.short) AS short, SUM(x.missing) AS missing FROM ({per_station}) x"
    )


def _page_sql(query: _Query, per_station: str, offset: int, limit: int) -> str:
    return (
        f'SELECT x."id", x.shifts, x.short FROM ({per_station}) x WHERE x.ready = 0'
        f' ORDER BY x."code", x."id" LIMIT {query.param(limit)} OFFSET {query.param(offset)}'
    )


def _int(value: object) -> int:
    return int(value or 0)  # type: ignore[call-overload]


async def _supplies(station_ids: list[int]) -> dict[int, list[SupplyReadiness]]:
    """Per station of one page, its items planned or received: received against planned."""
    planned = await PlannedStock.filter(station_id__in=station_ids).values_list(
        "station_id", "item_id", "quantity"
    )
    received_rows = (
        await DailyStockTally.filter(station_id__in=station_ids, kind=MovementKind.RECEIPT)
        .annotate(total=Sum("quantity"))
        .group_by("station_id", "item_id")
        .values_list("station_id", "item_id", "total")
    )
    received = {(int(s), int(i)): int(total or 0) for s, i, total in received_rows}
    item_ids = {int(i) for _s, i, _q in planned} | {i for _s, i in received}
    items = {item.id: item for item in await SupplyItem.filter(id__in=sorted(item_ids) or [0])}
    supplies: dict[int, dict[int, SupplyReadiness]] = defaultdict(dict)
    for station_id, item_id, quantity in planned:
        supplies[station_id][item_id] = SupplyReadiness(
            items[item_id], int(quantity), received.get((station_id, item_id), 0)
        )
    for (station_id, item_id), quantity in received.items():
        if item_id not in supplies[station_id] and item_id in items:
            supplies[station_id][item_id] = SupplyReadiness(items[item_id], 0, quantity)
    return {
        station_id: sorted(by_item.values(), key=lambda supply: supply.item.id)
        for station_id, by_item in supplies.items()
    }


async def campaign_readiness(
    campaign: Campaign,
    *,
    unit_ids: Collection[int] | None,
    page: int = 1,
    per_page: int = STATIONS_PER_PAGE,
) -> CampaignReadiness:
    """What is left to prepare, for a reader whose scope is ``unit_ids`` (None: province-wide),
    with page ``page`` of the stations not ready yet. A page past the last is refused."""
    today = clock.today_local()
    scope = None if unit_ids is None else sorted(unit_ids)
    (figures,) = await _rows(campaign.id, scope, _figures_sql)
    station_count, ready = _int(figures["stations"]), _int(figures["ready"])
    page_count = max(1, math.ceil((station_count - ready) / per_page))
    if page > page_count:
        raise InvalidInput(PAGE_PAST_THE_END, field="page", pages=page_count)
    rows = await _rows(
        campaign.id, scope, lambda q, sql: _page_sql(q, sql, (page - 1) * per_page, per_page)
    )
    ids = [int(row["id"]) for row in rows]
    not_ready: list[StationReadiness] = []
    if ids:
        stations = {
            station.id: station
            for station in await Station.filter(id__in=ids).select_related("unit")
        }
        supplies = await _supplies(ids)
        not_ready = [
            StationReadiness(
                station=stations[int(row["id"])],
                shifts=_int(row["shifts"]),
                unfilled_shifts=_int(row["short"]),
                supplies=supplies.get(int(row["id"]), []),
            )
            for row in rows
        ]

    on_shifts = Assignment.filter(
        status__in=ACTIVE_ASSIGNMENT_STATUSES,
        shift__status=ShiftStatus.ACTIVE,
        shift__station__campaign_id=campaign.id,
        shift__station__is_active=True,
    )
    if scope is not None:
        on_shifts = on_shifts.filter(shift__station__unit_id__in=scope or [0])
    # A subquery rather than DISTINCT over a join: PostgreSQL refuses DISTINCT with an
    # ORDER BY on columns it does not select.
    unlinked = Volunteer.filter(
        id__in=Subquery(on_shifts.values("volunteer_id")), telegram_user_id__isnull=True
    )
    # Named: the first few; counted: all (a country has tens of thousands, never loaded).
    named = await unlinked.order_by("search_name", "id").limit(NAMED_VOLUNTEERS)
    unlinked_count = await unlinked.count()

    return CampaignReadiness(
        campaign=campaign,
        today=today,
        days_to_go=days_to_go(campaign, today=today),
        station_count=station_count,
        ready_stations=ready,
        stations_without_shifts=_int(figures["without_shifts"]),
        unfilled_shifts=_int(figures["short"]),
        supplies_missing=_int(figures["missing"]),
        not_ready=not_ready,
        page=page,
        page_count=page_count,
        unlinked_volunteers=named,
        unlinked_count=unlinked_count,
    )
