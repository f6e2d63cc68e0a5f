"""Coordinators and travellers' answers: the station form's services, the campaign's feedback
page (figures, comments escaped, hide), the sheet's second QR code."""

from __future__ import annotations

import datetime as dt

from stations.models import AuditEvent, Station, StationFeedback
from tests.factories import make_campaign, make_station, make_unit
from tests.stations.web.helpers import post_form
from tests.stations.web.planning_helpers import client_for
from tests.stations.web.test_station_pages import station_form

NOW = dt.datetime(2027, 2, 2, 1, tzinfo=dt.UTC)


async def answer(station: Station, rating: int, comment: str = "", n: int = 0) -> StationFeedback:
    return await StationFeedback.create(
        station=station,
        rating=rating,
        received="water",
        comment=comment,
        browser=f"browser-{station.id}-{n:08d}",
        day=dt.date(2027, 2, 2),
        address_key="k",
        created_at=NOW + dt.timedelta(minutes=n),
    )


async def test_station_form_saves_the_services_ticked_and_shows_them_again(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    client = await client_for(app, unit=unit)

    created = await post_form(
        client,
        f"/campaigns/{campaign.id}/stations/new",
        station_form(unit.id, offer_water="on", offer_first_aid="on", offer_bogus="on"),
    )
    station = await Station.get(campaign_id=campaign.id)
    form = await client.get(f"/stations/{station.id}/edit")
    await post_form(client, f"/stations/{station.id}/edit", station_form(unit.id, offer_rest="on"))
    await station.refresh_from_db()

    assert created.status_code == 303
    assert 'id="f-offer_water" name="offer_water" type="checkbox" checked' in form.text
    assert 'id="f-offer_fuel" name="offer_fuel" type="checkbox">' in form.text
    assert station.offers == "rest"


async def test_feedback_page_shows_figures_per_station_and_escaped_comments(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    station = await make_station(campaign, unit=unit, code="HN01")
    for n, rating in enumerate((5, 4, 2)):
        await answer(station, rating, n=n)
    await answer(station, 5, comment="<b>Tốt</b> lắm", n=9)
    client = await client_for(app, "viewer", unit)

    page = await client.get(f"/campaigns/{campaign.id}/feedback?lang=en")

    assert page.status_code == 200
    assert "4 ratings" in page.text
    assert "average 4 stars" in page.text
    assert "75% satisfied (4–5 stars)" in page.text
    assert "Fewer than 30 ratings" in page.text
    assert "&lt;b&gt;Tốt&lt;/b&gt; lắm" in page.text and "<b>Tốt</b>" not in page.text
    assert ">Hide</button>" not in page.text  # a viewer reads, never hides


async def test_hiding_a_comment_keeps_its_stars_and_can_be_undone(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    station = await make_station(campaign, unit=unit)
    rude = await answer(station, 1, comment="Chửi bậy")
    client = await client_for(app, unit=unit)

    hidden = await post_form(client, f"/feedback/{rude.id}/hide", {"hidden": "1"})
    page = await client.get(f"/campaigns/{campaign.id}/feedback?lang=en")
    shown = await post_form(client, f"/feedback/{rude.id}/hide", {"hidden": "0"})

    assert (hidden.status_code, hidden.headers["location"]) == (
        303,
        f"/campaigns/{campaign.id}/feedback",
    )
    assert "<summary>Hidden comment</summary>" in page.text
    assert "1 rating" in page.text
    assert shown.status_code == 303
    assert (await StationFeedback.get(id=rude.id)).comment_hidden is False
    assert await AuditEvent.filter(object_type="station_feedback").count() == 2


async def test_another_units_coordinator_can_neither_see_nor_hide(app, db, clock):
    mine, theirs = await make_unit(), await make_unit()
    campaign = await make_campaign()
    station = await make_station(campaign, unit=theirs, code="THEIRS")
    rude = await answer(station, 1, comment="Chửi bậy")
    client = await client_for(app, unit=mine)

    page = await client.get(f"/campaigns/{campaign.id}/feedback")
    hide = await post_form(client, f"/feedback/{rude.id}/hide", {"hidden": "1"})

    assert "THEIRS" not in page.text and "Chửi bậy" not in page.text
    assert hide.status_code == 404  # out of one's units answers as an unknown id
    assert (await StationFeedback.get(id=rude.id)).comment_hidden is False


async def test_hiding_without_the_form_token_is_refused(app, db, clock):
    unit = await make_unit()
    station = await make_station(unit=unit)
    rude = await answer(station, 1, comment="Chửi bậy")
    client = await client_for(app, unit=unit)

    response = await client.post(f"/feedback/{rude.id}/hide", data={"hidden": "1"})

    assert response.status_code == 403
    assert (await StationFeedback.get(id=rude.id)).comment_hidden is False
