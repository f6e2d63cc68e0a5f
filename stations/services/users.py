"""Coordinators' web logins and the bearer tokens of the JSON API.

Passwords are kept only as argon2 hashes; API tokens only as their SHA-256, so a copy of
the database gives an attacker neither.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import Language, UserRole
from stations.i18n import _, translate
from stations.labels import USER_ROLE_LABELS
from stations.models import ApiToken, Unit, User
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.units import normalize_unit_code
from stations.services.validation import check_choice, check_optional_text, check_required_text

MIN_PASSWORD_LENGTH = 10
#: argon2 takes any length; a bound keeps one request from hashing a megabyte.
MAX_PASSWORD_LENGTH = 256
MAX_EMAIL_LENGTH = 254
MAX_FULL_NAME_LENGTH = 200
MAX_TOKEN_NAME_LENGTH = 100
API_TOKEN_PREFIX = "ws_"
#: Writing ``last_used_at`` on every request would turn each API read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

# Deliberately narrower than RFC 5322: one @, a dotted domain, no spaces or quotes.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    # Verified against when no user has the e-mail, so "no such user" takes as long as
    # "wrong password" and the answer time does not reveal who has an account.
    return _hasher.hash(secrets.token_urlsafe(16))


def normalize_email(email: object) -> str:
    """``email`` trimmed and lower-cased, or ``InvalidInput`` when it is not an address."""
    if not isinstance(email, str):
        raise InvalidInput(_("Enter a valid e-mail address."), field="email")
    normalized = email.strip().lower()
    if len(normalized) > MAX_EMAIL_LENGTH or not _EMAIL.match(normalized):
        raise InvalidInput(_("Enter a valid e-mail address."), field="email")
    local_part = normalized.split("@", 1)[0]
    if len(local_part) > 64 or local_part.startswith(".") or ".." in normalized:
        raise InvalidInput(_("Enter a valid e-mail address."), field="email")
    return normalized


def check_password(password: object) -> str:
    """``password`` when it is acceptable as a new password, else ``InvalidInput``."""
    if not isinstance(password, str) or not (
        MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH
    ):
        raise InvalidInput(
            _("A password must be {min} to {max} characters long."),
            field="password",
            min=MIN_PASSWORD_LENGTH,
            max=MAX_PASSWORD_LENGTH,
        )
    if not password.strip():
        raise InvalidInput(_("A password cannot be only spaces."), field="password")
    return password


def _check_role(role: object) -> UserRole:
    return check_choice(role, UserRole, field="role", message=_("Role must be one of: {choices}."))


def user_role_label(role: UserRole | str, language: str | Language | None) -> str:
    """The role as its reader says it: "coordinator" → "điều phối viên"."""
    return translate(USER_ROLE_LABELS[_check_role(role)], language)


async def _resolve_unit(unit: Unit | str | None) -> Unit | None:
    """A unit given as a model or by its code (as typed in a form or on the command line)."""
    if unit is None or isinstance(unit, Unit):
        return unit
    if not isinstance(unit, str) or not unit.strip():
        raise InvalidInput(_("Give a unit code."), field="unit")
    try:
        # Codes are stored upper-case, so "cap-sadec" finds CAP-SADEC.
        code = normalize_unit_code(unit)
    except InvalidInput:
        code = None  # cannot be any unit's code
    found = await Unit.get_or_none(code=code) if code else None
    if found is None:
        raise NotFound(
            _("There is no unit with code “{code}”."), field="unit", code=code or unit.strip()
        )
    return found


async def _hash_password(password: str) -> str:
    # argon2 is CPU work by design (tens of milliseconds): keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def _verify_password(password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(_hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def create_user(
    *,
    email: str,
    password: str,
    role: UserRole | str,
    by: Actor,
    unit: Unit | str | None = None,
    full_name: str = "",
) -> User:
    """Create a web login. ``unit`` (a model or a unit code) scopes a coordinator."""
    email = normalize_email(email)
    password = check_password(password)
    user_role = _check_role(role)
    name = check_optional_text(
        full_name,
        field="full_name",
        max_length=MAX_FULL_NAME_LENGTH,
        too_long=_("A name can be at most {max} characters."),
    )
    scope = await _resolve_unit(unit)
    if await User.exists(email=email):
        raise Conflict(_("A user with e-mail {email} already exists."), field="email", email=email)
    password_hash = await _hash_password(password)
    try:
        async with in_transaction():
            user = await User.create(
                email=email,
                full_name=name,
                password_hash=password_hash,
                role=user_role,
                unit=scope,
            )
            await record_event(
                by,
                "user.create",
                object_type="user",
                object_id=user.id,
                data={
                    "email": email,
                    "role": user_role.value,
                    "unit": scope.code if scope else None,
                },
            )
    except IntegrityError:
        # Someone created the same e-mail between our check and our insert.
        raise Conflict(
            _("A user with e-mail {email} already exists."), field="email", email=email
        ) from None
    return user


async def authenticate_user(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None. Takes as long either way."""
    try:
        normalized = normalize_email(email)
    except InvalidInput:
        normalized = None
    user = await User.get_or_none(email=normalized, is_active=True) if normalized else None
    if user is None or not isinstance(password, str):
        await _verify_password(_dummy_hash(), password if isinstance(password, str) else "")
        return None
    if not await _verify_password(user.password_hash, password):
        return None
    user.last_login_at = clock.now()
    update_fields = ["last_login_at"]
    if _hasher.check_needs_rehash(user.password_hash):
        # The hasher's parameters were raised since this hash was made.
        user.password_hash = await _hash_password(password)
        update_fields.append("password_hash")
    await user.save(update_fields=update_fields)
    return user


async def set_password(user: User, password: str, *, by: Actor) -> User:
    password = check_password(password)
    password_hash = await _hash_password(password)
    async with in_transaction():
        user.password_hash = password_hash
        await user.save(update_fields=["password_hash"])
        await record_event(by, "user.set_password", object_type="user", object_id=user.id)
    return user


def _token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _check_token_name(name: object) -> str:
    return check_required_text(
        name,
        field="name",
        max_length=MAX_TOKEN_NAME_LENGTH,
        message=_("A token name must be 1 to {max} characters long."),
    )


async def create_api_token(
    name: str, *, role: UserRole | str = UserRole.ADMIN, by: Actor, unit: Unit | str | None = None
) -> tuple[ApiToken, str]:
    """A new API token and its plaintext, which exists only in this return value."""
    name = _check_token_name(name)
    token_role = _check_role(role)
    scope = await _resolve_unit(unit)
    existing = await ApiToken.get_or_none(name=name)
    if existing is not None:
        raise _name_taken(name, revoked=existing.revoked_at is not None)
    plaintext = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        async with in_transaction():
            token = await ApiToken.create(
                name=name, token_hash=_token_hash(plaintext), role=token_role, unit=scope
            )
            await record_event(
                by,
                "api_token.create",
                object_type="api_token",
                object_id=token.id,
                data={"name": name, "role": token_role.value},
            )
    except IntegrityError:
        # Someone created a token of this name between our check and our insert.
        raise _name_taken(name, revoked=False) from None
    return token, plaintext


def _name_taken(name: str, *, revoked: bool) -> Conflict:
    # A revoked token keeps its name, so a name in the audit trail stands for one token.
    if revoked:
        return Conflict(
            _("An API token named “{name}” exists and was revoked: choose another name."),
            field="name",
            name=name,
        )
    return Conflict(_("An API token named “{name}” already exists."), field="name", name=name)


async def authenticate_api_token(plaintext: str) -> ApiToken | None:
    """The live token ``plaintext`` stands for, or None."""
    if not isinstance(plaintext, str) or not plaintext.startswith(API_TOKEN_PREFIX):
        return None
    if len(plaintext) > 200:
        return None
    token = await ApiToken.get_or_none(token_hash=_token_hash(plaintext), revoked_at=None)
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests write it once rather than each in turn.
        await ApiToken.filter(
            Q(last_used_at=None) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION), id=token.id
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


@dataclass(frozen=True, slots=True)
class TokenRevocation:
    token: ApiToken
    #: True when the token was revoked before this call, which then changed nothing.
    already_revoked: bool


async def revoke_api_token(name: str, *, by: Actor) -> TokenRevocation:
    """Revoke the token named ``name``; revoking a revoked token changes nothing."""
    name = _check_token_name(name)
    token = await ApiToken.get_or_none(name=name)
    if token is None:
        raise NotFound(_("There is no API token named “{name}”."), field="name", name=name)
    if token.revoked_at is not None:
        return TokenRevocation(token, already_revoked=True)
    async with in_transaction():
        token.revoked_at = clock.now()
        await token.save(update_fields=["revoked_at"])
        await record_event(
            by, "api_token.revoke", object_type="api_token", object_id=token.id, data={"name": name}
        )
    return TokenRevocation(token, already_revoked=False)


async def list_api_tokens() -> list[ApiToken]:
    """Every API token, newest first, revoked ones included (the list shows their state)."""
    return await ApiToken.all().order_by("-created_at", "-id").prefetch_related("unit")
