"""Planning a campaign on the web: create, edit, close — admins and province-wide
coordinators only."""

from __future__ import annotations

import datetime as dt
import html

from stations.enums import CampaignKind, CampaignStatus
from stations.models import AuditEvent, Campaign
from tests.factories import make_campaign, make_shift, make_station, make_unit, vn
from tests.stations.web.helpers import post_form
from tests.stations.web.planning_helpers import ESCAPED_XSS, XSS, client_for


def campaign_form(**overrides: str) -> dict[str, str]:
    values = {
        "kind": "tet",
        "year": "2027",
        "name": "",
        "starts_on": "",
        "ends_on": "",
        "budget_vnd": "",
    }
    values.update(overrides)
    return values


async def test_campaign_new_for_tet_takes_its_name_and_dates_from_the_lunar_calendar(
    app, db, clock
):
    client = await client_for(app, "admin")

    response = await post_form(client, "/campaigns/new", campaign_form(budget_vnd="150000000"))

    campaign = await Campaign.get()
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/campaigns/{campaign.id}/stations",
    )
    assert (
        campaign.name,
        campaign.kind,
        campaign.starts_on,
        campaign.ends_on,
        campaign.budget_vnd,
    ) == (
        "Tết Đinh Mùi 2027",
        CampaignKind.TET,
        dt.date(2027, 1, 30),
        dt.date(2027, 2, 11),
        150_000_000,
    )
    assert await AuditEvent.filter(action="campaign.created").count() == 1


async def test_campaign_new_form_offers_the_holiday_dates_of_the_year(app, db, clock):
    client = await client_for(app, "admin")

    response = await client.get("/campaigns/new?lang=en")

    assert response.status_code == 200
    assert "30/01/2027 – 11/02/2027" in response.text
    assert "data-holiday-windows=" in response.text
    assert '<label for="f-year">' in response.text


async def test_campaign_new_by_a_province_wide_coordinator_is_allowed(app, db, clock):
    client = await client_for(app, "coordinator", None)

    response = await post_form(
        client,
        "/campaigns/new",
        campaign_form(
            kind="custom", name="Lễ hội Đền Hùng", starts_on="2027-04-14", ends_on="16/04/2027"
        ),
    )

    campaign = await Campaign.get()
    assert response.status_code == 303
    assert (campaign.name, campaign.starts_on, campaign.ends_on) == (
        "Lễ hội Đền Hùng",
        dt.date(2027, 4, 14),
        dt.date(2027, 4, 16),
    )


async def test_campaign_pages_are_forbidden_to_a_ward_coordinator_and_a_viewer(app, db, clock):
    campaign = await make_campaign()
    ward = await client_for(app, "coordinator", await make_unit())
    viewer = await client_for(app, "viewer", None)

    statuses = [
        (await ward.get("/campaigns/new")).status_code,
        (await post_form(ward, "/campaigns/new", campaign_form())).status_code,
        (await ward.get(f"/campaigns/{campaign.id}/edit")).status_code,
        (await post_form(ward, f"/campaigns/{campaign.id}/close")).status_code,
        (await viewer.get("/campaigns/new")).status_code,
        (await post_form(viewer, f"/campaigns/{campaign.id}/close")).status_code,
    ]

    await campaign.refresh_from_db()
    assert statuses == [403] * 6
    assert (await Campaign.all().count(), campaign.status) == (1, CampaignStatus.OPEN)


BAD_CAMPAIGN_FIELDS = [
    ({"kind": "bogus"}, "kind", "Choose an option from the list."),
    ({"kind": ""}, "kind", "Choose an option from the list."),
    ({"year": "abc"}, "year", "Enter a whole number."),
    ({"year": "99999"}, "year", "Enter a whole number from 2000 to 2100."),
    ({"year": "-2027"}, "year", "Enter a whole number from 2000 to 2100."),
    ({"year": "1900"}, "year", "Enter a whole number from 2000 to 2100."),
    ({"starts_on": "2027-02-30"}, "starts_on", "This date does not exist."),
    ({"starts_on": "30/02/2027"}, "starts_on", "This date does not exist."),
    ({"ends_on": "tomorrow"}, "ends_on", "Enter a date as DD/MM/YYYY."),
    (
        {"starts_on": "2027-02-10", "ends_on": "2027-02-01"},
        "ends_on",
        "The last day cannot be before the first day.",
    ),
    (
        {"starts_on": "2027-01-01", "ends_on": "2028-06-01"},
        "ends_on",
        "A campaign can last at most 366 days.",
    ),
    (
        {"starts_on": "2031-01-01", "ends_on": "2031-01-05"},
        "starts_on",
        "The campaign's dates must lie within a year of 2027.",
    ),
    ({"budget_vnd": "-1"}, "budget_vnd", "Enter a whole number from 0 to"),
    ({"budget_vnd": "1e9"}, "budget_vnd", "“1e9” is not a whole number"),
    ({"budget_vnd": "1.5"}, "budget_vnd", "“1.5” is not a whole number"),
    ({"budget_vnd": "9" * 20}, "budget_vnd", "Enter a whole number"),
    ({"budget_vnd": "2000000000000"}, "budget_vnd", "Enter a whole number from 0 to"),
    (
        {"kind": "custom", "starts_on": "2027-04-14", "ends_on": "2027-04-16"},
        "name",
        "A custom campaign needs a name.",
    ),
    ({"kind": "custom", "name": "Hội"}, "starts_on", "A custom campaign needs a first day."),
    ({"name": "x" * 201}, "name", "A name of 1 to 200 characters is required."),
]


async def test_campaign_new_refuses_each_bad_field_and_writes_nothing(app, db, clock):
    client = await client_for(app, "admin")

    outcomes = []
    for overrides, field, message in BAD_CAMPAIGN_FIELDS:
        response = await post_form(client, "/campaigns/new?lang=en", campaign_form(**overrides))
        page = html.unescape(response.text)
        outcomes.append((field, response.status_code, message in page, f'id="e-{field}"' in page))

    assert outcomes == [(field, 422, True, True) for _o, field, _m in BAD_CAMPAIGN_FIELDS]
    assert await Campaign.all().count() == 0


async def test_campaign_new_keeps_what_was_typed_when_it_refuses(app, db, clock):
    client = await client_for(app, "admin")

    response = await post_form(
        client,
        "/campaigns/new?lang=en",
        campaign_form(name="Tết của tôi", starts_on="2027-02-30", budget_vnd="5000"),
    )

    assert response.status_code == 422
    # The refused ISO day comes back in the form people type: 30/02/2027.
    assert ('value="Tết của tôi"' in response.text, 'value="30/02/2027"' in response.text) == (
        True,
        True,
    )


async def test_campaign_name_with_markup_is_stored_as_typed_and_escaped(app, db, clock):
    client = await client_for(app, "admin")

    await post_form(client, "/campaigns/new", campaign_form(name=XSS))

    campaign = await Campaign.get()
    edit = await client.get(f"/campaigns/{campaign.id}/edit")
    stations = await client.get(f"/campaigns/{campaign.id}/stations")
    assert campaign.name == XSS
    for page in (edit, stations):
        assert (page.status_code, XSS in page.text, ESCAPED_XSS in page.text) == (
            200,
            False,
            True,
        )


async def test_campaign_edit_changes_the_dates_and_budget(app, db, clock):
    campaign = await make_campaign()
    client = await client_for(app, "admin")

    form = await client.get(f"/campaigns/{campaign.id}/edit")
    response = await post_form(
        client,
        f"/campaigns/{campaign.id}/edit",
        {
            "name": "Tết 2027 (mở rộng)",
            "starts_on": "2027-01-28",
            "ends_on": "2027-02-12",
            "budget_vnd": "5.000.000.000",
        },
    )

    await campaign.refresh_from_db()
    assert (form.status_code, response.status_code) == (200, 303)
    assert (campaign.name, campaign.starts_on, campaign.ends_on, campaign.budget_vnd) == (
        "Tết 2027 (mở rộng)",
        dt.date(2027, 1, 28),
        dt.date(2027, 2, 12),
        5_000_000_000,
    )


async def test_campaign_edit_refuses_dates_that_would_orphan_shifts(app, db, clock):
    campaign = await make_campaign()
    station = await make_station(campaign)
    await make_shift(station, starts_at=vn(2027, 2, 10, 6), ends_at=vn(2027, 2, 10, 10))
    client = await client_for(app, "admin")

    response = await post_form(
        client,
        f"/campaigns/{campaign.id}/edit?lang=en",
        {"name": campaign.name, "starts_on": "2027-01-30", "ends_on": "2027-02-05"},
    )

    await campaign.refresh_from_db()
    assert response.status_code == 409
    assert "1 active shifts fall outside these dates" in response.text
    assert campaign.ends_on == dt.date(2027, 2, 11)


async def test_campaign_edit_with_an_empty_name_or_impossible_date_changes_nothing(app, db, clock):
    campaign = await make_campaign()
    client = await client_for(app, "admin")

    empty_name = await post_form(
        client,
        f"/campaigns/{campaign.id}/edit?lang=en",
        {"name": "  ", "starts_on": "2027-01-30", "ends_on": "2027-02-11"},
    )
    bad_date = await post_form(
        client,
        f"/campaigns/{campaign.id}/edit?lang=en",
        {"name": "X", "starts_on": "2027-01-30", "ends_on": "2027-02-31"},
    )

    await campaign.refresh_from_db()
    assert (empty_name.status_code, bad_date.status_code) == (422, 422)
    assert "A name of 1 to 200 characters is required." in empty_name.text
    assert "This date does not exist." in bad_date.text
    assert (campaign.name, campaign.ends_on) == ("Tết Đinh Mùi 2027", dt.date(2027, 2, 11))


async def test_campaign_close_closes_it_once(app, db, clock):
    campaign = await make_campaign()
    client = await client_for(app, "admin")

    first = await post_form(client, f"/campaigns/{campaign.id}/close")
    second = await post_form(client, f"/campaigns/{campaign.id}/close?lang=en")

    await campaign.refresh_from_db()
    assert (first.status_code, second.status_code) == (303, 409)
    assert "is already closed" in html.unescape(second.text)
    assert (campaign.status, campaign.closed_at) == (CampaignStatus.CLOSED, clock.now())
    assert await AuditEvent.filter(action="campaign.closed").count() == 1


async def test_campaign_pages_of_an_unknown_campaign_are_not_found(app, db, clock):
    client = await client_for(app, "admin")

    statuses = [
        (await client.get("/campaigns/999999/edit")).status_code,
        (await post_form(client, "/campaigns/999999/edit", {"name": "x"})).status_code,
        (await post_form(client, "/campaigns/999999/close")).status_code,
    ]

    assert statuses == [404, 404, 404]
