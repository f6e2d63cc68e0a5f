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
loaded. Eight statements however many stations: the figures, the page's ids, its stations,
their planned stock, receipts and items, the unlinked volunteers' first ids with their
count, and those volunteers. The figures are written by hand because the per-role needs
live in a JSON column, read with each dialect's own JSON operator.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from tortoise.connection import connections
from tortoise.functions import Sum

from stations import clock
from stations.enums import ACTIVE_ASSIGNMENT_STATUSES, MovementKind, ShiftRole, ShiftStatus
from stations.models import (
    Campaign,
    DailyStockTally,
    PlannedStock,
    Station,
    SupplyItem,
    Volunteer,
)
from stations.services.campaign_phases import days_to_go
from stations.services.errors import InvalidInput
from stations.services.queries.unit_overview import PAGE_PAST_THE_END
from stations.services.sql import Parameters

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


def _quoted(values: Collection[str]) -> str:
    """Our own enum values as SQL literals (never a reader's input)."""
    return ", ".join(f"'{value}'" for value in sorted(values))


def _need(dialect: str, role: ShiftRole) -> str:
    """People the shift ``sh`` needs in ``role``: a whole number ≥ 0 from the JSON column."""
    if dialect == "postgres":
        raw = f"COALESCE((sh.\"needs\"->>'{role.value}')::int, 0)"
    else:
        raw = f"COALESCE(CAST(json_extract(sh.\"needs\", '$.{role.value}') AS INTEGER), 0)"
    return f"CASE WHEN {raw} > 0 THEN {raw} ELSE 0 END"


def _stations(p: Parameters, campaign_id: int, unit_ids: Collection[int] | None) -> str:
    """The WHERE of the campaign's active stations ``s`` in ``unit_ids`` (None: all)."""
    where = f's."campaign_id" = {p(campaign_id)} AND s."is_active" = {p(True)}'
    if unit_ids is not None:
        where += f' AND s."unit_id" IN ({p.ids(sorted(unit_ids))})'
    return where


def _unlinked_sql(p: Parameters, campaign_id: int, unit_ids: Collection[int] | None) -> str:
    """The first ``NAMED_VOLUNTEERS`` volunteers by name who have not linked Telegram and
    are on an active shift of the stations, each once, with how many there are in all.

    Joined from the stations down, with "not linked" judged after grouping: given
    ``volunteer.id IN (…)`` or a ``telegram_user_id IS NULL`` to start from, PostgreSQL,
    before a fresh campaign's statistics, looped over every station for each volunteer
    (seconds at a thousand stations)."""
    return (
        'SELECT a."volunteer_id" AS "id", COUNT(*) OVER () AS total FROM "station" s'
        ' JOIN "shift" sh ON sh."station_id" = s."id" JOIN "assignment" a ON a."shift_id" = sh."id"'
        ' JOIN "volunteer" v ON v."id" = a."volunteer_id"'
        f" WHERE {_stations(p, campaign_id, unit_ids)}"
        f" AND sh.\"status\" = '{ShiftStatus.ACTIVE.value}'"
        f' AND a."status" IN ({_quoted(ACTIVE_ASSIGNMENT_STATUSES)})'
        ' GROUP BY a."volunteer_id", v."search_name"'
        ' HAVING MAX(CASE WHEN v."telegram_user_id" IS NULL THEN 1 ELSE 0 END) = 1'
        f' ORDER BY v."search_name", a."volunteer_id" LIMIT {p(NAMED_VOLUNTEERS)}'
    )


def _per_station_sql(p: Parameters, campaign_id: int, unit_ids: Collection[int] | None) -> str:
    """A row per active station of the campaign in ``unit_ids``: its code, active shifts,
    shifts short of people in some role, planned items whose receipts are short, and
    whether it is ready.

    Each part adds rows to one ``UNION ALL`` summed per station (and per shift, per item),
    never a grouped subquery joined back to the stations: PostgreSQL, misjudging a fresh
    campaign's size before its statistics are gathered, rescanned such a subquery once per
    station (seconds at a thousand stations)."""
    where = _stations(p, campaign_id, unit_ids)
    active = f"sh.\"status\" = '{ShiftStatus.ACTIVE.value}'"
    roles = list(ShiftRole)
    needs = ", ".join(f'{_need(p.dialect, role)} AS "n_{role.value}"' for role in roles)
    no_needs = ", ".join(f'0 AS "n_{role.value}"' for role in roles)
    no_people = ", ".join(f'0 AS "f_{role.value}"' for role in roles)
    people = ", ".join(
        f'CASE WHEN a."role" = \'{role.value}\' THEN 1 ELSE 0 END AS "f_{role.value}"'
        for role in roles
    )
    sums = ", ".join(
        f'SUM(u."n_{role.value}") AS "n_{role.value}", SUM(u."f_{role.value}") AS "f_{role.value}"'
        for role in roles
    )
    short = " OR ".join(f'f."f_{role.value}" < f."n_{role.value}"' for role in roles)
    shifts = (
        f'SELECT f."station_id", 1 AS shift, CASE WHEN {short} THEN 1 ELSE 0 END AS short'
        f' FROM (SELECT u."shift_id", u."station_id", {sums} FROM ('
        f'SELECT sh."id" AS "shift_id", sh."station_id", {needs}, {no_people}'
        ' FROM "shift" sh JOIN "station" s ON s."id" = sh."station_id"'
        f" WHERE {where} AND {active}"
        f' UNION ALL SELECT a."shift_id", sh."station_id", {no_needs}, {people}'
        ' FROM "assignment" a JOIN "shift" sh ON sh."id" = a."shift_id"'
        ' JOIN "station" s ON s."id" = sh."station_id"'
        f" WHERE {where} AND {active}"
        f' AND a."status" IN ({_quoted(ACTIVE_ASSIGNMENT_STATUSES)})'
        ') u GROUP BY u."shift_id", u."station_id") f'
    )
    supplies = (
        'SELECT v."station_id", CASE WHEN SUM(v.planned) > SUM(v.received) THEN 1 ELSE 0 END'
        " AS missing FROM ("
        'SELECT ps."station_id", ps."item_id", ps."quantity" AS planned, 0 AS received'
        ' FROM "planned_stock" ps JOIN "station" s ON s."id" = ps."station_id"'
        f" WHERE {where}"
        ' UNION ALL SELECT t."station_id", t."item_id", 0, t."quantity"'
        ' FROM "daily_stock_tally" t JOIN "station" s ON s."id" = t."station_id"'
        f" WHERE {where} AND t.\"kind\" = '{MovementKind.RECEIPT.value}'"
        ') v GROUP BY v."station_id", v."item_id"'
    )
    return (
        'SELECT x."station_id" AS "id", MAX(x."code") AS "code", SUM(x.shift) AS shifts,'
        " SUM(x.short) AS short, SUM(x.missing) AS missing,"
        " CASE WHEN SUM(x.shift) > 0 AND SUM(x.short) = 0 AND SUM(x.missing) = 0"
        " THEN 1 ELSE 0 END AS ready FROM ("
        f'SELECT s."id" AS "station_id", s."code", 0 AS shift, 0 AS short, 0 AS missing'
        f' FROM "station" s WHERE {where}'
        f' UNION ALL SELECT h."station_id", NULL, h.shift, h.short, 0 FROM ({shifts}) h'
        f' UNION ALL SELECT m."station_id", NULL, 0, 0, m.missing FROM ({supplies}) m'
        ') x GROUP BY x."station_id"'
    )


async def _rows(campaign_id: int, unit_ids: Collection[int] | None, build: Any) -> list[Any]:
    connection = connections.get("default")
    p = Parameters(connection.capabilities.dialect)
    sql = build(p, _per_station_sql(p, campaign_id, unit_ids))
    return await connection.execute_query_dict(sql, p.values)


def _figures_sql(_p: Parameters, per_station: str) -> str:
    return (
        "SELECT COUNT(*) AS stations, SUM(y.ready) AS ready,"
        " SUM(CASE WHEN y.shifts = 0 THEN 1 ELSE 0 END) AS without_shifts,"
        f" SUM(y.short) AS short, SUM(y.missing) AS missing FROM ({per_station}) y"
    )


def _page_sql(p: Parameters, per_station: str, offset: int, limit: int) -> str:
    return (
        f'SELECT y."id", y.shifts, y.short FROM ({per_station}) y WHERE y.ready = 0'
        f' ORDER BY y."code", y."id" LIMIT {p(limit)} OFFSET {p(offset)}'
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
        campaign.id,
        scope,
        lambda p, per_station: _page_sql(p, per_station, (page - 1) * per_page, per_page),
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

    connection = connections.get("default")
    p = Parameters(connection.capabilities.dialect)
    unlinked = await connection.execute_query_dict(_unlinked_sql(p, campaign.id, scope), p.values)
    unlinked_count = _int(unlinked[0]["total"]) if unlinked else 0
    named: list[Volunteer] = []
    if unlinked:
        by_id = {v.id: v for v in await Volunteer.filter(id__in=[int(r["id"]) for r in unlinked])}
        named = [by_id[int(row["id"])] for row in unlinked]

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
