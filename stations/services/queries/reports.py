"""Campaign reports: the totals of a provincial summary, for the campaign, per station, per day.

What each figure counts:

- **stations** — the campaign's stations: every active one, and an inactive one only when it
  recorded something. In a day's row: the stations that served that day (a served turn, a
  handout or a service); a receipt alone does not open a station.
- **units** — distinct units running the counted stations, plus the partner units named on
  their service records (a garage checking motorbikes).
- **volunteer_turns** ("lượt") — assignments that were served: ``checked_in`` or
  ``checked_out``. **worked_hours** — the ``worked_minutes`` of checked-out assignments / 60,
  one decimal.
- **water_bottles, cold_towels, food_items, fuel_litres, leaflets** — by
  ``SupplyItem.category``: what was handed out, ``−sum(delta)`` of ``handout`` lines. Receipts,
  transfers, count adjustments and losses are not handouts. Items of category ``other`` have no
  column.
- **motorbikes_checked** — the quantity of ``motorbike_check`` service records;
  **broadcast_hours** — ``loudspeaker`` minutes / 60, one decimal; **first_aid** — the quantity
  of ``first_aid`` records.
- **cost_vnd** — the value of the supplies received: ``receipt`` lines × the item's current
  ``unit_cost_vnd``. The campaign's budget and what is left of it sit beside it.
- **per day** — by the Vietnam-local date of ``occurred_at`` (handouts, receipts, services) or of
  the shift's start (turns, hours). Every day of the campaign window is listed, zeros
  included; the list stretches to cover any day outside the window that has figures (supplies
  received the day before opening), so the days always add up to the campaign's totals.

Cost: five queries (the fifth, travellers' ratings, in ``report_satisfaction.py``) whatever the number of stations, lines or days — the stations with their
units, then the supplies, the services and the turns, each grouped by station and local day
in SQL. The supplies come from ``DailyStockTally``, the ledger already summed per station,
item, kind and local day by its writer, so the report reads a few rows per station and day
rather than every ledger line. Services and turns are grouped by a local-day expression
(``queries/local_day.py``), in raw SQL since the ORM cannot group by one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from tortoise.connection import connections

from stations import clock
from stations.enums import (
    AssignmentStatus,
    CampaignKind,
    CampaignStatus,
    MovementKind,
    ServiceKind,
    SupplyCategory,
)
from stations.models import Campaign, Station
from stations.services.queries.local_day import as_date, local_day_sql
from stations.services.queries.report_satisfaction import (
    Satisfaction,
    combined,
    satisfaction_of,
    stars_by_station,
)
from stations.services.sql import placeholders


@dataclass(frozen=True)
class ReportTotals:
    stations: int
    units: int
    volunteer_turns: int
    worked_hours: float
    water_bottles: int
    cold_towels: int
    food_items: int
    fuel_litres: int
    leaflets: int
    motorbikes_checked: int
    broadcast_hours: float
    first_aid: int
    cost_vnd: int


@dataclass(frozen=True)
class StationReport:
    station_id: int
    code: str
    name: str
    unit_name: str
    totals: ReportTotals
    satisfaction: Satisfaction = field(default_factory=Satisfaction)


@dataclass(frozen=True)
class DayReport:
    day: dt.date
    totals: ReportTotals


@dataclass(frozen=True)
class CampaignReport:
    campaign_id: int
    name: str
    kind: str
    #: a ``CampaignStatus`` value: a closed campaign is reported as over, whatever its dates
    status: str
    starts_on: dt.date
    ends_on: dt.date
    budget_vnd: int | None
    generated_at: dt.datetime
    totals: ReportTotals
    stations: list[StationReport]
    days: list[DayReport]
    satisfaction: Satisfaction = field(default_factory=Satisfaction)

    @property
    def budget_remaining_vnd(self) -> int | None:
        """What is left of the budget (negative when it is overspent); None without a budget."""
        if self.budget_vnd is None:
            return None
        return self.budget_vnd - self.totals.cost_vnd


@dataclass
class _Tally:
    """Raw counts while adding up; hours are kept in minutes so rounding happens once."""

    station_ids: set[int] = field(default_factory=set)
    unit_ids: set[int] = field(default_factory=set)
    volunteer_turns: int = 0
    worked_minutes: int = 0
    handed_out: Counter[str] = field(default_factory=Counter)
    motorbikes_checked: int = 0
    loudspeaker_minutes: int = 0
    first_aid: int = 0
    cost_vnd: int = 0

    def freeze(self) -> ReportTotals:
        return ReportTotals(
            stations=len(self.station_ids),
            units=len(self.unit_ids),
            volunteer_turns=self.volunteer_turns,
            worked_hours=_hours(self.worked_minutes),
            water_bottles=self.handed_out[SupplyCategory.WATER.value],
            cold_towels=self.handed_out[SupplyCategory.TOWEL.value],
            food_items=self.handed_out[SupplyCategory.FOOD.value],
            fuel_litres=self.handed_out[SupplyCategory.FUEL.value],
            leaflets=self.handed_out[SupplyCategory.LEAFLET.value],
            motorbikes_checked=self.motorbikes_checked,
            broadcast_hours=_hours(self.loudspeaker_minutes),
            first_aid=self.first_aid,
            cost_vnd=self.cost_vnd,
        )


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def _placeholder(dialect: str) -> str:
    return placeholders(dialect, 1)[0]


def _ledger_sql(dialect: str, *, per_day: bool = True) -> str:
    return (
        "SELECT t.station_id AS station_id, i.category AS category, t.kind AS kind,"
        f"{' t.day AS day,' if per_day else ''} SUM(t.delta) AS delta,"
        # The item's current cost times what was received: 8-byte arithmetic, since a big
        # receipt is past 2,147,483,647 đồng (5,000 gift packs at 500,000).
        " SUM(CAST(t.quantity AS BIGINT) * i.unit_cost_vnd) AS value_vnd"
        ' FROM "daily_stock_tally" t'
        ' JOIN "supply_item" i ON i.id = t.item_id'
        ' JOIN "station" s ON s.id = t.station_id'
        f" WHERE s.campaign_id = {_placeholder(dialect)}"
        f" AND t.kind IN ('{MovementKind.HANDOUT.value}', '{MovementKind.RECEIPT.value}')"
        f" GROUP BY 1, 2, 3{', 4' if per_day else ''}"
    )


def _services_sql(dialect: str, *, per_day: bool = True) -> str:
    day = f" {local_day_sql('r.occurred_at', dialect)} AS day," if per_day else ""
    return (
        f"SELECT r.station_id AS station_id, r.kind AS kind, r.partner_id AS partner_id,{day}"
        " SUM(r.quantity) AS quantity"
        ' FROM "service_record" r'
        ' JOIN "station" s ON s.id = r.station_id'
        f" WHERE s.campaign_id = {_placeholder(dialect)}"
        f" GROUP BY 1, 2, 3{', 4' if per_day else ''}"
    )


def _turns_sql(dialect: str, *, per_day: bool = True) -> str:
    day = f" {local_day_sql('sh.starts_at', dialect)} AS day," if per_day else ""
    checked_in, checked_out = AssignmentStatus.CHECKED_IN.value, AssignmentStatus.CHECKED_OUT.value
    return (
        f"SELECT sh.station_id AS station_id,{day} COUNT(*) AS turns,"
        f" SUM(CASE WHEN a.status = '{checked_out}' THEN COALESCE(a.worked_minutes, 0) ELSE 0 END)"
        " AS worked_minutes"
        ' FROM "assignment" a'
        ' JOIN "shift" sh ON sh.id = a.shift_id'
        ' JOIN "station" s ON s.id = sh.station_id'
        f" WHERE s.campaign_id = {_placeholder(dialect)}"
        f" AND a.status IN ('{checked_in}', '{checked_out}')"
        f" GROUP BY 1{', 2' if per_day else ''}"
    )


def _day_range(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


class _Ledger:
    """The four tallies every grouped row adds into: campaign, station, day, and who served."""

    def __init__(self, stations: Iterable[Station]) -> None:
        self.unit_of = {station.id: station.unit.id for station in stations}
        self.campaign = _Tally()
        self.by_station: dict[int, _Tally] = {}
        self.by_day: dict[dt.date, _Tally] = {}
        self.stations_with_figures: set[int] = set()

    def tallies(self, row: Mapping[str, Any], *, served: bool) -> tuple[_Tally, ...]:
        """The tallies ``row`` adds into; no day's when the rows were grouped without days."""
        station_id = row["station_id"]
        self.stations_with_figures.add(station_id)
        station = self.by_station.setdefault(station_id, _Tally())
        if row.get("day") is None:
            return self.campaign, station
        daily = self.by_day.setdefault(as_date(row["day"]), _Tally())
        if served:
            daily.station_ids.add(station_id)
            daily.unit_ids.add(self.unit_of[station_id])
        return self.campaign, station, daily

    def add_movements(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            handout = row["kind"] == MovementKind.HANDOUT
            for tally in self.tallies(row, served=handout):
                if handout:
                    tally.handed_out[str(row["category"])] += -int(row["delta"] or 0)
                else:
                    tally.cost_vnd += int(row["value_vnd"] or 0)

    def add_services(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            quantity, kind, partner_id = int(row["quantity"] or 0), row["kind"], row["partner_id"]
            for tally in self.tallies(row, served=True):
                if partner_id is not None:
                    tally.unit_ids.add(partner_id)
                if kind == ServiceKind.MOTORBIKE_CHECK:
                    tally.motorbikes_checked += quantity
                elif kind == ServiceKind.LOUDSPEAKER:
                    tally.loudspeaker_minutes += quantity
                elif kind == ServiceKind.FIRST_AID:
                    tally.first_aid += quantity

    def add_turns(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            for tally in self.tallies(row, served=True):
                tally.volunteer_turns += int(row["turns"] or 0)
                tally.worked_minutes += int(row["worked_minutes"] or 0)


async def campaign_report(
    campaign: Campaign, *, unit_ids: Collection[int] | None = None
) -> CampaignReport:
    """The campaign's totals, per station and per Vietnam-local day (see the module's definitions).

    With ``unit_ids`` (a unit coordinator's scope) only those units' stations count, and the
    budget is left out: it belongs to the whole campaign, so "what is left" of it next to
    part of its spending would mean nothing.
    """
    return await _report(campaign, unit_ids, per_day=True)


async def campaign_totals(campaign: Campaign) -> CampaignReport:
    """The campaign's report without its per-station and per-day breakdowns (``stations`` and
    ``days`` are empty): the same totals, from the same four queries grouped by station only,
    so no local day is worked out. For the summary paragraph of the overview."""
    return await _report(campaign, None, per_day=False)


async def _report(
    campaign: Campaign, unit_ids: Collection[int] | None, *, per_day: bool
) -> CampaignReport:
    connection = connections.get("default")
    dialect = connection.capabilities.dialect
    query = Station.filter(campaign_id=campaign.id)
    if unit_ids is not None:
        query = query.filter(unit_id__in=list(unit_ids) or [0])
    stations = await query.select_related("unit").order_by("code")
    kept = {station.id for station in stations}

    async def rows(sql: str) -> list[dict[str, Any]]:
        found = await connection.execute_query_dict(sql, [campaign.id])
        if unit_ids is None:
            return list(found)
        return [row for row in found if row["station_id"] in kept]

    ledger = _Ledger(stations)
    ledger.add_movements(await rows(_ledger_sql(dialect, per_day=per_day)))
    ledger.add_services(await rows(_services_sql(dialect, per_day=per_day)))
    ledger.add_turns(await rows(_turns_sql(dialect, per_day=per_day)))

    stars = {k: v for k, v in (await stars_by_station(campaign.id)).items() if k in kept}
    counted = [s for s in stations if s.is_active or s.id in ledger.stations_with_figures]
    ledger.campaign.station_ids.update(s.id for s in counted)
    ledger.campaign.unit_ids.update(s.unit.id for s in counted)

    station_reports = []
    for station in counted if per_day else []:
        tally = ledger.by_station.get(station.id, _Tally())
        tally.station_ids.add(station.id)
        tally.unit_ids.add(station.unit.id)
        station_reports.append(
            StationReport(
                station_id=station.id,
                code=station.code,
                name=station.name,
                unit_name=station.unit.name,
                totals=tally.freeze(),
                satisfaction=satisfaction_of(stars.get(station.id, {})),
            )
        )

    day_reports = []
    if per_day:
        first = min([campaign.starts_on, *ledger.by_day])
        last = max([campaign.ends_on, *ledger.by_day])
        day_reports = [
            DayReport(day=day, totals=ledger.by_day.get(day, _Tally()).freeze())
            for day in _day_range(first, last)
        ]

    return CampaignReport(
        campaign_id=campaign.id,
        name=campaign.name,
        kind=CampaignKind(campaign.kind).value,
        status=CampaignStatus(campaign.status).value,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        budget_vnd=campaign.budget_vnd if unit_ids is None else None,
        generated_at=clock.now(),
        totals=ledger.campaign.freeze(),
        stations=station_reports,
        days=day_reports,
        satisfaction=combined(stars.values()),
    )


def report_to_dict(report: CampaignReport) -> dict[str, Any]:
    """The report as JSON-ready data: dates and moments in ISO 8601, money in whole đồng."""
    return {
        "campaign_id": report.campaign_id,
        "name": report.name,
        "kind": report.kind,
        "status": report.status,
        "starts_on": report.starts_on.isoformat(),
        "ends_on": report.ends_on.isoformat(),
        "budget_vnd": report.budget_vnd,
        "budget_remaining_vnd": report.budget_remaining_vnd,
        "generated_at": report.generated_at.isoformat(),
        "totals": asdict(report.totals),
        "stations": [
            {
                "station_id": station.station_id,
                "code": station.code,
                "name": station.name,
                "unit_name": station.unit_name,
                "totals": asdict(station.totals),
                "satisfaction": station.satisfaction.as_dict(),
            }
            for station in report.stations
        ],
        "days": [{"day": day.day.isoformat(), "totals": asdict(day.totals)} for day in report.days],
        "satisfaction": report.satisfaction.as_dict(),
    }
