"""The report at scale: per-unit rollups that add up, a constant cost in stations and units."""

from __future__ import annotations

import dataclasses

from stations.services.queries.reports import (
    ReportTotals,
    StationPage,
    campaign_report,
    campaign_totals,
)
from tests.factories_report_scale import make_busy_campaign
from tests.sql import count_queries

#: Figures that add up across units, days and stations (``units`` does not: a partner
#: may serve in several units; a station serves on several days).
ADDING_UP = [f.name for f in dataclasses.fields(ReportTotals) if f.name not in ("units",)]
HOURS = ("worked_hours", "broadcast_hours")


def summed(rows: list[ReportTotals], name: str) -> float:
    total = sum(getattr(row, name) for row in rows)
    return round(total, 1) if name in HOURS else total


async def test_unit_rollups_add_up_to_the_campaign_totals(db, clock) -> None:
    busy = await make_busy_campaign(stations=30, units=5)

    report = await campaign_report(busy.campaign)

    units = [row.totals for row in report.unit_totals]
    assert sorted(row.unit_id for row in report.unit_totals) == sorted(busy.units)
    for name in ADDING_UP:
        if name in HOURS:
            # Each row is rounded once: the sum of rounded rows is within half a tenth a row.
            assert abs(summed(units, name) - getattr(report.totals, name)) <= 0.05 * len(units)
        else:
            assert summed(units, name) == getattr(report.totals, name), name
    # Stations closed after they served still count.
    assert report.totals.stations == 30
    assert [
        (row.unit_id, row.stations, row.turns, row.handouts) for row in report.sections.units.rows
    ] == [
        (
            row.unit_id,
            row.totals.stations,
            row.totals.volunteer_turns,
            row.totals.water_bottles + row.totals.cold_towels,
        )
        for row in report.unit_totals
    ]


async def test_every_station_and_day_adds_up_to_the_campaign_totals(db, clock) -> None:
    busy = await make_busy_campaign(stations=30, units=5)

    report = await campaign_report(busy.campaign)

    stations = [row.totals for row in report.stations]
    days = [row.totals for row in report.days]
    for name in ADDING_UP:
        if name == "stations":
            continue
        assert summed(stations, name) == getattr(report.totals, name), name
        assert summed(days, name) == getattr(report.totals, name), name
    assert sum(row.turns for row in report.sections.forces) == report.totals.volunteer_turns


async def test_pages_of_stations_list_every_counted_station_once(db, clock) -> None:
    busy = await make_busy_campaign(stations=30, units=5)
    full = await campaign_report(busy.campaign)

    listed, after = [], None
    while True:
        page = await campaign_report(busy.campaign, stations=StationPage(after=after, limit=7))
        listed.extend(page.stations)
        assert page.totals == full.totals
        if page.stations_next_after is None:
            break
        after = page.stations_next_after

    assert sorted(s.station_id for s in listed) == sorted(s.station_id for s in full.stations)
    by_id = {s.station_id: s for s in full.stations}
    assert all(s == by_id[s.station_id] for s in listed)


async def test_a_unit_coordinator_gets_the_units_under_their_own(db, clock) -> None:
    busy = await make_busy_campaign(stations=30, units=5)
    ward = busy.units[0]
    from stations.services.permissions import units_in_scope

    scope = await units_in_scope(ward)
    report = await campaign_report(busy.campaign, unit_ids=scope)

    # The ward's own stations count for it, its team's for the team, the unit below it.
    assert sorted(row.totals.stations for row in report.unit_totals) == [2, 4]
    assert sum(row.totals.stations for row in report.unit_totals) == report.totals.stations
    assert report.budget_vnd is None


async def _statements(stations: int, units: int, monkeypatch) -> tuple[int, int]:
    busy = await make_busy_campaign(stations=stations, units=units)
    statements = count_queries(monkeypatch)
    report = await campaign_report(busy.campaign, stations=StationPage(limit=50))
    paged = len(statements)
    statements.clear()
    await campaign_totals(busy.campaign)
    assert len(report.unit_totals) == units
    assert len(report.stations) == min(stations, 50)
    return paged, len(statements)


async def test_report_statements_do_not_grow_with_stations_or_units(db, clock, monkeypatch) -> None:
    counts = [
        await _statements(stations, units, monkeypatch)
        for stations, units in ((3, 1), (30, 5), (300, 20))
    ]

    # The window's end, the unit tree, the listed stations, the probe for stale daily
    # figures, every figure in one statement, the ratings, the funds, the partners and their
    # donations; the overview's totals list no station.
    assert counts == [(9, 8)] * 3
