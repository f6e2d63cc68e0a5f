"""Signing in: the password check, the pause after repeated failures."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from argon2 import PasswordHasher

from stations.enums import UserRole
from stations.models import SignInAttempt, User
from stations.services import users
from stations.services.actor import Actor
from stations.services.errors import InvalidInput
from stations.services.signin import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    WINDOW,
    TooManyAttempts,
    sign_in,
)
from stations.services.users import create_user

PASSWORD = "correct horse battery"
HERE = "203.0.113.7"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its cheapest: these tests check the limits around the hash, dozens of
    sign-ins each; the hasher's strength is tested in test_users.py."""
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    users._dummy_hash.cache_clear()


async def _user(email: str = "an@example.vn", **overrides) -> User:
    return await create_user(
        email=email,
        password=PASSWORD,
        role=overrides.pop("role", UserRole.COORDINATOR),
        by=Actor.system("tests"),
        **overrides,
    )


async def _fail(email: str, times: int, *, address: str = HERE) -> None:
    for _ in range(times):
        with pytest.raises(InvalidInput):
            await sign_in(email, "wrong password!", address=address)


async def test_sign_in_returns_the_user_for_the_right_password(db, clock):
    user = await _user()

    signed = await sign_in(" An@Example.vn ", PASSWORD, address=HERE)

    assert signed.id == user.id


async def test_wrong_password_is_refused_and_recorded(db, clock):
    await _user()

    with pytest.raises(InvalidInput) as refused:
        await sign_in("an@example.vn", "not the password", address=HERE)

    assert refused.value.translated("vi") == "Địa chỉ email hoặc mật khẩu không đúng."
    assert await SignInAttempt.all().values_list("email", "address") == [("an@example.vn", HERE)]


@pytest.mark.parametrize("password", [None, 12345, "x" * 257, ""])
async def test_passwords_that_cannot_be_right_are_refused_as_wrong(db, clock, password):
    await _user()

    with pytest.raises(InvalidInput):
        await sign_in("an@example.vn", password, address=HERE)


async def test_deactivated_user_cannot_sign_in(db, clock):
    user = await _user()
    await User.filter(id=user.id).update(is_active=False)

    with pytest.raises(InvalidInput):
        await sign_in("an@example.vn", PASSWORD, address=HERE)


async def test_account_is_paused_after_five_failures_even_with_the_right_password(db, clock):
    await _user()
    await _fail("an@example.vn", MAX_FAILURES_PER_ACCOUNT)

    with pytest.raises(TooManyAttempts) as paused:
        await sign_in("an@example.vn", PASSWORD, address="198.51.100.1")

    assert paused.value.minutes == 15
    assert paused.value.http_status == 429
    assert paused.value.translated("en") == ("Too many failed sign-ins. Try again in 15 minutes.")
    assert paused.value.translated("vi") == (
        "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút."
    )


async def test_pause_shrinks_as_the_oldest_failure_ages_and_then_ends(db, clock):
    user = await _user()
    await _fail("an@example.vn", 1)
    clock.advance(dt.timedelta(minutes=10))
    await _fail("an@example.vn", MAX_FAILURES_PER_ACCOUNT - 1)

    with pytest.raises(TooManyAttempts) as paused:
        await sign_in("an@example.vn", PASSWORD, address=HERE)
    clock.advance(dt.timedelta(minutes=5, seconds=1))
    signed = await sign_in("an@example.vn", PASSWORD, address=HERE)

    assert paused.value.minutes == 5
    assert paused.value.translated("en").endswith("in 5 minutes.")
    assert signed.id == user.id


async def test_one_minute_left_is_said_in_the_singular(db, clock):
    await _user()
    await _fail("an@example.vn", MAX_FAILURES_PER_ACCOUNT)
    clock.advance(WINDOW - dt.timedelta(seconds=30))

    with pytest.raises(TooManyAttempts) as paused:
        await sign_in("an@example.vn", PASSWORD, address=HERE)

    assert paused.value.translated("en") == "Too many failed sign-ins. Try again in 1 minute."


async def test_success_clears_the_accounts_failures(db, clock):
    await _user()
    await _fail("an@example.vn", MAX_FAILURES_PER_ACCOUNT - 1)

    await sign_in("an@example.vn", PASSWORD, address=HERE)
    await _fail("an@example.vn", MAX_FAILURES_PER_ACCOUNT - 1)

    assert (await sign_in("an@example.vn", PASSWORD, address=HERE)).email == "an@example.vn"


async def test_address_is_paused_after_twenty_failures_across_accounts(db, clock):
    await _user("binh@example.vn")
    for n in range(MAX_FAILURES_PER_ADDRESS):
        await _fail(f"guess{n}@example.vn", 1)

    with pytest.raises(TooManyAttempts):
        await sign_in("binh@example.vn", PASSWORD, address=HERE)
    other_address = await sign_in("binh@example.vn", PASSWORD, address="198.51.100.9")

    assert other_address.email == "binh@example.vn"


async def test_simultaneous_wrong_passwords_get_only_the_accounts_limit_checked(db, clock):
    await _user()

    results = await asyncio.gather(
        *(sign_in("an@example.vn", f"wrong password {n}", address=HERE) for n in range(30)),
        return_exceptions=True,
    )

    outcomes = sorted(type(result).__name__ for result in results)
    assert outcomes == ["InvalidInput"] * MAX_FAILURES_PER_ACCOUNT + ["TooManyAttempts"] * (
        30 - MAX_FAILURES_PER_ACCOUNT
    )
    assert await SignInAttempt.filter(email="an@example.vn").count() == MAX_FAILURES_PER_ACCOUNT


async def test_simultaneous_guesses_from_one_address_get_only_its_limit_checked(db, clock):
    results = await asyncio.gather(
        *(sign_in(f"guess{n}@example.vn", "wrong password", address=HERE) for n in range(30)),
        return_exceptions=True,
    )

    outcomes = sorted(type(result).__name__ for result in results)
    assert outcomes == ["InvalidInput"] * MAX_FAILURES_PER_ADDRESS + ["TooManyAttempts"] * (
        30 - MAX_FAILURES_PER_ADDRESS
    )


async def test_a_right_password_leaves_no_reservation_behind(db, clock):
    await _user()

    await sign_in("an@example.vn", PASSWORD, address=HERE)

    assert await SignInAttempt.all().count() == 0


async def test_old_failures_are_pruned(db, clock):
    await _fail("an@example.vn", 3)
    clock.advance(WINDOW + dt.timedelta(seconds=1))

    await _fail("binh@example.vn", 1)

    assert await SignInAttempt.all().values_list("email", flat=True) == ["binh@example.vn"]


async def test_missing_address_and_huge_email_are_kept_within_their_columns(db, clock):
    await _fail("x" * 5000, 1, address=None)  # type: ignore[arg-type]

    [attempt] = await SignInAttempt.all()
    assert (len(attempt.email), attempt.address) == (254, "unknown")
