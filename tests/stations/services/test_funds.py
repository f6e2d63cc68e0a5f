"""Partners, donations and expenses: what is recorded, and every bad input refused whole."""

from __future__ import annotations

import datetime as dt

import pytest
from tortoise.exceptions import IntegrityError, OperationalError

from stations.enums import DonationKind, ExpenseCategory, MovementKind, PartnerKind
from stations.models import AuditEvent, Donation, Expense, Partner, StockMovement
from stations.services.actor import Actor
from stations.services.campaigns import close_campaign
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.funds import (
    create_partner,
    record_cash_donation,
    record_expense,
    record_in_kind_donation,
)
from tests.factories import make_campaign, make_item, make_station, make_unit

pytestmark = pytest.mark.integration

BY = Actor.system("test")
DAY = dt.date(2027, 2, 1)


async def test_create_partner_names_its_unit_and_is_audited(db, clock) -> None:
    campaign = await make_campaign()
    garage = await make_unit(code="HEAD", name="Trung tâm Head Honda Đồng Tháp")

    partner = await create_partner(
        campaign, name="  Trung tâm Head Honda   Đồng Tháp ", kind="garage", unit=garage, by=BY
    )

    saved = await Partner.get(id=partner.id)
    assert (saved.name, saved.kind, saved.unit_id, saved.campaign_id) == (
        "Trung tâm Head Honda Đồng Tháp",
        PartnerKind.GARAGE,
        garage.id,
        campaign.id,
    )
    assert await AuditEvent.filter(action="partner.created", object_id=partner.id).count() == 1


async def test_create_partner_twice_with_one_name_is_a_conflict(db, clock) -> None:
    campaign = await make_campaign()
    await create_partner(campaign, name="Đài PT-TH Đồng Tháp", by=BY)

    with pytest.raises(Conflict) as error:
        await create_partner(campaign, name="Đài PT-TH Đồng Tháp", kind="media", by=BY)

    assert error.value.field == "name"
    assert await Partner.all().count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Đối tác", "kind": "bank"}, "kind"),
        ({"name": "Đối tác", "note": "n" * 301}, "note"),
    ],
)
async def test_create_partner_bad_input_writes_nothing(db, clock, fields, field) -> None:
    campaign = await make_campaign()

    with pytest.raises(InvalidInput) as error:
        await create_partner(campaign, by=BY, **fields)

    assert error.value.field == field
    assert await Partner.all().count() == 0


async def test_record_cash_donation_keeps_donor_amount_day_and_partner(db, clock) -> None:
    campaign = await make_campaign()
    partner = await create_partner(campaign, name="Xổ số kiến thiết", kind="sponsor", by=BY)

    donation = await record_cash_donation(
        campaign,
        donor="Công ty Xổ số kiến thiết Đồng Tháp",
        amount_vnd=200_000_000,
        received_on=dt.date(2027, 1, 10),
        partner=partner,
        note="Chuyển khoản",
        by=BY,
    )

    saved = await Donation.get(id=donation.id)
    assert (saved.kind, saved.amount_vnd, saved.received_on, saved.partner_id, saved.note) == (
        DonationKind.CASH,
        200_000_000,
        dt.date(2027, 1, 10),
        partner.id,
        "Chuyển khoản",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount_vnd": -1}, "amount_vnd"),
        ({"amount_vnd": 1.5}, "amount_vnd"),
        ({"amount_vnd": True}, "amount_vnd"),
        ({"amount_vnd": 100_000_000_001}, "amount_vnd"),
        ({"donor": "   "}, "donor"),
        # The funds window: 90 days before the first day (30/01) to 60 after the last (11/02).
        ({"received_on": dt.date(2026, 10, 31)}, "received_on"),
        ({"received_on": dt.date(2027, 4, 13)}, "received_on"),
        # Within the window but after today (02/02/2027).
        ({"received_on": dt.date(2027, 2, 3)}, "received_on"),
        ({"received_on": dt.datetime(2027, 2, 1, 8, tzinfo=dt.UTC)}, "received_on"),
    ],
)
async def test_record_cash_donation_bad_input_writes_nothing(db, clock, fields, field) -> None:
    campaign = await make_campaign()
    values = {"donor": "Người dân", "amount_vnd": 1_000_000, "received_on": DAY} | fields

    with pytest.raises(InvalidInput) as error:
        await record_cash_donation(campaign, by=BY, **values)

    assert error.value.field == field
    assert await Donation.all().count() == 0


async def test_record_cash_donation_on_the_windows_first_day_is_accepted(db, clock) -> None:
    campaign = await make_campaign()

    donation = await record_cash_donation(
        campaign, donor="Sớm", amount_vnd=0, received_on=dt.date(2026, 11, 1), by=BY
    )

    assert donation.received_on == dt.date(2026, 11, 1)


async def test_record_cash_donation_to_a_closed_campaign_is_refused(db, clock) -> None:
    campaign = await close_campaign(await make_campaign(), by=BY)

    with pytest.raises(Conflict):
        await record_cash_donation(campaign, donor="Muộn", amount_vnd=1_000, received_on=DAY, by=BY)

    assert await Donation.all().count() == 0


async def test_record_cash_donation_with_another_campaigns_partner_is_refused(db, clock) -> None:
    campaign, other = await make_campaign(), await make_campaign(name="Lễ 30/4 2027")
    stranger = await create_partner(other, name="Đối tác khác", by=BY)

    with pytest.raises(NotFound) as error:
        await record_cash_donation(
            campaign, donor="A", amount_vnd=1_000, received_on=DAY, partner=stranger, by=BY
        )

    assert error.value.field == "partner"


async def test_record_in_kind_donation_is_a_receipt_with_its_value_frozen(db, clock) -> None:
    station = await make_station()
    water = await make_item("water", unit_cost_vnd=4_000)

    donation = await record_in_kind_donation(
        station, water, 2_400, donor="Công ty nước Sa Đéc", unit_cost_vnd=3_500, by=BY
    )

    line = await StockMovement.get(id=donation.movement_id)
    assert (line.kind, line.quantity, line.unit_cost_vnd, line.station_id) == (
        MovementKind.RECEIPT,
        2_400,
        3_500,
        station.id,
    )
    assert (donation.kind, donation.amount_vnd, donation.received_on) == (
        DonationKind.IN_KIND,
        8_400_000,
        dt.date(2027, 2, 2),
    )


async def test_record_in_kind_donation_without_a_value_takes_the_items_cost(db, clock) -> None:
    station = await make_station()
    towel = await make_item("towel", unit_cost_vnd=1_500)

    donation = await record_in_kind_donation(
        station, towel, 100, donor="Hội Phụ nữ", received_on=dt.date(2027, 2, 1), by=BY
    )

    assert donation.amount_vnd == 150_000
    line = await StockMovement.get(id=donation.movement_id)
    assert line.unit_cost_vnd == 1_500


async def test_record_in_kind_donation_bad_value_writes_no_line(db, clock) -> None:
    station = await make_station()
    water = await make_item("water")

    with pytest.raises(InvalidInput) as error:
        await record_in_kind_donation(station, water, 10, donor="A", unit_cost_vnd=-5, by=BY)

    assert error.value.field == "unit_cost_vnd"
    assert (await StockMovement.all().count(), await Donation.all().count()) == (0, 0)


async def test_record_expense_keeps_what_was_paid(db, clock) -> None:
    campaign = await make_campaign()

    expense = await record_expense(
        campaign,
        category="equipment",
        amount_vnd=85_000_000,
        spent_on=dt.date(2027, 1, 27),
        receipt_number="HĐ 0001482",
        by=BY,
    )

    saved = await Expense.get(id=expense.id)
    assert (saved.category, saved.amount_vnd, saved.spent_on, saved.receipt_number) == (
        ExpenseCategory.EQUIPMENT,
        85_000_000,
        dt.date(2027, 1, 27),
        "HĐ 0001482",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount_vnd": -85_000}, "amount_vnd"),
        ({"category": "bribes"}, "category"),
        ({"receipt_number": "9" * 65}, "receipt_number"),
        ({"spent_on": dt.date(2027, 6, 1)}, "spent_on"),
        ({"spent_on": "2027-02-01"}, "spent_on"),
    ],
)
async def test_record_expense_bad_input_writes_nothing(db, clock, fields, field) -> None:
    campaign = await make_campaign()
    values = {"category": "meals", "amount_vnd": 1_000, "spent_on": DAY} | fields

    with pytest.raises(InvalidInput) as error:
        await record_expense(campaign, by=BY, **values)

    assert error.value.field == field
    assert await Expense.all().count() == 0


@pytest.mark.parametrize("model", [Donation, Expense])
async def test_database_refuses_a_negative_amount(db, clock, model) -> None:
    campaign = await make_campaign()
    common = {"campaign_id": campaign.id, "amount_vnd": -1}
    extra = (
        {"kind": DonationKind.CASH, "donor": "A", "received_on": DAY}
        if model is Donation
        else {"category": ExpenseCategory.OTHER, "spent_on": DAY}
    )

    with pytest.raises((IntegrityError, OperationalError)):
        await model.create(**common, **extra)
