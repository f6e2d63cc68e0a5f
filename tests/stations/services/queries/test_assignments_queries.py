"""Read-only views of assignments: a volunteer's shifts, coverage, on duty, no-shows."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from stations.enums import AssignmentStatus, ShiftStatus
from stations.services.errors import InvalidInput
from stations.services.queries.assignments import (
    assignments_for_volunteer,
    current_or_next_assignment,
    find_no_shows,
    on_duty,
    shift_coverage,
)
from tests.factories import make_assignment, make_shift, make_station, make_volunteer, vn


async def shift_at(
    station=None, *, day: int = 2, start: int = 6, end: int = 10, start_minute: int = 0, **overrides
):
    return await make_shift(
        station,
        starts_at=vn(2027, 2, day, start, start_minute),
        ends_at=vn(2027, 2, day, end),
        **overrides,
    )


def ids(assignments) -> list[int]:
    return [assignment.id for assignment in assignments]


# --- assignments_for_volunteer ----------------------------------------------------------


async def test_assignments_for_volunteer_lists_what_lies_ahead_by_start(db, clock):
    volunteer = await make_volunteer()
    later = await make_assignment(await shift_at(day=4), volunteer)
    under_way = await make_assignment(
        await shift_at(day=2, start=6, end=10), volunteer, status=AssignmentStatus.CHECKED_IN
    )
    tomorrow = await make_assignment(
        await shift_at(day=3), volunteer, status=AssignmentStatus.CONFIRMED
    )
    await make_assignment(await shift_at(day=1), volunteer)  # over
    await make_assignment(await shift_at(day=5), volunteer, status=AssignmentStatus.DECLINED)
    await make_assignment(await shift_at(day=6, status=ShiftStatus.CANCELLED), volunteer)
    await make_assignment(await shift_at(day=3))  # someone else's

    found = await assignments_for_volunteer(volunteer, now=clock.now())

    assert ids(found) == [under_way.id, tomorrow.id, later.id]


async def test_assignments_for_volunteer_loads_shift_and_station(db, clock):
    station = await make_station(name="Trạm Cầu Mỹ Thuận")
    volunteer = await make_volunteer()
    await make_assignment(await shift_at(station, day=3), volunteer)

    [found] = await assignments_for_volunteer(volunteer)

    assert (found.shift.starts_at, found.shift.station.name) == (
        vn(2027, 2, 3, 6),
        "Trạm Cầu Mỹ Thuận",
    )


async def test_assignments_for_volunteer_with_history_lists_every_status(db, clock):
    volunteer = await make_volunteer()
    past = await make_assignment(
        await shift_at(day=1), volunteer, status=AssignmentStatus.CHECKED_OUT
    )
    declined = await make_assignment(
        await shift_at(day=3), volunteer, status=AssignmentStatus.DECLINED
    )

    found = await assignments_for_volunteer(volunteer, upcoming_only=False)

    assert ids(found) == [past.id, declined.id]


async def test_assignments_for_volunteer_stops_at_the_limit(db, clock):
    volunteer = await make_volunteer()
    first = await make_assignment(await shift_at(day=3), volunteer)
    await make_assignment(await shift_at(day=4), volunteer)

    found = await assignments_for_volunteer(volunteer, limit=1)

    assert ids(found) == [first.id]


@pytest.mark.parametrize("limit", [0, 501, -1, "10", 2.5, True])
async def test_assignments_for_volunteer_with_a_bad_limit_is_refused(db, clock, limit):
    volunteer = await make_volunteer()

    with pytest.raises(InvalidInput) as caught:
        await assignments_for_volunteer(volunteer, limit=limit)

    assert caught.value.field == "limit"


# --- current_or_next_assignment ---------------------------------------------------------


async def test_current_or_next_assignment_prefers_the_one_under_way(db, clock):
    volunteer = await make_volunteer()
    under_way = await make_assignment(await shift_at(day=2, start=6, end=10), volunteer)
    await make_assignment(await shift_at(day=2, start=14, end=18), volunteer)

    found = await current_or_next_assignment(volunteer, now=clock.now())

    assert (found.id, found.shift.station.id) == (under_way.id, under_way.shift.station_id)


async def test_current_or_next_assignment_finds_the_next_within_a_day(db, clock):
    volunteer = await make_volunteer()
    await make_assignment(await shift_at(day=2, start=2, end=6), volunteer)  # over
    await make_assignment(
        await shift_at(day=2, start=6, end=10), volunteer, status=AssignmentStatus.CHECKED_OUT
    )
    next_one = await make_assignment(await shift_at(day=3, start=7, end=11), volunteer)

    found = await current_or_next_assignment(volunteer, now=clock.now())

    assert found.id == next_one.id


async def test_current_or_next_assignment_ignores_shifts_more_than_a_day_ahead(db, clock):
    volunteer = await make_volunteer()
    await make_assignment(await shift_at(day=3, start=8, start_minute=1, end=12), volunteer)

    found = await current_or_next_assignment(volunteer, now=clock.now())

    assert found is None


async def test_current_or_next_assignment_ignores_declined_and_cancelled_shifts(db, clock):
    volunteer = await make_volunteer()
    await make_assignment(await shift_at(day=2), volunteer, status=AssignmentStatus.DECLINED)
    await make_assignment(
        await shift_at(day=2, start=12, end=16, status=ShiftStatus.CANCELLED), volunteer
    )

    found = await current_or_next_assignment(volunteer, now=clock.now())

    assert found is None


async def test_current_or_next_assignment_finds_a_no_show_under_way(db, clock):
    volunteer = await make_volunteer()
    late = await make_assignment(
        await shift_at(day=2, start=7, end=11), volunteer, status=AssignmentStatus.NO_SHOW
    )
    await make_assignment(await shift_at(day=3, start=7, end=11), volunteer)

    found = await current_or_next_assignment(volunteer, now=clock.now())

    assert (found.id, found.shift.station.id) == (late.id, late.shift.station_id)


async def test_current_or_next_assignment_prefers_an_expected_shift_to_a_no_show(db, clock):
    volunteer = await make_volunteer()
    await make_assignment(
        await shift_at(day=2, start=6, end=12), volunteer, status=AssignmentStatus.NO_SHOW
    )
    expected = await make_assignment(await shift_at(day=2, start=8, end=12), volunteer)

    found = await current_or_next_assignment(volunteer, now=clock.now())

    assert found.id == expected.id


async def test_current_or_next_assignment_ignores_a_no_show_on_an_ended_shift(db, clock):
    volunteer = await make_volunteer()
    await make_assignment(
        await shift_at(day=2, start=4, end=8), volunteer, status=AssignmentStatus.NO_SHOW
    )
    await make_assignment(
        await shift_at(day=2, start=7, end=11, status=ShiftStatus.CANCELLED),
        volunteer,
        status=AssignmentStatus.NO_SHOW,
    )

    found = await current_or_next_assignment(volunteer, now=clock.now())

    assert found is None


# --- shift_coverage ---------------------------------------------------------------------


async def test_shift_coverage_counts_people_per_role_against_the_need(db, clock):
    full = await shift_at(needs={"lead": 1, "volunteer": 3})
    await make_assignment(full, role="lead", status=AssignmentStatus.CONFIRMED)
    await make_assignment(full, role="volunteer", status=AssignmentStatus.CHECKED_IN)
    await make_assignment(full, role="volunteer", status=AssignmentStatus.CHECKED_OUT)
    await make_assignment(full, role="volunteer", status=AssignmentStatus.DECLINED)
    await make_assignment(full, role="volunteer", status=AssignmentStatus.NO_SHOW)
    empty = await shift_at(needs={"medic": 2, "mechanic": 0})

    coverage = await shift_coverage([full.id, empty.id])

    assert coverage == {
        full.id: {"lead": (1, 1), "volunteer": (2, 3)},
        empty.id: {"medic": (0, 2)},
    }


async def test_shift_coverage_shows_people_in_a_role_no_longer_needed(db, clock):
    shift = await shift_at(needs={"volunteer": 2})
    await make_assignment(shift, role="broadcaster")

    coverage = await shift_coverage([shift.id])

    assert coverage == {shift.id: {"volunteer": (0, 2), "broadcaster": (1, 0)}}


async def test_shift_coverage_leaves_out_unknown_shifts(db, clock):
    shift = await shift_at(needs={})

    coverage = await shift_coverage([shift.id, 999_999])

    assert coverage == {shift.id: {}}


async def test_shift_coverage_of_no_shifts_is_empty(db):
    assert await shift_coverage([]) == {}


async def test_shift_coverage_of_many_shifts_is_one_query(db, clock, caplog):
    shifts = [await shift_at(day=day) for day in range(1, 11)]
    for shift in shifts:
        await make_assignment(shift)

    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        coverage = await shift_coverage([shift.id for shift in shifts])

    selects = [r for r in caplog.records if r.getMessage().lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert {shift_id: roles["volunteer"] for shift_id, roles in coverage.items()} == {
        shift.id: (1, 3) for shift in shifts
    }


# --- on_duty ----------------------------------------------------------------------------


async def test_on_duty_lists_who_is_checked_in_on_a_shift_under_way(db, clock):
    station = await make_station()
    shift = await shift_at(station, start=6, end=10)
    here = await make_assignment(
        shift,
        await make_volunteer(full_name="An"),
        status=AssignmentStatus.CHECKED_IN,
    )
    early = await make_assignment(
        await shift_at(station, start=9, end=13),
        await make_volunteer(full_name="Bình"),
        status=AssignmentStatus.CHECKED_IN,
    )
    await make_assignment(shift, status=AssignmentStatus.CHECKED_OUT)
    await make_assignment(shift, status=AssignmentStatus.CONFIRMED)
    await make_assignment(
        await shift_at(station, start=2, end=8), status=AssignmentStatus.CHECKED_IN
    )  # ended at 08:00
    await make_assignment(
        await shift_at(station, start=12, end=16), status=AssignmentStatus.CHECKED_IN
    )  # check-in not open yet
    await make_assignment(await shift_at(start=6, end=10), status=AssignmentStatus.CHECKED_IN)

    found = await on_duty(station, now=clock.now())

    assert ids(found) == [here.id, early.id]
    assert [a.volunteer.full_name for a in found] == ["An", "Bình"]


# --- find_no_shows ----------------------------------------------------------------------


async def test_find_no_shows_waits_for_the_grace_period(db, clock):
    shift = await shift_at(start=8, end=12)
    assigned = await make_assignment(shift)
    confirmed = await make_assignment(shift, status=AssignmentStatus.CONFIRMED)
    await make_assignment(shift, status=AssignmentStatus.CHECKED_IN)
    await make_assignment(shift, status=AssignmentStatus.DECLINED)
    clock.advance(dt.timedelta(minutes=14))

    before_grace = await find_no_shows(now=clock.now())
    clock.advance(dt.timedelta(minutes=1))
    after_grace = await find_no_shows(now=clock.now())

    assert ids(before_grace) == []
    assert sorted(ids(after_grace)) == sorted([assigned.id, confirmed.id])


async def test_find_no_shows_takes_a_grace_period(db, clock):
    assignment = await make_assignment(await shift_at(start=7, end=12))

    found = await find_no_shows(now=clock.now(), grace=dt.timedelta(minutes=30))

    assert ids(found) == [assignment.id]
    assert found[0].volunteer.id == assignment.volunteer_id


async def test_find_no_shows_leaves_old_and_cancelled_shifts_alone(db, clock):
    await make_assignment(await shift_at(day=1, start=6, end=10, status=ShiftStatus.ACTIVE))
    await make_assignment(await shift_at(start=6, end=10, status=ShiftStatus.CANCELLED))
    recent = await make_assignment(await shift_at(day=1, start=16, end=20))

    found = await find_no_shows(now=clock.now())

    assert ids(found) == [recent.id]


async def test_find_no_shows_stops_twelve_hours_after_the_end(db, clock):
    assignment = await make_assignment(await shift_at(start=6, end=10))

    clock.set(vn(2027, 2, 2, 22))
    at_twelve_hours = await find_no_shows(now=clock.now())
    clock.advance(dt.timedelta(minutes=1))
    after = await find_no_shows(now=clock.now())

    assert (ids(at_twelve_hours), ids(after)) == ([assignment.id], [])
