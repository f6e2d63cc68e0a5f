"""Web sessions kept on the server, so signing out ends them for every copy of the cookie.

The session cookie carries a random key; ``web_session`` keeps only its SHA-256, the user
and when it expires. A request is signed in while the row exists, has not expired, its user
is active and the session's *version* still matches (a digest of what the sign-in vouched
for: e-mail, password hash, role, unit, active), so changing any of them signs that user
out everywhere on their next request. Signing out deletes the row; "sign out everywhere"
deletes all the user's rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from tortoise.transactions import in_transaction

from stations import clock
from stations.i18n import _
from stations.models import User, WebSession
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.errors import NotFound, PermissionDenied
from stations.services.permissions import ADMINS_ONLY, Principal

#: A coordinator signs in once for a holiday week, not every morning of it.
SESSION_LIFETIME = dt.timedelta(days=7)
#: ``secrets.token_urlsafe(32)`` is 43 characters; anything much longer is not ours.
MAX_KEY_LENGTH = 100
NO_SUCH_USER = _("There is no such user.")


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def session_version(user: User) -> str:
    """A digest of what a session vouches for; it changes when any of it changes."""
    vouched = "|".join(
        str(part)
        for part in (
            user.id,
            user.email,
            user.password_hash,
            user.role,
            user.unit_id,
            user.is_active,
        )
    )
    return hashlib.sha256(vouched.encode("utf-8")).hexdigest()[:32]


async def open_session(user: User) -> str:
    """A new session for ``user``; returns its key, which exists only in the cookie."""
    now = clock.now()
    key = secrets.token_urlsafe(32)
    await WebSession.create(
        key_hash=_key_hash(key), user=user, created_at=now, expires_at=now + SESSION_LIFETIME
    )
    # Sessions nobody signed out of expire here, a few at each sign-in.
    await WebSession.filter(expires_at__lte=now).delete()
    return key


async def user_for_session(key: object, version: object) -> User | None:
    """The user a session stands for, or None when it no longer stands for anyone."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        return None
    if not isinstance(version, str):
        return None
    session = await WebSession.get_or_none(
        key_hash=_key_hash(key), expires_at__gt=clock.now()
    ).select_related("user")
    if session is None or not session.user.is_active:
        return None
    if session_version(session.user) != version:
        return None
    return session.user


async def close_session(key: object) -> None:
    """End the session with this key (nothing when there is none)."""
    if isinstance(key, str) and key and len(key) <= MAX_KEY_LENGTH:
        await WebSession.filter(key_hash=_key_hash(key)).delete()


async def user_by_id(user_id: int | None) -> User:
    """The user with this id, or ``NotFound``."""
    user = await User.get_or_none(id=user_id) if user_id is not None else None
    if user is None:
        raise NotFound(NO_SUCH_USER)
    return user


async def user_by_email(email: str) -> User:
    """The user with this e-mail address (as typed: trimmed, any case), or ``NotFound``."""
    user = await User.get_or_none(email=email.strip().lower())
    if user is None:
        raise NotFound(NO_SUCH_USER, field="email")
    return user


async def close_all_sessions(user: User, *, by: Principal | Actor) -> int:
    """End every session of ``user``, in every browser; returns how many there were.

    A principal must be the user themself or an administrator; an ``Actor`` is the
    server's operator (the command line)."""
    if isinstance(by, Principal) and by.user_id != user.id and not by.is_admin:
        raise PermissionDenied(ADMINS_ONLY)
    async with in_transaction():
        ended = await WebSession.filter(user_id=user.id).delete()
        await record_event(
            by.actor if isinstance(by, Principal) else by,
            "user.sign_out_everywhere",
            object_type="user",
            object_id=user.id,
            data={"sessions": ended},
        )
    return ended
