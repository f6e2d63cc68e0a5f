"""Each station's report figures per Vietnam-local day, kept fresh from their sources.

The campaign report (``queries/report_rollup.py``) reads ``station_day_figures`` and
``station_day_partner`` instead of every served turn, service and receipt of the campaign:
at nationwide scale that is ten thousand rows instead of a hundred thousand joined ones.

The sources stay the truth. Triggers in the database (migration ``0018_daily_figures``) mark
a station and day stale (``stale_station_day``) in the same transaction as any change to a
row it is summed from — an assignment served, checked out, reset or moved, a shift moved, a
volunteer's force changed, a service, a receipt, a handout's daily tally, an item's category
— whoever writes it: the bot, the web, an import, a bulk load or a hand-written fix. So no
writer can forget them. :func:`refresh_daily_figures` recomputes the stale days from the
sources with the same grouped SQL that :func:`rebuild_daily_figures` runs over everything;
the report calls it first, and the scheduler every minute so that little is ever left.

A mark is removed only at the version the recomputation read: a change committed meanwhile
bumps the version and its day is recomputed again next time. Recomputations take turns
(a transaction-scoped advisory lock on PostgreSQL; SQLite runs one transaction at a time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Final, NamedTuple

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections
from tortoise.transactions import in_transaction

from stations.enums import AssignmentStatus, Force, MovementKind, ServiceKind, SupplyCategory
from stations.services.queries.local_day import as_date, local_day_sql
from stations.services.sql import Parameters

#: Handout categories with a column of their own; any other category is ``other_items``.
CATEGORY_COLUMNS: Final = {
    SupplyCategory.WATER: "water",
    SupplyCategory.TOWEL: "towel",
    SupplyCategory.FOOD: "food",
    SupplyCategory.FUEL: "fuel",
    SupplyCategory.LEAFLET: "leaflet",
}
SERVICE_COLUMNS: Final = {
    ServiceKind.MOTORBIKE_CHECK: "motorbikes",
    ServiceKind.LOUDSPEAKER: "loudspeaker_minutes",
    ServiceKind.FIRST_AID: "first_aid",
    ServiceKind.DIRECTIONS: "directions",
    ServiceKind.REPAIR: "repairs",
}
#: The forces with turn and minute columns, in the order of ``Force``; a force no longer
#: known counts as other.
FORCES: Final = tuple(force.value for force in Force)
HANDOUT_COLUMNS: Final = (*CATEGORY_COLUMNS.values(), "other_items")
TURN_COLUMNS: Final = tuple(f"turns_{force}" for force in FORCES)
MINUTE_COLUMNS: Final = tuple(f"minutes_{force}" for force in FORCES)
FLAG_COLUMNS: Final = ("handed_out", "received", "served_services")
SOURCE_NAMES: Final = ("tallies", "receipts", "services", "turns")
#: Every column after ``station_id`` and ``day``, in the order the sources give them.
VALUE_COLUMNS: Final = (
    *FLAG_COLUMNS,
    *HANDOUT_COLUMNS,
    *SERVICE_COLUMNS.values(),
    "cost_vnd",
    *TURN_COLUMNS,
    *MINUTE_COLUMNS,
)
SERVED_STATUSES: Final = (AssignmentStatus.CHECKED_IN.value, AssignmentStatus.CHECKED_OUT.value)

#: Up to this many stale days are recomputed day by day; more (after a bulk load) and
#: everything is recomputed at once, which costs less than that many keyed statements.
KEYED_LIMIT: Final = 2000
#: Stale days per keyed statement: two parameters each, far below either database's limit.
BATCH: Final = 500
#: "waystation daily figures", for pg_advisory_xact_lock.
LOCK_KEY: Final = 0x5753_4446

StationDay = tuple[int, dt.date]


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _values(chosen: dict[str, str]) -> str:
    """Every value column in order: ``chosen`` ones as given, the others 0."""
    return ", ".join(f"{chosen.get(name, '0')} AS {name}" for name in VALUE_COLUMNS)


class Source(NamedTuple):
    """A source of the figures, as its SELECT names it: the station column, the local-day
    expression, and the moment its day is of (None for the tallies, which are per day)."""

    name: str
    station: str
    day: str
    moment: str | None


def sources(dialect: str) -> dict[str, Source]:
    """The four sources; their SELECTs use the aliases ``t`` (tallies) with ``i`` (items),
    ``m`` (receipts), ``r`` (services), ``a`` with ``sh`` and ``v`` (turns)."""
    return {
        "tallies": Source("tallies", "t.station_id", "t.day", None),
        "receipts": Source(
            "receipts", "m.station_id", local_day_sql("m.occurred_at", dialect), "m.occurred_at"
        ),
        "services": Source(
            "services", "r.station_id", local_day_sql("r.occurred_at", dialect), "r.occurred_at"
        ),
        "turns": Source(
            "turns", "sh.station_id", local_day_sql("sh.starts_at", dialect), "sh.starts_at"
        ),
    }


def source_selects(dialect: str, names: Sequence[str], where: Callable[[Source], str]) -> list[str]:
    """One grouped SELECT per source named (in that order), each row a station, a local day
    and every value column (``VALUE_COLUMNS``), of the rows ``where`` keeps (a condition on
    the source, "" for all; called once per source).

    This is the one definition of each figure, for the stored days and for the hours of a
    report's window that whole days do not cover."""
    handout, receipt = MovementKind.HANDOUT.value, MovementKind.RECEIPT.value
    named = _quoted([category.value for category in CATEGORY_COLUMNS])
    checked_out = AssignmentStatus.CHECKED_OUT.value
    known = _quoted([force for force in FORCES if force != Force.OTHER.value])
    turns: dict[str, str] = {}
    for force in FORCES:
        is_force = (
            f'v."force" NOT IN ({known})'
            if force == Force.OTHER.value
            else f"v.\"force\" = '{force}'"
        )
        turns[f"turns_{force}"] = f"SUM(CASE WHEN {is_force} THEN 1 ELSE 0 END)"
        turns[f"minutes_{force}"] = (
            f"SUM(CASE WHEN {is_force} AND a.status = '{checked_out}'"
            " THEN COALESCE(a.worked_minutes, 0) ELSE 0 END)"
        )
    figures = {
        "tallies": {
            "handed_out": f"MAX(CASE WHEN t.kind = '{handout}' THEN 1 ELSE 0 END)",
            "received": f"MAX(CASE WHEN t.kind = '{receipt}' THEN 1 ELSE 0 END)",
            **{
                column: f"SUM(CASE WHEN t.kind = '{handout}' AND i.category = '{category.value}'"
                " THEN -t.delta ELSE 0 END)"
                for category, column in CATEGORY_COLUMNS.items()
            },
            "other_items": f"SUM(CASE WHEN t.kind = '{handout}' AND i.category NOT IN ({named})"
            " THEN -t.delta ELSE 0 END)",
        },
        # 8-byte arithmetic: a big receipt is past 2,147,483,647 đồng.
        "receipts": {"cost_vnd": "SUM(CAST(m.quantity AS BIGINT) * COALESCE(m.unit_cost_vnd, 0))"},
        "services": {
            "served_services": "1",
            **{
                column: f"SUM(CASE WHEN r.kind = '{kind.value}' THEN r.quantity ELSE 0 END)"
                for kind, column in SERVICE_COLUMNS.items()
            },
        },
        "turns": turns,
    }
    tables = {
        "tallies": (
            '"daily_stock_tally" t JOIN "supply_item" i ON i.id = t.item_id',
            f"t.kind IN ('{handout}', '{receipt}')",
        ),
        "receipts": ('"stock_movement" m', f"m.kind = '{receipt}'"),
        "services": ('"service_record" r', ""),
        "turns": (
            '"assignment" a JOIN "shift" sh ON sh.id = a.shift_id'
            ' JOIN "volunteer" v ON v.id = a.volunteer_id',
            f"a.status IN ({_quoted(SERVED_STATUSES)})",
        ),
    }
    every = sources(dialect)
    selects = []
    for name in names:
        source = every[name]
        table, own = tables[name]
        conditions = [c for c in (own, where(source)) if c]
        filtered = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        selects.append(
            f"SELECT {source.station} AS station_id, {source.day} AS day,"
            f" {_values(figures[name])} FROM {table}{filtered}"
            f" GROUP BY {source.station}, {source.day}"
        )
    return selects


def partners_select(dialect: str, where: Callable[[Source], str]) -> str:
    """The services given by partner units per station, local day, partner and kind, of
    the rows ``where`` keeps (see ``source_selects``)."""
    source = sources(dialect)["services"]
    extra = where(source)
    return (
        f"SELECT r.station_id AS station_id, {source.day} AS day, r.partner_id AS partner_id,"
        " r.kind AS kind, SUM(r.quantity) AS quantity"
        f' FROM "service_record" r WHERE r.partner_id IS NOT NULL{" AND " + extra if extra else ""}'
        f" GROUP BY r.station_id, {source.day}, r.partner_id, r.kind"
    )


def _figures_insert(dialect: str, where: Callable[[Source], str]) -> str:
    flags = ", ".join(f"MAX({name})" for name in FLAG_COLUMNS)
    sums = ", ".join(f"SUM({name})" for name in VALUE_COLUMNS if name not in FLAG_COLUMNS)
    return (
        f'INSERT INTO "station_day_figures" (station_id, day, {", ".join(VALUE_COLUMNS)})'
        f" SELECT station_id, day, {flags}, {sums} FROM ("
        + " UNION ALL ".join(source_selects(dialect, SOURCE_NAMES, where))
        + ") x GROUP BY station_id, day"
    )


def _partners_insert(dialect: str, where: Callable[[Source], str]) -> str:
    return (
        'INSERT INTO "station_day_partner" (station_id, day, partner_id, kind, quantity) '
        + partners_select(dialect, where)
    )


def _everything(source: Source) -> str:
    return ""


class _Keys:
    """The stale days of one statement, as a ``WITH keys`` list of parameters."""

    def __init__(self, dialect: str, days: Sequence[StationDay]) -> None:
        self.parameters = Parameters(dialect)
        p = self.parameters
        rows = [f"({p.typed(station, 'INTEGER')}, {p.date(day)})" for station, day in days]
        self.prefix = f"WITH keys(station_id, day) AS (VALUES {', '.join(rows)}) "

    @staticmethod
    def stale(source: Source) -> str:
        """Keeps a source row of a stale day: by station first, which the indexes serve."""
        return (
            f"{source.station} IN (SELECT station_id FROM keys)"
            f" AND ({source.station}, {source.day}) IN (SELECT station_id, day FROM keys)"
        )


def rebuild_statements(dialect: str) -> list[str]:
    """The statements that recompute every station's figures from the sources (marks
    aside): for ``rebuild_daily_figures``, and a bulk load on a connection of its own."""
    return [
        'DELETE FROM "station_day_figures"',
        'DELETE FROM "station_day_partner"',
        _figures_insert(dialect, _everything),
        _partners_insert(dialect, _everything),
    ]


async def _recompute(connection: BaseDBAsyncClient, days: Sequence[StationDay] | None) -> None:
    """Replace the figures of ``days`` (None: of everything) with their sources' sums."""
    dialect = connection.capabilities.dialect
    if days is None:
        for statement in rebuild_statements(dialect):
            await connection.execute_query(statement)
        return
    for start in range(0, len(days), BATCH):
        batch = days[start : start + BATCH]
        for table in ("station_day_figures", "station_day_partner"):
            keys = _Keys(dialect, batch)
            await connection.execute_query(
                f'{keys.prefix}DELETE FROM "{table}"'
                " WHERE (station_id, day) IN (SELECT station_id, day FROM keys)",
                keys.parameters.values,
            )
        for build in (_figures_insert, _partners_insert):
            keys = _Keys(dialect, batch)
            await connection.execute_query(
                keys.prefix + build(dialect, keys.stale), keys.parameters.values
            )


async def _clear_marks(connection: BaseDBAsyncClient, marks: Sequence[dict[str, Any]]) -> None:
    """Remove the marks read, each only at the version read."""
    dialect = connection.capabilities.dialect
    for start in range(0, len(marks), BATCH):
        p = Parameters(dialect)
        rows = ", ".join(
            f"({p.typed(m['station_id'], 'INTEGER')}, {p.date(as_date(m['day']))},"
            f" {p.typed(m['version'], 'BIGINT')})"
            for m in marks[start : start + BATCH]
        )
        await connection.execute_query(
            f"WITH seen(station_id, day, version) AS (VALUES {rows})"
            ' DELETE FROM "stale_station_day"'
            " WHERE (station_id, day, version) IN (SELECT station_id, day, version FROM seen)",
            p.values,
        )


async def _take_turn(connection: BaseDBAsyncClient) -> None:
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY])


async def refresh_daily_figures() -> int:
    """Recompute every stale station and day from the sources; how many there were.

    With nothing stale this is one indexed probe; the report calls it before reading."""
    probe = await connections.get("default").execute_query_dict(
        'SELECT 1 AS stale FROM "stale_station_day" LIMIT 1'
    )
    if not probe:
        return 0
    async with in_transaction() as connection:
        await _take_turn(connection)
        marks = await connection.execute_query_dict(
            'SELECT station_id, day, version FROM "stale_station_day" ORDER BY station_id, day'
        )
        if len(marks) > KEYED_LIMIT:
            await _recompute(connection, None)
        elif marks:
            await _recompute(connection, [(int(m["station_id"]), as_date(m["day"])) for m in marks])
        await _clear_marks(connection, marks)
    return len(marks)


async def rebuild_daily_figures() -> None:
    """Recompute every station's figures from the sources (after a bulk load, to reconcile)."""
    async with in_transaction() as connection:
        await _take_turn(connection)
        marks = await connection.execute_query_dict(
            'SELECT station_id, day, version FROM "stale_station_day"'
        )
        await _recompute(connection, None)
        await _clear_marks(connection, marks)
