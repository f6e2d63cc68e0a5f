"""Listing every campaign, newest first, with the number of its active stations."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from stations.services.queries.campaign_listing import list_campaigns
from tests.factories import make_campaign, make_station


def select_statements(caplog: pytest.LogCaptureFixture) -> int:
    return sum(
        1
        for record in caplog.records
        if record.name == "tortoise.db_client"
        and record.getMessage().lstrip().upper().startswith("SELECT")
    )


async def campaigns_with_stations(count: int, *, stations_each: int) -> None:
    for n in range(count):
        campaign = await make_campaign(name=f"Chiến dịch {n}", starts_on=dt.date(2020 + n, 1, 1))
        for _ in range(stations_each):
            await make_station(campaign)


async def test_list_campaigns_of_an_empty_database_is_empty(db):
    assert await list_campaigns() == []


async def test_list_campaigns_puts_the_newest_first(db):
    tet_2026 = await make_campaign(name="Tết Bính Ngọ 2026", starts_on=dt.date(2026, 2, 10))
    holiday_2026 = await make_campaign(name="30/4–1/5 2026", starts_on=dt.date(2026, 4, 29))
    tet_2027 = await make_campaign(name="Tết Đinh Mùi 2027", starts_on=dt.date(2027, 1, 30))
    created_later_same_day = await make_campaign(name="Lễ hội", starts_on=dt.date(2027, 1, 30))

    listings = await list_campaigns()

    assert [listing.campaign.id for listing in listings] == [
        created_later_same_day.id,
        tet_2027.id,
        holiday_2026.id,
        tet_2026.id,
    ]


async def test_list_campaigns_counts_only_the_active_stations_of_each(db):
    busy, quiet, bare = (
        await make_campaign(name="Busy", starts_on=dt.date(2027, 1, 30)),
        await make_campaign(name="Quiet", starts_on=dt.date(2026, 4, 29)),
        await make_campaign(name="Bare", starts_on=dt.date(2026, 2, 10)),
    )
    for _ in range(3):
        await make_station(busy)
    await make_station(busy, is_active=False)
    await make_station(quiet)
    await make_station(quiet, is_active=False)

    listings = await list_campaigns()

    assert [(listing.campaign.name, listing.station_count) for listing in listings] == [
        ("Busy", 3),
        ("Quiet", 1),
        ("Bare", 0),
    ]
    assert [listing.campaign.id for listing in listings] == [busy.id, quiet.id, bare.id]


async def test_list_campaigns_is_one_query_however_many_campaigns_and_stations(db, caplog):
    await campaigns_with_stations(1, stations_each=1)
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        caplog.clear()
        few = await list_campaigns()
        for_few = select_statements(caplog)
        await campaigns_with_stations(5, stations_each=4)
        caplog.clear()
        many = await list_campaigns()
        for_many = select_statements(caplog)

    assert (len(few), len(many)) == (1, 6)
    assert (for_few, for_many) == (1, 1)
