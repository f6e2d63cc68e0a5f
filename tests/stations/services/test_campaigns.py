"""Campaigns: holiday defaults from the lunar calendar, custom dates, editing, closing."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.enums import CampaignKind, CampaignStatus
from stations.models import AuditEvent, Campaign, Unit
from stations.services.actor import Actor
from stations.services.campaigns import close_campaign, create_campaign, update_campaign
from stations.services.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from tests.factories import make_campaign, make_shift, make_station, make_unit, vn

COORDINATOR = Actor.user(1, "dieuphoi@congan.dongthap.gov.vn")


async def _counts() -> tuple[int, int]:
    return await Campaign.all().count(), await AuditEvent.all().count()


async def test_create_tet_campaign_takes_name_and_window_from_the_lunar_calendar(db):
    campaign = await create_campaign(kind="tet", year=2027, by=COORDINATOR)

    stored = await Campaign.get(id=campaign.id)
    assert (stored.name, stored.kind, stored.year, stored.starts_on, stored.ends_on) == (
        "Tết Đinh Mùi 2027",
        CampaignKind.TET,
        2027,
        dt.date(2027, 1, 30),
        dt.date(2027, 2, 11),
    )
    assert (stored.status, stored.closed_at, stored.budget_vnd) == (
        CampaignStatus.OPEN,
        None,
        None,
    )


async def test_create_reunification_campaign_runs_28_april_to_2_may(db):
    campaign = await create_campaign(kind=CampaignKind.REUNIFICATION, year=2027, by=COORDINATOR)

    assert (campaign.name, campaign.starts_on, campaign.ends_on) == (
        "30/4–1/5 2027",
        dt.date(2027, 4, 28),
        dt.date(2027, 5, 2),
    )


async def test_create_campaign_records_event(db):
    unit = await make_unit()

    campaign = await create_campaign(
        kind="tet", year=2027, budget_vnd=150_000_000, unit=unit, by=COORDINATOR
    )

    event = await AuditEvent.get(object_type="campaign", object_id=campaign.id)
    assert (event.action, event.data) == (
        "campaign.created",
        {
            "name": "Tết Đinh Mùi 2027",
            "kind": "tet",
            "year": 2027,
            "starts_on": "2027-01-30",
            "ends_on": "2027-02-11",
            "budget_vnd": 150_000_000,
            "unit_id": unit.id,
        },
    )


async def test_create_holiday_campaign_with_one_custom_date_keeps_the_other_default(db):
    campaign = await create_campaign(
        kind="tet",
        year=2027,
        ends_on=dt.date(2027, 2, 14),
        name="Tết 2027 Hồng Ngự",
        by=COORDINATOR,
    )

    assert (campaign.name, campaign.starts_on, campaign.ends_on) == (
        "Tết 2027 Hồng Ngự",
        dt.date(2027, 1, 30),
        dt.date(2027, 2, 14),
    )


async def test_create_custom_campaign_with_its_own_dates(db):
    campaign = await create_campaign(
        kind="custom",
        year=2027,
        name="Lễ hội Bà Chúa Xứ 2027",
        starts_on=dt.date(2027, 5, 20),
        ends_on=dt.date(2027, 5, 25),
        budget_vnd=0,
        by=COORDINATOR,
    )

    assert (campaign.kind, campaign.starts_on, campaign.ends_on, campaign.budget_vnd) == (
        CampaignKind.CUSTOM,
        dt.date(2027, 5, 20),
        dt.date(2027, 5, 25),
        0,
    )


@pytest.mark.parametrize("year", [2000, 2100])
async def test_create_campaign_accepts_the_edge_years(db, year):
    campaign = await create_campaign(kind="tet", year=year, by=COORDINATOR)

    assert campaign.year == year


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "christmas"),
        ("kind", None),
        ("year", 1999),
        ("year", 1900),
        ("year", 2101),
        ("year", "2027"),
        ("year", 2027.0),
        ("year", True),
        ("name", ""),
        ("name", "  "),
        ("name", "T" * 201),
        ("starts_on", dt.datetime(2027, 1, 30, 8, 0)),
        ("starts_on", "2027-01-30"),
        ("starts_on", dt.date(2025, 1, 30)),
        ("starts_on", dt.date(2027, 2, 12)),
        ("ends_on", dt.date(2027, 1, 29)),
        ("ends_on", dt.date(2028, 2, 11)),
        ("ends_on", "11/02/2027"),
        ("budget_vnd", -1),
        ("budget_vnd", 1_000_000_000_001),
        ("budget_vnd", "1000000"),
        ("budget_vnd", 1.5),
        ("budget_vnd", True),
        ("unit", "Công an tỉnh"),
        ("unit", Unit(code="UNSAVED", name="Chưa lưu")),
    ],
)
async def test_create_campaign_rejects_bad_input(db, field, value):
    arguments = {"kind": "tet", "year": 2027, field: value}

    with pytest.raises(InvalidInput) as caught:
        await create_campaign(**arguments, by=COORDINATOR)

    assert caught.value.field == field
    assert await _counts() == (0, 0)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"name": "Lễ hội"}, "starts_on"),
        ({"name": "Lễ hội", "starts_on": dt.date(2027, 5, 20)}, "ends_on"),
        ({"starts_on": dt.date(2027, 5, 20), "ends_on": dt.date(2027, 5, 25)}, "name"),
    ],
)
async def test_create_custom_campaign_needs_dates_and_name(db, arguments, field):
    with pytest.raises(InvalidInput) as caught:
        await create_campaign(kind="custom", year=2027, **arguments, by=COORDINATOR)

    assert caught.value.field == field
    assert await _counts() == (0, 0)


async def test_create_campaign_for_deleted_unit_is_not_found(db):
    unit = await make_unit()
    await Unit.filter(id=unit.id).delete()

    with pytest.raises(NotFound) as caught:
        await create_campaign(kind="tet", year=2027, unit=unit, by=COORDINATOR)

    assert caught.value.field == "unit"
    assert await _counts() == (0, 0)


async def test_update_campaign_changes_name_dates_and_budget(db):
    campaign = await make_campaign(budget_vnd=100_000_000)

    await update_campaign(
        campaign,
        name="Tết Đinh Mùi 2027 – Đồng Tháp",
        starts_on=dt.date(2027, 1, 28),
        ends_on=dt.date(2027, 2, 12),
        budget_vnd=None,
        by=COORDINATOR,
    )

    stored = await Campaign.get(id=campaign.id)
    event = await AuditEvent.get(action="campaign.updated")
    assert (stored.name, stored.starts_on, stored.ends_on, stored.budget_vnd) == (
        "Tết Đinh Mùi 2027 – Đồng Tháp",
        dt.date(2027, 1, 28),
        dt.date(2027, 2, 12),
        None,
    )
    assert event.data["budget_vnd"] == [100_000_000, None]
    assert event.data["starts_on"] == ["2027-01-30", "2027-01-28"]


async def test_update_campaign_without_real_change_writes_nothing(db):
    campaign = await make_campaign(budget_vnd=100_000_000)

    await update_campaign(campaign, budget_vnd=100_000_000, by=COORDINATOR)

    assert await AuditEvent.all().count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", " "),
        ("starts_on", None),
        ("starts_on", dt.date(2027, 2, 12)),
        ("ends_on", dt.date(2027, 1, 29)),
        ("ends_on", "2027-02-11"),
        ("budget_vnd", -5),
        ("kind", "custom"),
        ("year", 2028),
        ("status", "closed"),
    ],
)
async def test_update_campaign_rejects_bad_input_and_keeps_the_row(db, field, value):
    campaign = await make_campaign()

    with pytest.raises(InvalidInput) as caught:
        await update_campaign(campaign, by=COORDINATOR, **{field: value})

    stored = await Campaign.get(id=campaign.id)
    assert caught.value.field == field
    assert (stored.name, stored.starts_on, stored.ends_on, stored.budget_vnd) == (
        "Tết Đinh Mùi 2027",
        dt.date(2027, 1, 30),
        dt.date(2027, 2, 11),
        100_000_000,
    )
    assert await AuditEvent.all().count() == 0


async def test_update_campaign_refuses_dates_that_leave_shifts_outside(db):
    campaign = await make_campaign()
    station = await make_station(campaign)
    await make_shift(station, starts_at=vn(2027, 2, 10, 6), ends_at=vn(2027, 2, 10, 10))

    with pytest.raises(Conflict) as caught:
        await update_campaign(campaign, ends_on=dt.date(2027, 2, 8), by=COORDINATOR)

    assert (caught.value.field, caught.value.params["count"]) == ("ends_on", 1)
    assert (await Campaign.get(id=campaign.id)).ends_on == dt.date(2027, 2, 11)


async def test_update_campaign_allows_shifts_a_day_outside_the_new_dates(db):
    campaign = await make_campaign()
    station = await make_station(campaign)
    await make_shift(station, starts_at=vn(2027, 2, 9, 18), ends_at=vn(2027, 2, 9, 22))

    await update_campaign(campaign, ends_on=dt.date(2027, 2, 8), by=COORDINATOR)

    assert (await Campaign.get(id=campaign.id)).ends_on == dt.date(2027, 2, 8)


async def test_close_campaign_sets_status_and_time(db, clock):
    campaign = await make_campaign()

    await close_campaign(campaign, by=COORDINATOR)

    stored = await Campaign.get(id=campaign.id)
    event = await AuditEvent.get(object_type="campaign", object_id=campaign.id)
    assert (stored.status, stored.closed_at) == (CampaignStatus.CLOSED, clock.now())
    assert (campaign.status, campaign.closed_at) == (CampaignStatus.CLOSED, clock.now())
    assert event.action == "campaign.closed"


async def test_close_campaign_twice_is_an_invalid_transition(db, clock):
    campaign = await make_campaign()
    await close_campaign(campaign, by=COORDINATOR)
    closed_at = clock.now()
    clock.advance(dt.timedelta(hours=1))

    with pytest.raises(InvalidTransition) as caught:
        await close_campaign(campaign, by=COORDINATOR)

    assert caught.value.field == "status"
    assert (await Campaign.get(id=campaign.id)).closed_at == closed_at
    assert await AuditEvent.all().count() == 1


async def test_close_deleted_campaign_is_not_found(db):
    campaign = await make_campaign()
    await Campaign.filter(id=campaign.id).delete()

    with pytest.raises(NotFound):
        await close_campaign(campaign, by=COORDINATOR)

    assert await AuditEvent.all().count() == 0
