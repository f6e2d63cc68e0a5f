"""Reads behind the coordinators' inventory and report pages, limited to what a person may see.

Every function takes ``unit_ids``: the units in the reader's scope, or None for province-wide
readers. A station outside the scope is left out of every list, total and choice, exactly as
if it did not exist. Each page costs a fixed number of queries, however many stations,
items or ledger lines the campaign has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from tortoise.queryset import QuerySet

from stations import clock
from stations.enums import MovementKind
from stations.i18n import _
from stations.models import Campaign, ServiceRecord, Station, StockMovement, SupplyItem, Unit
from stations.services.errors import InvalidInput
from stations.services.queries.reports import (
    CampaignReport,
    StationPage,
    campaign_report,
)
from stations.services.queries.stock import StockLine, stock_for_stations

LEDGER_PER_PAGE: Final = 50
#: The station page shows what happened lately; the ledger page has the rest.
RECENT_LINES: Final = 15

CHOOSE_ITEM = _("Choose a supply item from the list.")
CHOOSE_STATION = _("Choose a station from the list.")
CHOOSE_PARTNER = _("Choose a partner unit from the list, or none.")
STATION_NOT_IN_SCOPE = _("You can only move stock to stations of your own units.")


@dataclass(frozen=True)
class StationStock:
    station: Station
    #: item id → the station's line for it; an inactive item the station does not hold has none
    lines: dict[int, StockLine]

    @property
    def low_count(self) -> int:
        return sum(1 for line in self.lines.values() if line.low)

    @property
    def discrepancy_count(self) -> int:
        return sum(1 for line in self.lines.values() if line.discrepancy_today)


@dataclass(frozen=True)
class CampaignStock:
    campaign: Campaign
    #: the columns: every item any listed station shows, in catalog order
    items: list[SupplyItem]
    stations: list[StationStock]


@dataclass(frozen=True)
class StationInventory:
    station: Station
    lines: list[StockLine]
    #: items a new line may name: the active ones, in catalog order
    items: list[SupplyItem]
    #: open stations of the same campaign in the reader's scope, this one left out
    transfer_targets: list[Station]
    partners: list[Unit]
    recent_movements: list[StockMovement]
    recent_services: list[ServiceRecord]


@dataclass(frozen=True)
class LedgerFilters:
    station_id: int | None = None
    item_id: int | None = None
    kind: MovementKind | None = None
    #: Vietnam-local days, both included
    first_day: dt.date | None = None
    last_day: dt.date | None = None


@dataclass(frozen=True)
class LedgerPage:
    lines: list[StockMovement]
    page: int
    per_page: int
    has_next: bool


# -- single rows --------------------------------------------------------------------------


async def chosen_item(item_id: int) -> SupplyItem:
    """An item picked in a form; one that does not exist is the form's error, not a 404."""
    item = await SupplyItem.get_or_none(id=item_id)
    if item is None:
        raise InvalidInput(CHOOSE_ITEM, field="item")
    return item


async def chosen_partner(unit_id: int) -> Unit:
    unit = await Unit.get_or_none(id=unit_id)
    if unit is None:
        raise InvalidInput(CHOOSE_PARTNER, field="partner")
    return unit


async def chosen_transfer_target(station_id: int, *, unit_ids: Collection[int] | None) -> Station:
    """The station picked to receive a transfer: an active one in the reader's scope.

    Whether it is another station of the same, open campaign is the ledger writer's rule.
    """
    station = await Station.get_or_none(id=station_id).select_related("campaign")
    if station is None or not station.is_active:
        raise InvalidInput(CHOOSE_STATION, field="to_station")
    if unit_ids is not None and station.unit_id not in unit_ids:
        raise InvalidInput(STATION_NOT_IN_SCOPE, field="to_station")
    return station


# -- pages ---------------------------------------------------------------------------------


def _stations_in_scope(campaign_id: int, unit_ids: Collection[int] | None) -> QuerySet[Station]:
    query = Station.filter(campaign_id=campaign_id)
    if unit_ids is not None:
        query = query.filter(unit_id__in=list(unit_ids) or [0])
    return query


async def campaign_stock(campaign: Campaign, *, unit_ids: Collection[int] | None) -> CampaignStock:
    """Stock on hand at each of the campaign's stations in scope, by code; six queries."""
    stations = await _stations_in_scope(campaign.id, unit_ids).order_by("code", "id")
    stock = await stock_for_stations([station.id for station in stations])
    items: dict[int, SupplyItem] = {}
    rows: list[StationStock] = []
    for station in stations:
        lines = stock.get(station.id, [])
        for line in lines:
            items.setdefault(line.item.id, line.item)
        rows.append(StationStock(station, {line.item.id: line for line in lines}))
    return CampaignStock(campaign, sorted(items.values(), key=lambda item: item.id), rows)


async def station_inventory(
    station: Station, *, unit_ids: Collection[int] | None, recent: int = RECENT_LINES
) -> StationInventory:
    """What the station inventory page shows and offers; nine queries."""
    stock = await stock_for_stations([station.id])
    lines = stock.get(station.id, [])
    targets = (
        await _stations_in_scope(station.campaign_id, unit_ids)
        .filter(is_active=True)
        .exclude(id=station.id)
        .order_by("code", "id")
    )
    movements = (
        await StockMovement.filter(station_id=station.id)
        .select_related("item", "counterpart", "by_user", "by_volunteer")
        .order_by("-occurred_at", "-id")
        .limit(recent)
    )
    services = (
        await ServiceRecord.filter(station_id=station.id)
        .select_related("partner", "by_user", "by_volunteer")
        .order_by("-occurred_at", "-id")
        .limit(recent)
    )
    return StationInventory(
        station=station,
        lines=lines,
        items=[line.item for line in lines if line.item.is_active],
        transfer_targets=list(targets),
        partners=list(await Unit.all().order_by("name", "id")),
        recent_movements=list(movements),
        recent_services=list(services),
    )


async def ledger_page(
    campaign: Campaign,
    filters: LedgerFilters,
    *,
    unit_ids: Collection[int] | None,
    page: int = 1,
    per_page: int = LEDGER_PER_PAGE,
) -> LedgerPage:
    """One page of the campaign's ledger in scope, newest first; one query."""
    query = StockMovement.filter(station__campaign_id=campaign.id)
    if unit_ids is not None:
        query = query.filter(station__unit_id__in=list(unit_ids) or [0])
    if filters.station_id is not None:
        query = query.filter(station_id=filters.station_id)
    if filters.item_id is not None:
        query = query.filter(item_id=filters.item_id)
    if filters.kind is not None:
        query = query.filter(kind=filters.kind)
    if filters.first_day is not None:
        query = query.filter(occurred_at__gte=_utc_midnight(filters.first_day))
    if filters.last_day is not None:
        query = query.filter(occurred_at__lt=_utc_midnight(filters.last_day + dt.timedelta(1)))
    # One line more than the page tells whether there is a next page without counting all.
    lines = list(
        await query.select_related("station", "item", "counterpart", "by_user", "by_volunteer")
        .order_by("-occurred_at", "-id")
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    return LedgerPage(lines[:per_page], page, per_page, has_next=len(lines) > per_page)


def _utc_midnight(day: dt.date) -> dt.datetime:
    # SQLite compares the stored ISO text: the bound moment must be in UTC like the column.
    return clock.local_midnight(day).astimezone(dt.UTC)


async def ledger_choices(
    campaign: Campaign, *, unit_ids: Collection[int] | None
) -> tuple[list[Station], list[SupplyItem]]:
    """The stations (in scope) and items the ledger's filters offer."""
    stations = await _stations_in_scope(campaign.id, unit_ids).order_by("code", "id")
    items = await SupplyItem.all().order_by("id")
    return list(stations), list(items)


# -- reports -------------------------------------------------------------------------------


async def report_in_scope(
    campaign: Campaign,
    *,
    unit_ids: Collection[int] | None,
    stations: StationPage | None = None,
) -> CampaignReport:
    """The campaign report counting only the stations in scope (see ``campaign_report``);
    every station listed, or one page of them."""
    return await campaign_report(campaign, unit_ids=unit_ids, stations=stations)
