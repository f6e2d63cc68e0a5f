"""The demo for travellers: services on every station, ratings enough for a figure."""

from __future__ import annotations

from stations.models import Station
from stations.services.actor import Actor
from stations.services.demo import load_demo
from stations.services.queries.public_stations import public_stations
from stations.services.queries.report_satisfaction import ENOUGH_RESPONSES
from stations.services.queries.reports import campaign_report
from stations.services.report_summary import campaign_summary

BY = Actor.system("test")
#: Cao Lãnh, on Quốc lộ 30.
CAO_LANH = (10.4600, 105.6330)


async def test_demo_stations_offer_services_and_travellers_find_the_nearest(db, clock) -> None:
    result = await load_demo(seed=7, scale=0.2, by=BY)

    offers = await Station.filter(campaign_id=result.campaign.id).values_list("offers", flat=True)
    listing = await public_stations(now=clock.now(), near=CAO_LANH, limit=3)

    assert all(offer.startswith("water cold_towels") for offer in offers)
    assert [row.station.campaign_id for row in listing.stations] == [result.campaign.id] * 3
    assert listing.stations[0].station.code == "CL01"
    assert (listing.stations[0].distance_m or 0) < 5_000


async def test_closed_demo_campaign_has_a_satisfaction_figure(db, clock) -> None:
    result = await load_demo(seed=7, scale=0.2, by=BY)

    report = await campaign_report(result.previous_campaign)

    assert report.satisfaction.responses >= ENOUGH_RESPONSES
    assert 0.8 < (report.satisfaction.satisfied_share or 0) < 0.98
    assert "người dân hài lòng" in campaign_summary(report, "vi")
