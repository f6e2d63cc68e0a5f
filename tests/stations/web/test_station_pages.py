"""The station pages: list per campaign, create/edit, detail and the printable sheet."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from stations.enums import CampaignStatus
from stations.models import AuditEvent, Station
from stations.settings import Settings
from stations.web.app import create_app
from tests.factories import make_campaign, make_shift, make_station, make_unit
from tests.factories_unit_world import build_unit_world
from tests.stations.web.helpers import count_queries, post_form
from tests.stations.web.planning_helpers import ESCAPED_XSS, XSS, client_for


def station_form(unit_id: int, **overrides: str) -> dict[str, str]:
    values = {
        "code": "HN-01",
        "name": "Trạm Hồng Ngự",
        "unit": str(unit_id),
        "address": "Quốc lộ 30, Hồng Ngự",
        "latitude": "10.8076",
        "longitude": "105.3436",
        "checkin_radius_m": "300",
        "opens_at": "06:00",
        "closes_at": "22:00",
    }
    values.update(overrides)
    return values


async def test_station_new_creates_a_station_and_redirects_to_it(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    client = await client_for(app, unit=unit)

    response = await post_form(
        client, f"/campaigns/{campaign.id}/stations/new", station_form(unit.id)
    )

    station = await Station.get(campaign_id=campaign.id)
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/stations/{station.id}",
    )
    assert (
        station.code,
        station.name,
        station.unit_id,
        station.checkin_radius_m,
        station.latitude,
        station.opens_at.strftime("%H:%M"),
    ) == ("HN-01", "Trạm Hồng Ngự", unit.id, 300, 10.8076, "06:00")
    assert await AuditEvent.filter(action="station.created").count() == 1


async def test_station_new_accepts_a_comma_as_the_decimal_mark_and_no_hours(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    client = await client_for(app, unit=unit)

    response = await post_form(
        client,
        f"/campaigns/{campaign.id}/stations/new",
        station_form(unit.id, latitude="10,5", longitude="105,25", opens_at="", closes_at=""),
    )

    station = await Station.get(campaign_id=campaign.id)
    assert response.status_code == 303
    assert (station.latitude, station.longitude, station.opens_at, station.closes_at) == (
        10.5,
        105.25,
        None,
        None,
    )


BAD_STATION_FIELDS = [
    ("code", "", "A station code is 1 to 16 characters"),
    ("code", "HN 01!", "A station code is 1 to 16 characters"),
    ("code", "X" * 17, "A station code is 1 to 16 characters"),
    ("code", "TRẠM", "A station code is 1 to 16 characters"),
    ("name", "", "A name of 1 to 200 characters is required."),
    ("name", "x" * 201, "A name of 1 to 200 characters is required."),
    ("unit", "", "Choose one of the units listed."),
    ("unit", "abc", "Choose one of the units listed."),
    ("unit", "999999", "Choose one of the units listed."),
    ("address", "x" * 301, "An address can be at most 300 characters."),
    ("latitude", "91", "Latitude must be a number of degrees between -90 and 90."),
    ("latitude", "-90.5", "Latitude must be a number of degrees between -90 and 90."),
    ("latitude", "north", "Enter a number."),
    ("latitude", "1e999", "Enter a number."),
    ("latitude", "", "Give both latitude and longitude, or neither."),
    ("longitude", "181", "Longitude must be a number of degrees between -180 and 180."),
    ("longitude", "nan", "Enter a number."),
    ("checkin_radius_m", "0", "The check-in radius must be a whole number of metres"),
    ("checkin_radius_m", "-1", "The check-in radius must be a whole number of metres"),
    ("checkin_radius_m", "1000000000", "The check-in radius must be a whole number of metres"),
    ("checkin_radius_m", "1e9", "“1e9” is not a whole number"),
    ("checkin_radius_m", "12.5", "“12.5” is not a whole number"),
    ("checkin_radius_m", "", "Enter a whole number."),
    ("checkin_radius_m", "9" * 40, "Enter a whole number from"),
    ("opens_at", "25:00", "This time does not exist."),
    ("opens_at", "noon", "Enter a time as HH:MM."),
    ("opens_at", "", "Give both opening and closing times"),
    ("closes_at", "06:00", "Opening and closing times must differ"),
]


async def test_station_new_refuses_each_bad_field_with_its_message_and_writes_nothing(
    app, db, clock
):
    unit = await make_unit()
    campaign = await make_campaign()
    client = await client_for(app, unit=unit)

    outcomes = []
    for field, value, message in BAD_STATION_FIELDS:
        response = await post_form(
            client,
            f"/campaigns/{campaign.id}/stations/new?lang=en",
            station_form(unit.id, **{field: value}),
        )
        page = html.unescape(response.text)
        outcomes.append(
            (
                field,
                value,
                response.status_code,
                message in page,
                # The form comes back with what was typed.
                'value="Quốc lộ 30, Hồng Ngự"' in page or field == "address",
            )
        )

    assert outcomes == [(field, value, 422, True, True) for field, value, _m in BAD_STATION_FIELDS]
    assert await Station.all().count() == 0


async def test_station_new_refuses_a_unit_outside_the_coordinators_scope(app, db, clock):
    mine, theirs = await make_unit(), await make_unit()
    campaign = await make_campaign()
    client = await client_for(app, unit=mine)

    response = await post_form(
        client, f"/campaigns/{campaign.id}/stations/new?lang=en", station_form(theirs.id)
    )

    assert response.status_code == 422
    assert "Choose one of the units listed." in response.text
    assert await Station.all().count() == 0


async def test_station_new_offers_only_units_in_scope(app, db, clock):
    mine = await make_unit(name="Công an xã Mình")
    await make_unit(name="Xã Khác")
    campaign = await make_campaign()
    client = await client_for(app, unit=mine)

    response = await client.get(f"/campaigns/{campaign.id}/stations/new")

    assert response.status_code == 200
    assert ("Công an xã Mình" in response.text, "Xã Khác" in response.text) == (True, False)


async def test_station_new_with_a_taken_code_is_a_conflict_shown_on_the_form(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    await make_station(campaign, unit=unit, code="HN-01")
    client = await client_for(app, unit=unit)

    response = await post_form(
        client,
        f"/campaigns/{campaign.id}/stations/new?lang=en",
        station_form(unit.id, code="hn-01"),
    )

    assert response.status_code == 409
    assert "The station code HN-01 is already used in this campaign." in response.text
    assert await Station.all().count() == 1


async def test_station_new_in_a_closed_campaign_is_refused(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign(status=CampaignStatus.CLOSED)
    client = await client_for(app, unit=unit)

    response = await post_form(
        client, f"/campaigns/{campaign.id}/stations/new?lang=en", station_form(unit.id)
    )

    assert response.status_code == 409
    assert "is closed" in response.text
    assert await Station.all().count() == 0


async def test_station_name_with_markup_is_stored_as_typed_and_escaped_on_every_page(
    app, db, clock
):
    unit = await make_unit()
    campaign = await make_campaign()
    client = await client_for(app, unit=unit)

    await post_form(
        client,
        f"/campaigns/{campaign.id}/stations/new",
        station_form(unit.id, name=XSS, address=XSS),
    )

    station = await Station.get(campaign_id=campaign.id)
    assert (station.name, station.address) == (XSS, XSS)
    for url in (
        f"/campaigns/{campaign.id}/stations",
        f"/stations/{station.id}",
        f"/stations/{station.id}/edit",
        f"/stations/{station.id}/sheet",
        f"/stations/{station.id}/shifts",
    ):
        page = await client.get(url)
        assert page.status_code == 200, url
        assert (XSS in page.text, ESCAPED_XSS in page.text) == (False, True)


async def test_station_list_shows_only_the_stations_in_the_coordinators_scope(app, db, clock):
    mine, theirs = await make_unit(), await make_unit()
    campaign = await make_campaign()
    await make_station(campaign, unit=mine, name="Trạm Của Mình")
    await make_station(campaign, unit=theirs, name="Trạm Của Người Khác")
    coordinator = await client_for(app, unit=mine)
    admin = await client_for(app, "admin")

    own = await coordinator.get(f"/campaigns/{campaign.id}/stations")
    everything = await admin.get(f"/campaigns/{campaign.id}/stations")

    assert ("Trạm Của Mình" in own.text, "Trạm Của Người Khác" in own.text) == (True, False)
    assert ("Trạm Của Mình" in everything.text, "Trạm Của Người Khác" in everything.text) == (
        True,
        True,
    )


async def test_station_list_of_an_unknown_campaign_is_not_found(app, db, clock):
    client = await client_for(app, "admin")

    response = await client.get("/campaigns/999999/stations")

    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ["", "/edit", "/sheet", "/shifts", "/shifts/new"])
async def test_station_pages_of_an_unknown_station_are_not_found(app, db, clock, suffix):
    client = await client_for(app, "admin")

    response = await client.get(f"/stations/999999{suffix}")

    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ["", "/edit", "/sheet", "/shifts"])
async def test_another_units_station_is_forbidden_to_a_coordinator(app, db, clock, suffix):
    mine, theirs = await make_unit(), await make_unit()
    station = await make_station(unit=theirs)
    client = await client_for(app, unit=mine)

    response = await client.get(f"/stations/{station.id}{suffix}")

    assert response.status_code == 404


async def test_a_viewer_sees_a_station_but_cannot_open_its_form(app, db, clock):
    unit = await make_unit()
    station = await make_station(unit=unit)
    client = await client_for(app, "viewer", unit)

    detail = await client.get(f"/stations/{station.id}")
    form = await client.get(f"/stations/{station.id}/edit")

    assert (detail.status_code, form.status_code) == (200, 403)
    assert f"/stations/{station.id}/edit" not in detail.text


async def test_station_edit_changes_the_fields_and_can_switch_a_station_off(app, db, clock):
    unit = await make_unit()
    station = await make_station(unit=unit, code="A1")
    client = await client_for(app, unit=unit)

    form = await client.get(f"/stations/{station.id}/edit")
    response = await post_form(
        client,
        f"/stations/{station.id}/edit",
        station_form(unit.id, code="A2", checkin_radius_m="150", name="Trạm mới"),
    )

    await station.refresh_from_db()
    assert (form.status_code, response.status_code) == (200, 303)
    assert 'value="A1"' in form.text
    assert (station.code, station.checkin_radius_m, station.name, station.is_active) == (
        "A2",
        150,
        "Trạm mới",
        False,
    )


async def test_station_edit_with_bad_input_changes_nothing(app, db, clock):
    unit = await make_unit()
    station = await make_station(unit=unit, code="A1", checkin_radius_m=300)
    client = await client_for(app, unit=unit)

    response = await post_form(
        client,
        f"/stations/{station.id}/edit?lang=en",
        station_form(unit.id, code="B2", checkin_radius_m="-1", is_active="on"),
    )

    await station.refresh_from_db()
    assert response.status_code == 422
    assert "The check-in radius must be a whole number of metres" in response.text
    assert (station.code, station.checkin_radius_m) == ("A1", 300)


async def test_station_edit_by_another_units_coordinator_is_forbidden_and_changes_nothing(
    app, db, clock
):
    mine, theirs = await make_unit(), await make_unit()
    station = await make_station(unit=theirs, code="A1")
    client = await client_for(app, unit=mine)

    response = await post_form(
        client, f"/stations/{station.id}/edit", station_form(mine.id, code="B2")
    )

    await station.refresh_from_db()
    assert (response.status_code, station.code, station.unit_id) == (404, "A1", theirs.id)


async def test_station_detail_sums_up_the_week_and_links_to_planner_sheet_and_inventory(
    app, db, clock
):
    unit = await make_unit()
    station = await make_station(unit=unit)
    await make_shift(station, needs={"volunteer": 2})
    client = await client_for(app, unit=unit)

    response = await client.get(f"/stations/{station.id}?lang=en")

    assert response.status_code == 200
    assert "Shifts from 02/02/2027 to 08/02/2027" in response.text
    assert "Shifts: 1." in response.text
    assert "Shifts this week still short of people: 1." in response.text
    for target in ("shifts", "sheet", "inventory"):
        assert f'href="/stations/{station.id}/{target}"' in response.text


async def test_station_sheet_has_a_qr_code_for_the_bots_check_in_and_prints_on_a4(app, db, clock):
    unit = await make_unit()
    station = await make_station(unit=unit, code="HN-01", name="Trạm Hồng Ngự")
    client = await client_for(app, "viewer", unit)

    response = await client.get(f"/stations/{station.id}/sheet?lang=en")
    css = await client.get("/static/print.css")

    assert response.status_code == 200
    assert "https://t.me/waystation_test_bot?start=st_HN-01" in response.text
    # the volunteers' check-in and the travellers' feedback
    assert response.text.count('<svg viewBox="') == 2
    assert "http://testserver/public/stations/HN-01/feedback" in response.text
    assert 'href="/static/print.css' in response.text
    assert "size: A4" in css.text


async def test_station_sheet_without_a_bot_username_says_what_to_set_and_draws_no_qr(db, clock):
    app = create_app(Settings(secret_key="x" * 40, bot_username=""), manage_database=False)
    unit = await make_unit()
    station = await make_station(unit=unit)
    client = await client_for(app, unit=unit)

    response = await client.get(f"/stations/{station.id}/sheet?lang=en")

    assert response.status_code == 200
    assert "Invite links and check-in QR codes need the Telegram bot, which is off" in (
        response.text
    )
    # only the travellers' feedback code, which needs no bot
    assert (response.text.count("<svg"), "t.me/" in response.text) == (1, False)


async def test_station_sheet_in_vietnamese_by_default(app, db, clock):
    unit = await make_unit()
    station = await make_station(unit=unit)
    client = await client_for(app, unit=unit)

    response = await client.get(f"/stations/{station.id}/sheet")

    assert "Tình nguyện viên: quét mã để điểm danh tại trạm này" in response.text


async def test_anonymous_visitor_is_sent_to_sign_in(client: httpx.AsyncClient, db):
    station = await make_station()

    response = await client.get(f"/stations/{station.id}/sheet")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin?next=")


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page)).split())


async def _station_table_page(app, stations: int, wards: int, **params: str):
    """The management table of a campaign of ``stations`` over ``wards`` wards, as an
    administrator sees it, and how many statements it cost."""
    world = await build_unit_world(stations=stations, wards=wards, tag=f"l{stations}")
    client = await client_for(app, "admin")
    await client.get("/campaigns")
    with count_queries() as statements:
        response = await client.get(
            f"/campaigns/{world.campaign.id}/stations", params={"lang": "en", **params}
        )
    return world, response, len(statements)


@pytest.mark.parametrize(
    ("params", "count", "pages", "next_page"),
    [
        ({}, "300 stations.", "Page 1 of 6", "p=2"),
        # 138 of S000–S299 have a 1 in their code and name
        ({"q": "tram 1"}, "138 stations match “tram 1”.", "Page 1 of 3", "q=tram+1&amp;p=2"),
    ],
)
async def test_station_list_costs_the_same_and_stays_one_page_for_3_or_300_stations(
    app, db, clock, params, count, pages, next_page
):
    _few_world, few, few_statements = await _station_table_page(app, 3, 1, **params)
    world, many, many_statements = await _station_table_page(app, 300, 20, **params)

    assert (few.status_code, many.status_code) == (200, 200)
    assert few_statements == many_statements
    assert many.text.count("<tr") == 51  # the head and 50 stations
    assert len(many.text) < len(few.text) + 50 * 1_000
    text = _text(many.text)
    assert (count in text, pages in text) == (True, True)
    assert f'href="/campaigns/{world.campaign.id}/stations?{next_page}"' in many.text


async def test_station_list_turns_pages_and_keeps_the_search_and_the_unit(app, db, clock):
    world = await build_unit_world(stations=120, wards=2)
    ward = world.wards[0]
    client = await client_for(app, "admin")
    base = f"/campaigns/{world.campaign.id}/stations"

    second = await client.get(base, params={"p": "2", "lang": "en"})
    of_ward = await client.get(base, params={"station_unit": str(ward.id), "lang": "en"})
    searched = await client.get(
        base, params={"station_unit": str(ward.id), "q": "Trạm 1", "p": "1", "lang": "en"}
    )

    assert (second.status_code, of_ward.status_code, searched.status_code) == (200, 200, 200)
    assert re.findall(r"<code>(S\d+)</code>", second.text)[:2] == ["S050", "S051"]
    # Station n stands in ward n % 2 unless n % 7 == 6 (then in the province).
    ward_codes = [f"S{n:03d}" for n in range(120) if n % 7 != 6 and n % 2 == 0]
    assert re.findall(r"<code>(S\d+)</code>", of_ward.text) == ward_codes[:50]
    ward_text = _text(of_ward.text)
    assert f"{len(ward_codes)} stations. Only the stations of {ward.name}." in ward_text
    assert f'href="{base}?station_unit={ward.id}&amp;p=2"' in of_ward.text
    assert f'href="{base}?station_unit={world.wards[1].id}"' in second.text
    assert re.findall(r"<code>(S\d+)</code>", searched.text) == [
        code for code in ward_codes if "1" in code
    ]
    assert f'name="station_unit" value="{ward.id}"' in searched.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("p=abc", "“abc” is not a number."),
        ("p=0", "Enter a whole number from 1 to 10,000."),
        ("p=99999999999999999999", "Enter a whole number from 1 to 10,000."),
        ("p=2", "There are only 1 pages."),
        ("station_unit=abc", "Choose one of the units listed."),
        ("station_unit=-3", "Choose one of the units listed."),
        ("station_unit=99999999999999999999", "Choose one of the units listed."),
        ("station_unit=999999999", "There is no unit with id 999999999."),
    ],
)
async def test_station_list_answers_bad_parameters_in_words_with_the_first_page(
    app, db, clock, query, message
):
    unit = await make_unit()
    campaign = await make_campaign()
    await make_station(campaign, unit=unit, code="B1")
    client = await client_for(app, "admin")

    response = await client.get(f"/campaigns/{campaign.id}/stations?{query}&lang=en")

    assert response.status_code == 422
    text = _text(response.text)
    assert message in text
    assert "B1" in text


async def test_station_list_refuses_another_units_filter_as_an_unknown_unit(app, db, clock):
    mine, theirs = await make_unit(), await make_unit()
    campaign = await make_campaign()
    await make_station(campaign, unit=mine, code="M1")
    await make_station(campaign, unit=theirs, code="T1", name="Trạm Của Người Khác")
    coordinator = await client_for(app, unit=mine)

    response = await coordinator.get(
        f"/campaigns/{campaign.id}/stations?station_unit={theirs.id}&lang=en"
    )

    assert response.status_code == 422
    text = _text(response.text)
    assert f"There is no unit with id {theirs.id}." in text
    assert ("M1" in text, "T1" in text, "Trạm Của Người Khác" in text) == (True, False, False)


@pytest.mark.parametrize("raw", ["\x00", "a" * 1_000, "%", "'; DROP TABLE station; --", XSS])
async def test_station_list_search_takes_any_text_without_failing(app, db, clock, raw):
    campaign = await make_campaign()
    await make_station(campaign, code="A1")
    client = await client_for(app, "admin")

    response = await client.get(
        f"/campaigns/{campaign.id}/stations", params={"q": raw, "lang": "en"}
    )

    assert response.status_code == 200
    # A NUL alone is no search at all: every station is listed.
    assert ("<code>A1</code>" in response.text) == (raw == "\x00")
    assert XSS not in response.text


async def test_station_list_keeps_its_links_to_each_station_and_its_planner(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    station = await make_station(campaign, unit=unit, code="K1", is_active=False)
    await make_shift(station)
    client = await client_for(app, "admin")

    response = await client.get(f"/campaigns/{campaign.id}/stations?q=k1&lang=en")

    assert response.status_code == 200
    assert f'href="/stations/{station.id}"' in response.text
    assert f'href="/stations/{station.id}/shifts">1</a>' in response.text
    assert f'href="/campaigns/{campaign.id}/stations/new"' in response.text
    assert "Inactive" in _text(response.text)
    assert "1 station matches “k1”." in _text(response.text)
