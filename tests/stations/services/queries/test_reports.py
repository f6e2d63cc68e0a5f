from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from stations.enums import (
    AssignmentStatus,
    CampaignStatus,
    MovementKind,
    ServiceKind,
    Source,
    SupplyCategory,
)
from stations.models import (
    Campaign,
    ServiceRecord,
    Shift,
    Station,
    StockMovement,
    SupplyItem,
    Unit,
)
from stations.services.actor import Actor
from stations.services.campaigns import close_campaign
from stations.services.inventory import rebuild_balances, record_receipt
from stations.services.queries.reports import (
    CampaignReport,
    DayReport,
    ReportTotals,
    campaign_report,
    campaign_totals,
    report_to_dict,
)
from tests.factories import (
    make_assignment,
    make_campaign,
    make_item,
    make_shift,
    make_station,
    make_unit,
    vn,
)
from tests.sql import count_queries
from tests.stations.services.report_samples import totals as zero_totals

DAY_1 = dt.date(2027, 2, 1)
DAY_2 = dt.date(2027, 2, 2)

_SIGN = {
    MovementKind.RECEIPT: 1,
    MovementKind.TRANSFER_IN: 1,
    MovementKind.HANDOUT: -1,
    MovementKind.TRANSFER_OUT: -1,
    MovementKind.LOSS: -1,
}


async def move(
    station: Station,
    item: SupplyItem,
    kind: MovementKind,
    quantity: int,
    at: dt.datetime,
    *,
    delta: int | None = None,
) -> StockMovement:
    """A ledger line written directly (any kind, any moment), then rolled up as after a bulk load."""
    line = await StockMovement.create(
        station=station,
        item=item,
        kind=kind,
        quantity=quantity,
        delta=delta if delta is not None else _SIGN[kind] * quantity,
        # As the ledger writer does: a receipt keeps the cost per unit of its day.
        unit_cost_vnd=item.unit_cost_vnd if kind is MovementKind.RECEIPT else None,
        source=Source.WEB,
        occurred_at=at,
        recorded_at=at,
    )
    await rebuild_balances(station_ids=[station.id])
    return line


async def serve(
    station: Station,
    kind: ServiceKind,
    quantity: int,
    at: dt.datetime,
    *,
    partner: Unit | None = None,
) -> ServiceRecord:
    return await ServiceRecord.create(
        station=station,
        kind=kind,
        quantity=quantity,
        partner=partner,
        source=Source.BOT,
        occurred_at=at,
        recorded_at=at,
    )


async def turn(shift: Shift, status: AssignmentStatus, worked_minutes: int | None = None) -> None:
    await make_assignment(shift, status=status, worked_minutes=worked_minutes)


@dataclass
class Scene:
    campaign: Campaign
    first: Station
    second: Station


async def build_two_station_campaign() -> Scene:
    """Two stations over two days; the expected figures are worked out in the tests."""
    campaign = await make_campaign(
        starts_on=DAY_1, ends_on=DAY_2, budget_vnd=10_000_000, name="Tết Đinh Mùi 2027"
    )
    first = await make_station(campaign, code="HN01", name="Trạm Hồng Ngự")
    second = await make_station(campaign, code="HN02", name="Trạm Thường Thới")
    garage = await make_unit(code="HEAD", name="Head Honda Hồng Ngự")
    water, towel = await make_item("water"), await make_item("towel")
    food = await make_item("banh", category=SupplyCategory.FOOD, unit_cost_vnd=10_000)
    leaflet = await make_item("to_roi", category=SupplyCategory.LEAFLET, unit_cost_vnd=500)

    # The first station: receipts (the cost), handouts, a transfer, an adjustment, a loss.
    await move(first, water, MovementKind.RECEIPT, 500, vn(2027, 2, 1, 7))
    await move(first, towel, MovementKind.RECEIPT, 200, vn(2027, 2, 1, 7))
    await move(first, water, MovementKind.HANDOUT, 120, vn(2027, 2, 1, 10))
    await move(first, water, MovementKind.HANDOUT, 30, vn(2027, 2, 1, 23, 30))
    await move(first, towel, MovementKind.HANDOUT, 50, vn(2027, 2, 2, 0, 30))
    await move(first, water, MovementKind.TRANSFER_OUT, 100, vn(2027, 2, 1, 12))
    await move(first, water, MovementKind.COUNT_ADJUSTMENT, 5, vn(2027, 2, 2, 20), delta=-5)
    await move(first, towel, MovementKind.LOSS, 3, vn(2027, 2, 2, 20))
    await serve(first, ServiceKind.MOTORBIKE_CHECK, 7, vn(2027, 2, 1, 9), partner=garage)
    await serve(first, ServiceKind.LOUDSPEAKER, 90, vn(2027, 2, 1, 10))
    morning = await make_shift(first, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 10))
    await turn(morning, AssignmentStatus.CHECKED_OUT, 240)
    await turn(morning, AssignmentStatus.CHECKED_IN)
    await turn(morning, AssignmentStatus.ASSIGNED)
    await turn(morning, AssignmentStatus.NO_SHOW)

    # The second station: what the transfer brought in is not a handout there either.
    await move(second, water, MovementKind.TRANSFER_IN, 100, vn(2027, 2, 1, 12))
    await move(second, water, MovementKind.HANDOUT, 40, vn(2027, 2, 2, 9))
    await move(second, leaflet, MovementKind.HANDOUT, 200, vn(2027, 2, 2, 9))
    await move(second, food, MovementKind.HANDOUT, 25, vn(2027, 2, 2, 11))
    await serve(second, ServiceKind.LOUDSPEAKER, 60, vn(2027, 2, 2, 10))
    await serve(second, ServiceKind.FIRST_AID, 2, vn(2027, 2, 2, 15))
    await serve(second, ServiceKind.DIRECTIONS, 10, vn(2027, 2, 2, 15))
    day_shift = await make_shift(second, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10))
    await turn(day_shift, AssignmentStatus.CHECKED_OUT, 210)
    await turn(day_shift, AssignmentStatus.CANCELLED)
    # A night shift starting 23:00 on day 1 (16:00 UTC) counts on day 1.
    night = await make_shift(second, starts_at=vn(2027, 2, 1, 23), ends_at=vn(2027, 2, 2, 1))
    await turn(night, AssignmentStatus.CHECKED_OUT, 90)

    # Another campaign's station, its lines and its people are not ours.
    other = await make_station(await make_campaign(name="Lễ 30/4 2027"), code="HN01")
    await move(other, water, MovementKind.RECEIPT, 1000, vn(2027, 2, 1, 7))
    await move(other, water, MovementKind.HANDOUT, 999, vn(2027, 2, 1, 8))
    await serve(other, ServiceKind.MOTORBIKE_CHECK, 5, vn(2027, 2, 1, 8), partner=garage)
    other_shift = await make_shift(other, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 16))
    await turn(other_shift, AssignmentStatus.CHECKED_OUT, 600)
    return Scene(campaign, first, second)


async def test_campaign_report_totals_count_only_what_the_definitions_say(db, clock) -> None:
    scene = await build_two_station_campaign()

    report = await campaign_report(scene.campaign)

    assert report.totals == ReportTotals(
        stations=2,
        units=3,
        volunteer_turns=4,
        worked_hours=9.0,
        water_bottles=190,
        cold_towels=50,
        food_items=25,
        fuel_litres=0,
        leaflets=200,
        motorbikes_checked=7,
        broadcast_hours=2.5,
        first_aid=2,
        cost_vnd=2_300_000,
        directions=10,
    )


async def test_campaign_totals_equal_the_full_reports_totals_without_breakdowns(db, clock) -> None:
    scene = await build_two_station_campaign()
    await make_station(scene.campaign, code="HN03", is_active=False)

    full = await campaign_report(scene.campaign)
    totals = await campaign_totals(scene.campaign)

    assert totals.totals == full.totals
    assert totals.budget_remaining_vnd == full.budget_remaining_vnd
    assert (totals.name, totals.status, totals.starts_on, totals.ends_on) == (
        full.name,
        full.status,
        full.starts_on,
        full.ends_on,
    )
    assert (totals.stations, totals.days) == ([], [])


async def test_campaign_report_header_describes_the_campaign(db, clock) -> None:
    scene = await build_two_station_campaign()

    report = await campaign_report(scene.campaign)

    assert (
        report.campaign_id,
        report.name,
        report.kind,
        report.status,
        report.starts_on,
        report.ends_on,
        report.budget_vnd,
        report.budget_remaining_vnd,
        report.generated_at,
    ) == (
        scene.campaign.id,
        "Tết Đinh Mùi 2027",
        "tet",
        "open",
        DAY_1,
        DAY_2,
        10_000_000,
        7_700_000,
        clock.now(),
    )


async def test_campaign_report_of_a_closed_campaign_says_it_is_closed(db, clock) -> None:
    campaign = await close_campaign(await make_campaign(), by=Actor.system())

    report = await campaign_report(campaign)

    assert report.status == "closed"


async def test_campaign_report_per_station_breakdown(db, clock) -> None:
    scene = await build_two_station_campaign()

    report = await campaign_report(scene.campaign)

    assert [(s.station_id, s.code, s.name, s.totals) for s in report.stations] == [
        (
            scene.first.id,
            "HN01",
            "Trạm Hồng Ngự",
            zero_totals(
                stations=1,
                units=2,
                volunteer_turns=2,
                worked_hours=4.0,
                water_bottles=150,
                cold_towels=50,
                motorbikes_checked=7,
                broadcast_hours=1.5,
                cost_vnd=2_300_000,
            ),
        ),
        (
            scene.second.id,
            "HN02",
            "Trạm Thường Thới",
            zero_totals(
                stations=1,
                units=1,
                volunteer_turns=2,
                worked_hours=5.0,
                water_bottles=40,
                food_items=25,
                leaflets=200,
                broadcast_hours=1.0,
                first_aid=2,
                directions=10,
            ),
        ),
    ]
    first_unit = await Unit.get(id=scene.first.unit_id)
    assert report.stations[0].unit_name == first_unit.name


async def test_campaign_report_per_day_breakdown_uses_vietnam_days(db, clock) -> None:
    scene = await build_two_station_campaign()

    report = await campaign_report(scene.campaign)

    assert report.days == [
        DayReport(
            day=DAY_1,
            totals=zero_totals(
                stations=2,
                units=3,
                volunteer_turns=3,
                worked_hours=5.5,
                water_bottles=150,
                motorbikes_checked=7,
                broadcast_hours=1.5,
                cost_vnd=2_300_000,
            ),
        ),
        DayReport(
            day=DAY_2,
            totals=zero_totals(
                stations=2,
                units=2,
                volunteer_turns=1,
                worked_hours=3.5,
                water_bottles=40,
                cold_towels=50,
                food_items=25,
                leaflets=200,
                broadcast_hours=1.0,
                first_aid=2,
                directions=10,
            ),
        ),
    ]


async def test_campaign_report_day_boundary_is_vietnam_midnight(db, clock) -> None:
    campaign = await make_campaign(starts_on=DAY_1, ends_on=DAY_2)
    station = await make_station(campaign)
    water = await make_item("water")
    late = vn(2027, 2, 1, 23, 30)
    just_after_midnight = vn(2027, 2, 2, 0, 30)
    assert (late.astimezone(dt.UTC), just_after_midnight.astimezone(dt.UTC)) == (
        dt.datetime(2027, 2, 1, 16, 30, tzinfo=dt.UTC),
        dt.datetime(2027, 2, 1, 17, 30, tzinfo=dt.UTC),
    )
    # Stored as UTC, as a service that takes "now" from the clock would store it.
    await move(station, water, MovementKind.HANDOUT, 3, late.astimezone(dt.UTC))
    await move(station, water, MovementKind.HANDOUT, 4, just_after_midnight.astimezone(dt.UTC))

    report = await campaign_report(campaign)

    assert [(d.day, d.totals.water_bottles) for d in report.days] == [(DAY_1, 3), (DAY_2, 4)]


async def test_campaign_report_services_receipts_and_turns_change_day_at_vietnam_midnight(
    db, clock
) -> None:
    # Unlike handouts (tallied per day when written), these get their day in the report's SQL.
    campaign = await make_campaign(starts_on=DAY_1, ends_on=DAY_2)
    station = await make_station(campaign)
    water = await make_item("water")
    for at, count in ((vn(2027, 2, 1, 23, 59), 1), (vn(2027, 2, 2, 0, 0), 2)):
        utc = at.astimezone(dt.UTC)
        await serve(station, ServiceKind.FIRST_AID, count, utc)
        await move(station, water, MovementKind.RECEIPT, count, utc)
        shift = await make_shift(station, starts_at=utc, ends_at=utc + dt.timedelta(hours=2))
        for _ in range(count):
            await turn(shift, AssignmentStatus.CHECKED_IN)

    report = await campaign_report(campaign)

    assert [
        (d.day, d.totals.first_aid, d.totals.cost_vnd, d.totals.volunteer_turns)
        for d in report.days
    ] == [(DAY_1, 1, 4_000, 1), (DAY_2, 2, 8_000, 2)]


async def test_campaign_report_days_cover_the_window_with_zero_days(db, clock) -> None:
    campaign = await make_campaign(starts_on=DAY_1, ends_on=dt.date(2027, 2, 4))
    station = await make_station(campaign)
    await move(station, await make_item("water"), MovementKind.HANDOUT, 9, vn(2027, 2, 3, 8))

    report = await campaign_report(campaign)

    assert [(d.day, d.totals.water_bottles, d.totals.stations) for d in report.days] == [
        (dt.date(2027, 2, 1), 0, 0),
        (dt.date(2027, 2, 2), 0, 0),
        (dt.date(2027, 2, 3), 9, 1),
        (dt.date(2027, 2, 4), 0, 0),
    ]


async def test_campaign_report_counts_a_receipt_before_opening_on_the_first_day(db, clock) -> None:
    campaign = await make_campaign(starts_on=DAY_1, ends_on=DAY_1)
    station = await make_station(campaign)
    await move(station, await make_item("water"), MovementKind.RECEIPT, 100, vn(2027, 1, 31, 16))

    report = await campaign_report(campaign)

    assert [(d.day, d.totals.cost_vnd, d.totals.stations) for d in report.days] == [
        (DAY_1, 400_000, 0)
    ]
    assert report.totals.cost_vnd == 400_000


async def test_campaign_report_covers_exactly_the_window(db, clock) -> None:
    campaign = await make_campaign(starts_on=DAY_1, ends_on=DAY_2)
    station = await make_station(campaign)
    water = await make_item("water")
    # Recorded outside the window by a coordinator with a reason: in the ledger, not the report.
    await move(station, water, MovementKind.HANDOUT, 7, vn(2027, 1, 31, 20))
    await move(station, water, MovementKind.HANDOUT, 11, vn(2027, 2, 3, 9))
    await serve(station, ServiceKind.FIRST_AID, 2, vn(2027, 2, 3, 9))
    await move(station, water, MovementKind.HANDOUT, 5, vn(2027, 2, 2, 23))

    report = await campaign_report(campaign)

    assert [d.day for d in report.days] == [DAY_1, DAY_2]
    assert (report.totals.water_bottles, report.totals.first_aid) == (5, 0)


async def test_campaign_report_keeps_a_night_shifts_last_hours_on_the_last_day(db, clock) -> None:
    campaign = await make_campaign(starts_on=DAY_1, ends_on=DAY_2)
    station = await make_station(campaign)
    water = await make_item("water")
    night = await make_shift(station, starts_at=vn(2027, 2, 2, 22), ends_at=vn(2027, 2, 3, 6))
    await turn(night, AssignmentStatus.CHECKED_OUT, 480)
    await move(station, water, MovementKind.HANDOUT, 9, vn(2027, 2, 3, 3))
    await serve(station, ServiceKind.FIRST_AID, 1, vn(2027, 2, 3, 4))
    await serve(station, ServiceKind.FIRST_AID, 4, vn(2027, 2, 3, 7))  # after the shift

    report = await campaign_report(campaign)

    assert [
        (d.day, d.totals.water_bottles, d.totals.first_aid, d.totals.volunteer_turns)
        for d in report.days
    ] == [(DAY_1, 0, 0, 0), (DAY_2, 9, 1, 1)]
    assert (report.totals.water_bottles, report.totals.first_aid) == (9, 1)


async def test_report_phase_follows_the_clock_and_the_status(db, clock) -> None:
    campaign = await make_campaign(starts_on=DAY_1, ends_on=DAY_2)
    phases = []
    for moment in (vn(2027, 1, 31, 23, 59), vn(2027, 2, 1), vn(2027, 2, 3)):
        clock.set(moment)
        phases.append((await campaign_report(campaign)).phase)
    campaign.status = CampaignStatus.CLOSED
    await campaign.save()
    phases.append(report_to_dict(await campaign_report(campaign))["phase"])

    assert phases == ["planning", "running", "finished", "closed"]


async def test_report_cost_of_a_large_receipt(db, clock) -> None:
    campaign = await make_campaign(starts_on=DAY_1, ends_on=DAY_2, budget_vnd=3_000_000_000)
    station = await make_station(campaign)
    gifts = await make_item("qua_tet", unit_cost_vnd=500_000)  # "phần quà Tết"
    # 2,500,000,000 đồng: more than a 4-byte integer holds.
    await record_receipt(station, gifts, 5_000, by=Actor.system())

    report = await campaign_report(campaign)

    assert report.totals.cost_vnd == 2_500_000_000
    assert report.stations[0].totals.cost_vnd == 2_500_000_000
    assert [d.totals.cost_vnd for d in report.days] == [0, 2_500_000_000]
    assert report.budget_remaining_vnd == 500_000_000


async def test_campaign_report_inactive_station_counts_only_with_figures(db, clock) -> None:
    campaign = await make_campaign(starts_on=DAY_1, ends_on=DAY_1)
    await make_station(campaign, code="A", is_active=False)
    closed_after_work = await make_station(campaign, code="B", is_active=False)
    await serve(closed_after_work, ServiceKind.FIRST_AID, 1, vn(2027, 2, 1, 9))

    report = await campaign_report(campaign)

    assert ([s.code for s in report.stations], report.totals.stations, report.totals.units) == (
        ["B"],
        1,
        1,
    )


async def test_campaign_report_empty_campaign_is_all_zeros(db, clock) -> None:
    campaign = await make_campaign(starts_on=DAY_1, ends_on=DAY_2, budget_vnd=None)

    report = await campaign_report(campaign)

    assert (report.totals, report.stations, report.days, report.budget_remaining_vnd) == (
        zero_totals(),
        [],
        [DayReport(DAY_1, zero_totals()), DayReport(DAY_2, zero_totals())],
        None,
    )


async def test_report_to_dict_is_json_ready(db, clock) -> None:
    scene = await build_two_station_campaign()
    report = await campaign_report(scene.campaign)

    data = json.loads(json.dumps(report_to_dict(report)))

    sections = {"funds", "forces", "units", "units_taking_part", "units_total", "partners"}
    breakdowns = {"totals", "unit_totals", "stations", "days", "satisfaction", *sections}
    assert {key: data[key] for key in data if key not in breakdowns} == {
        "campaign_id": scene.campaign.id,
        "name": "Tết Đinh Mùi 2027",
        "kind": "tet",
        "status": "open",
        "phase": "running",
        "starts_on": "2027-02-01",
        "ends_on": "2027-02-02",
        "budget_vnd": 10_000_000,
        "budget_remaining_vnd": 7_700_000,
        "generated_at": "2027-02-02T01:00:00+00:00",
    }
    assert (data["totals"]["water_bottles"], data["totals"]["worked_hours"]) == (190, 9.0)
    assert [s["code"] for s in data["stations"]] == ["HN01", "HN02"]
    assert [(d["day"], d["totals"]["cold_towels"]) for d in data["days"]] == [
        ("2027-02-01", 0),
        ("2027-02-02", 50),
    ]
    assert data["satisfaction"] == {"responses": 0, "average": None, "satisfied_share": None}


async def campaign_with_busy_stations(count: int) -> Campaign:
    campaign = await make_campaign(starts_on=DAY_1, ends_on=DAY_2)
    water = await make_item(f"water{count}", category=SupplyCategory.WATER)
    for n in range(count):
        station = await make_station(campaign, code=f"Q{n}")
        await move(station, water, MovementKind.RECEIPT, 50, vn(2027, 2, 1, 7))
        await move(station, water, MovementKind.HANDOUT, 5, vn(2027, 2, 1 + n % 2, 9))
        await serve(station, ServiceKind.LOUDSPEAKER, 30, vn(2027, 2, 2, 9))
        shift = await make_shift(station, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 8))
        await turn(shift, AssignmentStatus.CHECKED_OUT, 120)
    return campaign


async def test_campaign_report_query_count_does_not_grow_with_stations(
    db, clock, monkeypatch
) -> None:
    small, large = await campaign_with_busy_stations(2), await campaign_with_busy_stations(10)
    statements = count_queries(monkeypatch)

    await campaign_report(small)
    small_count = len(statements)
    statements.clear()
    large_report: CampaignReport = await campaign_report(large)

    # The window's end, the unit tree, the stations, the probe for stale daily figures, every
    # figure in one statement (forces included), the travellers' ratings, then funds, the
    # partners and donations.
    assert (small_count, len(statements)) == (9, 9)
    assert (large_report.totals.stations, large_report.totals.water_bottles) == (10, 50)
