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
from tests.factories_unit_world import build_unit_world
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


async def _morning_at(station, water) -> None:
    """A shift under way that needs two leads and has one, checked in; 100 bottles received
    and 130 handed out (a discrepancy: the stock goes below zero)."""
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


async def test_overview_sums_coverage_duty_stock_and_handouts_per_unit(app, clock):
    water = await make_item("water")
    campaign = await make_campaign()
    province = await make_unit(name="Công an tỉnh")
    ward = await make_unit(name=XSS, parent=province)
    station = await make_station(campaign, name=XSS, code="T1", unit=ward)
    await make_station(campaign, code="T2", unit=province)
    await _morning_at(station, water)
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/campaigns/{campaign.id}?lang=en")

    assert response.status_code == 200
    text = _text(response.text)
    assert XSS not in response.text
    # Columns: stations open/total, filled/needed, short shifts, on duty, low, discrepancy,
    # handouts, services. T2 has no stock at all: low too.
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; 1/1 1/2 1 1 1 1 Bottled water: 130 bottles"
        in text
    )
    assert "Stations of Công an tỉnh itself 1/1 0/0 0 0 1 0" in text
    assert "Total 2/2 1/2 1 1 2 1 Bottled water: 130 bottles" in text
    assert f'href="/campaigns/{campaign.id}?unit={ward.id}"' in response.text
    assert (
        f'href="/campaigns/{campaign.id}/stations?unit={ward.id}&amp;show=short"' in response.text
    )
    assert '<svg class="chart"' in response.text
    summary = campaign_summary(await campaign_report(campaign), "en")
    assert summary.split(" (")[0] in text


async def test_unit_station_list_shows_the_cards_of_the_day(app, clock):
    water = await make_item("water")
    campaign = await make_campaign()
    station = await make_station(campaign, name=XSS, code="T1")
    await _morning_at(station, water)
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(
        f"/campaigns/{campaign.id}/stations?unit={station.unit_id}&lang=en"
    )

    assert response.status_code == 200
    text = _text(response.text)
    assert XSS not in response.text
    assert "T1 · &lt;script&gt;" in response.text
    assert "06:00–12:00 1 of 2 filled" in text
    assert "Trần Thị Bình (since 06:05)" in text
    assert "Bottled water -30 bottle low discrepancy 130" in text


async def test_overview_is_in_vietnamese_by_default(app, clock):
    campaign = await make_campaign()
    station = await make_station(campaign)
    browser = await signed_in(app, await make_user(role="admin"))

    overview = await browser.get(f"/campaigns/{campaign.id}")
    stations = await browser.get(f"/campaigns/{campaign.id}/stations?unit={station.unit_id}")

    assert "Trạm đang mở/tổng số" in overview.text
    assert "Hôm nay không có ca trực." in stations.text


async def test_overview_shows_a_coordinator_only_their_units_stations(app, clock):
    campaign = await make_campaign()
    mine, theirs = await make_unit(name="Xã của tôi"), await make_unit(name="Xã khác")
    await make_station(campaign, unit=mine, name="Trạm của tôi")
    await make_station(campaign, unit=theirs, name="Trạm của xã khác")
    browser = await signed_in(app, await make_user(role="coordinator", unit=mine))

    overview = await browser.get(f"/campaigns/{campaign.id}")
    stations = await browser.get(f"/campaigns/{campaign.id}/stations?page=1")
    foreign = await browser.get(f"/campaigns/{campaign.id}/stations?unit={theirs.id}&lang=en")

    assert "Xã của tôi" in overview.text
    assert "Xã khác" not in overview.text
    assert "Trạm của tôi" in stations.text
    assert "Trạm của xã khác" not in stations.text
    assert foreign.status_code == 404
    assert "Page not found" in foreign.text


async def test_overview_of_unknown_campaign_is_a_translated_404(app, clock):
    browser = await signed_in(app, await make_user(role="admin"))

    unknown = await browser.get("/campaigns/424242?lang=en")
    huge = await browser.get("/campaigns/99999999999999999999")

    assert unknown.status_code == 404
    assert "Page not found" in unknown.text
    assert huge.status_code == 404


async def _page_statements(app, stations: int, wards: int) -> tuple[int, int, int]:
    world = await build_unit_world(stations=stations, wards=wards, tag=f"w{stations}")
    browser = await signed_in(app, await make_user(role="admin"))
    await browser.get("/campaigns")  # the CSRF token and session are settled before counting
    campaign_id, ward_id = world.campaign.id, world.wards[0].id
    with count_queries() as overview:
        response = await browser.get(f"/campaigns/{campaign_id}")
    assert response.status_code == 200
    assert (
        len(re.findall(r'<tr>\s*<th scope="row"><a href="/campaigns/\d+\?unit=', response.text))
        == wards
    )
    with count_queries() as ward_page:
        response = await browser.get(f"/campaigns/{campaign_id}/stations?unit={ward_id}&page=1")
    assert response.status_code == 200
    with count_queries() as short:
        response = await browser.get(
            f"/campaigns/{campaign_id}/stations?unit={world.province.id}&show=short&page=1"
        )
    assert response.status_code == 200
    cards = len(re.findall(r'<li class="station-card[ "]', response.text))
    assert cards == min(25, stations // 2)
    return len(overview), len(ward_page), len(short)


async def test_overview_and_station_list_statements_grow_with_neither_stations_nor_units(
    app, clock
):
    small = await _page_statements(app, 3, 1)
    middle = await _page_statements(app, 30, 5)
    large = await _page_statements(app, 300, 20)

    assert small == middle == large


async def test_station_list_answers_bad_parameters_in_words_not_500(app, clock):
    campaign = await make_campaign()
    station = await make_station(campaign, code="B1")
    browser = await signed_in(app, await make_user(role="admin"))
    base = f"/campaigns/{campaign.id}/stations?lang=en"

    answers = {
        query: await browser.get(base + query)
        for query in (
            "&unit=abc",
            "&unit=-1",
            "&show=everything",
            "&page=0",
            "&page=x",
            "&page=99999999999999999999",
            f"&unit={station.unit_id}&page=2",
        )
    }
    overview = await browser.get(f"/campaigns/{campaign.id}?unit=1.000&lang=en")
    unknown = await browser.get(base + "&unit=99999999999999999999")

    messages = {query: _text(r.text) for query, r in answers.items()}
    assert {query: r.status_code for query, r in answers.items()} == dict.fromkeys(answers, 422)
    assert "Choose a unit from the list." in messages["&unit=abc"]
    assert "Choose an option from the list." in messages["&show=everything"]
    assert "Enter a whole number from 1 to" in messages["&page=0"]
    assert "There are only 1 pages." in messages[f"&unit={station.unit_id}&page=2"]
    # Each still shows the first page of stations.
    assert all("B1 · " in r.text for r in answers.values())
    assert overview.status_code == 422
    assert "Choose a unit from the list." in _text(overview.text)
    assert unknown.status_code == 404


async def test_station_list_without_a_query_stays_the_table_of_every_station(app, clock):
    campaign = await make_campaign()
    await make_station(campaign, code="A1", is_active=False)
    browser = await signed_in(app, await make_user(role="admin"))

    table = await browser.get(f"/campaigns/{campaign.id}/stations?lang=en")
    cards = await browser.get(f"/campaigns/{campaign.id}/stations?page=1&lang=en")

    assert 'class="table stations-table"' in table.text
    assert "A1" in table.text
    assert 'class="station-card' not in cards.text
    assert "No station here matches." in _text(cards.text)


async def test_overview_dates_a_shift_that_started_yesterday(app, clock):
    campaign = await make_campaign()
    station = await make_station(campaign, code="N1")
    await make_shift(station, starts_at=vn(2027, 2, 1, 22), ends_at=vn(2027, 2, 2, 1))
    await make_shift(station, starts_at=vn(2027, 2, 2, 22), ends_at=vn(2027, 2, 3, 1))
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/campaigns/{campaign.id}/stations?page=1&lang=en")

    text = _text(response.text)
    # Both crossing midnight: each shows both dates (issue 11).
    assert "Shifts today 22:00 01/02/2027 – 01:00 02/02/2027 0 of 4 filled" in text
    assert text.count("22:00 02/02/2027 – 01:00 03/02/2027") == 1
    assert "22:00–01:00" not in text


async def test_overview_cards_fold_their_details_under_a_status_line(app, clock):
    water = await make_item("water", default_low_stock=50)
    campaign = await make_campaign()
    calm = await make_station(campaign, code="C1")
    short = await make_station(campaign, code="S1")
    low = await make_station(campaign, code="L1")
    await make_shift(short, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 12))
    await record_receipt(calm, water, 100, by=SYSTEM, occurred_at=vn(2027, 2, 2, 6))
    await record_receipt(low, water, 10, by=SYSTEM, occurred_at=vn(2027, 2, 2, 6))
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/campaigns/{campaign.id}/stations?page=1&lang=en")
    css = (await browser.get("/static/waystation.css")).text

    statuses = {
        code: " ".join(status.split())
        for code, status in re.findall(
            r">(\w\d) · .*?<p class=\"station-card__status\">(.*?)</p>", response.text, flags=re.S
        )
    }
    assert {code: _text(status) for code, status in statuses.items()} == {
        "C1": "On duty now: 0",
        "L1": "On duty now: 0 low",
        "S1": "0 of 4 filled On duty now: 0 short low",
    }
    folded = re.findall(
        r'<details class="station-card__details">\s*<summary>Details</summary>', response.text
    )
    assert len(folded) == 3
    assert 'station-card__details" open' not in response.text
    # Wide screens show every card's details and hide the toggle; phones keep them folded.
    wide = re.search(r"@media \(min-width: 48rem\) \{(.*?)\n\}", css, flags=re.S)
    assert wide is not None
    assert re.search(
        r"\.station-card__details::details-content \{\s*content-visibility: visible;", wide.group(1)
    )
    assert re.search(r"\.station-card__details > summary \{\s*display: none;", wide.group(1))


async def test_overview_chart_scrolls_sideways_in_its_frame(app, clock):
    water = await make_item("water")
    campaign = await make_campaign()
    station = await make_station(campaign)
    await record_handout(station, water, 3, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/campaigns/{campaign.id}?lang=en")
    css = await browser.get("/static/waystation.css")

    frame = re.search(
        r'<div class="chart-scroll"[^>]*>\s*<figure class="chart-figure">\s*<svg', response.text
    )
    assert frame is not None
    assert 'aria-labelledby="chart-heading"' in frame.group(0)
    assert re.search(r"\.chart-scroll \{\s*overflow-x: auto;", css.text)
    assert re.search(r"\.chart-scroll \.chart \{\s*min-width: 40rem;", css.text)


async def test_overview_station_card_links_lead_to_their_pages(app, clock):
    campaign = await make_campaign()
    busy = await make_station(campaign, code="B1")
    idle = await make_station(campaign, code="I1")
    shift = await make_shift(busy, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 12))
    volunteer = await make_volunteer(full_name="Lê Văn Bình")
    await make_assignment(
        shift, volunteer, status=AssignmentStatus.CHECKED_IN, checked_in_at=vn(2027, 2, 2, 6)
    )
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/campaigns/{campaign.id}/stations?page=1&lang=en")

    hrefs = set(re.findall(r'href="([^"]+)"', response.text))
    expected = {
        app.url_path_for("station_detail", station_id=busy.id),
        app.url_path_for("station_inventory", station_id=busy.id),
        app.url_path_for("shift_detail", shift_id=shift.id),
        app.url_path_for("volunteer_detail", volunteer_id=volunteer.id),
        app.url_path_for("station_detail", station_id=idle.id),
        app.url_path_for("station_inventory", station_id=idle.id),
        app.url_path_for("shift_planner", station_id=idle.id),
    }
    assert expected <= hrefs
    assert not [href for href in hrefs if "{" in href or "987654321987" in href]
