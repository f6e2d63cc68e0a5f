"""Phases shape the campaign pages: readiness before the start, no alarms after the end, no
planning actions once closed; the planned opening stock form."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from stations.enums import AssignmentStatus, CampaignStatus, ShiftRole
from stations.models import Campaign, PlannedStock, Station
from stations.services.actor import Actor
from stations.services.inventory import record_receipt
from stations.services.planned_stock import set_planned_stock
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
from tests.stations.web.helpers import count_queries, make_user, post_form, signed_in
from tests.stations.web.planning_helpers import client_for

SYSTEM = Actor.system("tests")
BEFORE_START = vn(2026, 12, 7, 9)  # the factories' campaign runs 30/01–11/02/2027


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


async def test_planning_overview_shows_readiness_not_alarms(app, clock):
    clock.set(BEFORE_START)
    water = await make_item("water")
    campaign = await make_campaign()
    ready = await make_station(campaign, code="A1", name="Trạm Mỹ Tho")
    await make_station(campaign, code="B2", name="Trạm Cao Lãnh")
    shift = await make_shift(
        ready, starts_at=vn(2027, 1, 30, 6), ends_at=vn(2027, 1, 30, 12), needs={"volunteer": 2}
    )
    await make_assignment(
        shift,
        await make_volunteer(full_name="Lê Văn Chưa Liên Kết"),
        role=ShiftRole.VOLUNTEER,
        status=AssignmentStatus.ASSIGNED,
    )
    await set_planned_stock(ready, water, 600, by=SYSTEM)
    await record_receipt(ready, water, 240, by=SYSTEM)
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/campaigns/{campaign.id}?lang=en")

    assert response.status_code == 200
    text = _text(response.text)
    assert "The campaign starts in 54 days, on 30/01/2027." in text
    assert "Planning" in text
    assert "Stations without shifts 1" in text
    assert "Shifts not yet filled 1" in text
    assert "Volunteers not linked to Telegram 1" in text
    assert "Bottled water: 240/600 bottles 360 to come" in text
    assert "Lê Văn Chưa Liên Kết" in text
    assert "Supplies running low" not in text
    assert "On duty now" not in text
    assert "figure--alert" not in response.text


async def _readiness_page(app, stations: int, wards: int) -> tuple[httpx.Response, int]:
    """The readiness page of a campaign of ``stations`` over ``wards`` wards (the unit
    world, water planned at every station), and how many statements it cost."""
    world = await build_unit_world(stations=stations, wards=wards, tag=f"p{stations}")
    await PlannedStock.bulk_create(
        [
            PlannedStock(station_id=station_id, item_id=world.water.id, quantity=100)
            for station_id in world.station_ids
        ]
    )
    browser = await signed_in(app, await make_user(role="admin"))
    await browser.get("/campaigns")
    with count_queries() as statements:
        response = await browser.get(f"/campaigns/{world.campaign.id}?lang=en")
    return response, len(statements)


async def test_readiness_page_costs_the_same_and_stays_one_page_for_3_or_300_stations(app, clock):
    clock.set(BEFORE_START)

    few, few_statements = await _readiness_page(app, 3, 1)
    many, many_statements = await _readiness_page(app, 300, 20)

    assert (few.status_code, many.status_code) == (200, 200)
    assert few_statements == many_statements
    # None is ready (no water received): the first 25 of the 300 are listed, the rest paged.
    assert (few.text.count('<th scope="row">'), many.text.count('<th scope="row">')) == (3, 25)
    text = _text(many.text)
    assert "Stations ready 0/300" in text
    assert "300 stations are not ready yet; 0 stations are ready." in text
    assert "Page 1 of 12" in text
    assert "S024" in text and "S025" not in text
    assert len(many.text) < 2 * len(few.text) + 40_000


async def test_readiness_page_turns_to_the_next_stations_not_ready(app, clock):
    clock.set(BEFORE_START)
    world = await build_unit_world(stations=60, wards=2)
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/campaigns/{world.campaign.id}?page=2&lang=en")

    assert response.status_code == 200
    text = _text(response.text)
    # The odd stations are short of a volunteer; the even ones are ready.
    assert "30 stations are not ready yet; 30 stations are ready." in text
    assert "Stations ready 30/60" in text
    assert "Page 2 of 2" in text
    assert re.findall(r"S0\d\d", text) == ["S051", "S053", "S055", "S057", "S059"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "“abc” is not a number."),
        ("0", "Enter a whole number from 1 to 10,000."),
        ("99999999999999999999", "Enter a whole number from 1 to 10,000."),
        ("3", "There are only 2 pages."),
    ],
)
async def test_readiness_page_with_a_bad_page_says_so_and_shows_the_first(app, clock, raw, message):
    clock.set(BEFORE_START)
    world = await build_unit_world(stations=60, wards=2)
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(
        f"/campaigns/{world.campaign.id}", params={"page": raw, "lang": "en"}
    )

    assert response.status_code == 422
    text = _text(response.text)
    assert message in text
    assert "S001" in text


async def test_finished_overview_shows_no_today_alarms(app, clock):
    clock.set(vn(2027, 2, 20, 9))
    water = await make_item("water")
    campaign = await make_campaign()
    station = await make_station(campaign)
    await record_receipt(station, water, 1, by=SYSTEM, occurred_at=vn(2027, 2, 10, 9))
    browser = await signed_in(app, await make_user(role="admin"))

    text = _text((await browser.get(f"/campaigns/{campaign.id}?lang=en")).text)

    assert "Finished" in text
    assert "Supplies running low" not in text
    assert "Stations today" not in text


async def test_closed_overview_offers_no_planning_actions(app, clock):
    campaign = await make_campaign(status=CampaignStatus.CLOSED)
    station = await make_station(campaign)
    browser = await signed_in(app, await make_user(role="admin"))

    page = (await browser.get(f"/campaigns/{campaign.id}?lang=en")).text

    assert f"/stations/{station.id}/shifts" not in page
    assert f"/stations/{station.id}/inventory" not in page
    assert "Plan shifts" not in page


async def test_planned_stock_form_sets_and_refuses_bad_values(app, clock):
    clock.set(BEFORE_START)
    water = await make_item("water")
    station = await make_station()
    browser = await signed_in(app, await make_user(role="admin"))
    page = await browser.get(f"/stations/{station.id}/inventory?lang=en")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    url = f"/stations/{station.id}/planned-stock?lang=en"

    bad = await browser.post(
        url, data={"csrf_token": token, "item": str(water.id), "planned": "-5"}
    )
    good = await browser.post(
        url, data={"csrf_token": token, "item": str(water.id), "planned": "600"}
    )

    assert bad.status_code == 422
    assert "The planned quantity must be a whole number between 0 and" in _text(bad.text)
    assert good.status_code in (200, 303)
    assert await PlannedStock.filter(station_id=station.id).values_list("quantity", flat=True) == [
        600
    ]


async def test_new_campaign_form_defaults_to_the_upcoming_tet(app, clock):
    clock.set(vn(2026, 12, 7, 9))
    client = await client_for(app, "admin")

    page = (await client.get("/campaigns/new?lang=en")).text

    assert 'name="year" type="number" value="2027"' in page or 'value="2027"' in page
    assert "30/01/2027 – 11/02/2027" in page


async def test_copy_page_creates_the_campaign_from_last_year(app, clock):
    clock.set(vn(2026, 12, 7, 9))
    source = await make_campaign(
        name="Tết Bính Ngọ 2026",
        year=2026,
        starts_on=dt.date(2026, 2, 10),
        ends_on=dt.date(2026, 2, 22),
        status=CampaignStatus.CLOSED,
    )
    station = await make_station(source, code="MT01")
    await make_shift(station, starts_at=vn(2026, 2, 10, 6), ends_at=vn(2026, 2, 10, 14))
    client = await client_for(app, "admin")

    form = await client.get(f"/campaigns/{source.id}/copy?lang=en")
    bad = await post_form(
        client,
        f"/campaigns/{source.id}/copy?lang=en",
        {"year": "2027", "name": "", "starts_on": "2027-02-05", "ends_on": "2027-02-01"},
    )
    good = await post_form(
        client,
        f"/campaigns/{source.id}/copy?lang=en",
        {"year": "2027", "name": "", "starts_on": "", "ends_on": ""},
    )

    assert form.status_code == 200
    assert 'value="2027"' in form.text
    assert bad.status_code == 422
    assert "The last day cannot be before the first day." in bad.text
    copy = await Campaign.get(year=2027)
    assert (good.status_code, good.headers["location"]) == (303, f"/campaigns/{copy.id}")
    assert await Station.filter(campaign_id=copy.id).values_list("code", flat=True) == ["MT01"]


async def test_copy_page_is_for_campaign_managers_only(app, clock):
    source = await make_campaign()
    client = await client_for(app, "coordinator", await make_unit())

    response = await client.get(f"/campaigns/{source.id}/copy")

    assert response.status_code == 403
