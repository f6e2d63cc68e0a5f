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

- **per unit** (``unit_totals``) — the same figures per reporting unit: the units directly
  under the report's root (``report_units``), so a nationwide report has one row per
  province, a province's one per ward or commune unit; they add up to the campaign's (the
  ``units`` figure excepted: a partner can serve in several units).
- **per station** — a page of stations (``StationPage``, by id) or all of them (the files).

Cost: a fixed number of queries whatever the number of stations, units, lines or days, and
rows read back that grow with the reporting units and the days, not with the stations: the
end of the window, the unit tree, the listed stations, one statement summing every figure
per reporting unit and day (``report_rollup``), travellers' ratings, then the sections'.
The supplies come from ``DailyStockTally``, the ledger already summed per station, item,
kind and local day by its writer, so the report reads a few rows per station and day rather
than every ledger line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from tortoise.connection import connections

from stations import clock
from stations.enums import CampaignKind, CampaignStatus
from stations.models import Campaign
from stations.services.campaign_phases import phase_of
from stations.services.campaign_window import campaign_window
from stations.services.queries.api import MAX_ID
from stations.services.queries.report_forces import force_rows
from stations.services.queries.report_rollup import Figures, RollupQuery, campaign_rollup
from stations.services.queries.report_satisfaction import (
    Satisfaction,
    report_stars,
    satisfaction_of,
)
from stations.services.queries.report_sections import CampaignSections, campaign_sections
from stations.services.queries.report_sections import sections_to_dict as sections_to_dict
from stations.services.queries.report_units import report_root, reporting_units, units_table
from stations.services.queries.unit_tree import UnitTree, unit_tree
from stations.services.sql import Parameters


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
class UnitReport:
    """A reporting unit's figures: its stations' totals."""

    unit_id: int
    unit: str
    totals: ReportTotals


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
    #: per reporting unit (see ``report_units``), in the order of the units section
    unit_totals: list[UnitReport] = field(default_factory=list)
    #: where the next page of ``stations`` starts; None when they are all listed
    stations_next_after: int | None = None

    @property
    def budget_remaining_vnd(self) -> int | None:
        """What is left of the budget (negative when it is overspent); None without a budget."""
        if self.budget_vnd is None:
            return None
        return self.budget_vnd - self.totals.cost_vnd


@dataclass(frozen=True)
class StationPage:
    """Which stations a report lists one by one: ``limit`` of them by id, after ``after``."""

    after: int | None = None
    limit: int = 50


#: A report listing no station (the overview's totals).
NO_STATIONS = StationPage(limit=0)


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def _totals(figures: Figures) -> ReportTotals:
    return ReportTotals(
        stations=figures.stations,
        units=figures.units,
        volunteer_turns=figures["turns"],
        worked_hours=_hours(figures["worked_minutes"]),
        water_bottles=figures["water"],
        cold_towels=figures["towel"],
        food_items=figures["food"],
        fuel_litres=figures["fuel"],
        leaflets=figures["leaflet"],
        motorbikes_checked=figures["motorbikes"],
        broadcast_hours=_hours(figures["loudspeaker_minutes"]),
        first_aid=figures["first_aid"],
        directions=figures["directions"],
        repairs=figures["repairs"],
        cost_vnd=figures["cost_vnd"],
    )


def _day_range(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class _Listed:
    station_id: int
    code: str
    name: str
    unit_name: str
    is_active: bool


async def _listed_stations(
    campaign: Campaign, unit_ids: Collection[int] | None, page: StationPage | None
) -> tuple[list[_Listed], int | None]:
    """The stations to list (all of them by code, or one page by id) and where the next
    page starts (None on the last)."""
    if page is not None and page.limit <= 0:
        return [], None
    connection = connections.get("default")
    p = Parameters(connection.capabilities.dialect)
    sql = (
        'SELECT s.id, s.code, s.name, u.name AS unit_name, s.is_active FROM "station" s'
        f' JOIN "unit" u ON u.id = s.unit_id WHERE s.campaign_id = {p(campaign.id)}'
    )
    if unit_ids is not None:
        sql += f" AND s.unit_id IN ({p.ids(unit_ids)})"
    if page is None:
        sql += " ORDER BY s.code, s.id"
    else:
        if page.after is not None:
            # Station ids are 4-byte integers: a cursor past the last one pages past them all.
            sql += f" AND s.id > {p(min(page.after, MAX_ID))}"
        sql += f" ORDER BY s.id LIMIT {p(page.limit + 1)}"
    rows = await connection.execute_query_dict(sql, p.values)
    listed = [
        _Listed(int(row["id"]), row["code"], row["name"], row["unit_name"], bool(row["is_active"]))
        for row in rows
    ]
    if page is not None and len(listed) > page.limit:
        listed = listed[: page.limit]
        return listed, listed[-1].station_id
    return listed, None


async def campaign_report(
    campaign: Campaign,
    *,
    unit_ids: Collection[int] | None = None,
    stations: StationPage | None = None,
) -> CampaignReport:
    """The campaign's totals, per reporting unit, per station and per Vietnam-local day (see
    the module's definitions); every station, by code, or one ``stations`` page, by id.

    With ``unit_ids`` (a unit coordinator's scope) only those units' stations count, and the
    budget is left out: it belongs to the whole campaign, so "what is left" of it next to
    part of its spending would mean nothing.
    """
    return await _report(campaign, unit_ids, stations, per_day=True)


async def campaign_totals(campaign: Campaign, *, tree: UnitTree | None = None) -> CampaignReport:
    """The campaign's report without its per-station and per-day breakdowns (``stations`` and
    ``days`` are empty): the same totals and sections, from the same statement. For the
    summary paragraph of the overview (which passes the unit ``tree`` it has read), the
    campaigns list and the closing message."""
    return await _report(campaign, None, NO_STATIONS, per_day=False, tree=tree)


async def _report(
    campaign: Campaign,
    unit_ids: Collection[int] | None,
    page: StationPage | None,
    *,
    per_day: bool,
    tree: UnitTree | None = None,
) -> CampaignReport:
    window = await campaign_window(campaign)
    # A night shift past the last day's midnight: its handouts are on the next local day.
    last_tally_day = campaign.ends_on + dt.timedelta(
        days=1 if window.closes_at > window.last_day_ends_at else 0
    )
    units_by_id = (tree or await unit_tree()).nodes
    root = report_root(units_by_id, campaign.unit_id, unit_ids)
    listed, next_after = await _listed_stations(campaign, unit_ids, page)
    listed_ids = None if page is None else [station.station_id for station in listed]
    rollup = await campaign_rollup(
        RollupQuery(
            campaign_id=campaign.id,
            unit_ids=unit_ids,
            root_unit_id=root,
            first_day=campaign.starts_on,
            last_day=campaign.ends_on,
            last_tally_day=last_tally_day,
            opens_at=window.opens_at,
            last_day_ends_at=window.last_day_ends_at,
            closes_at=window.closes_at,
            listed=listed_ids,
        )
    )
    all_stars, stars = await report_stars(campaign.id, unit_ids=unit_ids, listed=listed_ids)

    station_reports = [
        StationReport(
            station_id=station.station_id,
            code=station.code,
            name=station.name,
            unit_name=station.unit_name,
            totals=_totals(rollup.by_station.get(station.station_id, Figures())),
            satisfaction=satisfaction_of(stars.get(station.station_id, {})),
        )
        for station in listed
        if station.is_active or station.station_id in rollup.with_figures
    ]
    day_reports = []
    if per_day:
        day_reports = [
            DayReport(day=day, totals=_totals(rollup.by_day.get(day, Figures())))
            for day in _day_range(campaign.starts_on, campaign.ends_on)
        ]
    units = reporting_units(units_by_id, root, rollup.by_unit, scoped=unit_ids is not None)
    totals = _totals(rollup.campaign)
    sections = await campaign_sections(
        campaign,
        unit_ids=unit_ids,
        units=units_table(units),
        forces=force_rows(rollup.by_force),
        services_by_unit=rollup.by_partner,
        tree=units_by_id,
        receipts_value=totals.cost_vnd,
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
        totals=totals,
        stations=station_reports,
        days=day_reports,
        sections=sections,
        satisfaction=satisfaction_of(all_stars),
        unit_totals=[
            UnitReport(unit_id=unit_id, unit=name, totals=_totals(figures))
            for unit_id, name, figures in units
        ],
        stations_next_after=next_after,
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
        "unit_totals": [
            {"unit_id": row.unit_id, "unit": row.unit, "totals": asdict(row.totals)}
            for row in report.unit_totals
        ],
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
