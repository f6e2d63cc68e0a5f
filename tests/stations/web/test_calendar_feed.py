"""The private iCal feed through the app: no sign-in, the key opens it, anything else is 404."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from stations.enums import AssignmentStatus
from stations.services.calendar_feed import calendar_key
from tests.factories import make_assignment, make_shift, make_station, make_volunteer, vn
from tests.stations.web.conftest import TEST_SETTINGS


def _key(volunteer_id: int) -> str:
    return calendar_key(TEST_SETTINGS.secret_key, volunteer_id)


async def test_calendar_feed_with_its_key_is_a_parsable_calendar(client, clock):
    volunteer = await make_volunteer(full_name="Nguyễn Văn An")
    station = await make_station(name="Trạm Tân Hồng", address="QL30, Tân Hồng")
    assignment = await make_assignment(
        await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10)),
        volunteer,
        status=AssignmentStatus.CONFIRMED,
    )

    response = await client.get(
        f"/volunteers/{volunteer.id}/shifts.ics", params={"key": _key(volunteer.id)}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["cache-control"]
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
        own=_key(volunteer.id), other=_key(other.id)
    )

    response = await client.get(url)

    assert response.status_code == 404
    assert response.text == "Không có lịch nào ở địa chỉ này."


async def test_calendar_feed_of_an_unknown_volunteer_answers_like_a_wrong_key(client):
    volunteer = await make_volunteer()

    unknown = await client.get("/volunteers/999999/shifts.ics", params={"key": _key(999999)})
    wrong = await client.get(f"/volunteers/{volunteer.id}/shifts.ics", params={"key": "x" * 32})
    huge = await client.get(
        "/volunteers/99999999999999/shifts.ics", params={"key": _key(99999999999999)}
    )

    assert unknown.status_code == wrong.status_code == huge.status_code == 404
    assert unknown.text == wrong.text


async def test_calendar_feed_answers_head_requests(client):
    volunteer = await make_volunteer()

    response = await client.head(
        f"/volunteers/{volunteer.id}/shifts.ics", params={"key": _key(volunteer.id)}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"


def test_calendar_url_uses_the_public_address_when_one_is_set():
    import dataclasses

    from starlette.requests import Request

    from stations.web.app import create_app
    from stations.web.views.calendar import calendar_url
    from tests.stations.web.conftest import TEST_SETTINGS

    settings = dataclasses.replace(TEST_SETTINGS, public_url="https://tram.example.gov.vn")
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

    url = calendar_url(Request(scope), 7)

    assert url.startswith("https://tram.example.gov.vn/volunteers/7/shifts.ics?key=")
    assert "10.0.0.5" not in url
