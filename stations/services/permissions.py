"""Who may see and change what: roles and unit scopes, for the web pages and the JSON API.

A principal is a signed-in user or an API token. Admins, and any login or token without a
unit, are province-wide. A coordinator or viewer with a unit sees that unit and every unit
below it; stations and volunteers outside it are neither listed nor reachable by id. A
station or volunteer with no unit belongs to no ward, so only province-wide principals see it.
Viewers read, never write.

Something outside one's scope is answered exactly as something that does not exist (404,
the same message): an id tells nobody what lies in another unit. Callers that answer an
unknown id with their own ``NotFound`` pass it as ``missing``, so the two cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass

from stations.enums import Language, UserRole
from stations.i18n import _, normalize_language
from stations.models import ApiToken, Station, User, Volunteer
from stations.services.actor import Actor
from stations.services.errors import InvalidInput, NotFound, PermissionDenied, StationsError
from stations.services.queries.unit_tree import unit_tree

READ_ONLY = _("Your account can only look, not change anything.")
ADMINS_ONLY = _("Only administrators can do this.")
CAMPAIGN_MANAGERS_ONLY = _(
    "Only administrators and province-wide coordinators can create, change or close campaigns."
)
NO_SUCH_STATION = _("There is no station with id {id}.")
NO_SUCH_VOLUNTEER = _("There is no volunteer with id {id}.")
UNIT_OUT_OF_SCOPE = _("This unit is outside your scope.")
CHOOSE_YOUR_UNIT = _("Choose one of your units.")


@dataclass(frozen=True)
class Principal:
    """Someone acting through the web or the API, with what they may reach."""

    role: UserRole
    #: the units in scope; None: province-wide (admins, and logins or tokens without a unit)
    unit_ids: frozenset[int] | None
    actor: Actor
    language: Language
    user_id: int | None
    token_id: int | None
    name: str

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.ADMIN

    @property
    def can_change(self) -> bool:
        return self.role is not UserRole.VIEWER

    @property
    def is_province_wide(self) -> bool:
        return self.unit_ids is None

    def sees_unit(self, unit_id: int | None) -> bool:
        """Whether something of ``unit_id`` is in scope (None: no unit, province-wide only)."""
        if self.unit_ids is None:
            return True
        return unit_id is not None and unit_id in self.unit_ids


async def units_in_scope(unit_id: int | None) -> frozenset[int] | None:
    """``unit_id`` and every unit below it, or None (province-wide) for no unit.

    The unit tree is small (a country has a few hundred units), so it is read in one query
    and walked in memory rather than with a recursive query per dialect."""
    if unit_id is None:
        return None
    return (await unit_tree()).subtree(unit_id)


async def principal_for_user(user: User) -> Principal:
    """The principal of a signed-in web user."""
    role = UserRole(user.role)
    return Principal(
        role=role,
        unit_ids=None if role is UserRole.ADMIN else await units_in_scope(user.unit_id),
        actor=Actor.user(user.id, user.email),
        language=normalize_language(user.language),
        user_id=user.id,
        token_id=None,
        name=user.full_name or user.email,
    )


async def principal_for_api_token(token: ApiToken) -> Principal:
    """The principal of a bearer token; its language is the service's default until the
    caller's ``Accept-Language`` says otherwise (``dataclasses.replace``)."""
    role = UserRole(token.role)
    return Principal(
        role=role,
        unit_ids=None if role is UserRole.ADMIN else await units_in_scope(token.unit_id),
        actor=Actor.api(token.id, token.name),
        language=normalize_language(None),
        user_id=None,
        token_id=token.id,
        name=token.name,
    )


def check_can_change(principal: Principal) -> None:
    if not principal.can_change:
        raise PermissionDenied(READ_ONLY)


def check_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(ADMINS_ONLY)


def check_can_manage_campaigns(principal: Principal) -> None:
    """Campaigns span the province: only admins and province-wide coordinators shape them."""
    if principal.is_admin:
        return
    if principal.role is not UserRole.COORDINATOR or not principal.is_province_wide:
        raise PermissionDenied(CAMPAIGN_MANAGERS_ONLY)


def check_can_view_station(
    principal: Principal, station: Station, *, missing: StationsError | None = None
) -> None:
    """Refuse a station outside the scope as if it did not exist: ``missing``, or the
    API's own answer to an unknown ``station_id``."""
    if not principal.sees_unit(station.unit_id):
        raise missing or NotFound(NO_SUCH_STATION, field="station_id", id=station.id)


def check_can_change_station(
    principal: Principal, station: Station, *, missing: StationsError | None = None
) -> None:
    # Scope first: a viewer must not learn from a 403 that a station of another unit exists.
    check_can_view_station(principal, station, missing=missing)
    check_can_change(principal)


def check_can_view_volunteer(
    principal: Principal, volunteer: Volunteer, *, missing: StationsError | None = None
) -> None:
    """Refuse a volunteer outside the scope as if they did not exist (see above)."""
    if not principal.sees_unit(volunteer.unit_id):
        raise missing or NotFound(NO_SUCH_VOLUNTEER, field="volunteer_id", id=volunteer.id)


def check_can_change_volunteer(
    principal: Principal, volunteer: Volunteer, *, missing: StationsError | None = None
) -> None:
    check_can_view_volunteer(principal, volunteer, missing=missing)
    check_can_change(principal)


def check_can_use_unit(principal: Principal, unit_id: int | None) -> None:
    """For a form that puts a station or volunteer into a unit: only a unit in scope.

    No unit at all is for province-wide principals; for anyone else it is a field left
    empty (``InvalidInput`` on ``unit``), not a refusal."""
    check_can_change(principal)
    if unit_id is None and not principal.is_province_wide:
        raise InvalidInput(CHOOSE_YOUR_UNIT, field="unit")
    if not principal.sees_unit(unit_id):
        raise PermissionDenied(UNIT_OUT_OF_SCOPE)
