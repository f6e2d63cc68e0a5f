"""The private iCal feed through the app: no sign-in, the key opens it, anything else is 404."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from stations.enums import AssignmentStatus
from stations.models import AuditEvent, Volunteer
from tests.factories import (
    make_assignment,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)
from tests.stations.web.helpers import make_user, post_form, signed_in


async def test_calendar_feed_with_its_key_is_a_parsable_calendar(client, clock):
    volunteer = await make_volunteer(full_name="Nguyễn Văn An")
    station = await make_station(name="Trạm Tân Hồng", address="QL30, Tân Hồng")
    assignment = await make_assignment(
        await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10)),
        volunteer,
        status=AssignmentStatus.CONFIRMED,
    )

    response = await client.get(
        f"/volunteers/{volunteer.id}/shifts.ics", params={"key": volunteer.calendar_key}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["cache-control"]
    assert response.headers["referrer-policy"] == "no-referrer"  # the key stays in the app
    events = list(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))
    assert [str(event["uid"]) for event in events] == [f"assignment-{assignment.id}@waystation"]
    assert events[0].decoded("dtstart") == dt.datetime(2027, 2, 2, 23, 0, tzinfo=dt.UTC)
    assert str(events[0]["location"]) == "QL30, Tân Hồng"
    assert str(events[0]["summary"]) == "Trạm Tân Hồng · tình nguyện viên"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?key=",
        "?key=0123456789abcdef0123456789abcdef",
        "?key=%00",
        "?key=ở",
        "?key=" + "a" * 5000,
        "?key={other}",
        "?key={own}x",
        "?KEY={own}",
    ],
)
async def test_calendar_feed_without_the_right_key_is_not_found(client, query):
    volunteer = await make_volunteer()
    other = await make_volunteer()
    url = f"/volunteers/{volunteer.id}/shifts.ics" + query.format(
        own=volunteer.calendar_key, other=other.calendar_key
    )

    response = await client.get(url)

    assert response.status_code == 404
    assert response.text == "Không có lịch nào ở địa chỉ này."


async def test_calendar_feed_of_an_unknown_volunteer_answers_like_a_wrong_key(client):
    volunteer = await make_volunteer()

    key = volunteer.calendar_key
    unknown = await client.get("/volunteers/999999/shifts.ics", params={"key": key})
    wrong = await client.get(f"/volunteers/{volunteer.id}/shifts.ics", params={"key": "x" * 43})
    huge = await client.get("/volunteers/99999999999999/shifts.ics", params={"key": key})

    assert unknown.status_code == wrong.status_code == huge.status_code == 404
    assert unknown.text == wrong.text


async def test_calendar_feed_answers_head_requests(client):
    volunteer = await make_volunteer()

    response = await client.head(
        f"/volunteers/{volunteer.id}/shifts.ics", params={"key": volunteer.calendar_key}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"


def test_calendar_url_uses_the_public_address_when_one_is_set():

    from starlette.requests import Request

    from stations.web.app import create_app
    from stations.web.views.calendar import calendar_url
    from tests.stations.web.conftest import TEST_SETTINGS

    settings = TEST_SETTINGS._replace(public_url="https://tram.example.gov.vn")
    app = create_app(settings, manage_database=False)
    scope = {
        "type": "http",
        "app": app,
        "router": app.router,
        "scheme": "http",
        "server": ("10.0.0.5", 8000),
        "path": "/",
        "root_path": "",
        "headers": [(b"host", b"10.0.0.5:8000")],
        "query_string": b"",
    }

    url = calendar_url(Request(scope), Volunteer(id=7, calendar_key="k" * 43))

    assert url.startswith("https://tram.example.gov.vn/volunteers/7/shifts.ics?key=")
    assert "10.0.0.5" not in url


async def test_a_new_calendar_key_closes_the_old_address(app, client, clock):
    unit = await make_unit()
    volunteer = await make_volunteer(unit=unit)
    old = volunteer.calendar_key
    coordinator = await signed_in(app, await make_user("coordinator", unit=unit))

    response = await post_form(coordinator, f"/volunteers/{volunteer.id}/calendar-key")

    assert response.status_code == 303
    assert response.headers["location"] == f"/volunteers/{volunteer.id}#calendar-title"
    new = (await Volunteer.get(id=volunteer.id)).calendar_key
    assert new != old
    feed = f"/volunteers/{volunteer.id}/shifts.ics"
    assert (await client.get(feed, params={"key": old})).status_code == 404
    assert (await client.get(feed, params={"key": new})).status_code == 200
    page = await coordinator.get(f"/volunteers/{volunteer.id}")
    assert f"key={new}" in page.text
    assert "Đã tạo địa chỉ lịch mới" in page.text
    event = await AuditEvent.get(action="volunteer.calendar_key_regenerated")
    assert event.object_id == volunteer.id


async def test_viewers_do_not_see_the_calendar_address_nor_renew_it(app, clock):
    volunteer = await make_volunteer()
    viewer = await signed_in(app, await make_user("viewer"))

    page = await viewer.get(f"/volunteers/{volunteer.id}")
    renew = await post_form(viewer, f"/volunteers/{volunteer.id}/calendar-key")

    assert page.status_code == 200
    assert volunteer.calendar_key not in page.text
    assert "shifts.ics" not in page.text
    assert renew.status_code == 403
    assert (await Volunteer.get(id=volunteer.id)).calendar_key == volunteer.calendar_key


async def test_a_coordinator_of_another_unit_cannot_renew_the_key(app, clock):
    volunteer = await make_volunteer(unit=await make_unit())
    outsider = await signed_in(app, await make_user("coordinator", unit=await make_unit()))

    response = await post_form(outsider, f"/volunteers/{volunteer.id}/calendar-key")

    assert response.status_code in {403, 404}
    assert (await Volunteer.get(id=volunteer.id)).calendar_key == volunteer.calendar_key
