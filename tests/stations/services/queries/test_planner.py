"""The planner's read queries: a week of shifts, one shift's people, units to choose."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.enums import AssignmentStatus, ShiftRole, ShiftStatus
from stations.services.actor import Actor
from stations.services.errors import InvalidInput
from stations.services.queries.planner import (
    candidates_for_shift,
    pattern_preview,
    planner_week,
    shift_people,
    units_to_choose,
)
from stations.services.shifts import generate_shift_pattern
from tests.factories import (
    make_assignment,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)
from tests.stations.web.helpers import count_queries

MONDAY = dt.date(2027, 2, 1)


async def test_planner_week_lays_shifts_out_by_daily_slot_and_day(db):
    station = await make_station()
    morning_mon = await make_shift(station, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 14))
    night_mon = await make_shift(station, starts_at=vn(2027, 2, 1, 22), ends_at=vn(2027, 2, 2, 6))
    morning_wed = await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 14))
    await make_shift(station, starts_at=vn(2027, 2, 8, 6), ends_at=vn(2027, 2, 8, 14))

    week = await planner_week(station, first_day=MONDAY)

    assert week.days == tuple(MONDAY + dt.timedelta(days=n) for n in range(7))
    assert [(row.starts, row.ends) for row in week.rows] == [
        (dt.time(6), dt.time(14)),
        (dt.time(22), dt.time(6)),
    ]
    assert [[[p.shift.id for p in cell] for cell in row.cells] for row in week.rows] == [
        [[morning_mon.id], [], [morning_wed.id], [], [], [], []],
        [[night_mon.id], [], [], [], [], [], []],
    ]
    assert [p.shift.id for p in week.shifts] == [morning_mon.id, night_mon.id, morning_wed.id]
    assert (week.previous_first_day, week.next_first_day) == (
        dt.date(2027, 1, 25),
        dt.date(2027, 2, 8),
    )


async def test_planner_week_reads_the_vietnam_day_a_shift_starts_on(db):
    station = await make_station()
    # 00:30 in Vietnam on Monday is 17:30 UTC on Sunday.
    early = await make_shift(station, starts_at=vn(2027, 2, 1, 0, 30), ends_at=vn(2027, 2, 1, 6))

    week = await planner_week(station, first_day=MONDAY)
    before = await planner_week(station, first_day=MONDAY - dt.timedelta(days=7))

    assert [p.shift.id for p in week.rows[0].cells[0]] == [early.id]
    assert before.shifts == ()


async def test_planned_shift_counts_filled_needed_and_what_is_missing_per_role(db):
    station = await make_station()
    shift = await make_shift(station, needs={"lead": 1, "volunteer": 3})
    await make_assignment(shift, await make_volunteer(), role=ShiftRole.VOLUNTEER)
    await make_assignment(
        shift, await make_volunteer(), role=ShiftRole.VOLUNTEER, status=AssignmentStatus.DECLINED
    )
    await make_assignment(
        shift, await make_volunteer(), role=ShiftRole.LEAD, status=AssignmentStatus.CHECKED_IN
    )

    (planned,) = (await planner_week(station, first_day=dt.date(2027, 2, 2))).shifts

    assert [(r.role, r.filled, r.needed, r.short) for r in planned.roles] == [
        (ShiftRole.LEAD, 1, 1, False),
        (ShiftRole.VOLUNTEER, 1, 3, True),
    ]
    assert (planned.filled, planned.needed, planned.missing, planned.unfilled) == (2, 4, 2, True)


async def test_a_cancelled_shift_is_never_unfilled(db):
    station = await make_station()
    await make_shift(station, status=ShiftStatus.CANCELLED)

    week = await planner_week(station, first_day=dt.date(2027, 2, 2))

    assert [(p.cancelled, p.unfilled) for p in week.shifts] == [(True, False)]
    assert week.unfilled_count == 0


async def test_planner_week_runs_the_same_queries_for_3_or_30_shifts(db):
    small, large = await make_station(), await make_station()
    for index in range(3):
        shift = await make_shift(
            small, starts_at=vn(2027, 2, 1 + index, 6), ends_at=vn(2027, 2, 1 + index, 14)
        )
        await make_assignment(shift, await make_volunteer())
    for index in range(30):
        day, hour = 1 + index // 5, 2 + (index % 5) * 4
        shift = await make_shift(
            large, starts_at=vn(2027, 2, day, hour), ends_at=vn(2027, 2, day, hour + 3)
        )
        await make_assignment(shift, await make_volunteer())

    with count_queries() as few:
        small_week = await planner_week(small, first_day=MONDAY)
    with count_queries() as many:
        large_week = await planner_week(large, first_day=MONDAY)

    assert (len(small_week.shifts), len(large_week.shifts)) == (3, 30)
    assert len(few) == len(many) == 2


async def test_shift_people_lists_everyone_ever_assigned_active_first(db):
    station = await make_station()
    shift = await make_shift(station)
    declined = await make_assignment(
        shift, await make_volunteer(full_name="An"), status=AssignmentStatus.DECLINED
    )
    active = await make_assignment(shift, await make_volunteer(full_name="Bình"))

    with count_queries() as queries:
        people = await shift_people(shift.id)

    assert people is not None
    assert [a.id for a in people.assignments] == [active.id, declined.id]
    assert (people.station.id, people.campaign.id) == (station.id, station.campaign_id)
    assert len(queries) == 3


async def test_shift_people_of_an_unknown_shift_is_none(db):
    assert await shift_people(999999) is None


async def test_units_to_choose_keeps_to_the_scope(db):
    first, second = await make_unit(name="A"), await make_unit(name="B")

    assert [u.id for u in await units_to_choose({second.id})] == [second.id]
    assert [u.id for u in await units_to_choose(None)] == [first.id, second.id]


async def test_candidates_match_without_diacritics_or_by_phone_within_the_scope(db):
    mine, theirs = await make_unit(), await make_unit()
    an = await make_volunteer(full_name="Nguyễn Văn An", unit=mine, phone="+84912345678")
    await make_volunteer(full_name="Nguyễn Văn An", unit=theirs)
    await make_volunteer(full_name="Nguyễn Văn An", unit=None)

    by_name = await candidates_for_shift("nguyen van AN", unit_ids={mine.id})
    by_phone = await candidates_for_shift("0912 345", unit_ids={mine.id})
    province = await candidates_for_shift("nguyễn văn an", unit_ids=None)
    nothing = await candidates_for_shift("   ", unit_ids=None)

    assert [v.id for v in by_name] == [an.id]
    assert [v.id for v in by_phone] == [an.id]
    assert (len(province), nothing) == (3, [])


async def test_pattern_preview_counts_exactly_what_the_pattern_then_creates(db, clock):
    station = await make_station()
    await make_shift(station, starts_at=vn(2027, 2, 3, 22), ends_at=vn(2027, 2, 4, 6))
    slots = [(dt.time(6), dt.time(14)), (dt.time(22), dt.time(6))]
    first_day, last_day = dt.date(2027, 2, 2), dt.date(2027, 2, 5)

    new, existing = await pattern_preview(
        station, first_day=first_day, last_day=last_day, slots=slots
    )
    created = await generate_shift_pattern(
        station,
        start_date=first_day,
        end_date=last_day,
        slots=slots,
        needs={"volunteer": 1},
        by=Actor.system("tests"),
    )

    assert (new, existing) == (7, 1)
    assert len(created) == new
    assert await pattern_preview(station, first_day=first_day, last_day=last_day, slots=slots) == (
        0,
        8,
    )


async def test_pattern_preview_refuses_overlapping_slots_and_days_outside_the_campaign(db):
    station = await make_station()
    morning = (dt.time(6), dt.time(14))

    with pytest.raises(InvalidInput) as overlapping:
        await pattern_preview(
            station,
            first_day=dt.date(2027, 2, 2),
            last_day=dt.date(2027, 2, 3),
            slots=[morning, (dt.time(12), dt.time(16))],
        )
    with pytest.raises(InvalidInput) as outside:
        # The campaign ends on 11/02; a day after it is allowed, three weeks are not.
        await pattern_preview(
            station, first_day=dt.date(2027, 3, 1), last_day=dt.date(2027, 3, 2), slots=[morning]
        )
    with pytest.raises(InvalidInput) as backwards:
        await pattern_preview(
            station, first_day=dt.date(2027, 2, 3), last_day=dt.date(2027, 2, 2), slots=[morning]
        )

    assert (overlapping.value.field, outside.value.field, backwards.value.field) == (
        "slots",
        "end_date",
        "end_date",
    )
