"""The campaign overview by unit, and the stations of one unit a page at a time.

A nationwide campaign has a thousand stations: the overview shows one row per child unit of
the unit being looked at (province → ward, as the tree goes), each with today's figures
summed over the unit's subtree, and a row for the stations attached to that unit itself.
Stations are listed only inside one unit, 25 to a page. Both cost a fixed number of
statements however many stations and units there are (``queries/unit_figures.py``).

A reader lands on the top of their scope (a ward coordinator on their ward; a province-wide
reader on the campaign's single top unit, or on all top units when there are several) and
never reaches a unit outside it: such an id is answered as an unknown one.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final

from tortoise.functions import Count

from stations import clock
from stations.i18n import _
from stations.models import Campaign, Station, SupplyItem
from stations.services.errors import InvalidInput, NotFound
from stations.services.opening_hours import open_state
from stations.services.queries.overview import (
    HandoutSeries,
    StationToday,
    handouts_per_day,
    stations_today,
)
from stations.services.queries.unit_figures import Figures, figures_per_unit, flagged_stations
from stations.services.queries.unit_tree import UnitNode, UnitTree, unit_tree

STATIONS_PER_PAGE: Final = 25
NO_SUCH_UNIT = _("There is no unit with id {id}.")
PAGE_PAST_THE_END = _("There are only {pages} pages.")


class StationFilter(enum.StrEnum):
    """``?show=`` of a unit's station list."""

    SHORT = "short"
    LOW = "low"
    DISCREPANCY = "discrepancy"


@dataclass(frozen=True)
class UnitRow:
    #: the child unit; None for the stations attached to the unit looked at itself
    unit: UnitNode | None
    figures: Figures


@dataclass(frozen=True)
class Place:
    """Where in the tree a reader is: the unit (None: every top unit of their scope) and the
    way back up to the top of their scope."""

    unit: UnitNode | None
    #: the units above ``unit``, top first, inside the reader's scope only
    above: list[UnitNode]
    #: whether the reader may go up to the "every top unit" level (province-wide readers)
    whole_campaign_above: bool
    unit_ids: frozenset[int] | None


@dataclass(frozen=True)
class UnitOverview:
    campaign: Campaign
    today: dt.date
    now: dt.datetime
    place: Place
    rows: list[UnitRow]
    #: the sum of the rows: the figures of the unit looked at
    total: Figures
    items: dict[int, SupplyItem]
    days: list[dt.date]
    handouts_per_day: list[HandoutSeries] = field(default_factory=list)


@dataclass(frozen=True)
class UnitStations:
    campaign: Campaign
    now: dt.datetime
    place: Place
    show: StationFilter | None
    page: int
    page_count: int
    #: how many stations match, over every page
    count: int
    stations: list[StationToday]


def _place(tree: UnitTree, scope: frozenset[int] | None, unit_id: int | None) -> Place:
    """The unit asked for, or NotFound when it does not exist or is outside ``scope``."""
    if unit_id is None:
        tops = tree.scope_tops(scope)
        if scope is not None and len(tops) == 1:
            unit_id = tops[0]
        else:
            return Place(None, [], False, scope)
    if unit_id not in tree.nodes or (scope is not None and unit_id not in scope):
        raise NotFound(NO_SUCH_UNIT, field="unit", id=unit_id)
    path = tree.path(unit_id)
    above = [node for node in path[:-1] if scope is None or node.id in scope]
    return Place(path[-1], above, scope is None, tree.subtree(unit_id))


def _rows(
    tree: UnitTree, place: Place, scope: frozenset[int] | None, figures: dict[int, Figures]
) -> list[UnitRow]:
    """Each unit's figures added into the row of the child of ``place.unit`` it lies under."""
    current = place.unit.id if place.unit else None
    tops = set(tree.scope_tops(scope))
    by_row: dict[int | None, Figures] = defaultdict(Figures)
    for unit_id, unit_figures in figures.items():
        if current is None:
            row = next((n.id for n in tree.path(unit_id) if n.id in tops), None)
            if row is None:
                continue
        elif unit_id == current:
            row = None
        else:
            row = tree.child_toward(unit_id, current)
            if row is None:
                continue
        by_row[row].add(unit_figures)
    rows = [
        UnitRow(tree.nodes[row], by_row[row])
        for row in sorted(
            (row for row in by_row if row is not None),
            key=lambda row: (tree.nodes[row].name, row),
        )
    ]
    if None in by_row:
        rows.append(UnitRow(None, by_row[None]))
    return rows


async def _stations_per_unit(
    campaign: Campaign, unit_ids: Collection[int] | None, now: dt.datetime
) -> dict[int, tuple[int, int]]:
    """unit → (active stations, open now by their hours): a row per unit and set of hours."""
    query = Station.filter(campaign_id=campaign.id, is_active=True)
    if unit_ids is not None:
        query = query.filter(unit_id__in=sorted(unit_ids) or [0])
    rows = (
        await query.annotate(count=Count("id"))
        .group_by("unit_id", "opens_at", "closes_at")
        .values("unit_id", "opens_at", "closes_at", "count")
    )
    counts: dict[int, tuple[int, int]] = {}
    # Most stations share a few sets of hours: each set is judged once.
    opened_by_hours: dict[tuple[dt.time | None, dt.time | None], bool] = {}
    for row in rows:
        hours = (row["opens_at"], row["closes_at"])
        if hours not in opened_by_hours:
            opened_by_hours[hours] = open_state(
                now,
                first_day=campaign.starts_on,
                last_day=campaign.ends_on,
                opens_at=hours[0],
                closes_at=hours[1],
            ).is_open
        stations, opened = counts.get(row["unit_id"], (0, 0))
        count = int(row["count"])
        counts[row["unit_id"]] = (
            stations + count,
            opened + (count if opened_by_hours[hours] else 0),
        )
    return counts


async def unit_overview(
    campaign: Campaign,
    *,
    scope: frozenset[int] | None,
    unit_id: int | None,
    tree: UnitTree | None = None,
) -> UnitOverview:
    """The overview of ``unit_id`` (None: where the reader lands) for a reader whose scope is
    ``scope`` (None: province-wide), with the unit ``tree`` when the caller has read it.
    Eleven statements (ten with the tree)."""
    now = clock.now()
    tree = tree or await unit_tree()
    place = _place(tree, scope, unit_id)
    counts = await _stations_per_unit(campaign, place.unit_ids, now)
    figures = await figures_per_unit(campaign.id, unit_ids=place.unit_ids, open_now=counts, now=now)
    rows = _rows(tree, place, scope, figures)
    if unit_id is None and place.unit is None and len(rows) == 1 and rows[0].unit is not None:
        # One top unit (a province's campaign): land on it rather than on a one-row table.
        top = rows[0].unit
        place = Place(top, [], True, tree.subtree(top.id))
        rows = _rows(tree, place, scope, figures)
    total = Figures()
    for row in rows:
        total.add(row.figures)
    days, series = await handouts_per_day(campaign, place.unit_ids)
    item_ids = sorted({item_id for row in rows for item_id in row.figures.handouts})
    items = {item.id: item for item in await SupplyItem.filter(id__in=item_ids)} if item_ids else {}
    return UnitOverview(
        campaign=campaign,
        today=now.astimezone(clock.VN_TZ).date(),
        now=now,
        place=place,
        rows=rows,
        total=total,
        items=items,
        days=days,
        handouts_per_day=series,
    )


async def unit_stations(
    campaign: Campaign,
    *,
    scope: frozenset[int] | None,
    unit_id: int | None,
    show: StationFilter | None = None,
    page: int = 1,
    per_page: int = STATIONS_PER_PAGE,
) -> UnitStations:
    """One page of the cards of the campaign's active stations under ``unit_id`` (None: the
    reader's whole scope), only those ``show`` picks: a fixed number of statements (the
    tree, the ids in code order, the flagged ones, then one page's cards)."""
    now = clock.now()
    tree = await unit_tree()
    place = _place(tree, scope, unit_id)
    query = Station.filter(campaign_id=campaign.id, is_active=True)
    if place.unit_ids is not None:
        query = query.filter(unit_id__in=sorted(place.unit_ids) or [0])
    ids: list[int] = await query.order_by("code", "id").values_list("id", flat=True)  # type: ignore[assignment]
    if show is not None:
        flagged = await flagged_stations(
            campaign.id, unit_ids=place.unit_ids, flag=show.value, now=now
        )
        ids = [station_id for station_id in ids if station_id in flagged]
    page_count = max(1, math.ceil(len(ids) / per_page))
    if page > page_count:
        raise InvalidInput(PAGE_PAST_THE_END, field="page", pages=page_count)
    shown = ids[(page - 1) * per_page : page * per_page]
    stations = (
        sorted(
            await Station.filter(id__in=shown).select_related("unit"),
            key=lambda station: shown.index(station.id),
        )
        if shown
        else []
    )
    return UnitStations(
        campaign=campaign,
        now=now,
        place=place,
        show=show,
        page=page,
        page_count=page_count,
        count=len(ids),
        stations=await stations_today(stations, now=now),
    )
