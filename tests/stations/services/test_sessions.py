"""Server-side web sessions: opened at sign-in, ended at sign-out, everywhere on request."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

from stations.enums import UserRole
from stations.models import AuditEvent, User, WebSession
from stations.services import users
from stations.services.actor import Actor
from stations.services.errors import NotFound, PermissionDenied
from stations.services.permissions import principal_for_user
from stations.services.sessions import (
    SESSION_LIFETIME,
    close_all_sessions,
    close_session,
    open_session,
    session_version,
    user_by_email,
    user_for_session,
)
from stations.services.users import create_user


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


async def _user(email: str = "an@example.vn", role: UserRole = UserRole.COORDINATOR) -> User:
    return await create_user(
        email=email, password="correct horse battery", role=role, by=Actor.system("tests")
    )


async def test_session_version_changes_with_what_the_session_vouches_for(db, clock):
    user = await _user()
    version = session_version(user)

    user.password_hash = "changed"
    changed_password = session_version(user)
    user.role = UserRole.VIEWER
    changed_role = session_version(user)

    assert len({version, changed_password, changed_role}) == 3


async def test_open_session_stores_only_a_hash_of_the_key(db, clock):
    user = await _user()

    key = await open_session(user)

    [session] = await WebSession.all()
    assert (session.user_id, len(key)) == (user.id, 43)
    assert key not in session.key_hash
    assert session.expires_at == clock.now() + SESSION_LIFETIME


async def test_user_for_session_finds_the_user_only_while_the_version_holds(db, clock):
    user = await _user()
    key, version = await open_session(user), session_version(user)

    found = await user_for_session(key, version)
    await User.filter(id=user.id).update(email="moved@example.vn")
    after_change = await user_for_session(key, version)

    assert found is not None and found.id == user.id
    assert after_change is None


async def test_a_closed_session_stands_for_nobody(db, clock):
    user = await _user()
    key, version = await open_session(user), session_version(user)

    await close_session(key)

    assert await user_for_session(key, version) is None


async def test_a_session_ends_on_the_server_after_its_lifetime(db, clock):
    user = await _user()
    key, version = await open_session(user), session_version(user)

    clock.advance(SESSION_LIFETIME - dt.timedelta(seconds=1))
    still = await user_for_session(key, version)
    clock.advance(dt.timedelta(seconds=1))

    assert still is not None
    assert await user_for_session(key, version) is None


async def test_expired_sessions_are_pruned_at_the_next_sign_in(db, clock):
    user = await _user()
    await open_session(user)
    clock.advance(SESSION_LIFETIME)

    await open_session(user)

    assert await WebSession.all().count() == 1


@pytest.mark.parametrize("key", [None, 1, "", "x" * 101, "not a session key"])
async def test_user_for_session_refuses_malformed_keys(db, clock, key):
    user = await _user()
    await open_session(user)

    assert await user_for_session(key, session_version(user)) is None


async def test_close_all_sessions_ends_every_browser_of_the_user_only(db, clock):
    user, other = await _user(), await _user("binh@example.vn")
    keys = [await open_session(user) for _ in range(3)]
    others = await open_session(other)

    ended = await close_all_sessions(user, by=await principal_for_user(user))

    assert ended == 3
    assert [await user_for_session(key, session_version(user)) for key in keys] == [None] * 3
    assert await user_for_session(others, session_version(other)) is not None
    event = await AuditEvent.get(action="user.sign_out_everywhere")
    assert (event.object_id, event.data, event.actor_id) == (user.id, {"sessions": 3}, user.id)


async def test_an_admin_may_sign_anyone_out_everywhere(db, clock):
    user, admin = await _user(), await _user("admin@example.vn", UserRole.ADMIN)
    await open_session(user)

    ended = await close_all_sessions(user, by=await principal_for_user(admin))

    assert ended == 1


async def test_a_coordinator_may_not_sign_someone_else_out(db, clock):
    user, other = await _user(), await _user("binh@example.vn")
    await open_session(user)

    with pytest.raises(PermissionDenied):
        await close_all_sessions(user, by=await principal_for_user(other))

    assert await WebSession.all().count() == 1


async def test_user_by_email_finds_as_typed_and_refuses_unknown(db, clock):
    user = await _user()

    found = await user_by_email("  AN@example.vn ")

    assert found.id == user.id
    with pytest.raises(NotFound):
        await user_by_email("nobody@example.vn")
