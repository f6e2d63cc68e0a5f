"""The web logins an administrator looks after, each with the browsers it is signed in on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.functions import Count, Max

from stations.enums import UserRole
from stations.models import User, WebSession
from stations.text import fold


@dataclass(frozen=True)
class UserSessions:
    id: int
    email: str
    full_name: str
    role: UserRole
    unit_name: str
    is_active: bool
    #: sessions not yet expired: browsers where the login still opens pages
    active_sessions: int
    #: when the newest of those began, None without one
    newest_session_at: dt.datetime | None
    last_login_at: dt.datetime | None


async def users_with_sessions(*, now: dt.datetime) -> list[UserSessions]:
    """Every web login by name, with its live sessions counted: two queries, whatever the
    number of users or sessions."""
    users = await User.all().select_related("unit")
    live = (
        await WebSession.filter(expires_at__gt=now)
        .annotate(sessions=Count("id"), newest=Max("created_at"))
        .group_by("user_id")
        .values("user_id", "sessions", "newest")
    )
    by_user = {row["user_id"]: row for row in live}
    listed = [
        UserSessions(
            id=user.id,
            email=user.email,
            full_name=user.full_name,
            role=user.role,
            unit_name=user.unit.name if user.unit is not None else "",
            is_active=user.is_active,
            active_sessions=int(by_user.get(user.id, {}).get("sessions") or 0),
            newest_session_at=_aware(by_user.get(user.id, {}).get("newest")),
            last_login_at=user.last_login_at,
        )
        for user in users
    ]
    return sorted(listed, key=lambda u: (fold(u.full_name or u.email), u.email))


def _aware(value: object) -> dt.datetime | None:
    """A MAX() over datetimes comes back as text on SQLite, without its zone on some drivers."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
