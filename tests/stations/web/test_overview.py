"""The campaign list and the campaign overview page."""

from __future__ import annotations

import re

from stations.enums import AssignmentStatus, CampaignStatus, ShiftRole
from stations.services.actor import Actor
from stations.services.inventory import record_handout, record_receipt
from stations.services.queries.reports import campaign_report
from stations.services.report_summary import campaign_summary
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
from tests.stations.web.helpers import count_queries, make_user, signed_in

SYSTEM = Actor.system("tests")
XSS = '<script>alert("x")</script>'


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


async def test_campaign_list_links_each_campaign_to_its_overview(app, clock):
    older = await make_campaign(name="Tết Bính Ngọ 2026", year=2026)
    newer = await make_campaign(name=XSS, status=CampaignStatus.CLOSED)
    browser = await signed_in(app, await make_user(role="viewer"))

    response = await browser.get("/campaigns?lang=en")

    assert response.status_code == 200
    assert f'href="/campaigns/{older.id}"' in response.text
    assert f'href="/campaigns/{newer.id}"' in response.text
    assert XSS not in response.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text


async def test_campaign_list_offers_new_campaign_only_to_campaign_managers(app, clock):
    unit = await make_unit()
    admin = await signed_in(app, await make_user(role="admin"))
    ward = await signed_in(app, await make_user(role="coordinator", unit=unit))

    assert 'href="/campaigns/new"' in (await admin.get("/campaigns")).text
    assert 'href="/campaigns/new"' not in (await ward.get("/campaigns")).text


async def test_overview_shows_coverage_duty_stock_and_handouts(app, clock):
    water = await make_item("water")
    campaign = await make_campaign()
    station = await make_station(campaign, name=XSS, code="T1")
    shift = await make_shift(
        station, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 12), needs={"lead": 2}
    )
    await make_assignment(
        shift,
        await make_volunteer(full_name="Trần Thị Bình"),
        role=ShiftRole.LEAD,
        status=AssignmentStatus.CHECKED_IN,
        checked_in_at=vn(2027, 2, 2, 6, 5),
    )
    await record_receipt(station, water, 100, by=SYSTEM, occurred_at=vn(2027, 2, 2, 6))
    await record_handout(station, water, 130, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/campaigns/{campaign.id}?lang=en")

    assert response.status_code == 200
    text = _text(response.text)
    assert XSS not in response.text
    assert "T1 · &lt;script&gt;" in response.text
    assert "06:00–12:00 1 of 2 filled" in text
    assert "Trần Thị Bình (since 06:05)" in text
    assert "Bottled water -30 bottle low discrepancy 130" in text
    assert '<svg class="chart"' in response.text
    summary = campaign_summary(await campaign_report(campaign), "en")
    assert summary.split(" (")[0] in text


async def test_overview_is_in_vietnamese_by_default(app, clock):
    campaign = await make_campaign()
    await make_station(campaign)
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/campaigns/{campaign.id}")

    assert "Các trạm hôm nay" in response.text
    assert "Hôm nay không có ca trực." in response.text


async def test_overview_shows_a_coordinator_only_their_units_stations(app, clock):
    campaign = await make_campaign()
    mine, theirs = await make_unit(), await make_unit()
    await make_station(campaign, unit=mine, name="Trạm của tôi")
    await make_station(campaign, unit=theirs, name="Trạm của xã khác")
    browser = await signed_in(app, await make_user(role="coordinator", unit=mine))

    response = await browser.get(f"/campaigns/{campaign.id}")

    assert "Trạm của tôi" in response.text
    assert "Trạm của xã khác" not in response.text


async def test_overview_of_unknown_campaign_is_a_translated_404(app, clock):
    browser = await signed_in(app, await make_user(role="admin"))

    unknown = await browser.get("/campaigns/424242?lang=en")
    huge = await browser.get("/campaigns/99999999999999999999")

    assert unknown.status_code == 404
    assert "Page not found" in unknown.text
    assert huge.status_code == 404


async def _page_queries(app, stations: int) -> int:
    water = await make_item(f"w{stations}", name_vi="Nước", name_en="Water")
    campaign = await make_campaign()
    unit = await make_unit()
    for n in range(stations):
        station = await make_station(campaign, unit=unit, code=f"P{n}")
        shift = await make_shift(station)
        await make_assignment(shift, status=AssignmentStatus.CHECKED_IN)
        await record_handout(station, water, 2, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    browser = await signed_in(app, await make_user(role="coordinator", unit=unit))
    await browser.get("/campaigns")  # the CSRF token and session are settled before counting
    with count_queries() as statements:
        response = await browser.get(f"/campaigns/{campaign.id}")
    assert response.status_code == 200
    assert len(re.findall(r'<li class="station-card[ "]', response.text)) == stations
    return len(statements)


async def test_overview_page_query_count_does_not_grow_with_the_stations(app, clock):
    few = await _page_queries(app, 3)
    many = await _page_queries(app, 30)

    assert few == many
