"""The figures of a campaign report, summed in one SQL statement per report.

Each source (the daily stock tallies, the value of the receipts, the services, the served
turns) is grouped by station and Vietnam-local day in a common table expression. From them
the figures go straight to each reporting unit and day (``ud``: each source summed per unit
and day, a few hundred rows), and only the listed stations' own figures are summed per
station (``sf``); a narrow ``sd`` keeps one row per station and day with figures, and
whether it served, for the counts of stations and units. The statement then answers, as
rows of one shape told apart by ``grain``:

- ``d`` — per reporting unit and day: every figure, and how many stations served that day
  (stations belong to one reporting unit each, so the days' counts add up across units);
- ``u`` — per reporting unit: its counted stations (active, or inactive with figures);
- ``uu`` — per reporting unit: distinct units (its stations' own and the partners that
  served at them); ``cu`` — the same for the whole report; ``du`` — the same per day;
- ``s`` — per listed station (a page of them, all of them, or none): every figure, and
  whether it has any (an inactive station is counted only with figures); ``su`` — the
  partner units that served at a listed station, other than its own unit;
- ``p`` — per partner unit and kind of service: the quantity (the partners section);
- ``f`` — per volunteer force: the turns and worked minutes (the forces section), from the
  same scan of the served assignments as the turns.

So the rows read back grow with the reporting units and the days, never with the stations
or the lines: the database does the per-station work, once. A station's **reporting unit**
is the unit directly under the report's root it descends from (found by a recursive query
over the unit tree), or its own unit outside that tree or without a root.

The definitions of every figure are in ``reports.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.connection import connections

from stations.enums import AssignmentStatus, MovementKind, ServiceKind, SupplyCategory
from stations.services.queries.local_day import as_date, local_day_sql

#: The handout categories with a figure of their own, in the order of the pivot columns.
CATEGORIES = (
    SupplyCategory.WATER,
    SupplyCategory.TOWEL,
    SupplyCategory.FOOD,
    SupplyCategory.FUEL,
    SupplyCategory.LEAFLET,
)
CATEGORY_COLUMNS = ("water", "towel", "food", "fuel", "leaflet", "other_items")
SERVICE_COLUMNS = {
    ServiceKind.MOTORBIKE_CHECK: "motorbikes",
    ServiceKind.LOUDSPEAKER: "loudspeaker_minutes",
    ServiceKind.FIRST_AID: "first_aid",
    ServiceKind.DIRECTIONS: "directions",
    ServiceKind.REPAIR: "repairs",
}
FIGURE_COLUMNS = (
    "turns",
    "worked_minutes",
    *CATEGORY_COLUMNS,
    *SERVICE_COLUMNS.values(),
    "cost_vnd",
)
#: Deep enough for any real unit tree; it stops a damaged tree with a loop.
MAX_UNIT_DEPTH = 64


@dataclass(frozen=True)
class RollupQuery:
    """What one report counts: the campaign, its scope, its window and the stations listed."""

    campaign_id: int
    #: the stations' units in scope; None for every station of the campaign
    unit_ids: Collection[int] | None
    #: the unit whose children are the reporting units; None: each station's own unit
    root_unit_id: int | None
    first_day: dt.date
    last_day: dt.date
    #: handouts on the day after ``last_day`` count when a night shift runs into it
    last_tally_day: dt.date
    opens_at: dt.datetime
    last_day_ends_at: dt.datetime
    closes_at: dt.datetime
    #: stations to give a row each: None for all of them, () for none
    listed: Sequence[int] | None = ()


class Parameters:
    """Positional parameters in the order they appear in the text."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        if (
            self.dialect != "postgres"
            and isinstance(value, dt.date)
            and not isinstance(value, dt.datetime)
        ):
            # SQLite keeps dates as ISO text: compare text with text.
            value = value.isoformat()
        self.values.append(value)
        if self.dialect == "postgres":
            return f"${len(self.values)}"
        return "?"

    def date(self, value: dt.date) -> str:
        mark = self(value)
        return f"CAST({mark} AS DATE)" if self.dialect == "postgres" else mark

    def ids(self, ids: Collection[int]) -> str:
        return ", ".join(self(int(i)) for i in ids) or self(0)


def _clamped(day: str, query: RollupQuery, p: Parameters) -> str:
    """``day`` folded into the campaign's days: early receipts on the first, a night
    shift's last hours on the last."""
    first = p.date(query.first_day)
    below = p.date(query.first_day)
    last = p.date(query.last_day)
    above = p.date(query.last_day)
    return f"CASE WHEN {day} < {first} THEN {below} WHEN {day} > {last} THEN {above} ELSE {day} END"


def _zeros(names: Sequence[str]) -> str:
    return ", ".join(f"0 AS {name}" for name in names)


def rollup_sql(query: RollupQuery, dialect: str) -> tuple[str, list[Any]]:
    """The statement and its parameters (see the module)."""
    p = Parameters(dialect)
    handout, receipt = MovementKind.HANDOUT.value, MovementKind.RECEIPT.value
    served_statuses = (
        f"'{AssignmentStatus.CHECKED_IN.value}', '{AssignmentStatus.CHECKED_OUT.value}'"
    )
    checked_out = AssignmentStatus.CHECKED_OUT.value
    # SQLite's markers are positional: parameters are taken in the order of the text.
    root = p(query.root_unit_id)
    campaign = p(query.campaign_id)
    scope = "" if query.unit_ids is None else f" AND s.unit_id IN ({p.ids(query.unit_ids)})"

    chain = (
        "chain(unit_id, ancestor_id, depth) AS ("
        ' SELECT u.id, u.id, 0 FROM "unit" u'
        " UNION ALL SELECT c.unit_id, u.parent_id, c.depth + 1"
        ' FROM chain c JOIN "unit" u ON u.id = c.ancestor_id'
        f" WHERE u.parent_id IS NOT NULL AND c.depth < {MAX_UNIT_DEPTH})"
    )
    owner = (
        "owner(unit_id, owner_id) AS ("
        ' SELECT c.unit_id, MIN(c.ancestor_id) FROM chain c JOIN "unit" a ON a.id = c.ancestor_id'
        f" WHERE a.parent_id = {root} GROUP BY c.unit_id)"
    )
    st = (
        "st AS (SELECT s.id, s.unit_id, s.is_active,"
        " COALESCE(o.owner_id, s.unit_id) AS owner_id"
        ' FROM "station" s LEFT JOIN owner o ON o.unit_id = s.unit_id'
        f" WHERE s.campaign_id = {campaign}{scope})"
    )

    pivot = []
    for category, column in zip(CATEGORIES, CATEGORY_COLUMNS, strict=False):
        pivot.append(
            f"CAST(SUM(CASE WHEN t.kind = '{handout}' AND i.category = '{category.value}'"
            f" THEN -t.delta ELSE 0 END) AS INTEGER) AS {column}"
        )
    named = ", ".join(f"'{c.value}'" for c in CATEGORIES)
    pivot.append(
        f"CAST(SUM(CASE WHEN t.kind = '{handout}' AND i.category NOT IN ({named})"
        " THEN -t.delta ELSE 0 END) AS INTEGER) AS other_items"
    )
    # Each source groups by its own local day, worked out once per row; the sums after them
    # fold the few days outside the campaign into its first and last. Per station and day a
    # figure fits 4 bytes, and PostgreSQL sums 4-byte integers far faster than its numerics.
    ledger = (
        "lg AS (SELECT t.station_id, t.day AS day,"
        f" MAX(CASE WHEN t.kind = '{handout}' THEN 1 ELSE 0 END) AS served, {', '.join(pivot)}"
        ' FROM "daily_stock_tally" t JOIN "supply_item" i ON i.id = t.item_id'
        " JOIN st ON st.id = t.station_id"
        f" WHERE t.kind IN ('{handout}', '{receipt}')"
        f" AND (t.day >= {p.date(query.first_day)} OR t.kind = '{receipt}')"
        f" AND t.day <= {p.date(query.last_tally_day)}"
        " GROUP BY t.station_id, 2)"
    )
    receipts = (
        f"rv AS (SELECT m.station_id, {local_day_sql('m.occurred_at', dialect)} AS day,"
        # 8-byte arithmetic: a big receipt is past 2,147,483,647 đồng.
        " SUM(CAST(m.quantity AS BIGINT) * COALESCE(m.unit_cost_vnd, 0)) AS cost_vnd"
        ' FROM "stock_movement" m JOIN st ON st.id = m.station_id'
        f" WHERE m.kind = '{receipt}' AND m.occurred_at < {p(query.closes_at)}"
        " GROUP BY m.station_id, 2)"
    )
    services = (
        f"svp AS (SELECT r.station_id, {local_day_sql('r.occurred_at', dialect)} AS day,"
        " r.kind, r.partner_id, CAST(SUM(r.quantity) AS INTEGER) AS quantity"
        ' FROM "service_record" r JOIN st ON st.id = r.station_id'
        f" WHERE r.occurred_at >= {p(query.opens_at)} AND r.occurred_at < {p(query.closes_at)}"
        " GROUP BY r.station_id, 2, r.kind, r.partner_id)"
    )
    turns = (
        f"tu AS (SELECT sh.station_id, {local_day_sql('sh.starts_at', dialect)} AS day,"
        ' v."force" AS force, CAST(COUNT(*) AS INTEGER) AS turns,'
        f" CAST(SUM(CASE WHEN a.status = '{checked_out}' THEN COALESCE(a.worked_minutes, 0)"
        " ELSE 0 END) AS INTEGER) AS worked_minutes"
        ' FROM "assignment" a JOIN "shift" sh ON sh.id = a.shift_id'
        ' JOIN st ON st.id = sh.station_id JOIN "volunteer" v ON v.id = a.volunteer_id'
        f" WHERE a.status IN ({served_statuses})"
        f" AND sh.ends_at > {p(query.opens_at)} AND sh.starts_at < {p(query.last_day_ends_at)}"
        ' GROUP BY sh.station_id, 2, v."force")'
    )
    service_pivot = ", ".join(
        f"SUM(CASE WHEN kind = '{kind.value}' THEN quantity ELSE 0 END)" for kind in SERVICE_COLUMNS
    )
    categories, kinds = CATEGORY_COLUMNS, tuple(SERVICE_COLUMNS.values())
    source_figures = {
        # The first names the columns.
        "lg": f"0 AS turns, 0 AS worked_minutes, {', '.join(f'SUM({c}) AS {c}' for c in categories)},"
        f" {_zeros(kinds)}, 0 AS cost_vnd",
        "rv": f"0, 0, {_zeros(categories)}, {_zeros(kinds)}, SUM(cost_vnd)",
        "svp": f"0, 0, {_zeros(categories)}, {service_pivot}, 0",
        "tu": f"SUM(turns), SUM(worked_minutes), {_zeros(categories)}, {_zeros(kinds)}, 0",
    }

    def figures(keys: Callable[[], str], count: int, where: Callable[[], str]) -> str:
        """Every source's figures summed per ``keys`` (``count`` grouping expressions over a
        source and ``st``, each named with ``AS``), of the source rows ``where`` keeps. Both
        are called once per source: SQLite's markers are positional."""
        by = ", ".join(str(n) for n in range(1, count + 1))
        parts = []
        for source, values in source_figures.items():
            parts.append(
                f"SELECT {keys()}, {values} FROM {source} JOIN st ON st.id = {source}.station_id"
                f"{where()} GROUP BY {by}"
            )
        return " UNION ALL ".join(parts)

    # Whether a station served on a day (handed out, gave a service or had a turn served)
    # or only has figures (a receipt): each station counts once a day, whatever its sources.
    station_days = (
        f"sd AS (SELECT station_id, {_clamped('day', query, p)} AS day, MAX(served) AS served"
        " FROM (SELECT station_id, day, served FROM lg"
        " UNION ALL SELECT station_id, day, 0 FROM rv"
        " UNION ALL SELECT station_id, day, 1 FROM svp"
        " UNION ALL SELECT station_id, day, 1 FROM tu) x GROUP BY station_id, 2)"
    )
    counted = "(st.is_active OR st.id IN (SELECT station_id FROM sd))"
    sums = ", ".join(f"SUM({name}) AS {name}" for name in FIGURE_COLUMNS)
    # The figures go straight to their reporting unit and day (a few hundred rows), never
    # through a row per station and day.
    unit_days = (
        f"ud AS (SELECT owner_id, day, {sums} FROM ("
        + figures(
            lambda: f"st.owner_id AS owner_id, {_clamped('day', query, p)} AS day",
            2,
            lambda: "",
        )
        + ") x GROUP BY owner_id, day)"
    )
    served = (
        "SELECT st.owner_id, sd.day, COUNT(*) AS n FROM sd JOIN st ON st.id = sd.station_id"
        " WHERE sd.served = 1 GROUP BY st.owner_id, sd.day"
    )

    ctes = [chain, owner, st, ledger, receipts, services, turns, station_days, unit_days]
    listed_ids = query.listed
    lists = listed_ids is None or bool(listed_ids)

    def only_listed(joiner: str) -> str:
        """The listed stations as a condition on ``st.id`` after ``joiner``; none for all."""
        if listed_ids is None:
            return ""
        return f" {joiner} st.id IN ({p.ids(listed_ids)})"

    if lists:
        # A station's own figures: only for the stations listed (a page of the report).
        ctes.append(
            f"sf AS (SELECT station_id, {sums} FROM ("
            + figures(lambda: "st.id AS station_id", 1, lambda: only_listed("WHERE"))
            + ") x GROUP BY station_id)"
        )
    no_figures = ", ".join("0" for _ in FIGURE_COLUMNS)
    # The first branch names and types the columns; PostgreSQL types the others' NULLs after it.
    branches = [
        "SELECT 'd' AS grain, ud.owner_id AS id, ud.day AS day,"
        " CAST(NULL AS VARCHAR(20)) AS kind, COALESCE(sv.n, 0) AS n,"
        f" {', '.join(f'ud.{name} AS {name}' for name in FIGURE_COLUMNS)}"
        f" FROM ud LEFT JOIN ({served}) sv ON sv.owner_id = ud.owner_id AND sv.day = ud.day",
        f"SELECT 'u', st.owner_id, NULL, NULL, COUNT(*), {no_figures}"
        f" FROM st WHERE {counted} GROUP BY st.owner_id",
        f"SELECT 'uu', x.owner_id, NULL, NULL, COUNT(DISTINCT x.unit_id), {no_figures} FROM ("
        f"SELECT st.owner_id, st.unit_id FROM st WHERE {counted}"
        " UNION SELECT st.owner_id, svp.partner_id FROM svp JOIN st ON st.id = svp.station_id"
        " WHERE svp.partner_id IS NOT NULL) x GROUP BY x.owner_id",
        f"SELECT 'cu', 0, NULL, NULL, COUNT(DISTINCT x.unit_id), {no_figures} FROM ("
        f"SELECT st.unit_id FROM st WHERE {counted}"
        " UNION SELECT partner_id FROM svp WHERE partner_id IS NOT NULL) x",
        f"SELECT 'du', 0, x.day, NULL, COUNT(DISTINCT x.unit_id), {no_figures} FROM ("
        "SELECT sd.day, st.unit_id FROM sd JOIN st ON st.id = sd.station_id"
        " WHERE sd.served = 1"
        f" UNION SELECT {_clamped('day', query, p)}, partner_id FROM svp"
        " WHERE partner_id IS NOT NULL) x GROUP BY x.day",
        f"SELECT 'p', svp.partner_id, NULL, svp.kind, SUM(svp.quantity), {no_figures}"
        " FROM svp WHERE svp.partner_id IS NOT NULL GROUP BY svp.partner_id, svp.kind",
        # FIGURE_COLUMNS starts with the turns and the worked minutes.
        f"SELECT 'f', 0, NULL, tu.force, SUM(tu.turns), SUM(tu.turns), SUM(tu.worked_minutes),"
        f" {', '.join('0' for _ in FIGURE_COLUMNS[2:])} FROM tu GROUP BY tu.force",
    ]
    if lists:
        branches.append(
            # n: whether the station has any figure (sd holds its days with some).
            "SELECT 's', st.id, NULL, NULL,"
            " CASE WHEN st.id IN (SELECT station_id FROM sd) THEN 1 ELSE 0 END,"
            f" {', '.join(f'COALESCE(sf.{name}, 0)' for name in FIGURE_COLUMNS)}"
            f" FROM st LEFT JOIN sf ON sf.station_id = st.id{only_listed('WHERE')}"
        )
        branches.append(
            f"SELECT 'su', st.id, NULL, NULL, COUNT(DISTINCT svp.partner_id), {no_figures}"
            " FROM svp JOIN st ON st.id = svp.station_id"
            " WHERE svp.partner_id IS NOT NULL AND svp.partner_id <> st.unit_id"
            f"{only_listed('AND')} GROUP BY st.id"
        )
    return f"WITH RECURSIVE {', '.join(ctes)} " + " UNION ALL ".join(branches), p.values


@dataclass
class Figures:
    """Summed figures in their raw units (minutes, not hours)."""

    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURE_COLUMNS, 0))
    #: stations that served (a day's row) or counted stations (a unit's or the report's)
    stations: int = 0
    units: int = 0

    def add(self, row: dict[str, Any]) -> None:
        for name in FIGURE_COLUMNS:
            self.values[name] += int(row[name] or 0)

    def __getitem__(self, name: str) -> int:
        return self.values[name]

    @property
    def handouts(self) -> int:
        return sum(self.values[name] for name in CATEGORY_COLUMNS)

    @property
    def services(self) -> int:
        """Vehicles and people served: loudspeaker minutes are not a count of services."""
        return sum(
            self.values[SERVICE_COLUMNS[kind]]
            for kind in (
                ServiceKind.MOTORBIKE_CHECK,
                ServiceKind.FIRST_AID,
                ServiceKind.DIRECTIONS,
                ServiceKind.REPAIR,
            )
        )


@dataclass
class Rollup:
    """The statement's rows, folded."""

    campaign: Figures = field(default_factory=Figures)
    by_unit: dict[int, Figures] = field(default_factory=dict)
    by_day: dict[dt.date, Figures] = field(default_factory=dict)
    by_station: dict[int, Figures] = field(default_factory=dict)
    #: listed stations with any figure (an inactive one is reported only then)
    with_figures: set[int] = field(default_factory=set)
    #: services per partner unit and kind
    by_partner: dict[int, dict[str, int]] = field(default_factory=dict)
    #: turns and worked minutes per volunteer force (as stored: the report maps unknown ones)
    by_force: dict[str, Figures] = field(default_factory=dict)


async def campaign_rollup(query: RollupQuery) -> Rollup:
    """Run the statement for ``query`` and fold its rows."""
    connection = connections.get("default")
    sql, parameters = rollup_sql(query, connection.capabilities.dialect)
    rollup = Rollup()
    units_of_day: dict[dt.date, int] = {}
    partners_of_station: dict[int, int] = {}
    for row in await connection.execute_query_dict(sql, parameters):
        grain, key, count = row["grain"], int(row["id"]), int(row["n"] or 0)
        if grain == "d":
            day = as_date(row["day"])
            daily = rollup.by_day.setdefault(day, Figures())
            daily.add(row)
            daily.stations += count
            rollup.by_unit.setdefault(key, Figures()).add(row)
            rollup.campaign.add(row)
        elif grain == "u":
            unit = rollup.by_unit.setdefault(key, Figures())
            unit.stations = count
            rollup.campaign.stations += count
        elif grain == "uu":
            rollup.by_unit.setdefault(key, Figures()).units = count
        elif grain == "cu":
            rollup.campaign.units = count
        elif grain == "du":
            units_of_day[as_date(row["day"])] = count
        elif grain == "p":
            kinds = rollup.by_partner.setdefault(key, {})
            kinds[str(row["kind"])] = kinds.get(str(row["kind"]), 0) + count
        elif grain == "f":
            rollup.by_force.setdefault(str(row["kind"]), Figures()).add(row)
        elif grain == "s":
            station = rollup.by_station.setdefault(key, Figures())
            station.add(row)
            station.stations = 1
            if count:
                rollup.with_figures.add(key)
        elif grain == "su":
            partners_of_station[key] = count
    for day, units in units_of_day.items():
        rollup.by_day.setdefault(day, Figures()).units = units
    for station_id, figures in rollup.by_station.items():
        figures.units = 1 + partners_of_station.get(station_id, 0)
    return rollup
