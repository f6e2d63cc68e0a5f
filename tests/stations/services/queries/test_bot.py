"""The bot's reads: my station, the station I lead, who is on duty or late, today's totals,
each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.enums import AssignmentStatus, ServiceKind, ShiftRole
from stations.models import Assignment
from stations.services.actor import Actor
from stations.services.inventory import record_handout, record_receipt
from stations.services.queries.bot import (
    led_station,
    open_check_in,
    own_assignment,
    station_day_totals,
    station_duty,
    station_leads,
    working_station,
)
from stations.services.service_records import record_service
from tests.factories import (
    make_assignment,
    make_item,
    make_shift,
    make_station,
    make_volunteer,
    vn,
)
from tests.sql import count_queries

pytestmark = pytest.mark.integration


async def test_working_station_is_the_shift_under_way(db, clock):
    shift = await make_shift()
    later = await make_shift(starts_at=vn(2027, 2, 2, 20), ends_at=vn(2027, 2, 2, 23))
    volunteer = await make_volunteer()
    await make_assignment(shift, volunteer)
    await make_assignment(later, volunteer)

    found = await working_station(volunteer, now=clock.now())
    tonight = await working_station(volunteer, now=vn(2027, 2, 2, 19, 30))
    between = await working_station(volunteer, now=vn(2027, 2, 2, 12))

    assert (found.id, tonight.id, between) == (shift.station_id, later.station_id, None)


async def test_working_station_falls_back_in_order_one_query_each(db, clock, monkeypatch):
    volunteer = await make_volunteer()
    await make_assignment(
        await make_shift(starts_at=vn(2027, 2, 2, 20), ends_at=vn(2027, 2, 2, 23)), volunteer
    )
    named = await make_station(lead_id=volunteer.id)
    afternoon = await make_shift(starts_at=vn(2027, 2, 2, 14), ends_at=vn(2027, 2, 2, 18))
    leading = await make_assignment(afternoon, volunteer, role=ShiftRole.LEAD)
    morning = await make_shift()
    late = await make_assignment(morning, volunteer, status=AssignmentStatus.NO_SHOW)
    statements = count_queries(monkeypatch)
    found = []

    async def look() -> None:
        before = len(statements)
        station = await working_station(volunteer, now=clock.now())
        found.append((station.id if station else None, len(statements) - before))

    await look()  # a shift under way they were marked a no-show on: they came late
    await late.delete()
    await look()  # not working now: the shift they lead this afternoon
    await leading.delete()
    await look()  # the station they are the named lead of
    named.lead_id = None
    await named.save()
    await look()  # a shift tonight only: no station yet

    assert found == [
        (morning.station_id, 1),
        (afternoon.station_id, 1),
        (named.id, 1),
        (None, 1),
    ]


async def test_led_station_as_lead_or_as_named_lead(db, clock, monkeypatch):
    shift = await make_shift()
    lead, named, volunteer = await make_volunteer(), await make_volunteer(), await make_volunteer()
    await make_assignment(shift, lead, role=ShiftRole.LEAD)
    await make_assignment(shift, volunteer)
    station = shift.station
    station.lead_id = named.id
    await station.save()

    statements = count_queries(monkeypatch)

    assert (await led_station(lead, now=clock.now())).id == station.id
    assert (await led_station(named, now=clock.now())).id == station.id
    assert await led_station(volunteer, now=clock.now()) is None
    assert len(statements) == 3  # one each


async def test_a_station_lead_by_name_comes_after_a_shift_they_lead(db, clock):
    """The same precedence as the station a volunteer reports for: leading a shift under way
    first, then the station named theirs."""
    shift = await make_shift()
    lead = await make_volunteer()
    await make_assignment(shift, lead, role=ShiftRole.LEAD)
    other = await make_station(lead_id=lead.id)

    assert (await led_station(lead, now=clock.now())).id == shift.station_id
    assert (await working_station(lead, now=clock.now())).id == shift.station_id
    await Assignment.filter(volunteer_id=lead.id).delete()
    assert (await led_station(lead, now=clock.now())).id == other.id


async def test_station_duty_and_leads_in_one_query_each(db, clock, monkeypatch):
    shift = await make_shift()
    people = [await make_volunteer() for _ in range(6)]
    for n, person in enumerate(people):
        await make_assignment(
            shift,
            person,
            role=ShiftRole.LEAD if n == 0 else ShiftRole.VOLUNTEER,
            status=AssignmentStatus.CHECKED_IN if n % 2 == 0 else AssignmentStatus.CONFIRMED,
        )
    statements = count_queries(monkeypatch)

    duty = await station_duty(shift.station, now=clock.now())
    leads = await station_leads(shift.station, now=clock.now())

    assert (len(duty.on_duty), len(duty.late)) == (3, 3)
    assert [v.id for v in leads] == [people[0].id]
    assert len(statements) == 2


async def test_nobody_is_late_before_the_shift_starts(db, clock):
    shift = await make_shift(starts_at=vn(2027, 2, 2, 8, 30), ends_at=vn(2027, 2, 2, 12))
    await make_assignment(shift)

    duty = await station_duty(shift.station, now=clock.now())

    assert (duty.on_duty, duty.late) == ([], [])


async def test_day_totals_in_four_queries(db, clock, monkeypatch):
    shift = await make_shift()
    water = await make_item("water")
    actor = Actor.system("test")
    await record_receipt(shift.station, water, 100, by=actor)
    await record_handout(shift.station, water, 30, by=actor)
    await record_handout(shift.station, water, 20, by=actor)
    await record_service(shift.station, ServiceKind.MOTORBIKE_CHECK, 4, by=actor)
    await make_assignment(shift, status=AssignmentStatus.CHECKED_OUT)
    # Yesterday's handout is not today's.
    clock.advance(dt.timedelta(days=-1))
    await record_handout(shift.station, water, 7, by=actor)
    clock.advance(dt.timedelta(days=1))
    statements = count_queries(monkeypatch)

    totals = await station_day_totals(shift.station)

    assert [(t.item.code, t.quantity) for t in totals.handed_out] == [("water", 50)]
    assert [(t.item.code, t.quantity) for t in totals.received] == [("water", 100)]
    assert (totals.services, totals.volunteer_turns) == ({ServiceKind.MOTORBIKE_CHECK: 4}, 1)
    assert len(statements) == 4


async def test_open_check_in(db, clock):
    volunteer = await make_volunteer()
    assignment = await make_assignment(volunteer=volunteer, status=AssignmentStatus.CHECKED_IN)

    assert (await open_check_in(volunteer)).id == assignment.id
    assert await open_check_in(await make_volunteer()) is None


@pytest.mark.parametrize("bad_id", [None, "7", True, 7.0])
async def test_own_assignment_refuses_what_is_not_an_id(db, clock, bad_id):
    volunteer = await make_volunteer()

    assert await own_assignment(volunteer, bad_id) is None


async def test_own_assignment_is_none_for_someone_elses_or_a_missing_one(db, clock):
    owner, other = await make_volunteer(), await make_volunteer()
    assignment = await make_assignment(volunteer=owner)

    found = await own_assignment(owner, assignment.id)

    assert (found.id, found.shift.station.id, found.volunteer.id) == (
        assignment.id,
        assignment.shift.station_id,
        owner.id,
    )
    assert await own_assignment(other, assignment.id) is None
    assert await own_assignment(owner, assignment.id + 1000) is None
