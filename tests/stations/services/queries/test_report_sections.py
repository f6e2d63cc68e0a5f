"""The report's funds, forces, units and partners, and what a later price change does to it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from stations.enums import AssignmentStatus, Force, ServiceKind, Source, UnitKind
from stations.models import ServiceRecord, Station, SupplyItem
from stations.services.actor import Actor
from stations.services.campaigns import close_campaign
from stations.services.catalog import update_item
from stations.services.exports import write_report_csv, write_report_xlsx
from stations.services.funds import (
    create_partner,
    record_cash_donation,
    record_expense,
    record_in_kind_donation,
)
from stations.services.inventory import record_handout, record_receipt
from stations.services.queries.reports import campaign_report, campaign_totals, report_to_dict
from tests.factories import (
    make_assignment,
    make_campaign,
    make_item,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)

pytestmark = pytest.mark.integration

BY = Actor.system("test")
DAY = dt.date(2027, 2, 1)


async def serve(station: Station, kind: ServiceKind, quantity: int, partner=None) -> None:
    at = vn(2027, 2, 1, 9)
    await ServiceRecord.create(
        station=station,
        kind=kind,
        quantity=quantity,
        partner=partner,
        source=Source.WEB,
        occurred_at=at,
        recorded_at=at,
    )


async def money_scene() -> tuple[Station, SupplyItem]:
    """A campaign with a budget of 100.000.000: 500 bottles bought at 4.000, 1.000 given at
    3.500, 30.000.000 in cash and an expense of 12.000.000."""
    campaign = await make_campaign(budget_vnd=100_000_000)
    station = await make_station(campaign)
    water = await make_item("water", unit_cost_vnd=4_000)
    await record_receipt(station, water, 500, by=BY, occurred_at=vn(2027, 2, 1, 7))
    await record_in_kind_donation(
        station, water, 1_000, donor="Công ty nước", unit_cost_vnd=3_500, received_on=DAY, by=BY
    )
    await record_cash_donation(
        campaign, donor="Ngân hàng", amount_vnd=30_000_000, received_on=DAY, by=BY
    )
    await record_expense(campaign, category="meals", amount_vnd=12_000_000, spent_on=DAY, by=BY)
    await record_handout(station, water, 40, by=BY, occurred_at=vn(2027, 2, 1, 10))
    return station, water


async def test_funds_count_gifts_as_mobilised_and_purchases_and_expenses_as_spent(
    db, clock
) -> None:
    station, _water = await money_scene()
    campaign = await station.campaign

    data = report_to_dict(await campaign_report(campaign))

    assert data["funds"] == {
        "budget": 100_000_000,
        "mobilised_cash": 30_000_000,
        "mobilised_in_kind": 3_500_000,
        "spent": 2_000_000 + 12_000_000,
        "balance": 100_000_000 + 30_000_000 - 14_000_000,
    }
    # The value of every supply received, gifts included, at the cost frozen on each line.
    assert data["totals"]["cost_vnd"] == 2_000_000 + 3_500_000


async def test_price_change_after_closing_leaves_the_report_byte_identical(db, clock) -> None:
    station, water = await money_scene()
    campaign = await close_campaign(await station.campaign, by=BY)
    before = await campaign_report(campaign)
    before_json = json.dumps(report_to_dict(before), ensure_ascii=False)
    before_csv = _csv(before)

    await update_item(water, unit_cost_vnd=9_000, by=BY)
    after = await campaign_report(campaign)

    assert json.dumps(report_to_dict(after), ensure_ascii=False) == before_json
    assert _csv(after) == before_csv


def _csv(report) -> dict[str, str]:
    import io

    texts = {}
    for breakdown in ("station", "day", "funds", "unit", "force", "partner"):
        out = io.StringIO()
        write_report_csv(report, out, breakdown=breakdown)
        texts[breakdown] = out.getvalue()
    return texts


async def test_forces_give_turns_and_hours_of_every_force_in_order(db, clock) -> None:
    station = await make_station()
    shift = await make_shift(station, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 10))
    for force, status, minutes in (
        (Force.POLICE, AssignmentStatus.CHECKED_OUT, 240),
        (Force.POLICE, AssignmentStatus.CHECKED_IN, None),
        (Force.PEOPLE, AssignmentStatus.CHECKED_OUT, 125),
        (Force.YOUTH_UNION, AssignmentStatus.ASSIGNED, None),
    ):
        volunteer = await make_volunteer(force=force)
        await make_assignment(shift, volunteer, status=status, worked_minutes=minutes)

    data = report_to_dict(await campaign_report(await station.campaign))

    assert data["forces"] == [
        {"force": "police", "turns": 2, "hours": 4.0},
        {"force": "youth_union", "turns": 0, "hours": 0.0},
        {"force": "womens_union", "turns": 0, "hours": 0.0},
        {"force": "people", "turns": 1, "hours": 2.1},
        {"force": "other", "turns": 0, "hours": 0.0},
    ]


async def test_units_roll_stations_up_to_the_units_under_the_campaigns_unit(db, clock) -> None:
    province = await make_unit(code="CA-DT", name="Công an tỉnh", kind=UnitKind.PROVINCE_POLICE)
    ward = await make_unit(code="CAP-1", name="Công an phường 1", parent=province)
    team = await make_unit(code="TO-1", name="Tổ công tác phường 1", parent=ward)
    await make_unit(code="CAX-2", name="Công an xã 2", parent=province)
    campaign = await make_campaign(unit=province)
    first = await make_station(campaign, unit=ward, code="A")
    second = await make_station(campaign, unit=team, code="B")
    shift = await make_shift(first, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 10))
    await make_assignment(shift, status=AssignmentStatus.CHECKED_OUT, worked_minutes=61)
    water = await make_item("water")
    await record_receipt(second, water, 100, by=BY, occurred_at=vn(2027, 2, 1, 7))
    await record_handout(second, water, 30, by=BY, occurred_at=vn(2027, 2, 1, 8))
    await serve(second, ServiceKind.DIRECTIONS, 5)
    await serve(second, ServiceKind.LOUDSPEAKER, 60)

    data = report_to_dict(await campaign_report(campaign))

    assert (data["units_taking_part"], data["units_total"]) == (1, 2)
    assert data["units"] == [
        {
            "unit": "Công an phường 1",
            "stations": 2,
            "turns": 1,
            "hours": 1.0,
            "handouts": 30,
            "services": 5,
        },
        {
            "unit": "Công an xã 2",
            "stations": 0,
            "turns": 0,
            "hours": 0.0,
            "handouts": 0,
            "services": 0,
        },
    ]


async def test_partners_name_the_services_of_their_unit_and_what_they_gave(db, clock) -> None:
    campaign = await make_campaign()
    station = await make_station(campaign)
    garage = await make_unit(code="HEAD", name="Head Honda", kind=UnitKind.GARAGE)
    other_garage = await make_unit(code="YAMAHA", name="Yamaha Town", kind=UnitKind.GARAGE)
    head = await create_partner(
        campaign, name="Trung tâm Head Honda", kind="garage", unit=garage, by=BY
    )
    await create_partner(campaign, name="Đài PT-TH", kind="media", by=BY)
    await record_cash_donation(
        campaign, donor="Head Honda", amount_vnd=5_000_000, received_on=DAY, partner=head, by=BY
    )
    await serve(station, ServiceKind.MOTORBIKE_CHECK, 12, garage)
    await serve(station, ServiceKind.REPAIR, 2, garage)
    await serve(station, ServiceKind.MOTORBIKE_CHECK, 3, other_garage)

    data = report_to_dict(await campaign_report(campaign))

    assert data["partners"] == [
        {
            "name": "Trung tâm Head Honda",
            "services": {"motorbike_check": 12, "repair": 2},
            "donated": 5_000_000,
        },
        {"name": "Yamaha Town", "services": {"motorbike_check": 3}, "donated": 0},
        {"name": "Đài PT-TH", "services": {}, "donated": 0},
    ]
    assert (data["totals"]["repairs"], data["totals"]["motorbikes_checked"]) == (2, 15)


async def test_a_units_report_has_no_funds(db, clock) -> None:
    station, _water = await money_scene()

    report = await campaign_report(await station.campaign, unit_ids=[station.unit_id])

    assert report_to_dict(report)["funds"] is None


async def test_totals_only_report_has_the_same_sections(db, clock) -> None:
    station, _water = await money_scene()
    campaign = await station.campaign

    full, totals = await campaign_report(campaign), await campaign_totals(campaign)

    assert totals.sections.funds == full.sections.funds
    assert totals.sections.units == full.sections.units


async def test_workbook_has_a_sheet_each_for_funds_forces_units_and_partners(
    db, clock, tmp_path
) -> None:
    from openpyxl import load_workbook

    station, _water = await money_scene()
    report = await campaign_report(await station.campaign)
    path = tmp_path / "report.xlsx"

    write_report_xlsx(report, path, language="vi")

    workbook = load_workbook(path)
    assert workbook.sheetnames[-4:] == ["Kinh phí", "Lực lượng", "Đơn vị", "Đối tác"]
    funds = [list(row) for row in workbook["Kinh phí"].iter_rows(values_only=True)]
    assert funds[1:] == [
        ["Dự toán kinh phí", 100_000_000],
        ["Huy động bằng tiền mặt", 30_000_000],
        ["Huy động bằng hiện vật", 3_500_000],
        ["Tổng kinh phí huy động", 33_500_000],
        ["Đã chi", 14_000_000],
        ["Còn lại", 116_000_000],
    ]
