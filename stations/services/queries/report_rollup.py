"""The figures of a campaign report, summed in one SQL statement per report.

The statement reads each station's stored figures per Vietnam-local day
(``station_day_figures`` and ``station_day_partner``, kept by ``services/daily_figures.py``)
for the campaign's days; the few hours of its window that whole days do not cover (a night
shift that began the evening before the first day; services and receipts after the last
day's midnight while a night shift still ran) come from the source rows themselves, through
the same definitions. Those rows (``src``, then ``x`` in the report's columns) go straight
to each reporting unit and day (``ud``, a few hundred rows), and only the listed stations'
own figures are summed per station (``sf``); a narrow ``sd`` keeps one row per station and
day with figures, and whether it served, for the counts of stations and units. The
statement then answers, as rows of one shape told apart by ``grain``:

- ``d`` — per reporting unit and day: every figure, and how many stations served that day
  (stations belong to one reporting unit each, so the days' counts add up across units);
- ``u`` — per reporting unit: its counted stations (active, or inactive with figures);
- ``uu`` — per reporting unit: distinct units (its stations' own and the partners that
  served at them); ``cu`` — the same for the whole report; ``du`` — the same per day;
- ``s`` — per listed station (a page of them, all of them, or none): every figure, and
  whether it has any (an inactive station is counted only with figures); ``su`` — the
  partner units that served at a listed station, other than its own unit;
- ``p`` — per partner unit and kind of service: the quantity (the partners section);
- ``f`` — per volunteer force: the turns and worked minutes (the forces section).

So the rows read back grow with the reporting units and the days, never with the stations
or the lines. A station's **reporting unit** is the unit directly under the report's root it
descends from (found by a recursive query over the unit tree), or its own unit outside that
tree or without a root. :func:`campaign_rollup` first brings the stored figures up to date
(``refresh_daily_figures``: nothing to do unless something changed since the last report).

The definitions of every figure are in ``reports.py`` and ``daily_figures.source_selects``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.connection import connections

from stations.enums import ServiceKind
from stations.services.daily_figures import (
    FORCES,
    HANDOUT_COLUMNS,
    MINUTE_COLUMNS,
    SERVICE_COLUMNS,
    TURN_COLUMNS,
    VALUE_COLUMNS,
    Source,
    partners_select,
    refresh_daily_figures,
    source_selects,
)
from stations.services.queries.local_day import as_date
from stations.services.sql import Parameters

CATEGORY_COLUMNS = HANDOUT_COLUMNS
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


def _masked(keep: Collection[str]) -> str:
    """The stored value columns, those not in ``keep`` as 0."""
    return ", ".join(f"{name if name in keep else '0'} AS {name}" for name in VALUE_COLUMNS)


def _sources_sql(query: RollupQuery, p: Parameters) -> str:
    """``src``: rows of a station, a campaign day and the stored value columns.

    The stored days inside the campaign as they are; before it, only the receipts (early
    supplies count on the first day); the morning after it (when a night shift ran into
    it), only the handouts, on the last day. The hours of the window that whole days do not
    cover come from the sources themselves, through the same definitions
    (``daily_figures.source_selects``): a night shift's turns that began before the first
    day, and the services and receipts after the last day's midnight while a night shift
    still ran. Those are few rows, found through the indexes on their moments.
    """
    dialect = p.dialect
    stored = ' FROM "station_day_figures" f JOIN st ON st.id = f.station_id'
    branches = [
        f"SELECT f.station_id, f.day, {_masked(VALUE_COLUMNS)}{stored}"
        f" WHERE f.day >= {p.date(query.first_day)} AND f.day <= {p.date(query.last_day)}",
        f"SELECT f.station_id, {p.date(query.first_day)}, {_masked(('received', 'cost_vnd'))}"
        f"{stored} WHERE f.day < {p.date(query.first_day)} AND f.received = 1",
    ]
    if query.last_tally_day > query.last_day:
        branches.append(
            f"SELECT f.station_id, {p.date(query.last_day)},"
            f" {_masked(('handed_out', 'received', *HANDOUT_COLUMNS))}{stored}"
            f" WHERE f.day = {p.date(query.last_tally_day)}"
            " AND (f.handed_out = 1 OR f.received = 1)"
        )
    scoped = "{station} IN (SELECT id FROM st)"

    def before_first_day(source: Source) -> str:
        opens = p(query.opens_at)
        return (
            f"{scoped.format(station=source.station)}"
            f" AND {source.moment} < {opens} AND sh.ends_at > {p(query.opens_at)}"
        )

    edges = [("turns", query.first_day, before_first_day)]
    if query.closes_at > query.last_day_ends_at:

        def after_last_day(source: Source) -> str:
            return (
                f"{scoped.format(station=source.station)}"
                f" AND {source.moment} >= {p(query.last_day_ends_at)}"
                f" AND {source.moment} < {p(query.closes_at)}"
            )

        edges += [
            ("receipts", query.last_day, after_last_day),
            ("services", query.last_day, after_last_day),
        ]
    for name, day, where in edges:
        (select,) = source_selects(dialect, (name,), where)
        branches.append(
            f"SELECT e.station_id, {p.date(day)}, {_masked(VALUE_COLUMNS)} FROM ({select}) e"
        )
    return "src AS (" + " UNION ALL ".join(branches) + ")"


def _partners_sql(query: RollupQuery, p: Parameters) -> str:
    """``svp``: the services of partner units per station, campaign day, kind and partner,
    stored and (after the last day's midnight, while a night shift ran) from the records."""
    sql = (
        "svp AS (SELECT d.station_id, d.day, d.kind, d.partner_id, d.quantity"
        ' FROM "station_day_partner" d JOIN st ON st.id = d.station_id'
        f" WHERE d.day >= {p.date(query.first_day)} AND d.day <= {p.date(query.last_day)}"
    )
    if query.closes_at > query.last_day_ends_at:

        def after_last_day(source: Source) -> str:
            return (
                f"{source.station} IN (SELECT id FROM st)"
                f" AND {source.moment} >= {p(query.last_day_ends_at)}"
                f" AND {source.moment} < {p(query.closes_at)}"
            )

        select = partners_select(p.dialect, after_last_day)
        sql += (
            f" UNION ALL SELECT e.station_id, {p.date(query.last_day)}, e.kind, e.partner_id,"
            f" e.quantity FROM ({select}) e"
        )
    return sql + ")"


def rollup_sql(query: RollupQuery, dialect: str) -> tuple[str, list[Any]]:
    """The statement and its parameters (see the module)."""
    p = Parameters(dialect)
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
    src = _sources_sql(query, p)
    svp = _partners_sql(query, p)
    turns = " + ".join(TURN_COLUMNS)
    minutes = " + ".join(MINUTE_COLUMNS)
    # One row per source row, in the report's columns; whether the station served that day
    # (handed out, gave a service or had a turn served) or only has figures (a receipt).
    figures = (
        "x AS (SELECT station_id, day,"
        f" CASE WHEN handed_out = 1 OR served_services = 1 OR {turns} > 0 THEN 1 ELSE 0 END"
        f" AS served, {turns} AS turns, {minutes} AS worked_minutes,"
        f" {', '.join(FIGURE_COLUMNS[2:])}, {', '.join(TURN_COLUMNS)}, {', '.join(MINUTE_COLUMNS)}"
        " FROM src)"
    )
    # Each station counts once a day, whatever its sources.
    station_days = (
        "sd AS (SELECT station_id, day, MAX(served) AS served FROM x GROUP BY station_id, day)"
    )
    counted = "(st.is_active OR st.id IN (SELECT station_id FROM sd))"
    sums = ", ".join(f"SUM(x.{name}) AS {name}" for name in FIGURE_COLUMNS)
    # The figures go straight to their reporting unit and day (a few hundred rows).
    unit_days = (
        f"ud AS (SELECT st.owner_id, x.day, {sums} FROM x JOIN st ON st.id = x.station_id"
        " GROUP BY st.owner_id, x.day)"
    )
    served = (
        "SELECT st.owner_id, sd.day, COUNT(*) AS n FROM sd JOIN st ON st.id = sd.station_id"
        " WHERE sd.served = 1 GROUP BY st.owner_id, sd.day"
    )

    ctes = [chain, owner, st, src, svp, figures, station_days, unit_days]
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
            f"sf AS (SELECT x.station_id, {sums} FROM x JOIN st ON st.id = x.station_id"
            f"{only_listed('WHERE')} GROUP BY x.station_id)"
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
        ") x GROUP BY x.owner_id",
        f"SELECT 'cu', 0, NULL, NULL, COUNT(DISTINCT x.unit_id), {no_figures} FROM ("
        f"SELECT st.unit_id FROM st WHERE {counted} UNION SELECT partner_id FROM svp) x",
        f"SELECT 'du', 0, x.day, NULL, COUNT(DISTINCT x.unit_id), {no_figures} FROM ("
        "SELECT sd.day, st.unit_id FROM sd JOIN st ON st.id = sd.station_id"
        " WHERE sd.served = 1 UNION SELECT day, partner_id FROM svp) x GROUP BY x.day",
        f"SELECT 'p', svp.partner_id, NULL, svp.kind, SUM(svp.quantity), {no_figures}"
        " FROM svp GROUP BY svp.partner_id, svp.kind",
    ]
    rest = ", ".join("0" for _ in FIGURE_COLUMNS[2:])
    for force, turns_column, minutes_column in zip(
        FORCES, TURN_COLUMNS, MINUTE_COLUMNS, strict=True
    ):
        # FIGURE_COLUMNS starts with the turns and the worked minutes.
        branches.append(
            f"SELECT 'f', 0, NULL, '{force}', SUM({turns_column}), SUM({turns_column}),"
            f" SUM({minutes_column}), {rest} FROM x HAVING SUM({turns_column}) > 0"
        )
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
            f" WHERE svp.partner_id <> st.unit_id{only_listed('AND')} GROUP BY st.id"
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
    await refresh_daily_figures()
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
