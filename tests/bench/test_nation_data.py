"""The nationwide dataset (bench/nation_data.py) at ten stations: consistent, and the app reads it.

PostgreSQL only: the dataset is written with COPY. ``rebuild_balances`` changing nothing
proves the balances and daily tallies the bulk load derives are the ones the app would."""

from __future__ import annotations

import datetime as dt

import pytest
from tortoise.connection import connections

from bench.nation_data import NationInfo, build_nation
from stations import clock as clock_module
from stations.enums import AssignmentStatus
from stations.models import (
    Assignment,
    AuditEvent,
    Shift,
    Station,
    StockMovement,
    Unit,
    User,
    Volunteer,
)
from stations.services.inventory import rebuild_balances
from stations.settings import Settings
from stations.web.app import create_app
from tests.conftest import TestDatabase
from tests.stations.web.helpers import new_client, signed_in

SMALL = {
    "stations": 10,
    "volunteers": 400,
    "shifts": 360,
    "assignments": 1_500,
    "ledger_lines": 4_000,
    "service_records": 100,
    "wards_per_province": 2,
    "wave_per_station": 12,
}


async def _build(db: TestDatabase) -> NationInfo:
    if not db.is_postgres:
        pytest.skip("the nationwide dataset is written with PostgreSQL's COPY")
    return await build_nation(db.url, migrate=False, **SMALL)


async def _scalar(sql: str, *params: object) -> object:
    rows = await connections.get("default").execute_query_dict(sql, list(params))
    return next(iter(rows[0].values()))


async def test_nation_has_the_requested_rows(db: TestDatabase) -> None:
    info = await _build(db)

    assert (
        await Station.all().count(),
        await Volunteer.all().count(),
        await Shift.all().count(),
        await Assignment.all().count(),
        await StockMovement.all().count(),
    ) == (10, 400, 360, 1_500, 4_000)
    assert info.wave_assignments == 10 * 12
    assert await Unit.filter(parent_id=info.root_unit_id).count() == 34


async def test_nation_stock_is_what_rebuild_balances_makes(db: TestDatabase) -> None:
    await _build(db)
    events = await AuditEvent.all().count()

    changed = await rebuild_balances()

    assert changed == 0
    assert await AuditEvent.all().count() == events  # the tallies did not change either
    assert (
        await _scalar(
            'SELECT COUNT(*) FROM "stock_balance" b FULL JOIN (SELECT station_id, item_id,'
            ' SUM(delta) AS total FROM "stock_movement" GROUP BY 1, 2) l'
            " USING (station_id, item_id) WHERE b.quantity IS DISTINCT FROM l.total"
        )
        == 0
    )


async def test_nation_tells_one_consistent_morning(db: TestDatabase) -> None:
    info = await _build(db)

    nothing_later = await _scalar(
        'SELECT COUNT(*) FROM "stock_movement" WHERE occurred_at > $1 OR recorded_at > $1',
        info.now,
    )
    overlapping = await _scalar(
        'SELECT COUNT(*) FROM "assignment" a JOIN "shift" s ON s.id = a.shift_id'
        ' JOIN "assignment" b ON b.volunteer_id = a.volunteer_id AND b.id < a.id'
        ' JOIN "shift" t ON t.id = b.shift_id'
        " WHERE s.starts_at < t.ends_at AND t.starts_at < s.ends_at"
    )
    checked_in_outside_their_shift = await _scalar(
        'SELECT COUNT(*) FROM "assignment" a JOIN "shift" s ON s.id = a.shift_id'
        " WHERE a.status = 'checked_in' AND NOT (s.starts_at <= $1 AND $1 < s.ends_at)",
        info.now,
    )
    wave = await Assignment.filter(shift__starts_at=info.wave_starts_at).count()
    on_duty = await Assignment.filter(status=AssignmentStatus.CHECKED_IN).count()

    assert (nothing_later, overlapping, checked_in_outside_their_shift) == (0, 0, 0)
    assert wave == info.wave_assignments
    assert on_duty > 0
    assert info.wave_starts_at - info.now == dt.timedelta(hours=3, minutes=30)


async def test_nation_pages_render_for_each_login(db: TestDatabase) -> None:
    info = await _build(db)
    app = create_app(Settings(secret_key="x" * 40), manage_database=False)
    statuses = []

    with clock_module.use_clock(clock_module.FrozenClock(info.now)):
        for login in (info.admin, info.province_coordinator, info.ward_coordinator):
            user = await User.get(email=login.email)
            client = await signed_in(app, user, password=login.password)
            statuses.append((await client.get(f"/campaigns/{info.campaign_id}")).status_code)
            api = await new_client(app).get(
                f"/api/v1/campaigns/{info.campaign_id}/report",
                headers={"Authorization": f"Bearer {login.token}"},
            )
            statuses.append(api.status_code)
        public = await new_client(app).get(f"/public/stations/{info.station_code}")
        statuses.append(public.status_code)

    assert statuses == [200] * 7
