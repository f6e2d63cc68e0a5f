"""The stored daily figures stay what their sources sum to, whoever writes the sources.

Random programs of writes to every source of the figures — through the services (the
ledger, check-in and check-out) and straight through the models, as an import or a hand
fix would — with refreshes at random points: after the last refresh the stored rows equal
a rebuild from the sources. Then the triggers one by one, the removal of a mark only at the
version read (a writer in flight during a refresh, on PostgreSQL), and the report reading
a write at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from tortoise.connection import connections

from stations.clock import FrozenClock, use_clock
from stations.enums import (
    AssignmentStatus,
    Force,
    MovementKind,
    ServiceKind,
    Source,
    SupplyCategory,
)
from stations.models import (
    Assignment,
    ServiceRecord,
    Shift,
    StaleStationDay,
    Station,
    SupplyItem,
    Volunteer,
)
from stations.services import inventory
from stations.services.actor import Actor
from stations.services.assignments import check_in, check_out
from stations.services.daily_figures import rebuild_daily_figures, refresh_daily_figures
from stations.services.errors import StationsError
from stations.services.queries.reports import campaign_report
from stations.services.sql import Parameters
from tests.conftest import DEFAULT_NOW, truncate_all
from tests.factories import (
    make_assignment,
    make_campaign,
    make_item,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)

pytestmark = pytest.mark.integration

SYSTEM = Actor.system("test")
FIGURE_TABLES = ("station_day_figures", "station_day_partner")


async def _stored() -> dict[str, list[tuple[Any, ...]]]:
    """Both tables' rows without their ids, in one order."""
    connection = connections.get("default")
    rows = {}
    for table in FIGURE_TABLES:
        found = await connection.execute_query_dict(f'SELECT * FROM "{table}"')
        rows[table] = sorted(
            tuple(str(value) for name, value in sorted(row.items()) if name != "id")
            for row in found
        )
    return rows


async def _refreshed_equals_rebuilt() -> None:
    await refresh_daily_figures()
    assert await StaleStationDay.all().count() == 0
    kept = await _stored()
    await rebuild_daily_figures()
    assert kept == await _stored()


class World:
    """Two stations of one campaign, shifts on three days, volunteers, items, partners."""

    async def build(self) -> World:
        self.campaign = await make_campaign()
        self.stations = [await make_station(self.campaign) for _ in range(2)]
        self.items = [await make_item("water"), await make_item("towel")]
        self.partners = [await make_unit(), await make_unit()]
        self.volunteers = [await make_volunteer(force=force) for force in list(Force)[:4]]
        self.shifts = []
        for station in self.stations:
            for day, hour in ((1, 6), (2, 22), (3, 12)):
                starts = vn(2027, 2, day, hour)
                self.shifts.append(
                    await make_shift(
                        station, starts_at=starts, ends_at=starts + dt.timedelta(hours=4)
                    )
                )
        # Served turns from the start, so that every step has figures to move.
        for n, shift in enumerate(self.shifts):
            status = (AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT)[n % 2]
            await make_assignment(
                shift, self.volunteers[n % 4], status=status, worked_minutes=60 + n
            )
        await rebuild_daily_figures()
        return self


MOMENTS = st.sampled_from(
    # A day's morning, the evening before a local midnight (UTC's previous day), and
    # just after midnight: the local day is what counts.
    [vn(2027, 2, 1, 8), vn(2027, 2, 1, 23, 30), vn(2027, 2, 2, 0, 15), vn(2027, 2, 3, 16)]
)
STEPS = st.one_of(
    st.tuples(
        st.just("assign"),
        st.integers(0, 5),
        st.integers(0, 3),
        st.sampled_from(list(AssignmentStatus)),
    ),
    st.tuples(
        st.just("status"),
        st.integers(0, 30),
        st.sampled_from(list(AssignmentStatus)),
        st.integers(0, 300),
    ),
    st.tuples(st.just("unassign"), st.integers(0, 30)),
    st.tuples(st.just("move_shift"), st.integers(0, 5), st.integers(-30, 30), st.integers(0, 1)),
    st.tuples(st.just("delete_shift"), st.integers(0, 5)),
    st.tuples(st.just("force"), st.integers(0, 3), st.sampled_from(list(Force))),
    st.tuples(
        st.just("service"),
        st.integers(0, 1),
        st.sampled_from(list(ServiceKind)),
        st.integers(1, 50),
        st.integers(-1, 1),
        MOMENTS,
    ),
    st.tuples(
        st.just("edit_service"), st.integers(0, 30), st.integers(1, 50), MOMENTS, st.integers(-1, 1)
    ),
    st.tuples(st.just("delete_service"), st.integers(0, 30)),
    st.tuples(
        st.just("stock"),
        st.sampled_from([MovementKind.RECEIPT, MovementKind.HANDOUT]),
        st.integers(0, 1),
        st.integers(0, 1),
        st.integers(1, 40),
        MOMENTS,
    ),
    st.tuples(st.just("category"), st.integers(0, 1), st.sampled_from(list(SupplyCategory))),
    st.tuples(st.just("check_in_out"), st.integers(0, 30)),
    # Twice: refreshes between writes, each checked against a rebuild.
    st.tuples(st.just("refresh")),
    st.tuples(st.just("refresh")),
)


async def _run(world: World, step: tuple[Any, ...]) -> None:
    name = step[0]
    assignments = await Assignment.all().order_by("id")
    services = await ServiceRecord.all().order_by("id")
    shifts = await Shift.all().order_by("id")
    if name == "assign" and shifts:
        shift = shifts[step[1] % len(shifts)]
        volunteer = world.volunteers[step[2]]
        if not await Assignment.filter(shift=shift, volunteer=volunteer).exists():
            worked = 90 if step[3] is AssignmentStatus.CHECKED_OUT else None
            await make_assignment(shift, volunteer, status=step[3], worked_minutes=worked)
    elif name == "status" and assignments:
        assignment = assignments[step[1] % len(assignments)]
        await Assignment.filter(id=assignment.id).update(status=step[2], worked_minutes=step[3])
    elif name == "unassign" and assignments:
        await assignments[step[1] % len(assignments)].delete()
    elif name == "move_shift" and shifts:
        shift = shifts[step[1] % len(shifts)]
        moved = dt.timedelta(hours=step[2])
        await Shift.filter(id=shift.id).update(
            starts_at=shift.starts_at + moved,
            ends_at=shift.ends_at + moved,
            station_id=world.stations[step[3]].id,
        )
    elif name == "delete_shift" and shifts:
        await shifts[step[1] % len(shifts)].delete()
    elif name == "force":
        await Volunteer.filter(id=world.volunteers[step[1]].id).update(force=step[2])
    elif name == "service":
        _, station, kind, quantity, partner, moment = step
        await ServiceRecord.create(
            station=world.stations[station],
            kind=kind,
            quantity=quantity,
            partner=world.partners[partner] if partner >= 0 else None,
            source=Source.WEB,
            occurred_at=moment,
            recorded_at=moment,
        )
    elif name == "edit_service" and services:
        _, index, quantity, moment, partner = step
        await ServiceRecord.filter(id=services[index % len(services)].id).update(
            quantity=quantity,
            occurred_at=moment,
            partner_id=world.partners[partner].id if partner >= 0 else None,
        )
    elif name == "delete_service" and services:
        await services[step[1] % len(services)].delete()
    elif name == "stock":
        _, kind, station, item, quantity, moment = step
        await inventory.record_movement(
            kind,
            world.stations[station],
            world.items[item],
            quantity,
            by=SYSTEM,
            occurred_at=moment,
            outside_reason="test",
        )
    elif name == "category":
        await SupplyItem.filter(id=world.items[step[1]].id).update(category=step[2])
    elif name == "check_in_out" and assignments:
        assignment = await Assignment.get(id=assignments[step[1] % len(assignments)].id)
        if assignment.status == AssignmentStatus.CHECKED_IN:
            await check_out(assignment, by=SYSTEM)
        elif assignment.status in (AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED):
            await check_in(assignment, by=SYSTEM)
    elif name == "refresh":
        await refresh_daily_figures()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=st.lists(STEPS, max_size=25))
async def test_stored_figures_equal_a_rebuild_after_any_program_of_writes(db, program) -> None:
    await truncate_all(db)
    with use_clock(FrozenClock(DEFAULT_NOW)):
        world = await World().build()
        for step in program:
            note(repr(step))
            # A write the services refuse writes nothing.
            with contextlib.suppress(StationsError):
                await _run(world, step)
            if step[0] == "refresh":
                # Several steps' marks at once.
                await _refreshed_equals_rebuilt()
        await _refreshed_equals_rebuilt()


async def _figures(station: Station, day: dt.date) -> dict[str, Any]:
    """The stored figures of ``station`` on ``day`` after a refresh ({} for none)."""
    await refresh_daily_figures()
    connection = connections.get("default")
    p = Parameters(connection.capabilities.dialect)
    rows = await connection.execute_query_dict(
        f'SELECT * FROM "station_day_figures" WHERE station_id = {p(station.id)}'
        f" AND day = {p.date(day)}",
        p.values,
    )
    return rows[0] if rows else {}


async def test_a_volunteers_new_force_moves_their_served_turns(db, clock) -> None:
    station = await make_station()
    volunteer = await make_volunteer(force=Force.POLICE)
    shift = await make_shift(station)
    await make_assignment(shift, volunteer, status=AssignmentStatus.CHECKED_OUT, worked_minutes=240)
    day = dt.date(2027, 2, 2)
    assert (await _figures(station, day))["turns_police"] == 1

    await Volunteer.filter(id=volunteer.id).update(force=Force.YOUTH_UNION)

    figures = await _figures(station, day)
    assert (figures["turns_police"], figures["turns_youth_union"]) == (0, 1)
    assert figures["minutes_youth_union"] == 240


async def test_a_shift_moved_past_midnight_moves_its_turns_to_the_next_local_day(db, clock) -> None:
    station = await make_station()
    shift = await make_shift(station, starts_at=vn(2027, 2, 2, 20), ends_at=vn(2027, 2, 2, 23))
    await make_assignment(shift, status=AssignmentStatus.CHECKED_IN)
    assert (await _figures(station, dt.date(2027, 2, 2)))["turns_other"] == 1

    await Shift.filter(id=shift.id).update(
        starts_at=vn(2027, 2, 3, 0, 30), ends_at=vn(2027, 2, 3, 4)
    )

    assert await _figures(station, dt.date(2027, 2, 2)) == {}
    assert (await _figures(station, dt.date(2027, 2, 3)))["turns_other"] == 1


async def test_an_items_new_category_moves_its_handouts(db, clock) -> None:
    station = await make_station()
    item = await make_item("water")
    await inventory.record_movement(MovementKind.RECEIPT, station, item, 50, by=SYSTEM)
    await inventory.record_movement(MovementKind.HANDOUT, station, item, 20, by=SYSTEM)
    day = DEFAULT_NOW.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    assert (await _figures(station, day))["water"] == 20

    await SupplyItem.filter(id=item.id).update(category=SupplyCategory.FOOD)

    figures = await _figures(station, day)
    assert (figures["water"], figures["food"], figures["received"]) == (0, 20, 1)


async def test_a_deleted_partner_unit_leaves_its_services_unattributed(db, clock) -> None:
    station = await make_station()
    garage = await make_unit()
    await ServiceRecord.create(
        station=station,
        kind=ServiceKind.MOTORBIKE_CHECK,
        quantity=3,
        partner=garage,
        source=Source.WEB,
        occurred_at=DEFAULT_NOW,
        recorded_at=DEFAULT_NOW,
    )
    await refresh_daily_figures()
    assert len((await _stored())["station_day_partner"]) == 1

    await garage.delete()

    await _refreshed_equals_rebuilt()
    assert (await _stored())["station_day_partner"] == []


async def test_a_deleted_station_takes_its_figures_and_leaves_no_mark(db, clock) -> None:
    station = await make_station()
    await make_assignment(await make_shift(station), status=AssignmentStatus.CHECKED_IN)
    await refresh_daily_figures()
    assert (await _stored())["station_day_figures"]

    await Station.filter(id=station.id).delete()

    await _refreshed_equals_rebuilt()
    assert (await _stored())["station_day_figures"] == []


async def test_the_report_counts_a_check_in_at_once(db, clock) -> None:
    campaign = await make_campaign()
    station = await make_station(campaign)
    assignment = await make_assignment(await make_shift(station))
    assert (await campaign_report(campaign)).totals.volunteer_turns == 0

    await check_in(assignment, by=SYSTEM)

    assert (await campaign_report(campaign)).totals.volunteer_turns == 1


async def test_a_refresh_keeps_the_mark_of_a_change_made_while_it_ran(db, clock) -> None:
    """A writer in flight bumps a mark the refresh read: the refresh waits for it, leaves the
    newer mark, and the next refresh counts the change."""
    if not db.is_postgres:
        pytest.skip("SQLite runs one transaction at a time: no writer can be in flight")
    station = await make_station()
    shift = await make_shift(station)
    first = await make_assignment(shift, status=AssignmentStatus.CHECKED_IN)
    second = await make_assignment(shift)
    day = dt.date(2027, 2, 2)
    writer = await asyncpg.connect(db.url.replace("postgres://", "postgresql://", 1))
    try:
        transaction = writer.transaction()
        await transaction.start()
        # The mark of the day exists (first's check-in): the writer bumps it and holds it.
        await writer.execute("UPDATE assignment SET status = 'checked_in' WHERE id = $1", second.id)
        refresh = asyncio.create_task(refresh_daily_figures())
        # The refresh reads the marks, recomputes, and waits on the writer's row of the mark.
        waiting = 0
        while not waiting and not refresh.done():
            await asyncio.sleep(0.01)
            waiting = await writer.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        assert waiting, "the refresh ended without waiting for the writer"
        await transaction.commit()
        assert await refresh == 1
    finally:
        await writer.close()
    del first

    assert await StaleStationDay.all().count() == 1
    assert (await _figures(station, day))["turns_other"] == 2
