"""A campaign at a glance: each station today, and the handouts of every day.

What ``campaign_overview`` reads, for the stations in the reader's scope (active ones only):
today's shifts (Vietnam-local day) with filled/needed per role, who is on duty now, stock on
hand with low-stock and discrepancy flags, today's handouts per item and services per kind,
and the handouts per day per item over the campaign (for the chart). ``stations_today`` is the
same day for a given list of stations (one page of a unit's station cards, see
``queries/unit_overview.py``, which sums these figures per unit for the overview page);
``handouts_per_day`` is the chart alone.

Cost: a fixed number of queries, however many stations the campaign has — the stations,
their shifts today, the coverage of those shifts, who is on duty, the stock (four, see
``queries/stock.py``, today's discrepancies among them), today's handouts, today's services,
the items, and the handouts per day with their items. The handouts (today's and per day) are
read from ``DailyStockTally``, the ledger already summed per station, item, kind and
Vietnam-local day by its writer: a few rows per station and day, however long the ledger
grows. Its CPU and the page built from it still grow with the stations: the overview page
shows figures per unit instead, and cards only a page at a time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from tortoise.functions import Sum

from stations import clock
from stations.enums import AssignmentStatus, MovementKind, ServiceKind, ShiftStatus
from stations.models import (
    Assignment,
    Campaign,
    DailyStockTally,
    ServiceRecord,
    Shift,
    Station,
    SupplyItem,
)
from stations.services.assignments import CHECKIN_OPENS_BEFORE
from stations.services.queries.assignments import shift_coverage
from stations.services.queries.local_day import as_date, local_day, local_day_bounds
from stations.services.queries.stock import StockLine, stock_for_stations


@dataclass(frozen=True)
class ShiftToday:
    shift: Shift
    #: role → (filled, needed)
    coverage: dict[str, tuple[int, int]]

    @property
    def filled(self) -> int:
        return sum(filled for filled, _needed in self.coverage.values())

    @property
    def needed(self) -> int:
        return sum(needed for _filled, needed in self.coverage.values())

    @property
    def starts_on(self) -> dt.date:
        """The Vietnam-local day it starts: last night's shift still running is not today's."""
        return self.shift.starts_at.astimezone(clock.VN_TZ).date()

    @property
    def short(self) -> bool:
        """Some role has fewer people than it needs."""
        return any(filled < needed for filled, needed in self.coverage.values())


@dataclass(frozen=True)
class ItemQuantity:
    item: SupplyItem
    quantity: int


@dataclass(frozen=True)
class StationToday:
    station: Station
    shifts: list[ShiftToday]
    on_duty: list[Assignment]
    stock: list[StockLine]
    handouts: list[ItemQuantity]
    #: service kind value → quantity (loudspeaker in minutes)
    services: dict[str, int]

    def handed_out(self, item_id: int) -> int:
        """How much of the item was handed out here today."""
        return sum(h.quantity for h in self.handouts if h.item.id == item_id)

    @property
    def low_stock(self) -> list[StockLine]:
        return [line for line in self.stock if line.low]

    @property
    def discrepancies(self) -> list[StockLine]:
        return [line for line in self.stock if line.discrepancy_today]

    @property
    def short_shifts(self) -> int:
        return sum(1 for shift in self.shifts if shift.short)


@dataclass(frozen=True)
class HandoutSeries:
    item: SupplyItem
    #: one value per day of ``CampaignOverview.days``
    quantities: list[int]


@dataclass(frozen=True)
class CampaignOverview:
    campaign: Campaign
    today: dt.date
    now: dt.datetime
    stations: list[StationToday]
    days: list[dt.date]
    handouts_per_day: list[HandoutSeries] = field(default_factory=list)

    @property
    def on_duty_count(self) -> int:
        return sum(len(station.on_duty) for station in self.stations)

    @property
    def low_stock_count(self) -> int:
        return sum(len(station.low_stock) for station in self.stations)

    @property
    def discrepancy_count(self) -> int:
        return sum(len(station.discrepancies) for station in self.stations)

    @property
    def short_shift_count(self) -> int:
        return sum(station.short_shifts for station in self.stations)


async def campaign_overview(
    campaign: Campaign, *, unit_ids: Iterable[int] | None
) -> CampaignOverview:
    """The campaign today for a reader whose scope is ``unit_ids`` (None: province-wide)."""
    now = clock.now()
    today = local_day(now)

    stations_query = Station.filter(campaign_id=campaign.id, is_active=True)
    if unit_ids is not None:
        stations_query = stations_query.filter(unit_id__in=sorted(unit_ids))
    stations = await stations_query.select_related("unit").order_by("code", "id")
    if not stations:
        return CampaignOverview(
            campaign=campaign, today=today, now=now, stations=[], days=_campaign_days(campaign)
        )
    days, series = await handouts_per_day(campaign, unit_ids)
    return CampaignOverview(
        campaign=campaign,
        today=today,
        now=now,
        stations=await stations_today(stations, now=now),
        days=days,
        handouts_per_day=series,
    )


async def stations_today(stations: list[Station], *, now: dt.datetime) -> list[StationToday]:
    """Each station's card for today, in the order given: nine queries however many
    stations (the stations' ``unit`` is expected fetched already)."""
    today = local_day(now)
    day_start, day_end = local_day_bounds(today)
    station_ids = [station.id for station in stations]
    if not station_ids:
        return []
    shifts = await Shift.filter(
        station_id__in=station_ids,
        status=ShiftStatus.ACTIVE,
        starts_at__lt=day_end,
        ends_at__gt=day_start,
    ).order_by("starts_at", "id")
    coverage = await shift_coverage(shift.id for shift in shifts)
    on_duty = await (
        Assignment.filter(
            shift__station_id__in=station_ids,
            status=AssignmentStatus.CHECKED_IN,
            shift__status=ShiftStatus.ACTIVE,
            shift__starts_at__lte=now + CHECKIN_OPENS_BEFORE,
            shift__ends_at__gt=now,
        )
        .select_related("shift", "volunteer")
        .order_by("shift__starts_at", "volunteer__search_name", "id")
    )
    # Flagged with today's discrepancies (the Vietnam-local day, as here) by the stock query.
    stock = await stock_for_stations(station_ids)
    # One tally row per station × item × kind × day: today's handouts need no grouping.
    handout_rows = await DailyStockTally.filter(
        station_id__in=station_ids, kind=MovementKind.HANDOUT, day=today
    ).values("station_id", "item_id", total="quantity")
    service_rows = (
        await ServiceRecord.filter(
            station_id__in=station_ids, occurred_at__gte=day_start, occurred_at__lt=day_end
        )
        .annotate(total=Sum("quantity"))
        .group_by("station_id", "kind")
        .values("station_id", "kind", "total")
    )
    item_ids = {row["item_id"] for row in handout_rows}
    items = {item.id: item for item in await SupplyItem.filter(id__in=sorted(item_ids) or [0])}

    shifts_by_station: dict[int, list[ShiftToday]] = defaultdict(list)
    for shift in shifts:
        shifts_by_station[shift.station_id].append(ShiftToday(shift, coverage.get(shift.id, {})))
    duty_by_station: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in on_duty:
        duty_by_station[assignment.shift.station_id].append(assignment)
    handouts_by_station: dict[int, list[ItemQuantity]] = defaultdict(list)
    for row in sorted(handout_rows, key=lambda r: r["item_id"]):
        if row["item_id"] in items:
            handouts_by_station[row["station_id"]].append(
                ItemQuantity(items[row["item_id"]], int(row["total"] or 0))
            )
    services_by_station: dict[int, dict[str, int]] = defaultdict(dict)
    for row in service_rows:
        kind = ServiceKind(row["kind"]).value
        services_by_station[row["station_id"]][kind] = int(row["total"] or 0)
    return [
        StationToday(
            station=station,
            shifts=shifts_by_station.get(station.id, []),
            on_duty=duty_by_station.get(station.id, []),
            stock=stock.get(station.id, []),
            handouts=handouts_by_station.get(station.id, []),
            services=services_by_station.get(station.id, {}),
        )
        for station in stations
    ]


async def handouts_per_day(
    campaign: Campaign, unit_ids: Iterable[int] | None
) -> tuple[list[dt.date], list[HandoutSeries]]:
    """The chart's days (the campaign's, stretched to any day with handouts) and one series
    per item handed out, over the campaign's active stations in ``unit_ids`` (None: all).
    Two queries: the per-day sums and their items."""
    per_day = await _handouts_per_day(campaign, unit_ids)
    item_ids = sorted({item_id for item_id, _day in per_day})
    items = {item.id: item for item in await SupplyItem.filter(id__in=item_ids)} if item_ids else {}
    days = _campaign_days(campaign, extra=[day for _item, day in per_day])
    series = [
        HandoutSeries(
            item=items[item_id], quantities=[per_day.get((item_id, day), 0) for day in days]
        )
        for item_id in item_ids
        if item_id in items
    ]
    return days, series


def _campaign_days(campaign: Campaign, *, extra: Iterable[dt.date] = ()) -> list[dt.date]:
    """Every day of the campaign, stretched to any day outside it that has handouts."""
    extra = list(extra)
    first = min([campaign.starts_on, *extra])
    last = max([campaign.ends_on, *extra])
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


async def _handouts_per_day(
    campaign: Campaign, unit_ids: Iterable[int] | None
) -> dict[tuple[int, dt.date], int]:
    """``{(item_id, local day): quantity handed out}`` over the campaign's active stations in scope."""
    tallies = DailyStockTally.filter(
        station__campaign_id=campaign.id, station__is_active=True, kind=MovementKind.HANDOUT
    )
    if unit_ids is not None:
        tallies = tallies.filter(station__unit_id__in=sorted(unit_ids) or [0])
    rows = (
        await tallies.annotate(total=Sum("quantity"))
        .group_by("item_id", "day")
        .values("item_id", "day", "total")
    )
    return {(int(row["item_id"]), as_date(row["day"])): int(row["total"] or 0) for row in rows}
