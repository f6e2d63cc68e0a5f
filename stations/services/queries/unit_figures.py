"""Today's figures of a campaign's active stations, summed in SQL per station's unit (for
the overview's unit rows) or flagged per station (for a unit's station list).

The same figures as the station cards of ``queries/overview.py``: today's shifts (filled,
needed, short: some role has fewer people than it needs), who is on duty now (checked in,
on an active shift under way since check-in opened), stations with stock under its
threshold, with a discrepancy today, and today's handouts and services. Each is one
statement however many stations and units, returning a row per unit (or per flagged
station), never one per shift or assignment. Written by hand because the per-role needs
live in a JSON column, read with each dialect's own JSON operator.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections

from stations import clock
from stations.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AssignmentStatus,
    MovementKind,
    ServiceKind,
    ShiftRole,
    ShiftStatus,
)
from stations.services.assignments import CHECKIN_OPENS_BEFORE
from stations.services.queries.local_day import local_day, local_day_bounds
from stations.services.shifts import MAX_SHIFT_LENGTH
from stations.services.sql import Parameters


@dataclass
class Figures:
    """Today's figures of some stations, added up (a unit's subtree, a row, a campaign)."""

    stations: int = 0
    open_now: int = 0
    shifts: int = 0
    short_shifts: int = 0
    filled: int = 0
    needed: int = 0
    on_duty: int = 0
    low_stations: int = 0
    low_lines: int = 0
    discrepancy_stations: int = 0
    discrepancy_lines: int = 0
    #: item id → quantity handed out today
    handouts: dict[int, int] = field(default_factory=dict)
    #: service kind value → quantity today
    services: dict[str, int] = field(default_factory=dict)

    def add(self, other: Figures) -> None:
        for name in (
            "stations",
            "open_now",
            "shifts",
            "short_shifts",
            "filled",
            "needed",
            "on_duty",
            "low_stations",
            "low_lines",
            "discrepancy_stations",
            "discrepancy_lines",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for item_id, quantity in other.handouts.items():
            self.handouts[item_id] = self.handouts.get(item_id, 0) + quantity
        for kind, quantity in other.services.items():
            self.services[kind] = self.services.get(kind, 0) + quantity


class _Query(Parameters):
    """A statement's parameters (numbered markers, so a piece of SQL may use one more than
    once) and the connection that runs it."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        super().__init__(connection.capabilities.dialect)
        self.connection = connection

    async def rows(self, sql: str) -> list[dict[str, Any]]:
        return await self.connection.execute_query_dict(sql, self.values)


def _quoted(values: Collection[str]) -> str:
    """Our own enum values as SQL literals (never a reader's input)."""
    return ", ".join(f"'{value}'" for value in sorted(values))


def _stations(query: _Query, campaign_id: int, unit_ids: Collection[int] | None) -> str:
    """The WHERE of the campaign's active stations ``s``, in ``unit_ids`` when given."""
    sql = f's."campaign_id" = {query(campaign_id)} AND s."is_active" = {query(True)}'
    if unit_ids is not None:
        sql += f' AND s."unit_id" IN ({query.ids(sorted(unit_ids))})'
    return sql


def _need(dialect: str, role: ShiftRole) -> str:
    """People the shift needs in ``role``: a whole number ≥ 0 from the JSON column."""
    if dialect == "postgres":
        raw = f"COALESCE((sh.\"needs\"->>'{role.value}')::int, 0)"
    else:
        raw = f"COALESCE(CAST(json_extract(sh.\"needs\", '$.{role.value}') AS INTEGER), 0)"
    return f"CASE WHEN {raw} > 0 THEN {raw} ELSE 0 END"


def _shifts_sql(query: _Query, where: str, day: dt.date, key: str) -> str:
    """Today's active shifts per ``key`` (``unit_id`` or ``station_id``): count, filled,
    needed, short. A shift of last night still running today counts, as on the cards.

    The people are counted per shift and role first (grouped by the shift's id alone) and
    only then set against the needs: grouping the joined rows by the needs' expressions
    made PostgreSQL sort every assignment of the day on disk."""
    roles = list(ShiftRole)
    needs = ", ".join(f'{_need(query.dialect, role)} AS "n_{role.value}"' for role in roles)
    counts = ", ".join(
        f'SUM(CASE WHEN a."role" = \'{role.value}\' THEN 1 ELSE 0 END) AS "f_{role.value}"'
        for role in roles
    )
    filled = [f'COALESCE(f."f_{role.value}", 0)' for role in roles]
    needed = " + ".join(f't."n_{role.value}"' for role in roles)
    short = " OR ".join(
        f'{count} < t."n_{role.value}"' for count, role in zip(filled, roles, strict=True)
    )
    column = 's."id"' if key == "station_id" else 's."unit_id"'
    start, end = local_day_bounds(day)
    # No shift lasts longer than MAX_SHIFT_LENGTH (shifts.py refuses one): bounding its start
    # on both sides lets PostgreSQL see how few shifts a day has, and read their people
    # through the index of the active assignments instead of every assignment.
    earliest = start - MAX_SHIFT_LENGTH
    today = (
        f" AND sh.\"status\" = '{ShiftStatus.ACTIVE.value}'"
        f' AND sh."starts_at" < {query(end)} AND sh."ends_at" > {query(start)}'
        f' AND sh."starts_at" > {query(earliest)}'
    )

    return (
        f'SELECT t."key", COUNT(*) AS shifts, SUM({needed}) AS needed,'
        f" SUM({' + '.join(filled)}) AS filled,"
        f" SUM(CASE WHEN {short} THEN 1 ELSE 0 END) AS short"
        f' FROM (SELECT sh."id", {column} AS "key", {needs}'
        ' FROM "shift" sh JOIN "station" s ON s."id" = sh."station_id"'
        f" WHERE {where}{today}) t"
        f' LEFT JOIN (SELECT a."shift_id", {counts} FROM "assignment" a'
        ' JOIN "shift" sh ON sh."id" = a."shift_id" JOIN "station" s ON s."id" = sh."station_id"'
        f' WHERE {where}{today} AND a."status" IN ({_quoted(ACTIVE_ASSIGNMENT_STATUSES)})'
        ' GROUP BY a."shift_id") f ON f."shift_id" = t."id" GROUP BY t."key"'
    )


def _on_duty_sql(query: _Query, where: str, now: dt.datetime) -> str:
    return (
        'SELECT s."unit_id" AS "key", COUNT(*) AS on_duty FROM "assignment" a'
        ' JOIN "shift" sh ON sh."id" = a."shift_id" JOIN "station" s ON s."id" = sh."station_id"'
        f" WHERE {where} AND a.\"status\" = '{AssignmentStatus.CHECKED_IN.value}'"
        f" AND sh.\"status\" = '{ShiftStatus.ACTIVE.value}'"
        f' AND sh."starts_at" <= {query(now + CHECKIN_OPENS_BEFORE)}'
        f' AND sh."ends_at" > {query(now)} GROUP BY s."unit_id"'
    )


def _low_sql(query: _Query, where: str) -> str:
    """Per station (with its unit), the items under their threshold: as ``stock_for_stations``
    flags them, an item never recorded at a station counting as 0 on hand, an inactive item
    only while the station still holds some."""
    threshold = 'COALESCE(b."low_stock_threshold", i."default_low_stock")'
    quantity = 'COALESCE(b."quantity", 0)'
    return (
        'SELECT s."id" AS "station_id", s."unit_id", COUNT(*) AS lines'
        ' FROM "station" s CROSS JOIN "supply_item" i LEFT JOIN "stock_balance" b'
        ' ON b."station_id" = s."id" AND b."item_id" = i."id"'
        f' WHERE {where} AND (i."is_active" = {query(True)} OR {quantity} <> 0)'
        f" AND {threshold} > 0 AND {quantity} < {threshold}"
        ' GROUP BY s."id", s."unit_id"'
    )


def _discrepancy_sql(query: _Query, where: str, day: dt.date) -> str:
    """Per station (with its unit), the items that took more than the record held today."""
    start, end = local_day_bounds(day)
    return (
        'SELECT d."station_id", d."unit_id", COUNT(*) AS lines FROM (SELECT DISTINCT'
        ' m."station_id", s."unit_id", m."item_id" FROM "stock_movement" m'
        ' JOIN "station" s ON s."id" = m."station_id"'
        f' WHERE {where} AND m."discrepancy" = {query(True)}'
        f' AND m."occurred_at" >= {query(start)} AND m."occurred_at" < {query(end)})'
        ' d GROUP BY d."station_id", d."unit_id"'
    )


def _per_unit(sql: str) -> str:
    """Per-station flags rolled up per unit: how many stations, how many lines."""
    return (
        'SELECT f."unit_id" AS "key", COUNT(*) AS stations, SUM(f.lines) AS lines'
        f' FROM ({sql}) f GROUP BY f."unit_id"'
    )


def _handouts_sql(query: _Query, where: str, day: dt.date) -> str:
    # One tally row per station × item × kind × day: today's handouts without the ledger.
    return (
        'SELECT s."unit_id" AS "key", t."item_id", SUM(t."quantity") AS quantity'
        ' FROM "daily_stock_tally" t JOIN "station" s ON s."id" = t."station_id"'
        f" WHERE {where} AND t.\"kind\" = '{MovementKind.HANDOUT.value}'"
        f' AND t."day" = {query(day)} GROUP BY s."unit_id", t."item_id"'
    )


def _services_sql(query: _Query, where: str, day: dt.date) -> str:
    start, end = local_day_bounds(day)
    return (
        'SELECT s."unit_id" AS "key", r."kind", SUM(r."quantity") AS quantity'
        ' FROM "service_record" r JOIN "station" s ON s."id" = r."station_id"'
        f' WHERE {where} AND r."occurred_at" >= {query(start)}'
        f' AND r."occurred_at" < {query(end)} GROUP BY s."unit_id", r."kind"'
    )


async def _run(build: Any, campaign_id: int, unit_ids: Collection[int] | None) -> list[Any]:
    query = _Query(connections.get("default"))
    where = _stations(query, campaign_id, unit_ids)
    return await query.rows(build(query, where))


def _int(value: object) -> int:
    return int(value or 0)  # type: ignore[call-overload]


async def figures_per_unit(
    campaign_id: int,
    *,
    unit_ids: Collection[int] | None,
    open_now: dict[int, tuple[int, int]],
    now: dt.datetime | None = None,
) -> dict[int, Figures]:
    """Today's figures per unit (the stations' own unit) of the campaign's active stations in
    ``unit_ids`` (None: all). ``open_now``: unit → (stations, open now), read beforehand
    with the stations' hours (``unit_overview._stations_per_unit``). Six statements."""
    now = now or clock.now()
    today = local_day(now)
    figures: dict[int, Figures] = defaultdict(Figures)
    for unit_id, (stations, opened) in open_now.items():
        figures[unit_id].stations = stations
        figures[unit_id].open_now = opened
    for row in await _run(lambda q, w: _shifts_sql(q, w, today, "unit_id"), campaign_id, unit_ids):
        unit = figures[row["key"]]
        unit.shifts, unit.short_shifts = _int(row["shifts"]), _int(row["short"])
        unit.filled, unit.needed = _int(row["filled"]), _int(row["needed"])
    for row in await _run(lambda q, w: _on_duty_sql(q, w, now), campaign_id, unit_ids):
        figures[row["key"]].on_duty = _int(row["on_duty"])
    for row in await _run(lambda q, w: _per_unit(_low_sql(q, w)), campaign_id, unit_ids):
        figures[row["key"]].low_stations = _int(row["stations"])
        figures[row["key"]].low_lines = _int(row["lines"])
    discrepancies = await _run(
        lambda q, w: _per_unit(_discrepancy_sql(q, w, today)), campaign_id, unit_ids
    )
    for row in discrepancies:
        figures[row["key"]].discrepancy_stations = _int(row["stations"])
        figures[row["key"]].discrepancy_lines = _int(row["lines"])
    for row in await _run(lambda q, w: _handouts_sql(q, w, today), campaign_id, unit_ids):
        figures[row["key"]].handouts[int(row["item_id"])] = _int(row["quantity"])
    for row in await _run(lambda q, w: _services_sql(q, w, today), campaign_id, unit_ids):
        kind = ServiceKind(row["kind"]).value
        figures[row["key"]].services[kind] = _int(row["quantity"])
    return dict(figures)


async def flagged_stations(
    campaign_id: int, *, unit_ids: Collection[int] | None, flag: str, now: dt.datetime
) -> set[int]:
    """The ids of the active stations in ``unit_ids`` that are ``short`` of staff today,
    ``low`` on some supply, or have a ``discrepancy`` today. One statement."""
    today = local_day(now)
    if flag == "short":
        rows = await _run(
            lambda q, w: _shifts_sql(q, w, today, "station_id"), campaign_id, unit_ids
        )
        return {int(row["key"]) for row in rows if _int(row["short"])}
    if flag == "low":
        rows = await _run(_low_sql, campaign_id, unit_ids)
    elif flag == "discrepancy":
        rows = await _run(lambda q, w: _discrepancy_sql(q, w, today), campaign_id, unit_ids)
    else:
        raise ValueError(flag)
    return {int(row["station_id"]) for row in rows}
