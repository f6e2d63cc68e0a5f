"""The reminders job's incremental runs: what changed and what entered the horizon, the
same reminders as a full rescan, and nothing read when nothing is new."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import asyncpg
import pytest
from tortoise.connection import connections

from scheduler.jobs import job_materialise_reminders
from stations.enums import AssignmentStatus, NotificationStatus
from stations.models import Assignment, JobCursor, Notification, Shift, Volunteer
from stations.services import reminder_changes
from stations.services.actor import Actor
from stations.services.assignments import (
    assign_volunteer,
    cancel_assignment,
    confirm_assignment,
)
from stations.services.errors import StationsError
from stations.services.reminders import (
    OVERLAP,
    MaterialiseResult,
    materialise_new_reminders,
    materialise_reminders,
    reminder_key,
)
from stations.services.shifts import update_shift
from stations.services.stations import update_station
from stations.services.volunteers import link_telegram, mark_reachable, mark_unreachable
from stations.settings import Settings
from tests.factories import make_assignment, make_shift, make_station, make_volunteer, vn
from tests.scheduler.helpers import linked_volunteer, shift_world
from tests.sql import count_statements

HORIZON = dt.timedelta(hours=6)
EXPECTED = (AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED)
LEADS = (24.0, 2.0)
ADMIN = Actor.system("test")


async def _run(now: dt.datetime, **options: object) -> MaterialiseResult:
    return await materialise_new_reminders(
        now=now,
        lead_hours=LEADS,
        horizon=HORIZON,
        **options,  # type: ignore[arg-type]
    )


async def _settled(clock) -> None:
    """A first run (the full rescan), then one after the overlap: the rows the test made
    are behind the cursor and the next run starts from a quiet state."""
    first = await _run(clock.now())
    assert first.rescanned
    clock.advance(OVERLAP + dt.timedelta(minutes=1))
    assert not (await _run(clock.now())).rescanned


async def _keys() -> dict[str, NotificationStatus]:
    return {
        row.dedupe_key: row.status
        for row in await Notification.filter(kind="reminder").order_by("id")
    }


async def _nothing_missing(now: dt.datetime) -> None:
    # A full rescan at the same moment finds nothing the incremental run left out.
    assert (await materialise_reminders(now=now, lead_hours=LEADS, horizon=HORIZON)).created == 0


async def test_first_run_is_a_full_rescan_and_writes_what_today_writes(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))

    result = await _run(clock.now())

    assert (result.rescanned, result.created) == (True, 2)
    assert await _keys() == {
        reminder_key(world.lead_assignment.id, 2, world.shift.starts_at): "pending",
        reminder_key(world.assignment.id, 2, world.shift.starts_at): "pending",
    }
    cursor = await JobCursor.get(name="reminders")
    assert (cursor.params, cursor.covered_until, cursor.rescanned_at) == (
        "24,2/21600",
        clock.now() + HORIZON,
        clock.now(),
    )


async def test_nothing_new_reads_only_the_cursor_and_the_change_probes(db, clock, monkeypatch):
    for hour in (10, 11, 12):
        await shift_world(starts_at=vn(2027, 2, 2, hour))
    await _settled(clock)
    before = await Notification.all().count()
    clock.advance(dt.timedelta(minutes=1))
    statements = count_statements(monkeypatch)

    result = await _run(clock.now())
    ran = list(statements)

    assert (result.rescanned, result.assignments, result.created) == (False, 0, 0)
    assert await Notification.all().count() == before
    # The cursor, five probes on updated_at, the shifts entering in the minute the horizon
    # moved (none), and the cursor moved on.
    assert len(ran) == 8, "\n".join(ran)
    assert sum('"job_cursor"' in s for s in ran) == 2
    assert sum('"updated_at">' in s.replace(" ", "") for s in ran) == 5
    assert not any('"notification"' in s or "INSERT" in s for s in ran)


async def test_nothing_new_at_the_same_moment_does_not_even_write_the_cursor(
    db, clock, monkeypatch
):
    await shift_world(starts_at=vn(2027, 2, 2, 12))
    await _settled(clock)
    version = (await JobCursor.get(name="reminders")).version
    statements = count_statements(monkeypatch)

    result = await _run(clock.now())
    ran = list(statements)

    assert (result.assignments, result.created) == (0, 0)
    assert len(ran) == 6, "\n".join(ran)
    assert (await JobCursor.get(name="reminders")).version == version


async def test_a_new_assignment_gets_its_reminders_and_nothing_else_is_read(db, clock):
    await shift_world(starts_at=vn(2027, 2, 2, 12))
    other = await shift_world(starts_at=vn(2027, 2, 2, 13))
    await _settled(clock)
    newcomer = await linked_volunteer()

    assignment = await assign_volunteer(other.shift, newcomer, by=ADMIN)
    result = await _run(clock.now())

    # Only the changed assignment is looked at, not the others on its shift.
    assert (result.rescanned, result.assignments, result.created) == (False, 1, 1)
    assert (await _keys())[reminder_key(assignment.id, 2, other.shift.starts_at)] == "pending"
    await _nothing_missing(clock.now())


async def test_a_moved_shift_gets_new_reminders_and_its_old_ones_stay_cancelled(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    await _settled(clock)

    await update_shift(
        world.shift, by=ADMIN, starts_at=vn(2027, 2, 2, 13), ends_at=vn(2027, 2, 2, 17)
    )
    result = await _run(clock.now())

    assert (result.rescanned, result.created) == (False, 2)
    assert await _keys() == {
        reminder_key(world.lead_assignment.id, 2, vn(2027, 2, 2, 12)): "cancelled",
        reminder_key(world.assignment.id, 2, vn(2027, 2, 2, 12)): "cancelled",
        reminder_key(world.lead_assignment.id, 2, vn(2027, 2, 2, 13)): "pending",
        reminder_key(world.assignment.id, 2, vn(2027, 2, 2, 13)): "pending",
    }
    await _nothing_missing(clock.now())


async def test_a_newly_linked_volunteer_gets_the_reminders_of_their_shifts(db, clock):
    shift = await make_shift(starts_at=vn(2027, 2, 2, 12), ends_at=vn(2027, 2, 2, 16))
    volunteer = await make_volunteer()  # not on Telegram yet
    assignment = await make_assignment(shift, volunteer)
    await _settled(clock)
    assert await _keys() == {}

    await link_telegram(volunteer, telegram_user_id=4242, chat_id=4242, by=ADMIN)
    result = await _run(clock.now())

    assert (result.rescanned, result.created) == (False, 1)
    assert await _keys() == {reminder_key(assignment.id, 2, shift.starts_at): "pending"}


async def test_a_station_made_active_again_gets_its_reminders(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12), is_active=False)
    await _settled(clock)
    assert await _keys() == {}

    await update_station(world.station, by=ADMIN, is_active=True)
    result = await _run(clock.now())

    assert (result.rescanned, result.created) == (False, 2)
    await _nothing_missing(clock.now())


async def test_a_cancelled_assignment_stays_cancelled_and_comes_back_when_reassigned(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    await _settled(clock)
    key = reminder_key(world.assignment.id, 2, world.shift.starts_at)

    await cancel_assignment(world.assignment, by=ADMIN, reason="đổi người")
    cancelled = await _run(clock.now())
    await assign_volunteer(world.shift, world.volunteer, by=ADMIN)
    revived = await _run(clock.now())

    assert (cancelled.created, revived.created) == (0, 1)
    assert (await _keys())[key] == "pending"


async def test_shifts_entering_the_horizon_as_time_moves_get_their_reminders(db, clock):
    # At 08:00 the 24-hour reminder of a shift at 14:30 tomorrow is 30 minutes past the
    # 6-hour horizon.
    world = await shift_world(starts_at=vn(2027, 2, 3, 14, 30))
    await _settled(clock)  # 08:11
    clock.set(vn(2027, 2, 2, 8, 29))
    assert (await _run(clock.now())).created == 0

    clock.set(vn(2027, 2, 2, 8, 30))
    result = await _run(clock.now())

    assert (result.rescanned, result.assignments, result.created) == (False, 2, 2)
    assert await _keys() == {
        reminder_key(world.lead_assignment.id, 24, world.shift.starts_at): "pending",
        reminder_key(world.assignment.id, 24, world.shift.starts_at): "pending",
    }


async def test_a_scheduler_down_for_hours_catches_up_like_a_rescan(db, clock):
    # Down from 08:11 to 19:00: the 15:00 shift has begun; the 2-hour reminder of the 20:00
    # shift (due at 18:00) is sent late, as a rescan sends it; the 24-hour one of tomorrow's
    # 06:00 shift passed before the first run, its 2-hour one is not in the horizon yet.
    await shift_world(starts_at=vn(2027, 2, 2, 15))
    evening = await shift_world(starts_at=vn(2027, 2, 2, 20))
    await shift_world(starts_at=vn(2027, 2, 3, 6))
    await _settled(clock)
    before = await _keys()
    clock.set(vn(2027, 2, 2, 19))

    result = await _run(clock.now(), rescan_every=dt.timedelta(hours=12))

    assert (result.rescanned, result.created) == (False, 2)
    assert set(await _keys()) - set(before) == {
        reminder_key(evening.lead_assignment.id, 2, evening.shift.starts_at),
        reminder_key(evening.assignment.id, 2, evening.shift.starts_at),
    }
    await _nothing_missing(clock.now())


async def test_a_change_committed_after_a_later_one_was_seen_is_found_in_the_overlap(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    first, second = await linked_volunteer(), await linked_volunteer()
    await _settled(clock)
    seen = await assign_volunteer(world.shift, first, by=ADMIN)
    clock.advance(dt.timedelta(minutes=1))
    assert (await _run(clock.now())).created == 1
    late = await assign_volunteer(world.shift, second, by=ADMIN)
    # Stamped before the change the last run saw, visible only now: a transaction that
    # committed out of order.
    await Assignment.filter(id=late.id).update(
        updated_at=seen.updated_at - dt.timedelta(seconds=30)
    )
    clock.advance(dt.timedelta(minutes=1))

    result = await _run(clock.now())

    assert (result.rescanned, result.created) == (False, 1)
    assert (await _keys())[reminder_key(late.id, 2, world.shift.starts_at)] == "pending"


async def test_a_change_stamped_before_the_overlap_waits_for_the_hourly_rescan(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 14))
    newcomer = await linked_volunteer()
    await _settled(clock)  # 08:11
    cursor = await JobCursor.get(name="reminders")
    lost = await assign_volunteer(world.shift, newcomer, by=ADMIN)
    assert cursor.changed_since is not None
    await Assignment.filter(id=lost.id).update(
        updated_at=cursor.changed_since - OVERLAP - dt.timedelta(minutes=1)
    )

    missed = await _run(clock.now())
    clock.set(vn(2027, 2, 2, 9))  # an hour after the first rescan
    rescan = await _run(clock.now())

    assert (missed.created, rescan.rescanned, rescan.created) == (0, True, 1)


async def test_a_rescan_when_the_process_started_after_the_last_one(db, clock):
    await shift_world(starts_at=vn(2027, 2, 2, 12))
    await _settled(clock)

    again = await _run(clock.now(), rescan_after=clock.now() - dt.timedelta(minutes=20))
    started = await _run(clock.now(), rescan_after=clock.now())
    after = await _run(clock.now(), rescan_after=clock.now())

    assert (again.rescanned, started.rescanned, after.rescanned) == (False, True, False)


async def test_a_rescan_when_the_settings_change_or_the_clock_goes_back(db, clock):
    await shift_world(starts_at=vn(2027, 2, 2, 12))
    await _settled(clock)

    other_leads = await materialise_new_reminders(now=clock.now(), lead_hours=(3,), horizon=HORIZON)
    same = await materialise_new_reminders(now=clock.now(), lead_hours=(3,), horizon=HORIZON)
    clock.set(vn(2027, 2, 2, 7))
    back = await materialise_new_reminders(now=clock.now(), lead_hours=(3,), horizon=HORIZON)

    assert (other_leads.rescanned, same.rescanned, back.rescanned) == (True, False, True)


async def test_many_changes_at_once_are_a_rescan(db, clock, monkeypatch):
    await shift_world(starts_at=vn(2027, 2, 2, 12))
    await _settled(clock)
    monkeypatch.setattr(reminder_changes, "MANY_CHANGES", 2)
    for hour in (13, 14):
        await shift_world(starts_at=vn(2027, 2, 2, hour))

    result = await _run(clock.now())
    clock.advance(OVERLAP + dt.timedelta(minutes=1))
    in_overlap = await _run(clock.now())  # the same rows once more: late commits among them
    clock.advance(dt.timedelta(minutes=1))
    quiet = await _run(clock.now())

    assert (result.rescanned, result.created) == (True, 4)
    assert (in_overlap.rescanned, in_overlap.created) == (True, 0)
    assert (quiet.rescanned, quiet.assignments) == (False, 0)


async def test_two_concurrent_runs_write_each_reminder_once_and_move_the_cursor_once(db, clock):
    await shift_world(starts_at=vn(2027, 2, 2, 12))
    await _settled(clock)
    version = (await JobCursor.get(name="reminders")).version
    worlds = [await shift_world(starts_at=vn(2027, 2, 2, hour)) for hour in (10, 11, 13)]
    clock.advance(dt.timedelta(minutes=1))
    settings = Settings(reminder_hours=LEADS)

    counts = await asyncio.gather(
        job_materialise_reminders(now=clock.now(), settings=settings),
        job_materialise_reminders(now=clock.now(), settings=settings),
    )

    written = await Notification.filter(
        volunteer_id__in=[w.volunteer.id for w in worlds] + [w.lead.id for w in worlds]
    ).count()
    assert (sum(counts), written) == (6, 6)
    assert (await JobCursor.get(name="reminders")).version == version + 1
    await _nothing_missing(clock.now())


@pytest.mark.parametrize("status", [AssignmentStatus.DECLINED, AssignmentStatus.CHECKED_IN])
async def test_an_assignment_no_longer_expected_gets_no_reminder(db, clock, status):
    world = await shift_world(starts_at=vn(2027, 2, 3, 14, 30))
    await _settled(clock)
    world.assignment.status = status
    await world.assignment.save()

    clock.set(vn(2027, 2, 2, 8, 30))
    result = await _run(clock.now())

    assert result.created == 1  # the lead's
    assert list(await _keys()) == [
        reminder_key(world.lead_assignment.id, 24, world.shift.starts_at)
    ]


async def test_the_change_probes_have_their_indexes(db):
    connection = connections.get("default")
    if db.is_postgres:
        rows = await connection.execute_query_dict(
            "SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE 'idx_%_updated_at'"
        )
    else:
        rows = await connection.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%_updated_at'"
        )

    assert sorted(row["name"] for row in rows) == [
        "idx_assignment_updated_at",
        "idx_shift_updated_at",
        "idx_volunteer_updated_at",
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_incremental_runs_write_what_a_full_rescan_would_through_random_changes(
    db, clock, seed
):
    # Random assignments, cancellations, confirmations, moved shifts, Telegram links and
    # unreachable volunteers between runs a few minutes apart: after every incremental run
    # a full rescan at the same moment finds nothing missing.
    rng = random.Random(seed)
    stations = [await make_station() for _ in range(3)]
    shifts = [
        await make_shift(
            rng.choice(stations),
            starts_at=vn(2027, 2, 2, 9) + dt.timedelta(minutes=30 * n),
            ends_at=vn(2027, 2, 2, 11) + dt.timedelta(minutes=30 * n),
            needs={"lead": 2, "volunteer": 6},
        )
        for n in range(0, 96, 3)  # every 90 minutes for two days
    ]
    people = [await linked_volunteer() for _ in range(20)] + [
        await make_volunteer() for _ in range(3)
    ]
    for volunteer in people:
        for shift in rng.sample(shifts, 4):
            await make_assignment(shift, volunteer)
    first = await _run(clock.now())
    assert first.rescanned
    written = 0
    for _step in range(30):
        await _random_change(rng, shifts, people)
        clock.advance(dt.timedelta(minutes=rng.randint(1, 25)))

        result = await _run(clock.now(), rescan_every=dt.timedelta(days=1))

        assert not result.rescanned
        await _nothing_missing(clock.now())
        written += result.created
    assert written > 0


async def _random_change(rng: random.Random, shifts: list, people: list) -> None:
    change = rng.choice(["assign", "assign", "cancel", "confirm", "move", "link", "reach"])
    try:
        if change == "assign":
            shift = await Shift.get(id=rng.choice(shifts).id)
            await assign_volunteer(shift, rng.choice(people), by=ADMIN)
        elif change in {"cancel", "confirm"}:
            expected = await Assignment.filter(status__in=EXPECTED).order_by("id")
            if expected and change == "cancel":
                await cancel_assignment(rng.choice(expected), by=ADMIN)
            elif expected:
                await confirm_assignment(rng.choice(expected), by=ADMIN)
        elif change == "move":
            shift = await Shift.get(id=rng.choice(shifts).id)
            delta = dt.timedelta(minutes=rng.choice([-60, -30, 30, 60]))
            await update_shift(
                shift, by=ADMIN, starts_at=shift.starts_at + delta, ends_at=shift.ends_at + delta
            )
        elif change == "link":
            volunteer = await Volunteer.get(id=rng.choice(people).id)
            if volunteer.telegram_chat_id is None:
                await link_telegram(
                    volunteer, telegram_user_id=volunteer.id, chat_id=volunteer.id, by=ADMIN
                )
        else:
            volunteer = await Volunteer.get(id=rng.choice(people).id)
            if volunteer.reachable:
                await mark_unreachable(volunteer, reason="blocked", by=ADMIN)
            else:
                await mark_reachable(volunteer, by=ADMIN)
    except StationsError:
        pass  # refused (overlap, full, started): no change, as in real life


async def test_a_transaction_committing_after_a_run_saw_a_later_one_is_not_missed(db, clock):
    if not db.is_postgres:
        pytest.skip("two connections writing at once: PostgreSQL")
    world = await shift_world(starts_at=vn(2027, 2, 2, 12))
    slow_volunteer, quick_volunteer = await linked_volunteer(), await linked_volunteer()
    await _settled(clock)
    other = await asyncpg.connect(db.url.replace("postgres://", "postgresql://", 1))
    try:
        slow = other.transaction()
        await slow.start()
        # Stamped now, committed only after the run below has seen a later change.
        slow_id = await other.fetchval(
            'INSERT INTO "assignment" (shift_id, volunteer_id, role, status, auto_checked_out,'
            " created_at, updated_at) VALUES ($1, $2, 'volunteer', 'assigned', FALSE, now(),"
            " clock_timestamp()) RETURNING id",
            world.shift.id,
            slow_volunteer.id,
        )
        quick = await assign_volunteer(world.shift, quick_volunteer, by=ADMIN)
        clock.advance(dt.timedelta(minutes=1))
        before_commit = await _run(clock.now())
        await slow.commit()
    finally:
        await other.close()
    clock.advance(dt.timedelta(minutes=1))

    after_commit = await _run(clock.now())

    assert (before_commit.created, after_commit.created) == (1, 1)
    assert set(await _keys()) >= {
        reminder_key(quick.id, 2, world.shift.starts_at),
        reminder_key(slow_id, 2, world.shift.starts_at),
    }
