"""What travellers may find: nearest first, only running and coming campaigns, no figures."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from stations.enums import CampaignStatus, UnitKind
from stations.models import Campaign, Unit
from stations.services.actor import Actor
from stations.services.errors import InvalidInput
from stations.services.geo import EARTH_RADIUS_M
from stations.services.inventory import record_handout, record_receipt
from stations.services.opening_hours import OpenStatus
from stations.services.queries.public_stations import (
    PlaceFilter,
    PublicListing,
    place_filter,
    public_station,
    public_stations,
)
from stations.services.stations import update_station
from tests.factories import make_campaign, make_item, make_station, make_unit, vn

ADMIN = Actor.system("test")
#: Official codes (2025): Đồng Tháp and three of its wards and communes; Vĩnh Long.
DONG_THAP, CAO_LANH, LAI_VUNG, SA_DEC = "82", "29869", "30226", "29905"
VINH_LONG = "86"
#: A traveller on Quốc lộ 30 near Cao Lãnh.
HERE = (10.4812, 105.6071)
#: One degree of arc on the mean Earth sphere, in metres: 2πR / 360.
METRES_PER_DEGREE = 2 * 3.141592653589793 * EARTH_RADIUS_M / 360


def north_of_here(metres: float) -> dict[str, float]:
    return {"latitude": HERE[0] + metres / METRES_PER_DEGREE, "longitude": HERE[1]}


async def running_campaign(**overrides: object) -> Campaign:
    values = {"starts_on": dt.date(2027, 1, 30), "ends_on": dt.date(2027, 2, 11)} | overrides
    return await make_campaign(**values)


async def test_stations_are_listed_nearest_first_with_their_distances(db, clock) -> None:
    campaign = await running_campaign()
    await make_station(campaign, code="FAR", **north_of_here(20_000))
    await make_station(campaign, code="NEAR", **north_of_here(1_000))
    await make_station(campaign, code="MID", **north_of_here(5_000))
    await make_station(campaign, code="NOWHERE", latitude=None, longitude=None)

    listing = await public_stations(now=clock.now(), near=HERE)

    assert [row.station.code for row in listing.stations] == ["NEAR", "MID", "FAR", "NOWHERE"]
    assert [round(row.distance_m or 0) for row in listing.stations] == [1000, 5000, 20000, 0]


async def test_distance_matches_a_known_great_circle_distance(db, clock) -> None:
    # The classic haversine example (Rosetta Code): Nashville BNA to Los Angeles LAX is
    # 2,887.26 km on a sphere of radius 6,372.8 km; on ours it scales with the radius.
    campaign = await running_campaign()
    await make_station(campaign, code="LAX", latitude=33.94, longitude=-118.40)

    (row,) = (await public_stations(now=clock.now(), near=(36.12, -86.67))).stations

    expected = 2_887_259.9506071106 * EARTH_RADIUS_M / 6_372_800
    assert abs((row.distance_m or 0) - expected) < 1.0


async def test_closed_and_ended_campaigns_are_never_listed(db, clock) -> None:
    running = await running_campaign(name="Tết 2027")
    coming = await running_campaign(
        name="30/4 2027", starts_on=dt.date(2027, 4, 29), ends_on=dt.date(2027, 5, 2)
    )
    closed = await running_campaign(name="Closed early", status=CampaignStatus.CLOSED)
    ended = await running_campaign(
        name="Tết 2026", starts_on=dt.date(2026, 2, 10), ends_on=dt.date(2026, 2, 22)
    )
    for campaign, code in ((running, "RUN"), (coming, "COME"), (closed, "SHUT"), (ended, "OLD")):
        await make_station(campaign, code=code)
    await make_station(running, code="OFF", is_active=False)

    listing = await public_stations(now=clock.now())

    assert [(row.station.code, row.state.status) for row in listing.stations] == [
        ("RUN", OpenStatus.OPEN),
        ("COME", OpenStatus.LATER),
    ]
    assert listing.stations[1].state.opens == vn(2027, 4, 29, 0, 0)
    assert await public_station("SHUT", now=clock.now()) is None
    assert await public_station("OLD", now=clock.now()) is None


async def test_closing_a_campaign_takes_its_stations_off_the_list_at_once(db, clock) -> None:
    campaign = await running_campaign()
    await make_station(campaign, code="RUN")
    assert len((await public_stations(now=clock.now())).stations) == 1

    await Campaign.filter(id=campaign.id).update(status=CampaignStatus.CLOSED)

    assert (await public_stations(now=clock.now())).stations == []


async def test_station_open_past_midnight_reads_open_at_two_in_the_morning(db, clock) -> None:
    campaign = await running_campaign()
    await make_station(
        campaign,
        code="NIGHT",
        opens_at=dt.time(18, tzinfo=dt.UTC),
        closes_at=dt.time(6, tzinfo=dt.UTC),
    )
    clock.set(vn(2027, 2, 3, 2, 0))

    (row,) = (await public_stations(now=clock.now(), open_only=True)).stations

    assert (row.station.code, row.state.closes) == ("NIGHT", vn(2027, 2, 3, 6, 0))


async def test_stock_indicator_says_yes_or_no_and_never_a_figure(db, clock) -> None:
    campaign = await running_campaign()
    station = await make_station(campaign, code="S")
    water, towel, leaflet = (
        await make_item("water"),
        await make_item("towel"),
        await make_item("leaflet"),
    )
    await record_receipt(station, water, 137, by=ADMIN)
    await record_receipt(station, towel, 20, by=ADMIN)
    await record_handout(station, towel, 20, by=ADMIN)
    await record_receipt(station, leaflet, 500, by=ADMIN)

    (row,) = (await public_stations(now=clock.now())).stations

    assert row.station.has_stock == {"towel": False, "water": True}
    public_values = [str(value) for value in dataclasses.asdict(row.station).values()]
    assert not any("137" in value or "500" in value for value in public_values)


async def test_stock_running_out_shows_on_the_next_request(db, clock) -> None:
    campaign = await running_campaign()
    station = await make_station(campaign, code="S")
    water = await make_item("water")
    await record_receipt(station, water, 5, by=ADMIN)
    assert (await public_stations(now=clock.now())).stations[0].station.has_stock == {"water": True}

    await record_handout(station, water, 5, by=ADMIN)

    assert (await public_stations(now=clock.now())).stations[0].station.has_stock == {
        "water": False
    }


async def test_a_renamed_station_shows_its_new_name(db, clock) -> None:
    campaign = await running_campaign()
    station = await make_station(campaign, code="S", name="Old name")
    await public_stations(now=clock.now())

    await update_station(station, by=ADMIN, name="New name", offers=["water", "rest"])

    (row,) = (await public_stations(now=clock.now())).stations
    assert (row.station.name, row.station.offers) == ("New name", ("water", "rest"))


# --- the place: from the unit tree, never the address ---------------------------------------


async def dong_thap_tree() -> dict[str, Unit]:
    """Đồng Tháp's province police over two commune police units; a province-wide Youth
    Union; a traffic team under the Cao Lãnh commune police, with no place of its own."""
    province = await make_unit(
        name="Công an tỉnh Đồng Tháp", kind=UnitKind.PROVINCE_POLICE, province_code=DONG_THAP
    )
    cao_lanh = await make_unit(
        name="Công an phường Cao Lãnh", parent=province, province_code=DONG_THAP, ward_code=CAO_LANH
    )
    lai_vung = await make_unit(
        name="Công an xã Lai Vung", parent=province, province_code=DONG_THAP, ward_code=LAI_VUNG
    )
    youth = await make_unit(
        name="Tỉnh Đoàn Đồng Tháp", kind=UnitKind.YOUTH_UNION, parent=province, province_code=None
    )
    team = await make_unit(name="Tổ tuần tra", kind=UnitKind.TRAFFIC_POLICE, parent=cao_lanh)
    return {
        "province": province,
        "cao_lanh": cao_lanh,
        "lai_vung": lai_vung,
        "youth": youth,
        "team": team,
    }


def codes(listing: PublicListing) -> list[str]:
    return sorted(row.station.code for row in listing.stations)


async def test_place_comes_from_the_unit_tree_when_the_address_names_none(db, clock) -> None:
    units = await dong_thap_tree()
    campaign = await running_campaign()
    await make_station(campaign, code="A", address="Quốc lộ 30, km 5", unit=units["cao_lanh"])
    await make_station(campaign, code="B", address="Ngã ba Lai Vung", unit=units["lai_vung"])
    await make_station(campaign, code="T", address="", unit=units["team"])
    await make_station(campaign, code="Y", address="Bến phà", unit=units["youth"])

    listing = await public_stations(now=clock.now())
    places = {
        row.station.code: (row.station.province_code, row.station.ward_code, row.station.ward)
        for row in listing.stations
    }

    assert places == {
        "A": (DONG_THAP, CAO_LANH, "Phường Cao Lãnh"),
        "B": (DONG_THAP, LAI_VUNG, "Xã Lai Vung"),
        # A unit with no place of its own takes its parent's ward: the level below province.
        "T": (DONG_THAP, CAO_LANH, "Phường Cao Lãnh"),
        # Nothing between a province-wide unit and the province names a ward.
        "Y": (DONG_THAP, "", ""),
    }
    assert {row.station.province for row in listing.stations} == {"Đồng Tháp"}


async def test_place_filter_uses_codes_and_ignores_what_the_address_says(db, clock) -> None:
    units = await dong_thap_tree()
    vinh_long = await make_unit(name="Công an tỉnh Vĩnh Long", province_code=VINH_LONG)
    campaign = await running_campaign()
    # The address names a province merged away in 2025 and a ward it is not in.
    await make_station(
        campaign, code="A", address="Quốc lộ 30, phường Sa Đéc, Tiền Giang", unit=units["cao_lanh"]
    )
    await make_station(campaign, code="B", name="Trạm số 130", unit=units["lai_vung"])
    await make_station(campaign, code="V", address="Quốc lộ 1, Đồng Tháp", unit=vinh_long)

    by_province = await public_stations(now=clock.now(), place=PlaceFilter(province=DONG_THAP))
    by_ward = await public_stations(
        now=clock.now(), place=PlaceFilter(province=DONG_THAP, ward=CAO_LANH)
    )
    by_address_ward = await public_stations(now=clock.now(), place=PlaceFilter(ward=SA_DEC))
    by_words = await public_stations(now=clock.now(), place=PlaceFilter(text="lai vung"))

    assert (codes(by_province), codes(by_ward), codes(by_address_ward), codes(by_words)) == (
        ["A", "B"],
        ["A"],
        [],
        ["B"],  # the place's name is searched too, though the address does not say it
    )


async def test_choices_are_the_places_of_public_stations_with_their_names(db, clock) -> None:
    units = await dong_thap_tree()
    vinh_long = await make_unit(name="Công an tỉnh Vĩnh Long", province_code=VINH_LONG)
    campaign = await running_campaign()
    await make_station(campaign, code="A", unit=units["cao_lanh"])
    await make_station(campaign, code="V", unit=vinh_long)
    await make_station(campaign, code="OFF", unit=units["lai_vung"], is_active=False)
    closed = await running_campaign(status=CampaignStatus.CLOSED)
    await make_station(closed, code="SHUT", unit=units["lai_vung"])

    every = await public_stations(now=clock.now())
    in_dong_thap = await public_stations(now=clock.now(), place=PlaceFilter(province=DONG_THAP))
    in_vinh_long = await public_stations(now=clock.now(), place=PlaceFilter(province=VINH_LONG))

    assert [(p.code, p.name) for p in every.provinces] == [
        (DONG_THAP, "Đồng Tháp"),
        (VINH_LONG, "Vĩnh Long"),
    ]
    assert [(w.code, w.name) for w in every.wards] == [(CAO_LANH, "Phường Cao Lãnh")]
    assert [w.code for w in in_dong_thap.wards] == [CAO_LANH]
    assert in_vinh_long.wards == []


async def test_a_stations_own_place_comes_before_its_units(db, clock) -> None:
    units = await dong_thap_tree()
    campaign = await running_campaign()
    await make_station(
        campaign, code="Y", unit=units["youth"], province_code=DONG_THAP, ward_code=SA_DEC
    )
    await make_station(campaign, code="P", unit=units["cao_lanh"], province_code=DONG_THAP)

    listing = await public_stations(now=clock.now())

    assert [(r.station.code, r.station.ward_code) for r in listing.stations] == [
        # A station recording only its province takes the ward from its unit.
        ("P", CAO_LANH),
        ("Y", SA_DEC),
    ]


async def test_a_station_without_any_place_is_listed_under_all_only(db, clock) -> None:
    campaign = await running_campaign()
    loop_a = await make_unit()
    loop_b = await make_unit(parent=loop_a)
    await Unit.filter(id=loop_a.id).update(parent_id=loop_b.id)  # a loop must not hang
    await make_station(campaign, code="X", unit=loop_b)

    every = await public_stations(now=clock.now())
    filtered = await public_stations(now=clock.now(), place=PlaceFilter(province=DONG_THAP))

    assert [(r.station.code, r.station.province_code) for r in every.stations] == [("X", "")]
    assert (every.provinces, every.wards, filtered.stations) == ([], [], [])


@pytest.mark.parametrize(
    ("province", "ward", "expected"),
    [
        ("82", "29869", ("82", "29869")),
        ("82", "", ("82", "")),
        # Links bookmarked when the filter took names from the address.
        ("Đồng Tháp", "phường Cao Lãnh", ("82", "29869")),
        ("dong thap", "Cao Lanh", ("82", "29869")),
        ("", "xã Lai Vung", ("82", "30226")),
        ("Thành phố Hồ Chí Minh", "", ("79", "")),
        # The traveller chose another province and kept the old ward.
        ("86", "29869", ("86", "")),
    ],
)
def test_place_filter_reads_codes_and_the_names_old_links_carry(
    province: str, ward: str, expected: tuple[str, str]
) -> None:
    place = place_filter(province=province, ward=ward, text="ql 30")

    assert (place.province, place.ward, place.text) == (*expected, "ql 30")


@pytest.mark.parametrize(
    ("province", "ward", "field"),
    [
        ("Tiền Giang", "", "province"),
        ("99", "", "province"),
        ("<script>", "", "province"),
        ("82", "phường 1", "ward"),
        ("", "99999", "ward"),
        ("82", "123456", "ward"),
    ],
)
def test_place_filter_refuses_a_place_vietnam_does_not_have(
    province: str, ward: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        place_filter(province=province, ward=ward)

    assert refused.value.field == field
    assert refused.value.translated("vi").startswith(
        "Không có tỉnh, thành phố" if field == "province" else "Không có phường, xã"
    )
