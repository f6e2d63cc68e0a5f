"""Coordinators' logins and API tokens: hashes only, validated input, constant-ish answers."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from argon2 import PasswordHasher

from stations.enums import UserRole
from stations.models import ApiToken, AuditEvent, User
from stations.services.actor import Actor
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.users import (
    authenticate_api_token,
    authenticate_user,
    create_api_token,
    create_user,
    list_api_tokens,
    revoke_api_token,
    set_password,
    user_role_label,
)
from tests.factories import make_unit

ADMIN = Actor.system("test")
PASSWORD = "mật khẩu đủ dài 2027"
#: Cheap parameters, so tests can plant a user without paying for a real hash.
WEAK_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


async def _plant_user(email: str = "an@example.vn", **overrides: object) -> User:
    values: dict[str, object] = {
        "email": email,
        "password_hash": WEAK_HASHER.hash(PASSWORD),
        "role": UserRole.COORDINATOR,
    }
    values.update(overrides)
    return await User.create(**values)


async def test_create_user_stores_an_argon2_hash_and_a_lower_case_email(db):
    unit = await make_unit(code="CAP-SADEC")

    user = await create_user(
        email="  Coordinator@Example.VN ",
        password=PASSWORD,
        role="coordinator",
        unit="CAP-SADEC",
        full_name=" Trần  Thị Mai ",
        by=ADMIN,
    )

    stored = await User.get(id=user.id)
    assert (stored.email, stored.role, stored.unit_id, stored.full_name) == (
        "coordinator@example.vn",
        UserRole.COORDINATOR,
        unit.id,
        "Trần Thị Mai",
    )
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert await AuditEvent.filter(action="user.create", object_id=user.id).count() == 1


@pytest.mark.parametrize(
    "email",
    [
        "",
        "an",
        "an@",
        "@example.vn",
        "an@example",
        "an @example.vn",
        "an@@example.vn",
        "a..b@x.vn",
        None,
    ],
)
async def test_create_user_bad_email_is_rejected(db, email):
    with pytest.raises(InvalidInput) as caught:
        await create_user(email=email, password=PASSWORD, role="admin", by=ADMIN)

    assert caught.value.field == "email"
    assert await User.all().count() == 0


@pytest.mark.parametrize("password", ["ngan", "123456789", " " * 12, "x" * 257, None])
async def test_create_user_bad_password_is_rejected(db, password):
    with pytest.raises(InvalidInput) as caught:
        await create_user(email="an@example.vn", password=password, role="admin", by=ADMIN)

    assert caught.value.field == "password"
    assert await User.all().count() == 0


async def test_create_user_unknown_role_is_rejected(db):
    with pytest.raises(InvalidInput) as caught:
        await create_user(email="an@example.vn", password=PASSWORD, role="boss", by=ADMIN)

    assert caught.value.field == "role"
    assert await User.all().count() == 0


async def test_create_user_unit_code_in_lower_case_finds_the_unit(db):
    unit = await make_unit(code="CAX-CAIBE")

    user = await create_user(
        email="an@example.vn", password=PASSWORD, role="coordinator", unit=" cax-caibe ", by=ADMIN
    )

    assert (await User.get(id=user.id)).unit_id == unit.id


@pytest.mark.parametrize("unit", ["NOPE", "có dấu", "A" * 33])
async def test_create_user_unknown_or_impossible_unit_code_is_not_found(db, unit):
    with pytest.raises(NotFound) as caught:
        await create_user(
            email="an@example.vn", password=PASSWORD, role="viewer", unit=unit, by=ADMIN
        )

    assert caught.value.field == "unit"
    assert await User.all().count() == 0


async def test_create_user_unknown_unit_is_rejected(db):
    with pytest.raises(NotFound) as caught:
        await create_user(
            email="an@example.vn", password=PASSWORD, role="viewer", unit="NOPE", by=ADMIN
        )

    assert caught.value.field == "unit"
    assert await User.all().count() == 0


async def test_create_user_too_long_name_is_rejected(db):
    with pytest.raises(InvalidInput) as caught:
        await create_user(
            email="an@example.vn", password=PASSWORD, role="viewer", full_name="A" * 201, by=ADMIN
        )

    assert caught.value.field == "full_name"


async def test_create_user_existing_email_in_other_case_is_a_conflict(db):
    await _plant_user("an@example.vn")

    with pytest.raises(Conflict) as caught:
        await create_user(email="AN@example.vn", password=PASSWORD, role="admin", by=ADMIN)

    assert caught.value.field == "email"
    assert await User.all().count() == 1


async def test_authenticate_user_right_password_returns_the_user_and_notes_the_login(db, clock):
    planted = await _plant_user("an@example.vn", password_hash=PasswordHasher().hash(PASSWORD))

    user = await authenticate_user("An@Example.vn", PASSWORD)

    assert user is not None
    assert user.id == planted.id
    assert (await User.get(id=planted.id)).last_login_at == clock.now()


async def test_authenticate_user_wrong_password_returns_none(db):
    await _plant_user("an@example.vn")

    assert await authenticate_user("an@example.vn", "not the password") is None


async def test_authenticate_user_unknown_email_returns_none(db):
    assert await authenticate_user("nobody@example.vn", PASSWORD) is None


async def test_authenticate_user_inactive_user_returns_none(db):
    await _plant_user("an@example.vn", is_active=False)

    assert await authenticate_user("an@example.vn", PASSWORD) is None


async def test_authenticate_user_rehashes_a_hash_made_with_weaker_parameters(db):
    planted = await _plant_user("an@example.vn")

    assert await authenticate_user("an@example.vn", PASSWORD) is not None

    rehashed = (await User.get(id=planted.id)).password_hash
    assert rehashed != planted.password_hash
    assert not PasswordHasher().check_needs_rehash(rehashed)
    assert PasswordHasher().verify(rehashed, PASSWORD)


async def test_set_password_replaces_the_hash(db):
    user = await _plant_user("an@example.vn")

    await set_password(user, "một mật khẩu mới hơn", by=ADMIN)

    stored = (await User.get(id=user.id)).password_hash
    assert PasswordHasher().verify(stored, "một mật khẩu mới hơn")
    assert await AuditEvent.filter(action="user.set_password", object_id=user.id).count() == 1


async def test_set_password_too_short_is_rejected_and_keeps_the_old_hash(db):
    user = await _plant_user("an@example.vn")

    with pytest.raises(InvalidInput) as caught:
        await set_password(user, "short", by=ADMIN)

    assert caught.value.field == "password"
    assert (await User.get(id=user.id)).password_hash == user.password_hash


async def test_create_api_token_stores_only_the_sha256_of_a_prefixed_token(db):
    token, plaintext = await create_api_token("Bảng điều khiển tỉnh", role="viewer", by=ADMIN)

    stored = await ApiToken.get(id=token.id)
    assert plaintext.startswith("ws_")
    assert len(plaintext) > 40
    assert stored.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert (stored.name, stored.role) == ("Bảng điều khiển tỉnh", UserRole.VIEWER)


async def test_authenticate_api_token_accepts_the_token_and_notes_its_use(db, clock):
    token, plaintext = await create_api_token("dashboard", by=ADMIN)

    found = await authenticate_api_token(plaintext)

    assert found is not None
    assert found.id == token.id
    assert (await ApiToken.get(id=token.id)).last_used_at == clock.now()


async def test_authenticate_api_token_writes_last_use_at_most_once_a_minute(db, clock):
    token, plaintext = await create_api_token("dashboard", by=ADMIN)
    first_use = clock.now()
    await authenticate_api_token(plaintext)

    clock.advance(dt.timedelta(seconds=30))
    await authenticate_api_token(plaintext)
    after_half_a_minute = (await ApiToken.get(id=token.id)).last_used_at
    clock.advance(dt.timedelta(seconds=31))
    await authenticate_api_token(plaintext)
    after_a_minute = (await ApiToken.get(id=token.id)).last_used_at

    assert (after_half_a_minute, after_a_minute) == (first_use, clock.now())


@pytest.mark.parametrize("plaintext", ["", "ws_", "ws_not-a-token", "Bearer ws_x", None, 42])
async def test_authenticate_api_token_unknown_token_returns_none(db, plaintext):
    await create_api_token("dashboard", by=ADMIN)

    assert await authenticate_api_token(plaintext) is None


async def test_revoke_api_token_makes_the_token_useless(db):
    _token, plaintext = await create_api_token("dashboard", by=ADMIN)

    revoked = await revoke_api_token("dashboard", by=ADMIN)

    assert (revoked.token.revoked_at is not None, revoked.already_revoked) == (True, False)
    assert await authenticate_api_token(plaintext) is None
    assert await AuditEvent.filter(action="api_token.revoke").count() == 1


async def test_revoke_api_token_twice_changes_nothing_the_second_time(db):
    await create_api_token("dashboard", by=ADMIN)
    first = await revoke_api_token("dashboard", by=ADMIN)

    second = await revoke_api_token("dashboard", by=ADMIN)

    assert (second.token.revoked_at, second.already_revoked) == (first.token.revoked_at, True)
    assert await AuditEvent.filter(action="api_token.revoke").count() == 1


async def test_revoke_api_token_unknown_name_is_not_found(db):
    with pytest.raises(NotFound) as caught:
        await revoke_api_token("nope", by=ADMIN)

    assert caught.value.field == "name"


async def test_create_api_token_duplicate_name_is_a_conflict(db):
    await create_api_token("dashboard", by=ADMIN)

    with pytest.raises(Conflict) as caught:
        await create_api_token(" dashboard ", by=ADMIN)

    assert caught.value.field == "name"
    assert caught.value.translated("en") == "An API token named “dashboard” already exists."
    assert await ApiToken.all().count() == 1


async def test_create_api_token_name_of_a_revoked_token_is_a_conflict_that_says_so(db):
    await create_api_token("dashboard", by=ADMIN)
    await revoke_api_token("dashboard", by=ADMIN)

    with pytest.raises(Conflict) as caught:
        await create_api_token("dashboard", by=ADMIN)

    assert caught.value.field == "name"
    assert caught.value.translated("en") == (
        "An API token named “dashboard” exists and was revoked: choose another name."
    )
    assert await ApiToken.all().count() == 1


async def test_create_api_token_unit_code_in_lower_case_finds_the_unit(db):
    unit = await make_unit(code="PC08")

    token, _plaintext = await create_api_token("pc08 board", unit="pc08", by=ADMIN)

    assert (await ApiToken.get(id=token.id)).unit_id == unit.id


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": None}, "name"),
        ({"name": "ok", "role": "root"}, "role"),
        ({"name": "ok", "unit": "NOPE"}, "unit"),
    ],
)
async def test_create_api_token_bad_input_is_rejected(db, kwargs, field):
    options = dict(kwargs)

    with pytest.raises((InvalidInput, NotFound)) as caught:
        await create_api_token(options.pop("name"), by=ADMIN, **options)

    assert caught.value.field == field
    assert await ApiToken.all().count() == 0


async def test_list_api_tokens_lists_newest_first_with_revoked_ones(db):
    await create_api_token("first", by=ADMIN)
    await create_api_token("second", by=ADMIN)
    await revoke_api_token("first", by=ADMIN)

    tokens = await list_api_tokens()

    assert [(t.name, t.revoked_at is not None) for t in tokens] == [
        ("second", False),
        ("first", True),
    ]


@pytest.mark.parametrize(
    ("role", "language", "label"),
    [
        ("admin", "vi", "quản trị viên"),
        (UserRole.COORDINATOR, "vi", "điều phối viên"),
        ("viewer", "vi", "người xem"),
        ("admin", "en", "administrator"),
        ("coordinator", "en", "coordinator"),
    ],
)
def test_user_role_label_speaks_the_readers_language(role, language, label):
    assert user_role_label(role, language) == label
