"""Finding a campaign the way a person names it, and listing its stations and shifts."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.enums import ShiftStatus
from stations.services.errors import InvalidInput, NotFound
from stations.services.queries.campaigns import (
    find_campaign,
    shifts_of_station,
    stations_of_campaign,
)
from tests.factories import make_campaign, make_shift, make_station, vn


async def test_find_campaign_by_numeric_id(db):
    await make_campaign(name="Tết Bính Ngọ 2026")
    campaign = await make_campaign()

    assert (await find_campaign(campaign.id)).id == campaign.id
    assert (await find_campaign(f" {campaign.id} ")).id == campaign.id


@pytest.mark.parametrize(
    "ref", ["Tết Đinh Mùi 2027", "tet dinh mui 2027", "  TẾT  ĐINH MÙI 2027 ", "TET DINH MUI 2027"]
)
async def test_find_campaign_by_name_with_or_without_diacritics(db, ref):
    await make_campaign(name="Tết Bính Ngọ 2026")
    campaign = await make_campaign(name="Tết Đinh Mùi 2027")

    assert (await find_campaign(ref)).id == campaign.id


async def test_find_campaign_by_name_typed_with_a_plain_hyphen(db):
    campaign = await make_campaign(name="30/4–1/5 2027")

    assert (await find_campaign("30/4-1/5 2027")).id == campaign.id


async def test_find_campaign_whose_name_is_a_number_that_is_no_id(db):
    campaign = await make_campaign(name="2027")

    assert (await find_campaign("2027")).id == campaign.id


@pytest.mark.parametrize("ref", ["Tết 2030", "999", 999, "tet"])
async def test_find_campaign_unknown_is_not_found(db, ref):
    await make_campaign()

    with pytest.raises(NotFound) as caught:
        await find_campaign(ref)

    assert (caught.value.field, caught.value.params["ref"]) == ("campaign", str(ref))


@pytest.mark.parametrize("ref", ["", "   ", None, True])
async def test_find_campaign_without_a_reference_is_invalid(db, ref):
    with pytest.raises(InvalidInput) as caught:
        await find_campaign(ref)

    assert caught.value.field == "campaign"


async def test_find_campaign_with_an_ambiguous_name_lists_the_ids(db):
    first = await make_campaign(name="Tết Đinh Mùi 2027")
    second = await make_campaign(name="Tet Dinh Mui 2027")

    with pytest.raises(InvalidInput) as caught:
        await find_campaign("tết đinh mùi 2027")

    assert (caught.value.field, caught.value.params["ids"]) == (
        "campaign",
        f"{first.id}, {second.id}",
    )


async def test_stations_of_campaign_by_code(db):
    campaign = await make_campaign()
    await make_station(await make_campaign(name="Khác"), code="A0")
    second = await make_station(campaign, code="B2")
    first = await make_station(campaign, code="A1")
    closed = await make_station(campaign, code="C3", is_active=False)

    everything = await stations_of_campaign(campaign)
    active = await stations_of_campaign(campaign, include_inactive=False)

    assert [s.id for s in everything] == [first.id, second.id, closed.id]
    assert [s.id for s in active] == [first.id, second.id]


async def test_shifts_of_station_in_time_order_without_cancelled(db):
    station = await make_station()
    later = await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10))
    earlier = await make_shift(station, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10))
    cancelled = await make_shift(
        station,
        starts_at=vn(2027, 2, 2, 10),
        ends_at=vn(2027, 2, 2, 14),
        status=ShiftStatus.CANCELLED,
    )
    await make_shift(await make_station())

    active = await shifts_of_station(station)
    every = await shifts_of_station(station, include_cancelled=True)

    assert [s.id for s in active] == [earlier.id, later.id]
    assert [s.id for s in every] == [earlier.id, cancelled.id, later.id]


async def test_shifts_of_station_on_a_day_include_the_night_shifts_reaching_into_it(db):
    station = await make_station()
    night_before = await make_shift(
        station, starts_at=vn(2027, 2, 1, 22), ends_at=vn(2027, 2, 2, 6)
    )
    morning = await make_shift(station, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10))
    night = await make_shift(station, starts_at=vn(2027, 2, 2, 22), ends_at=vn(2027, 2, 3, 6))
    await make_shift(station, starts_at=vn(2027, 2, 1, 18), ends_at=vn(2027, 2, 1, 22))
    await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10))

    shifts = await shifts_of_station(station, day=dt.date(2027, 2, 2))

    assert [s.id for s in shifts] == [night_before.id, morning.id, night.id]
