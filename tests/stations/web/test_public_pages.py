"""Travellers' pages and open data, through the real app: no sign-in, small, no private data."""

from __future__ import annotations

import datetime as dt
import json
import re

import httpx
import pytest
from geojson_pydantic import FeatureCollection

from stations.models import StationFeedback
from stations.services.actor import Actor
from stations.services.inventory import record_receipt
from stations.services.stations import update_station
from stations.services.units import update_unit
from stations.web.app import STATIC_DIR
from tests.factories import make_campaign, make_item, make_station, make_unit, make_volunteer
from tests.stations.web.helpers import csrf_token_in, new_client

ADMIN = Actor.system("test")
HERE = (10.4812, 105.6071)  # Cao Lãnh
PAGE_WEIGHT_LIMIT = 60 * 1024
#: Official codes (2025): Đồng Tháp, its wards Cao Lãnh and An Bình; Vĩnh Long.
DONG_THAP, CAO_LANH, AN_BINH, VINH_LONG = "82", "29869", "29954", "86"


def station_names(page: httpx.Response) -> list[str]:
    return re.findall(r'class="station__name"><a [^>]*>([^<]+)</a>', page.text)


async def two_stations():
    campaign = await make_campaign()
    lead = await make_volunteer(full_name="Lê Văn Bí Mật", phone="+84901234567")
    province = await make_unit(name="Công an tỉnh Đồng Tháp", province_code=DONG_THAP)
    far = await make_station(
        campaign,
        code="HN01",
        name="Trạm Hồng Ngự",
        # Where it stands comes from its unit: the address need not name the place.
        address="Quốc lộ 30, km 12",
        unit=await make_unit(
            name="Công an phường An Bình",
            parent=province,
            province_code=DONG_THAP,
            ward_code=AN_BINH,
        ),
        latitude=10.7891,
        longitude=105.3718,
        offers="water cold_towels",
        lead=lead,
    )
    near = await make_station(
        campaign,
        code="CL01",
        name="Trạm Cao Lãnh",
        address="Quốc lộ 30, phường Cao Lãnh, Đồng Tháp",
        latitude=10.4812,
        longitude=105.6071,
        offers="water fuel motorbike_check",
        opens_at=dt.time(6, tzinfo=dt.UTC),
        closes_at=dt.time(22, tzinfo=dt.UTC),
        unit=await make_unit(
            name="Công an phường Cao Lãnh",
            parent=province,
            province_code=DONG_THAP,
            ward_code=CAO_LANH,
        ),
    )
    water = await make_item("water")
    await record_receipt(near, water, 4321, by=ADMIN)
    return far, near


async def test_find_page_lists_the_nearest_station_first(client, clock) -> None:
    await two_stations()

    page = await client.get("/public/stations", params={"lat": HERE[0], "lon": HERE[1]})

    assert page.status_code == 200
    names = re.findall(r'class="station__name"><a [^>]*>([^<]+)</a>', page.text)
    assert names == ["Trạm Cao Lãnh", "Trạm Hồng Ngự"]
    assert "40 km" in page.text or "43 km" in page.text
    assert 'href="geo:10.481200,105.607100?q=10.481200,105.607100"' in page.text
    assert "https://www.openstreetmap.org/?mlat=10.481200&amp;mlon=105.607100" in page.text


async def test_without_javascript_the_province_form_lists_stations(client, clock) -> None:
    await two_stations()

    page = await client.get("/public/stations", params={"province": DONG_THAP, "ward": CAO_LANH})

    assert station_names(page) == ["Trạm Cao Lãnh"]
    assert '<form class="place" method="get"' in page.text
    assert '<option value="82" selected>Đồng Tháp</option>' in page.text
    assert re.findall(r'<option value="(\d{5})"( selected)?>([^<]+)</option>', page.text) == [
        (AN_BINH, "", "Phường An Bình"),
        (CAO_LANH, " selected", "Phường Cao Lãnh"),
    ]


async def test_province_filter_finds_a_station_whose_address_names_no_province(
    client, clock
) -> None:
    far, _near = await two_stations()
    elsewhere = await make_unit(name="Công an tỉnh Vĩnh Long", province_code=VINH_LONG)
    # An address naming Đồng Tháp does not put a Vĩnh Long unit's station there.
    await make_station(
        far.campaign, code="VL01", name="Trạm Vĩnh Long", address="Đồng Tháp", unit=elsewhere
    )

    in_province = await client.get("/public/stations", params={"province": DONG_THAP})
    in_ward = await client.get("/public/stations", params={"province": DONG_THAP, "ward": AN_BINH})

    assert station_names(in_province) == ["Trạm Hồng Ngự", "Trạm Cao Lãnh"]
    assert station_names(in_ward) == ["Trạm Hồng Ngự"]
    assert re.findall(r'<option value="(\d\d)"[^>]*>([^<]+)</option>', in_province.text) == [
        (DONG_THAP, "Đồng Tháp"),
        (VINH_LONG, "Vĩnh Long"),
    ]


async def test_a_bookmarked_link_with_place_names_still_lists_its_stations(client, clock) -> None:
    await two_stations()

    page = await client.get(
        "/public/stations", params={"province": "Đồng Tháp", "ward": "phường Cao Lãnh"}
    )

    assert page.status_code == 200
    assert station_names(page) == ["Trạm Cao Lãnh"]
    assert '<option value="29869" selected>Phường Cao Lãnh</option>' in page.text


async def test_an_unknown_place_answers_a_translated_message_and_no_station(client, clock) -> None:
    await two_stations()

    province = await client.get("/public/stations", params={"province": "Tiền Giang"})
    ward = await client.get(
        "/public/stations", params={"province": DONG_THAP, "ward": "99999", "lang": "en"}
    )

    assert (province.status_code, station_names(province)) == (422, [])
    assert "Không có tỉnh, thành phố “Tiền Giang”: hãy chọn trong danh sách." in province.text
    assert (ward.status_code, station_names(ward)) == (422, [])
    assert "There is no ward or commune “99999”: choose one from the list." in ward.text
    assert 'name="ward" aria-invalid="true"' in ward.text
    assert '<option value="82">Đồng Tháp</option>' in ward.text  # the choices stay offered


async def test_search_by_road_name_works_without_diacritics(client, clock) -> None:
    await two_stations()

    page = await client.get("/public/stations", params={"q": "hong ngu"})

    assert re.findall(r'class="station__name"><a [^>]*>([^<]+)</a>', page.text) == ["Trạm Hồng Ngự"]


async def test_page_speaks_english_when_asked(client, clock) -> None:
    await two_stations()

    page = await client.get("/public/stations", params={"lang": "en"})

    assert "Find a rest station near you" in page.text
    assert "Still has: Bottled water" in page.text


async def test_page_shows_stock_as_yes_or_no_and_hides_people(client, clock) -> None:
    await two_stations()

    page = await client.get("/public/stations")

    assert "Còn: Nước suối" in page.text
    assert "4321" not in page.text and "4.321" not in page.text
    assert "Bí Mật" not in page.text and "0901234567" not in page.text


async def test_page_weight_with_a_full_page_of_stations_stays_under_60_kb(client, clock) -> None:
    campaign = await make_campaign()
    for n in range(40):
        await make_station(
            campaign,
            code=f"S{n:03d}",
            name=f"Trạm dừng chân nghĩa tình Quốc lộ 30 số {n}",
            address=f"Quốc lộ 30, km {n}, phường Mỹ Phú, Đồng Tháp",
            offers="water cold_towels food fuel motorbike_check first_aid rest",
        )

    page = await client.get("/public/stations", params={"show": "40"})
    assets = [(STATIC_DIR / name).stat().st_size for name in ("public.css", "public.js")]

    assert page.text.count('class="station ') == 40
    assert len(page.content) + sum(assets) < PAGE_WEIGHT_LIMIT
    assert "https://" not in re.sub(r'href="https://www\.openstreetmap\.org[^"]*"', "", page.text)


async def test_station_page_and_unknown_code(client, clock) -> None:
    await two_stations()

    found = await client.get("/public/stations/cl01")
    missing = await client.get("/public/stations/NOPE")

    assert found.status_code == 200
    assert "Mở cửa 06:00–22:00 hằng ngày" in found.text
    assert missing.status_code == 404


async def test_geojson_is_valid_rfc_7946_in_longitude_latitude_order(client, clock) -> None:
    await two_stations()

    response = await client.get("/public/stations.geojson")

    assert response.headers["content-type"] == "application/geo+json"
    collection = FeatureCollection.model_validate_json(response.content)
    coordinates = {
        feature.properties["code"]: list(feature.geometry.coordinates)  # type: ignore[union-attr,index]
        for feature in collection.features
    }
    assert coordinates == {"CL01": [105.6071, 10.4812], "HN01": [105.3718, 10.7891]}
    properties = {f.properties["code"]: f.properties for f in collection.features}  # type: ignore[index]
    assert properties["CL01"]["has_stock"] == {"water": True}
    assert properties["CL01"]["services"] == ["water", "fuel", "motorbike_check"]
    assert properties["CL01"]["hours"]["opens_at"] == "06:00"
    assert properties["CL01"]["open_now"] is True
    places = {
        code: [p[key] for key in ("province_code", "province", "ward_code", "ward")]
        for code, p in properties.items()
    }
    assert places == {
        "CL01": [DONG_THAP, "Đồng Tháp", CAO_LANH, "Phường Cao Lãnh"],
        "HN01": [DONG_THAP, "Đồng Tháp", AN_BINH, "Phường An Bình"],
    }
    assert "4321" not in response.text and "Bí Mật" not in response.text
    assert "+84901234567" not in response.text


async def test_geojson_has_cache_headers_and_answers_304_to_its_etag(client, clock) -> None:
    await two_stations()

    first = await client.get("/public/stations.geojson")
    again = await client.get(
        "/public/stations.geojson", headers={"If-None-Match": first.headers["etag"]}
    )

    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["access-control-allow-origin"] == "*"  # map apps on other sites
    assert re.fullmatch(r'"[0-9a-f]{32}"', first.headers["etag"])
    assert (again.status_code, again.content) == (304, b"")


async def test_geojson_etag_changes_when_a_station_changes(client, clock) -> None:
    far, _ = await two_stations()
    first = await client.get("/public/stations.geojson")

    await make_station(far.campaign, code="NEW", latitude=10.5, longitude=105.5)  # type: ignore[arg-type]
    second = await client.get("/public/stations.geojson")

    assert first.headers["etag"] != second.headers["etag"]
    assert len(json.loads(second.content)["features"]) == 3


# --- the public list is a snapshot: what changes shows on the next request, or within a minute


def _listed_names(page: httpx.Response) -> list[str]:
    return re.findall(r'class="station__name"><a [^>]*>([^<]+)</a>', page.text)


@pytest.mark.parametrize(
    ("change", "path", "shown", "gone"),
    [
        ({"name": "Trạm Mỹ Trà"}, "/public/stations", "Trạm Mỹ Trà", "Trạm Cao Lãnh"),
        (
            {"opens_at": dt.time(7), "closes_at": dt.time(21)},
            "/public/stations/CL01",
            "Mở cửa 07:00–21:00 hằng ngày",
            "Mở cửa 06:00–22:00 hằng ngày",
        ),
        ({"is_active": False}, "/public/stations", "Trạm Hồng Ngự", "Trạm Cao Lãnh"),
    ],
)
async def test_a_station_changed_by_a_coordinator_shows_on_the_next_request(
    client, clock, change, path, shown, gone
) -> None:
    _far, near = await two_stations()
    before = await client.get(path)
    assert gone in before.text

    await update_station(near, by=ADMIN, **change)
    after = await client.get(path)

    assert (shown in after.text, gone in after.text) == (True, False)


async def test_a_change_the_marker_cannot_see_shows_after_a_minute_at_most(client, clock) -> None:
    _far, near = await two_stations()
    await near.fetch_related("unit")
    page = "/public/stations/CL01"
    assert near.unit.name in (await client.get(page)).text
    await update_unit(near.unit, by=ADMIN, name="Công an xã Tịnh Thới")  # no station row moves

    clock.advance(dt.timedelta(seconds=59))
    within = await client.get(page)
    clock.advance(dt.timedelta(seconds=1))
    after_a_minute = await client.get(page)

    assert "Công an xã Tịnh Thới" not in within.text  # the snapshot of a minute ago
    assert "Công an xã Tịnh Thới" in after_a_minute.text


async def test_an_edit_stamped_by_a_replica_whose_clock_is_behind_shows_within_a_minute(
    client, clock
) -> None:
    far, near = await two_stations()
    await update_station(far, by=ADMIN, name="Trạm Hồng Ngự mới")
    assert _listed_names(await client.get("/public/stations")) == [
        "Trạm Hồng Ngự mới",
        "Trạm Cao Lãnh",
    ]
    seen_at = clock.now()
    clock.advance(dt.timedelta(seconds=-3))  # the other replica's clock: the marker stays put
    await update_station(near, by=ADMIN, name="Trạm Mỹ Trà")
    clock.set(seen_at + dt.timedelta(seconds=60))

    names = _listed_names(await client.get("/public/stations"))

    assert names == ["Trạm Hồng Ngự mới", "Trạm Mỹ Trà"]


# --- feedback ---------------------------------------------------------------------------------


async def feedback_form(client: httpx.AsyncClient, code: str = "CL01") -> str:
    page = await client.get(f"/public/stations/{code}/feedback")
    assert page.status_code == 200, page.text
    token = csrf_token_in(page.text)
    assert token
    return token


async def send(client: httpx.AsyncClient, token: str | None, **fields: str) -> httpx.Response:
    data = {"rating": "5", "got_water": "on", "comment": "Cảm ơn!", "website": ""} | fields
    if token is not None:
        data["csrf_token"] = token
    return await client.post("/public/stations/CL01/feedback", data=data)


async def test_a_traveller_rates_a_station_and_is_thanked(client, clock) -> None:
    await two_stations()
    token = await feedback_form(client)

    sent = await send(client, token, got_fuel="on")
    thanks = await client.get(sent.headers["location"])

    assert (sent.status_code, sent.headers["location"]) == (
        303,
        "/public/stations/CL01/feedback?thanks=1",
    )
    assert "Cảm ơn bạn!" in thanks.text
    stored = await StationFeedback.get()
    assert (stored.rating, stored.received, stored.comment) == (5, "water fuel", "Cảm ơn!")


async def test_a_second_answer_from_the_same_browser_is_refused(client, clock) -> None:
    await two_stations()
    token = await feedback_form(client)
    await send(client, token)

    again = await send(client, token, rating="1")
    form_again = await client.get("/public/stations/CL01/feedback")

    assert again.status_code == 409
    assert "Bạn đã đánh giá trạm này hôm nay" in again.text
    assert "Bạn đã đánh giá trạm này hôm nay" in form_again.text
    assert await StationFeedback.all().values_list("rating", flat=True) == [5]


async def test_an_answer_without_the_form_token_is_refused(client, clock) -> None:
    await two_stations()
    await feedback_form(client)

    refused = await send(client, None)
    forged = await send(client, "forged-token-" + "x" * 40)

    assert (refused.status_code, forged.status_code) == (403, 403)
    assert "Biểu mẫu này đã hết hạn" in refused.text
    assert await StationFeedback.all().count() == 0


async def test_oversized_and_scripted_comments_and_the_honeypot_are_refused(client, clock) -> None:
    await two_stations()
    token = await feedback_form(client)

    too_long = await send(client, token, comment="x" * 501)
    script = await send(client, token, comment='<script>alert("x")</script>')
    trapped = await send(client, token, website="http://spam.example")
    no_stars = await send(client, token, rating="")

    assert [r.status_code for r in (too_long, script, trapped, no_stars)] == [422, 422, 422, 422]
    assert "tối đa 500 ký tự" in too_long.text
    assert "<script>alert" not in script.text
    assert "&lt;script&gt;alert" in script.text  # what was typed comes back, escaped
    assert await StationFeedback.all().count() == 0


async def test_a_thousand_answers_from_one_address_are_cut_off(app, clock) -> None:
    await two_stations()
    statuses = []
    for _ in range(1000):
        # A new browser each time (no cookie), all from the same address.
        async with new_client(app) as visitor:
            token = await feedback_form(visitor)
            statuses.append((await send(visitor, token)).status_code)

    assert (statuses.count(303), statuses.count(429)) == (30, 970)
    assert await StationFeedback.all().count() == 30
