"""Roles and unit scopes: who sees and changes which stations, volunteers and campaigns."""

from __future__ import annotations

import pytest

from stations.enums import ActorKind, Language, UserRole
from stations.models import Unit, User
from stations.services.actor import Actor
from stations.services.errors import InvalidInput, NotFound, PermissionDenied
from stations.services.permissions import (
    check_admin,
    check_can_change,
    check_can_change_station,
    check_can_change_volunteer,
    check_can_manage_campaigns,
    check_can_use_unit,
    check_can_view_station,
    check_can_view_volunteer,
    principal_for_api_token,
    principal_for_user,
    units_in_scope,
)
from stations.services.users import create_api_token
from tests.factories import make_station, make_unit, make_volunteer


async def _tree() -> tuple[Unit, Unit, Unit, Unit]:
    """province → ward A → hamlet A1; province → ward B."""
    province = await make_unit(code="TINH")
    ward_a = await make_unit(code="XA-A", parent=province)
    hamlet = await make_unit(code="AP-A1", parent=ward_a)
    ward_b = await make_unit(code="XA-B", parent=province)
    return province, ward_a, hamlet, ward_b


def _user(role: UserRole, unit: Unit | None, **extra) -> User:
    return User(
        id=7,
        email="an@example.vn",
        full_name=extra.get("full_name", ""),
        role=role,
        unit_id=unit.id if unit else None,
        language=extra.get("language", Language.VI),
        password_hash="x",
    )


async def test_scope_is_the_unit_and_every_unit_below_it(db):
    province, ward_a, hamlet, ward_b = await _tree()

    assert await units_in_scope(ward_a.id) == frozenset({ward_a.id, hamlet.id})
    assert await units_in_scope(province.id) == frozenset(
        {province.id, ward_a.id, hamlet.id, ward_b.id}
    )
    assert await units_in_scope(None) is None


async def test_scope_walk_stops_on_a_damaged_tree_with_a_loop(db):
    first = await make_unit(code="LOOP-1")
    second = await make_unit(code="LOOP-2", parent=first)
    await Unit.filter(id=first.id).update(parent_id=second.id)

    assert await units_in_scope(first.id) == frozenset({first.id, second.id})


async def test_user_principal_carries_role_scope_actor_and_language(db):
    _province, ward_a, hamlet, _ward_b = await _tree()

    principal = await principal_for_user(
        _user(UserRole.COORDINATOR, ward_a, full_name="Nguyễn An", language=Language.EN)
    )

    assert principal.unit_ids == frozenset({ward_a.id, hamlet.id})
    assert principal.actor == Actor.user(7, "an@example.vn")
    assert (principal.language, principal.name, principal.user_id) == (Language.EN, "Nguyễn An", 7)
    assert (principal.can_change, principal.is_admin, principal.is_province_wide) == (
        True,
        False,
        False,
    )


async def test_admin_is_province_wide_even_with_a_unit(db):
    _province, ward_a, _hamlet, ward_b = await _tree()

    principal = await principal_for_user(_user(UserRole.ADMIN, ward_a))

    assert principal.unit_ids is None
    assert principal.sees_unit(ward_b.id) and principal.sees_unit(None)


async def test_api_token_principal_takes_the_tokens_role_and_unit(db):
    _province, ward_a, hamlet, _ward_b = await _tree()
    token, _plaintext = await create_api_token(
        "ward-a-app", role=UserRole.VIEWER, unit=ward_a, by=Actor.system()
    )

    principal = await principal_for_api_token(token)

    assert principal.unit_ids == frozenset({ward_a.id, hamlet.id})
    assert principal.actor.kind is ActorKind.API
    assert (principal.token_id, principal.user_id, principal.can_change) == (token.id, None, False)


async def test_coordinator_sees_and_changes_only_stations_in_scope(db):
    _province, ward_a, hamlet, ward_b = await _tree()
    principal = await principal_for_user(_user(UserRole.COORDINATOR, ward_a))
    own = await make_station(unit=hamlet)
    foreign = await make_station(unit=ward_b)

    check_can_view_station(principal, own)
    check_can_change_station(principal, own)
    with pytest.raises(NotFound) as refused:
        check_can_view_station(principal, foreign)
    with pytest.raises(NotFound):
        check_can_change_station(principal, foreign)

    # Word for word what an unknown id gets: nothing says the station exists.
    assert (refused.value.translated("en"), refused.value.field) == (
        f"There is no station with id {foreign.id}.",
        "station_id",
    )


async def test_out_of_scope_answers_with_the_callers_own_not_found(db):
    _province, ward_a, _hamlet, ward_b = await _tree()
    principal = await principal_for_user(_user(UserRole.VIEWER, ward_a))
    foreign = await make_volunteer(unit=ward_b)
    missing = NotFound("There is no such volunteer.")

    with pytest.raises(NotFound) as refused:
        check_can_change_volunteer(principal, foreign, missing=missing)

    # Scope is checked before the role: a viewer learns nothing from a 403 either.
    assert refused.value is missing


async def test_volunteer_without_unit_is_seen_only_province_wide(db):
    _province, ward_a, _hamlet, _ward_b = await _tree()
    ward = await principal_for_user(_user(UserRole.COORDINATOR, ward_a))
    province_wide = await principal_for_user(_user(UserRole.COORDINATOR, None))
    unattached = await make_volunteer()

    check_can_change_volunteer(province_wide, unattached)
    with pytest.raises(NotFound):
        check_can_view_volunteer(ward, unattached)


async def test_viewer_sees_in_scope_but_changes_nothing(db):
    _province, ward_a, _hamlet, _ward_b = await _tree()
    viewer = await principal_for_user(_user(UserRole.VIEWER, ward_a))
    station = await make_station(unit=ward_a)
    volunteer = await make_volunteer(unit=ward_a)

    check_can_view_station(viewer, station)
    check_can_view_volunteer(viewer, volunteer)
    for check in (
        lambda: check_can_change(viewer),
        lambda: check_can_change_station(viewer, station),
        lambda: check_can_change_volunteer(viewer, volunteer),
    ):
        with pytest.raises(PermissionDenied) as refused:
            check()
        assert refused.value.translated("en") == (
            "Your account can only look, not change anything."
        )


@pytest.mark.parametrize(
    ("role", "unit_code", "allowed"),
    [
        (UserRole.ADMIN, None, True),
        (UserRole.COORDINATOR, None, True),
        (UserRole.COORDINATOR, "XA-A", False),
        (UserRole.VIEWER, None, False),
    ],
)
async def test_only_admins_and_province_wide_coordinators_manage_campaigns(
    db, role, unit_code, allowed
):
    await _tree()
    unit = await Unit.get(code=unit_code) if unit_code else None
    principal = await principal_for_user(_user(role, unit))

    if allowed:
        check_can_manage_campaigns(principal)
    else:
        with pytest.raises(PermissionDenied):
            check_can_manage_campaigns(principal)


async def test_check_admin_refuses_coordinators(db):
    principal = await principal_for_user(_user(UserRole.COORDINATOR, None))

    with pytest.raises(PermissionDenied) as refused:
        check_admin(principal)

    assert refused.value.translated("en") == "Only administrators can do this."


async def test_unit_choice_is_checked_against_the_scope(db):
    _province, ward_a, hamlet, ward_b = await _tree()
    ward = await principal_for_user(_user(UserRole.COORDINATOR, ward_a))
    province_wide = await principal_for_user(_user(UserRole.ADMIN, None))

    check_can_use_unit(ward, hamlet.id)
    check_can_use_unit(province_wide, None)
    with pytest.raises(InvalidInput) as empty:
        check_can_use_unit(ward, None)
    with pytest.raises(PermissionDenied):
        check_can_use_unit(ward, ward_b.id)

    assert empty.value.field == "unit"
