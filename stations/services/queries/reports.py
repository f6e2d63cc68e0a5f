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
  **broadcast_hours** — ``loudspeaker`` minutes / 60, one decimal; **first_aid**,
  **directions**, **repairs** — the quantity of those records: every kind of service recorded
  has its figure.
- **cost_vnd** — the value of the supplies received: ``receipt`` lines × the cost per unit
  frozen on each line when it was recorded, so a price changed later changes no report. The
  campaign's budget and what is left of it sit beside it.
- **sections** — funds, forces, units and partners, each from its own module
  (``report_sections``).
- **rounding** — hours are summed in minutes and each row is rounded once to a tenth; a total
  is rounded from the exact sum, so it can differ from the sum of the rounded rows by a
  rounding step, and the pages say so beside it.
- **per day** — by the Vietnam-local date of ``occurred_at`` (handouts, receipts, services) or of
  the shift's start (turns, hours). Exactly the days of the campaign, zeros included.
- **the window** (``services/campaign_window.py``) — handouts, services and turns count only
  inside it: from the first day's midnight to the last day's, or to the end of a night shift
  that runs past it (its last hours count on the last day). Supplies received before the first
  day count on the first day (they arrive early); anything a coordinator recorded outside the
  window, with a reason, stays in the ledger and out of the report.
- **phase** — ``planning``, ``running``, ``finished`` or ``closed`` on the day it was made.

Cost: a fixed number of queries whatever the number of stations, lines or days — the
stations with their units, then the supplies, the value of the receipts, the services and the
turns, each grouped by station and local day in SQL, the end of the window, travellers'
ratings (``report_satisfaction.py``), then the sections'. The supplies come from
``DailyStockTally``, the ledger already summed per station,
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
from stations.services.campaign_phases import phase_of
from stations.services.campaign_window import campaign_window
from stations.services.queries.local_day import as_date, local_day_sql
from stations.services.queries.report_satisfaction import (
    Satisfaction,
    combined,
    satisfaction_of,
    stars_by_station,
)
from stations.services.queries.report_sections import CampaignSections, campaign_sections
from stations.services.queries.report_sections import sections_to_dict as sections_to_dict
from stations.services.queries.report_units import StationFigures
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
    directions: int = 0
    repairs: int = 0
    cost_vnd: int = 0


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
    sections: CampaignSections = field(default_factory=CampaignSections)

    @property
    def phase(self) -> str:
        """A ``CampaignPhase`` value on the Vietnam-local day the report was made."""
        return phase_of(
            self.status, self.starts_on, self.ends_on, clock.local(self.generated_at).date()
        ).value

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
    directions: int = 0
    repairs: int = 0
    cost_vnd: int = 0

    def figures(self) -> StationFigures:
        """What this station adds to its unit's row of the per-unit table."""
        return StationFigures(
            turns=self.volunteer_turns,
            worked_minutes=self.worked_minutes,
            handouts=sum(self.handed_out.values()),
            services=self.motorbikes_checked + self.first_aid + self.directions + self.repairs,
        )

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
            directions=self.directions,
            repairs=self.repairs,
            cost_vnd=self.cost_vnd,
        )


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def _placeholder(dialect: str) -> str:
    return placeholders(dialect, 1)[0]


def _ledger_sql(dialect: str, *, per_day: bool = True) -> str:
    """Parameters: the campaign, its first day, the last day a handout counts on."""
    first, last = placeholders(dialect, 3)[1:]
    return (
        "SELECT t.station_id AS station_id, i.category AS category, t.kind AS kind,"
        f"{' t.day AS day,' if per_day else ''} SUM(t.delta) AS delta"
        ' FROM "daily_stock_tally" t'
        ' JOIN "supply_item" i ON i.id = t.item_id'
        ' JOIN "station" s ON s.id = t.station_id'
        f" WHERE s.campaign_id = {_placeholder(dialect)}"
        f" AND t.kind IN ('{MovementKind.HANDOUT.value}', '{MovementKind.RECEIPT.value}')"
        f" AND (t.day >= {first} OR t.kind = '{MovementKind.RECEIPT.value}')"
        f" AND t.day <= {last}"
        f" GROUP BY 1, 2, 3{', 4' if per_day else ''}"
    )


def _receipt_values_sql(dialect: str, *, per_day: bool = True) -> str:
    """Parameters: the campaign, the window's closing moment (receipts before the window
    count, as its supplies; after it, not)."""
    closes = placeholders(dialect, 2)[1]
    day = f" {local_day_sql('m.occurred_at', dialect)} AS day," if per_day else ""
    return (
        f"SELECT m.station_id AS station_id,{day}"
        # The cost frozen on each line times what it received: 8-byte arithmetic, since a big
        # receipt is past 2,147,483,647 đồng (5,000 gift packs at 500,000).
        " SUM(CAST(m.quantity AS BIGINT) * COALESCE(m.unit_cost_vnd, 0)) AS value_vnd"
        ' FROM "stock_movement" m'
        ' JOIN "station" s ON s.id = m.station_id'
        f" WHERE s.campaign_id = {_placeholder(dialect)}"
        f" AND m.kind = '{MovementKind.RECEIPT.value}'"
        f" AND m.occurred_at < {closes}"
        f" GROUP BY 1{', 2' if per_day else ''}"
    )


def _services_sql(dialect: str, *, per_day: bool = True) -> str:
    """Parameters: the campaign, the window's opening and closing moments."""
    opens, closes = placeholders(dialect, 3)[1:]
    day = f" {local_day_sql('r.occurred_at', dialect)} AS day," if per_day else ""
    return (
        f"SELECT r.station_id AS station_id, r.kind AS kind, r.partner_id AS partner_id,{day}"
        " SUM(r.quantity) AS quantity"
        ' FROM "service_record" r'
        ' JOIN "station" s ON s.id = r.station_id'
        f" WHERE s.campaign_id = {_placeholder(dialect)}"
        f" AND r.occurred_at >= {opens} AND r.occurred_at < {closes}"
        f" GROUP BY 1, 2, 3{', 4' if per_day else ''}"
    )


def _turns_sql(dialect: str, *, per_day: bool = True) -> str:
    """Parameters: the campaign, the window's opening moment and its last day's end: a shift
    counts when it runs into the window and starts by the last day's end."""
    opens, last_day_ends = placeholders(dialect, 3)[1:]
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
        f" AND sh.ends_at > {opens} AND sh.starts_at < {last_day_ends}"
        f" GROUP BY 1{', 2' if per_day else ''}"
    )


def _day_range(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


class _Ledger:
    """The four tallies every grouped row adds into: campaign, station, day, and who served."""

    def __init__(self, stations: Iterable[Station], first_day: dt.date, last_day: dt.date) -> None:
        #: every row's day is folded into the campaign's days: early receipts on the first,
        #: a night shift's last hours on the last
        self.first_day, self.last_day = first_day, last_day
        self.unit_of = {station.id: station.unit.id for station in stations}
        self.campaign = _Tally()
        self.by_station: dict[int, _Tally] = {}
        self.by_day: dict[dt.date, _Tally] = {}
        self.stations_with_figures: set[int] = set()
        #: services per partner unit and kind, for the partners section
        self.by_partner: dict[int, Counter[str]] = {}

    def tallies(self, row: Mapping[str, Any], *, served: bool) -> tuple[_Tally, ...]:
        """The tallies ``row`` adds into; no day's when the rows were grouped without days."""
        station_id = row["station_id"]
        self.stations_with_figures.add(station_id)
        station = self.by_station.setdefault(station_id, _Tally())
        if row.get("day") is None:
            return self.campaign, station
        day = min(max(as_date(row["day"]), self.first_day), self.last_day)
        daily = self.by_day.setdefault(day, _Tally())
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

    def add_receipt_values(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            for tally in self.tallies(row, served=False):
                tally.cost_vnd += int(row["value_vnd"] or 0)

    def add_services(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            quantity, kind, partner_id = int(row["quantity"] or 0), row["kind"], row["partner_id"]
            if partner_id is not None:
                self.by_partner.setdefault(partner_id, Counter())[str(kind)] += quantity
            for tally in self.tallies(row, served=True):
                if partner_id is not None:
                    tally.unit_ids.add(partner_id)
                if kind == ServiceKind.MOTORBIKE_CHECK:
                    tally.motorbikes_checked += quantity
                elif kind == ServiceKind.LOUDSPEAKER:
                    tally.loudspeaker_minutes += quantity
                elif kind == ServiceKind.FIRST_AID:
                    tally.first_aid += quantity
                elif kind == ServiceKind.DIRECTIONS:
                    tally.directions += quantity
                elif kind == ServiceKind.REPAIR:
                    tally.repairs += quantity

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

    window = await campaign_window(campaign)
    # A night shift past the last day's midnight: its handouts are on the next local day.
    last_tally_day = campaign.ends_on + dt.timedelta(
        days=1 if window.closes_at > window.last_day_ends_at else 0
    )
    parameters: dict[str, list[Any]] = {
        "ledger": [campaign.id, campaign.starts_on, last_tally_day],
        "receipt_values": [campaign.id, window.closes_at],
        "services": [campaign.id, window.opens_at, window.closes_at],
        "turns": [campaign.id, window.opens_at, window.last_day_ends_at],
    }

    async def rows(sql: str, part: str) -> list[dict[str, Any]]:
        found = await connection.execute_query_dict(sql, parameters[part])
        if unit_ids is None:
            return list(found)
        return [row for row in found if row["station_id"] in kept]

    ledger = _Ledger(stations, campaign.starts_on, campaign.ends_on)
    ledger.add_movements(await rows(_ledger_sql(dialect, per_day=per_day), "ledger"))
    ledger.add_receipt_values(
        await rows(_receipt_values_sql(dialect, per_day=per_day), "receipt_values")
    )
    ledger.add_services(await rows(_services_sql(dialect, per_day=per_day), "services"))
    ledger.add_turns(await rows(_turns_sql(dialect, per_day=per_day), "turns"))

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
        day_reports = [
            DayReport(day=day, totals=ledger.by_day.get(day, _Tally()).freeze())
            for day in _day_range(campaign.starts_on, campaign.ends_on)
        ]

    sections = await campaign_sections(
        campaign,
        counted,
        {station_id: tally.figures() for station_id, tally in ledger.by_station.items()},
        ledger.by_partner,
        scoped=unit_ids is not None,
        receipts_value=ledger.campaign.cost_vnd,
    )
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
        sections=sections,
        satisfaction=combined(stars.values()),
    )


def report_to_dict(report: CampaignReport) -> dict[str, Any]:
    """The report as JSON-ready data: dates and moments in ISO 8601, money in whole đồng."""
    return {
        "campaign_id": report.campaign_id,
        "name": report.name,
        "kind": report.kind,
        "status": report.status,
        "phase": report.phase,
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
        **sections_to_dict(report.sections),
        "satisfaction": report.satisfaction.as_dict(),
    }
