"""The web logins with their live sessions, as the administrators' page lists them."""

from __future__ import annotations

import datetime as dt

from stations.enums import UserRole
from stations.services.queries.user_sessions import users_with_sessions
from stations.services.sessions import open_session
from tests.factories import make_unit
from tests.sql import count_queries
from tests.stations.web.helpers import make_user


async def test_live_sessions_are_counted_per_user_and_expired_ones_left_out(db, clock) -> None:
    lan = await make_user(full_name="Nguyễn Thị Lan", unit=await make_unit(name="Công an xã A"))
    binh = await make_user(full_name="Trần Văn Bình", role=UserRole.ADMIN)
    await open_session(lan)  # expires before the moment the page is read
    clock.advance(dt.timedelta(days=8))
    await open_session(lan)
    clock.advance(dt.timedelta(hours=1))
    newest = clock.now()
    await open_session(lan)

    listed = await users_with_sessions(now=clock.now())

    assert [
        (u.full_name, u.role, u.unit_name, u.active_sessions, u.newest_session_at) for u in listed
    ] == [
        ("Nguyễn Thị Lan", UserRole.COORDINATOR, "Công an xã A", 2, newest),
        ("Trần Văn Bình", UserRole.ADMIN, "", 0, None),
    ]
    assert binh.id == listed[1].id


async def test_the_list_costs_two_queries_whatever_the_number_of_users(
    db, clock, monkeypatch
) -> None:
    for n in range(5):
        user = await make_user(unit=await make_unit())
        for _ in range(n):
            await open_session(user)
    statements = count_queries(monkeypatch)

    listed = await users_with_sessions(now=clock.now())

    assert sorted(u.active_sessions for u in listed) == [0, 1, 2, 3, 4]
    assert len(statements) == 2
