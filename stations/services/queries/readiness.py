"""A campaign in planning, as the overview shows it: what is left to do before the first day.

For the stations in the reader's scope (active ones): which have no shift, which shifts are
not filled, the volunteers on its shifts who have not linked Telegram yet (reminders and
check-in need it), and per station × item the supplies received against the planned opening
stock.

Cost: seven queries however many stations — the stations, their shifts and how many are
short (summed per station in SQL, ``queries/unit_figures.py``), the planned stock, the
receipts (from ``DailyStockTally``, already summed per day), the items, and the unlinked
volunteers (the first few, and their count).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

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
from stations.services.queries.unit_figures import shifts_per_station

#: How many unlinked volunteers the page names; the rest are counted.
NAMED_VOLUNTEERS = 12


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
    stations: list[StationReadiness]
    unlinked_volunteers: list[Volunteer]
    unlinked_count: int

    @property
    def stations_without_shifts(self) -> int:
        return sum(1 for station in self.stations if not station.shifts)

    @property
    def unfilled_shifts(self) -> int:
        return sum(station.unfilled_shifts for station in self.stations)

    @property
    def supplies_missing(self) -> int:
        return sum(station.supplies_missing for station in self.stations)

    @property
    def ready_stations(self) -> int:
        return sum(1 for station in self.stations if station.ready)


async def campaign_readiness(
    campaign: Campaign, *, unit_ids: Iterable[int] | None
) -> CampaignReadiness:
    """What is left to prepare, for a reader whose scope is ``unit_ids`` (None: province-wide)."""
    today = clock.today_local()
    scope = None if unit_ids is None else sorted(unit_ids)
    query = Station.filter(campaign_id=campaign.id, is_active=True)
    if scope is not None:
        query = query.filter(unit_id__in=scope or [0])
    stations = await query.select_related("unit").order_by("code", "id")
    station_ids = [station.id for station in stations] or [0]

    shifts = await shifts_per_station(campaign.id, unit_ids=scope)
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
    on_shifts = Assignment.filter(
        status__in=ACTIVE_ASSIGNMENT_STATUSES,
        shift__status=ShiftStatus.ACTIVE,
        shift__station_id__in=station_ids,
    ).values("volunteer_id")
    # A subquery rather than DISTINCT over a join: PostgreSQL refuses DISTINCT with an
    # ORDER BY on columns it does not select.
    unlinked = Volunteer.filter(id__in=Subquery(on_shifts), telegram_user_id__isnull=True)
    # Named: the first few; counted: all (a country has tens of thousands, never loaded).
    named = await unlinked.order_by("search_name", "id").limit(NAMED_VOLUNTEERS)
    unlinked_count = await unlinked.count()

    supplies: dict[int, dict[int, SupplyReadiness]] = defaultdict(dict)
    for station_id, item_id, quantity in planned:
        supplies[station_id][item_id] = SupplyReadiness(
            items[item_id], int(quantity), received.get((station_id, item_id), 0)
        )
    for (station_id, item_id), quantity in received.items():
        if item_id not in supplies[station_id] and item_id in items:
            supplies[station_id][item_id] = SupplyReadiness(items[item_id], 0, quantity)

    return CampaignReadiness(
        campaign=campaign,
        today=today,
        days_to_go=days_to_go(campaign, today=today),
        stations=[
            StationReadiness(
                station=station,
                shifts=shifts.get(station.id, (0, 0))[0],
                unfilled_shifts=shifts.get(station.id, (0, 0))[1],
                supplies=sorted(supplies[station.id].values(), key=lambda s: s.item.id),
            )
            for station in stations
        ],
        unlinked_volunteers=named,
        unlinked_count=unlinked_count,
    )
