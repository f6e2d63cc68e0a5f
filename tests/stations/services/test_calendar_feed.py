"""A volunteer's private iCal feed: its key, and one event per shift they are expected at."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from stations.enums import AssignmentStatus, Language, ShiftRole, ShiftStatus
from stations.models import AuditEvent, Volunteer
from stations.services.actor import Actor
from stations.services.calendar_feed import (
    calendar_key_matches,
    regenerate_calendar_key,
    volunteer_calendar,
)
from stations.services.errors import NotFound
from tests.factories import make_assignment, make_shift, make_station, make_volunteer, vn


def _events(feed: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(feed).walk("VEVENT"))


@pytest.mark.parametrize(
    "key",
    [None, "", "0" * 43, 12345, "ở" * 32, "x" * 10_000],
)
async def test_calendar_key_matches_refuses_wrong_keys(db, clock, key):
    volunteer = await make_volunteer()

    assert calendar_key_matches(volunteer, key) is False


async def test_calendar_key_matches_accepts_only_the_volunteers_own_key(db, clock):
    volunteer, other = await make_volunteer(), await make_volunteer()

    assert len(volunteer.calendar_key) == 43
    assert volunteer.calendar_key != other.calendar_key
    assert calendar_key_matches(volunteer, volunteer.calendar_key) is True
    assert calendar_key_matches(other, volunteer.calendar_key) is False


async def test_volunteer_calendar_with_a_wrong_key_is_not_found(db, clock):
    volunteer = await make_volunteer()

    with pytest.raises(NotFound) as wrong:
        await volunteer_calendar(volunteer.id, key="0" * 43)
    with pytest.raises(NotFound) as unknown:
        await volunteer_calendar(volunteer.id + 1000, key=volunteer.calendar_key)

    assert wrong.value.message == unknown.value.message


async def test_regenerated_key_opens_the_feed_and_the_old_one_no_longer_does(db, clock):
    volunteer = await make_volunteer()
    old = volunteer.calendar_key

    await regenerate_calendar_key(volunteer, by=Actor.system("tests"))

    stored = await Volunteer.get(id=volunteer.id)
    assert stored.calendar_key == volunteer.calendar_key != old
    assert await volunteer_calendar(volunteer.id, key=stored.calendar_key)
    with pytest.raises(NotFound):
        await volunteer_calendar(volunteer.id, key=old)
    event = await AuditEvent.get(action="volunteer.calendar_key_regenerated")
    assert (event.object_id, event.data) == (volunteer.id, {})


async def test_volunteer_calendar_has_one_event_per_shift_the_volunteer_is_expected_at(db, clock):
    volunteer = await make_volunteer(full_name="Nguyễn Văn An", language=Language.VI)
    station = await make_station(name="Trạm Hồng Ngự", address="QL30, Hồng Ngự")
    kept = await make_assignment(
        await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10)),
        volunteer,
        role=ShiftRole.MEDIC,
        status=AssignmentStatus.CONFIRMED,
    )
    await make_assignment(
        await make_shift(station, starts_at=vn(2027, 2, 4, 6), ends_at=vn(2027, 2, 4, 10)),
        volunteer,
        status=AssignmentStatus.DECLINED,
    )
    await make_assignment(
        await make_shift(station, starts_at=vn(2027, 2, 5, 6), ends_at=vn(2027, 2, 5, 10)),
        volunteer,
        status=AssignmentStatus.CANCELLED,
    )
    await make_assignment(
        await make_shift(
            station,
            starts_at=vn(2027, 2, 6, 6),
            ends_at=vn(2027, 2, 6, 10),
            status=ShiftStatus.CANCELLED,
        ),
        volunteer,
    )
    await make_assignment(await make_shift(station))  # someone else's shift

    feed = await volunteer_calendar(volunteer.id, key=volunteer.calendar_key)

    events = _events(feed)
    assert [str(event["uid"]) for event in events] == [f"assignment-{kept.id}@waystation"]
    event = events[0]
    assert event.decoded("dtstart") == dt.datetime(2027, 2, 2, 23, 0, tzinfo=dt.UTC)
    assert event.decoded("dtend") == dt.datetime(2027, 2, 3, 3, 0, tzinfo=dt.UTC)
    assert str(event["summary"]) == "Trạm Hồng Ngự · nhân viên y tế"
    assert str(event["location"]) == "QL30, Hồng Ngự"
    assert (event["geo"].latitude, event["geo"].longitude) == (10.8076, 105.3436)
    assert str(event["status"]) == "CONFIRMED"


async def test_volunteer_calendar_keeps_the_uid_when_the_shift_moves(db, clock):
    volunteer = await make_volunteer(language=Language.EN)
    shift = await make_shift()
    await make_assignment(shift, volunteer)
    key = volunteer.calendar_key
    before = _events(await volunteer_calendar(volunteer.id, key=key))[0]

    shift.starts_at = vn(2027, 2, 2, 7).astimezone(dt.UTC)
    shift.ends_at = vn(2027, 2, 2, 11).astimezone(dt.UTC)
    await shift.save()
    after = _events(await volunteer_calendar(volunteer.id, key=key))[0]

    assert str(after["uid"]) == str(before["uid"])
    assert after.decoded("dtstart") == dt.datetime(2027, 2, 2, 0, 0, tzinfo=dt.UTC)
    assert str(after["status"]) == "TENTATIVE"
    assert str(after["summary"]).endswith(" · volunteer")


async def test_volunteer_calendar_without_shifts_is_a_valid_empty_calendar(db, clock):
    volunteer = await make_volunteer(full_name="<script>alert(1)</script>")

    feed = await volunteer_calendar(volunteer.id, key=volunteer.calendar_key)

    calendar = icalendar.Calendar.from_ical(feed)
    assert _events(feed) == []
    assert str(calendar["version"]) == "2.0"
    assert "<script>alert(1)</script>" in str(calendar["x-wr-calname"])


async def test_volunteer_calendar_leaves_out_shifts_older_than_a_year(db, clock):
    volunteer = await make_volunteer()
    station = await make_station(latitude=None, longitude=None, address="")
    await make_assignment(
        await make_shift(station, starts_at=vn(2025, 12, 1, 6), ends_at=vn(2025, 12, 1, 10)),
        volunteer,
    )
    recent = await make_assignment(
        await make_shift(station, starts_at=vn(2026, 4, 30, 6), ends_at=vn(2026, 4, 30, 10)),
        volunteer,
        status=AssignmentStatus.CHECKED_OUT,
    )

    events = _events(await volunteer_calendar(volunteer.id, key=volunteer.calendar_key))

    assert [str(event["uid"]) for event in events] == [f"assignment-{recent.id}@waystation"]
    assert "geo" not in events[0]
    assert "location" not in events[0]
