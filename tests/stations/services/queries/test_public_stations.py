"""What travellers may find: nearest first, only running and coming campaigns, no figures."""

from __future__ import annotations

import dataclasses
import datetime as dt

from stations.enums import CampaignStatus
from stations.models import Campaign
from stations.services.actor import Actor
from stations.services.geo import EARTH_RADIUS_M
from stations.services.inventory import record_handout, record_receipt
from stations.services.opening_hours import OpenStatus
from stations.services.queries.public_stations import PlaceFilter, public_station, public_stations
from stations.services.stations import update_station
from tests.factories import make_campaign, make_item, make_station, vn

ADMIN = Actor.system("test")
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


async def test_place_filter_reads_province_ward_and_words_without_diacritics(db, clock) -> None:
    campaign = await running_campaign()
    for code, name, address in (
        ("A", "Trạm Cao Lãnh", "Quốc lộ 30, phường Cao Lãnh, Đồng Tháp"),
        ("B", "Trạm số 130", "Quốc lộ 80, xã Lai Vung, Đồng Tháp"),
        ("C", "Trạm An Hữu", "Quốc lộ 1, xã An Hữu, Tiền Giang"),
    ):
        await make_station(campaign, code=code, name=name, address=address)

    def codes(listing) -> list[str]:
        return sorted(row.station.code for row in listing.stations)

    by_province = await public_stations(now=clock.now(), place=PlaceFilter(province="Đồng Tháp"))
    by_ward = await public_stations(
        now=clock.now(), place=PlaceFilter(province="Đồng Tháp", ward="xã Lai Vung")
    )
    by_words = await public_stations(now=clock.now(), place=PlaceFilter(text="Quoc lo 30,"))

    assert (codes(by_province), codes(by_ward), codes(by_words)) == (["A", "B"], ["B"], ["A"])
    assert by_province.provinces == ["Đồng Tháp", "Tiền Giang"]
    assert by_province.wards == ["phường Cao Lãnh", "xã Lai Vung"]
