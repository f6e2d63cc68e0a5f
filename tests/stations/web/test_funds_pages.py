"""The campaign's funds and partners page: reading it, its four forms, and bad input."""

from __future__ import annotations

import pytest

from stations.models import Donation, Expense, Partner, StockMovement
from stations.services.actor import Actor
from stations.services.campaigns import close_campaign
from tests.factories import make_campaign, make_item, make_station, make_unit
from tests.stations.web.helpers import make_user, post_form, signed_in

pytestmark = pytest.mark.integration


async def _admin(app):
    return await signed_in(app, await make_user("admin", language="vi"))


async def test_funds_page_shows_the_money_and_the_forms(app, clock) -> None:
    campaign = await make_campaign(budget_vnd=150_000_000)
    client = await _admin(app)

    response = await client.get(f"/campaigns/{campaign.id}/funds")

    assert response.status_code == 200
    assert "Kinh phí và đối tác" in response.text
    assert "150.000.000" in response.text
    assert "Ghi nhận ủng hộ bằng tiền mặt" in response.text


async def test_posting_each_form_records_it(app, clock) -> None:
    campaign = await make_campaign()
    station = await make_station(campaign)
    await make_item("water", unit_cost_vnd=4_000)
    client = await _admin(app)
    base = f"/campaigns/{campaign.id}/funds"

    partner = await post_form(
        client, f"{base}/partner", {"partner-name": "Head Honda", "partner-kind": "garage"}
    )
    head = await Partner.get(name="Head Honda")
    cash = await post_form(
        client,
        f"{base}/cash",
        {
            "cash-donor": "Ngân hàng",
            "cash-amount_vnd": "30000000",
            "cash-received_on": "2027-01-25",
            "cash-partner": str(head.id),
        },
    )
    gift = await post_form(
        client,
        f"{base}/in-kind",
        {
            "in_kind-station": str(station.id),
            "in_kind-item": "water",
            "in_kind-quantity": "240",
            "in_kind-donor": "Công ty nước",
        },
    )
    expense = await post_form(
        client,
        f"{base}/expense",
        {
            "expense-category": "meals",
            "expense-amount_vnd": "1200000",
            "expense-spent_on": "01/02/2027",
        },
    )
    page = await client.get(base)

    assert [r.status_code for r in (partner, cash, gift, expense)] == [303, 303, 303, 303]
    assert (await Donation.all().count(), await Expense.all().count()) == (2, 1)
    assert await StockMovement.filter(station_id=station.id, unit_cost_vnd=4_000).count() == 1
    assert "Đã ghi nhận khoản chi 1.200.000 đồng." in page.text


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"cash-amount_vnd": "-5"}, "amount_vnd", "Nhập số tiền bằng số nguyên đồng"),
        ({"cash-received_on": "2027-06-01"}, "received_on", "Ngày phải trong khoảng"),
        ({"cash-received_on": "31/02/2027"}, "received_on", "Ngày này không tồn tại"),
        ({"cash-donor": ""}, "donor", "Ghi tên người hoặc đơn vị ủng hộ"),
        ({"cash-partner": "999"}, "partner", "Chiến dịch này không có đối tác"),
    ],
)
async def test_a_bad_cash_donation_shows_the_error_and_writes_nothing(
    app, clock, values, field, message
) -> None:
    campaign = await make_campaign()
    client = await _admin(app)
    good = {"cash-donor": "Người dân", "cash-amount_vnd": "1000", "cash-received_on": "2027-02-01"}

    response = await post_form(client, f"/campaigns/{campaign.id}/funds/cash", good | values)

    assert response.status_code in (404, 422)
    assert message in response.text
    assert f'id="e-cash-{field}"' in response.text or f'id="f-cash-{field}"' in response.text
    assert await Donation.all().count() == 0


async def test_a_duplicate_partner_is_409_with_the_page(app, clock) -> None:
    campaign = await make_campaign()
    client = await _admin(app)
    form = {"partner-name": "Đài PT-TH", "partner-kind": "media"}
    await post_form(client, f"/campaigns/{campaign.id}/funds/partner", form)

    response = await post_form(client, f"/campaigns/{campaign.id}/funds/partner", form)

    assert response.status_code == 409
    assert "Đối tác Đài PT-TH đã có trong danh sách của chiến dịch." in response.text


async def test_a_closed_campaign_hides_the_forms_and_refuses_a_post(app, clock) -> None:
    campaign = await close_campaign(await make_campaign(), by=Actor.system("tests"))
    client = await _admin(app)

    page = await client.get(f"/campaigns/{campaign.id}/funds")
    response = await post_form(
        client,
        f"/campaigns/{campaign.id}/funds/expense",
        {"expense-category": "meals", "expense-amount_vnd": "1", "expense-spent_on": "2027-02-01"},
    )

    assert "Ghi nhận khoản chi" not in page.text
    assert response.status_code == 409
    assert await Expense.all().count() == 0


async def test_a_unit_coordinator_reads_but_cannot_record(app, clock) -> None:
    ward = await make_unit()
    campaign = await make_campaign()
    client = await signed_in(app, await make_user("coordinator", unit=ward))

    page = await client.get(f"/campaigns/{campaign.id}/funds")
    response = await post_form(
        client,
        f"/campaigns/{campaign.id}/funds/expense",
        {"expense-category": "meals", "expense-amount_vnd": "1", "expense-spent_on": "2027-02-01"},
    )

    assert page.status_code == 200
    assert response.status_code == 403
    assert await Expense.all().count() == 0


async def test_report_page_shows_funds_forces_units_and_partners(app, clock) -> None:
    campaign = await make_campaign(budget_vnd=100_000_000)
    await make_station(campaign)
    client = await _admin(app)

    response = await client.get(f"/campaigns/{campaign.id}/report")

    for heading in ("Kinh phí (đồng)", "Theo lực lượng", "Theo đơn vị", "Đối tác"):
        assert heading in response.text
    assert "Dòng tổng cộng được tính từ số liệu chính xác" in response.text
