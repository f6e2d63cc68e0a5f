"""Taking messages out of the outbox: claim, mark sent, retry, give up, drop when stale.

A dispatcher *claims* due rows by moving them to ``sending`` with a lease (``lease_until``)
and one more attempt. On PostgreSQL the candidates are read with
``SELECT … FOR UPDATE SKIP LOCKED``, so several dispatchers on one database each take
different rows; on SQLite (one process) every row is claimed by a conditional UPDATE
(``… WHERE status = 'pending'``), which claims a row at most once on both engines.

A row whose lease ran out while ``sending`` belongs to a dispatcher that died: it is
claimed again. A message can go out twice in two ways only: the process died after
Telegram accepted it and before the row was marked; or Telegram accepted it but its
answer came after the client's timeout (``mark_in_doubt``: such a row is sent once more at
most, and a second send in doubt fails it for coordinators to see). The lease check right
before sending (``still_claimed``) keeps a slow dispatcher from sending a row it no longer
holds.

A row still pending after its ``expires_at`` (a reminder for a shift that has begun) is
dropped as stale, not sent, with the reason in ``last_error``.

``due_at`` is when a message is meant to have arrived (its deliver-by). A dispatcher may
claim a row before then, up to a ``horizon`` it plans from ``unsent_by_minute`` (a wave of
reminders due in one hour must start early to arrive in time); ``not_before`` holds a row
back whatever its deliver-by (a back-off after an error, a hand-back).

A message due the moment it was written (a no-show alert, a change to a shift: *urgent*)
is claimed and sent before any scheduled one, even before a wave running late, which
earliest-deadline-first alone would put first.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any, Final

from tortoise.connection import connections
from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from stations.enums import NotificationStatus
from stations.i18n import _, translate
from stations.models import Notification, Volunteer
from stations.services.actor import Actor
from stations.services.errors import InvalidInput
from stations.services.outbox import enqueue_notification
from stations.services.phones import format_phone_local
from stations.services.sql import placeholders
from stations.services.volunteers import mark_unreachable

#: How long a claim holds a row before another dispatcher may take it over.
DEFAULT_LEASE: Final = dt.timedelta(seconds=120)
#: Longest wait between two attempts after transient errors.
MAX_BACKOFF: Final = dt.timedelta(minutes=10)
FIRST_BACKOFF_SECONDS: Final = 10
MAX_CLAIM: Final = 5000
ERROR_MAX: Final = 500
#: ``last_error`` of a row whose last send got no answer: Telegram may have delivered it.
IN_DOUBT: Final = "in doubt: "
#: A claim cut at its limit also takes up to this many more of its last chat's due
#: messages: all of a chat's messages belong in one dispatcher, whose pacer spaces them.
CHAT_REST: Final = 50
#: Urgent messages are paced as if due this much earlier: before any wave, however late.
URGENT_AHEAD: Final = dt.timedelta(days=1)

DISPATCH_ACTOR: Final = Actor.system("dispatcher")

BLOCKED_BY_VOLUNTEER = _(
    "{name} ({phone}) has blocked the bot, so their Telegram messages cannot be delivered. "
    "Please reach them another way."
)


@dataclass(frozen=True, slots=True)
class ClaimedNotification:
    """What a dispatcher needs to send one claimed row, detached from the ORM."""

    id: int
    chat_id: int
    volunteer_id: int | None
    kind: str
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    due_at: dt.datetime
    expires_at: dt.datetime | None
    attempts: int
    lease_until: dt.datetime
    #: due the moment it was written (see the module's docstring)
    urgent: bool = False

    @property
    def deadline(self) -> dt.datetime:
        """What earliest-deadline-first orders by: when the message is meant to have
        arrived, and for an urgent one a day before that."""
        return self.due_at - URGENT_AHEAD if self.urgent else self.due_at


@dataclass(frozen=True, slots=True)
class ClaimResult:
    claimed: list[ClaimedNotification]
    #: pending rows dropped because they expired before they could be sent
    dropped_stale: int
    #: as many were due as asked for: more may be
    full: bool = False


async def claim_due(
    *,
    now: dt.datetime,
    limit: int = 100,
    lease: dt.timedelta = DEFAULT_LEASE,
    horizon: dt.datetime | None = None,
) -> ClaimResult:
    """Claim up to ``limit`` rows due by ``horizon`` (default: ``now``), urgent ones and
    then earliest due first, after dropping the stale ones (and the rest of the last
    chat's, up to ``CHAT_REST``). A row held back (``not_before``) past ``now`` waits.

    Rows left ``sending`` by a dispatcher whose lease ran out are claimed again.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_CLAIM:
        raise InvalidInput(
            _("The claim limit must be a whole number between 1 and {max}."),
            field="limit",
            max=MAX_CLAIM,
        )
    now = now.astimezone(dt.UTC)  # SQLite compares stored UTC text
    dropped = await drop_stale(now=now)
    lease_until = now + lease
    by = max(now, (horizon or now).astimezone(dt.UTC))
    due = Q(
        Q(not_before__isnull=True) | Q(not_before__lte=now),
        status=NotificationStatus.PENDING,
        due_at__lte=by,
    ) | Q(status=NotificationStatus.SENDING, lease_until__lt=now)
    values = {
        "status": NotificationStatus.SENDING,
        "lease_until": lease_until,
        "attempts": F("attempts") + 1,
    }
    ids: list[int] = []
    if _is_postgres():
        async with in_transaction():
            # Locked as they are read: another dispatcher skips them and takes other rows.
            rows, full = await _due_rows(due, limit=limit, lock=True)
            ids = [row["id"] for row in rows]
            if ids:
                await Notification.filter(id__in=ids).update(**values)
    else:
        rows, full = await _due_rows(due, limit=limit, lock=False)
        for row in rows:
            # The same condition again in the UPDATE: a row someone else claimed meanwhile
            # no longer matches, and is left to them.
            still = Notification.filter(id=row["id"], status=row["status"])
            if row["status"] == NotificationStatus.SENDING:
                still = still.filter(lease_until=row["lease_until"])
            if await still.update(**values):
                ids.append(row["id"])
    if not ids:
        return ClaimResult([], dropped, full)
    claimed = await Notification.filter(id__in=ids).order_by(*_CLAIM_ORDER)
    return ClaimResult([_detached(row) for row in claimed], dropped, full)


#: A chat's messages due together stay together (one replica's pacer spaces them).
_CLAIM_ORDER: Final = ("due_at", "chat_id", "id")


async def _due_rows(due: Q, *, limit: int, lock: bool) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` rows matching ``due``, urgent ones first, and, when the limit was
    reached (``full``), up to ``CHAT_REST`` more of the last one's chat. With ``lock``
    (PostgreSQL, in the caller's transaction) each row is locked as read and rows locked by
    another dispatcher are skipped; without, each row comes with the ``status`` and
    ``lease_until`` its conditional claim must find again."""

    async def read(query: QuerySet[Notification], count: int) -> list[dict[str, Any]]:
        query = query.order_by(*_CLAIM_ORDER).limit(count)
        if not lock:
            return await query.values("id", "chat_id", "status", "lease_until")
        # Whole rows, not values(): tortoise drops FOR UPDATE from those.
        locked = await query.select_for_update(skip_locked=True).only("id", "chat_id")
        return [{"id": row.id, "chat_id": row.chat_id} for row in locked]

    rows: list[dict[str, Any]] = []
    # Urgent first (due the moment they were written), then the rest.
    for kind in (Q(due_at__lte=F("created_at")), Q(due_at__gt=F("created_at"))):
        if len(rows) < limit:
            rows += await read(Notification.filter(due, kind), limit - len(rows))
    full = len(rows) == limit
    if full:
        rows += await read(
            Notification.filter(due, chat_id=rows[-1]["chat_id"]).exclude(
                id__in=[row["id"] for row in rows]
            ),
            CHAT_REST,
        )
    return rows, full


async def unsent_by_minute(*, until: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """How many messages still wait to be sent (pending, or claimed and not yet sent) per
    minute of their deliver-by, up to ``until``, earliest first: what a dispatcher plans
    a wave from without reading the rows themselves."""
    connection = connections.get("default")
    dialect = connection.capabilities.dialect
    if dialect == "postgres":
        minute = "date_trunc('minute', due_at)"
    else:
        minute = "strftime('%Y-%m-%d %H:%M:00', due_at)"
    marks = placeholders(dialect, 3)
    sql = (
        f"SELECT {minute} AS minute, COUNT(*) AS n FROM notification"
        f" WHERE status IN ({marks[0]}, {marks[1]}) AND due_at <= {marks[2]}"
        " GROUP BY 1 ORDER BY 1"
    )
    until = until.astimezone(dt.UTC)
    params = [NotificationStatus.PENDING.value, NotificationStatus.SENDING.value]
    _count, rows = await connection.execute_query(sql, [*params, until])
    return [(_as_utc(row["minute"]), int(row["n"])) for row in rows]


def _as_utc(value: dt.datetime | str) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


async def drop_stale(*, now: dt.datetime) -> int:
    """Cancel pending rows whose moment has passed, saying so in ``last_error``."""
    now = now.astimezone(dt.UTC)
    return await Notification.filter(
        Q(status=NotificationStatus.PENDING)
        | Q(status=NotificationStatus.SENDING, lease_until__lt=now),
        expires_at__lte=now,
    ).update(
        status=NotificationStatus.CANCELLED,
        lease_until=None,
        last_error=f"stale: no longer useful after {now.isoformat(timespec='seconds')}",
    )


async def still_claimed(message: ClaimedNotification, *, now: dt.datetime) -> bool:
    """Whether ``message`` is still ours to send: claimed under our lease, not cancelled,
    the lease not run out, the message not expired."""
    if now >= message.lease_until:
        return False
    if message.expires_at is not None and now >= message.expires_at:
        return False
    return await Notification.exists(
        id=message.id, status=NotificationStatus.SENDING, lease_until=message.lease_until
    )


async def mark_sent(message: ClaimedNotification, *, now: dt.datetime) -> bool:
    """Telegram accepted the message. False if the row was no longer ours (already marked)."""
    updated = await Notification.filter(
        id=message.id, status=NotificationStatus.SENDING, lease_until=message.lease_until
    ).update(status=NotificationStatus.SENT, sent_at=now, lease_until=None, last_error="")
    return bool(updated)


async def mark_retry(
    message: ClaimedNotification,
    *,
    at: dt.datetime,
    error: str,
    max_attempts: int,
    count_attempt: bool = True,
) -> NotificationStatus:
    """Put the message back for another try at ``at``, or give up after ``max_attempts``.

    ``count_attempt=False`` (Telegram asked us to wait): the try does not count.
    """
    attempts = message.attempts if count_attempt else max(0, message.attempts - 1)
    if attempts >= max_attempts:
        await mark_failed(message, error=error)
        return NotificationStatus.FAILED
    await _settle(
        message,
        status=NotificationStatus.PENDING,
        not_before=at,
        attempts=attempts,
        last_error=error[:ERROR_MAX],
    )
    return NotificationStatus.PENDING


async def mark_in_doubt(
    message: ClaimedNotification, *, at: dt.datetime, error: str, max_attempts: int
) -> NotificationStatus:
    """The send got no answer in time, after the request went out: Telegram may have
    delivered it. Read from the row whether an earlier send was in doubt already: if so,
    give up (failed, for coordinators to see) rather than risk a second duplicate; if not,
    put it back for one more try at ``at``, marked in doubt."""
    previous = await Notification.filter(
        id=message.id, status=NotificationStatus.SENDING, lease_until=message.lease_until
    ).values_list("last_error", flat=True)
    if not previous:
        return NotificationStatus.SENDING  # no longer ours: whoever holds it decides
    if str(previous[0]).startswith(IN_DOUBT):
        await mark_failed(
            message,
            error=f"{IN_DOUBT}no answer twice; not sent again, Telegram may have it: {error}",
        )
        return NotificationStatus.FAILED
    return await mark_retry(message, at=at, error=f"{IN_DOUBT}{error}", max_attempts=max_attempts)


async def mark_failed(message: ClaimedNotification, *, error: str) -> None:
    """Give up on the message; coordinators see it, with ``error``, among the failed ones."""
    await _settle(message, status=NotificationStatus.FAILED, last_error=error[:ERROR_MAX])


async def release(message: ClaimedNotification, *, not_before: dt.datetime | None = None) -> None:
    """Hand back a claimed row unsent: the claim does not count.

    ``not_before``: not before then (the dispatcher could not send it within its lease);
    otherwise as soon as any dispatcher can (this one is stopping).
    """
    values: dict[str, Any] = {}
    if not_before is not None:
        values["not_before"] = not_before
    await _settle(
        message,
        status=NotificationStatus.PENDING,
        attempts=max(0, message.attempts - 1),
        **values,
    )


async def mark_blocked(
    message: ClaimedNotification,
    *,
    error: str,
    coordinator_chat_id: int | None,
    language: str,
    now: dt.datetime,
) -> Volunteer | None:
    """The recipient blocked the bot: the row fails, the volunteer is marked unreachable and,
    the first time, the coordinators' chat is told. Returns the volunteer, if there is one."""
    async with in_transaction():
        await mark_failed(message, error=error)
        if message.volunteer_id is None:
            return None
        volunteer = await Volunteer.get_or_none(id=message.volunteer_id)
        if volunteer is None:
            return None
        was_reachable = volunteer.reachable
        await mark_unreachable(volunteer, reason=error[:ERROR_MAX], by=DISPATCH_ACTOR)
        if was_reachable and coordinator_chat_id is not None:
            await enqueue_notification(
                chat_id=coordinator_chat_id,
                kind="volunteer_blocked",
                text=translate(
                    BLOCKED_BY_VOLUNTEER,
                    language,
                    name=_html(volunteer.full_name),
                    phone=format_phone_local(volunteer.phone),
                ),
                parse_mode="HTML",
                dedupe_key=f"blocked:{volunteer.id}:{int(now.timestamp())}",
                due_at=now,
            )
        return volunteer


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed try: 10 s, 20 s, 40 s… up to 10 min."""
    seconds = FIRST_BACKOFF_SECONDS * 2 ** max(0, min(attempts - 1, 16))
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


async def _settle(message: ClaimedNotification, **values: Any) -> None:
    # Only while the row is still ours: a takeover after our lease ran out wins.
    await Notification.filter(
        id=message.id, status=NotificationStatus.SENDING, lease_until=message.lease_until
    ).update(lease_until=None, **values)


def _detached(row: Notification) -> ClaimedNotification:
    assert row.lease_until is not None
    return ClaimedNotification(
        id=row.id,
        chat_id=row.chat_id,
        volunteer_id=row.volunteer_id,
        kind=row.kind,
        text=row.text,
        parse_mode=row.parse_mode,
        reply_markup=row.reply_markup,
        due_at=row.due_at,
        expires_at=row.expires_at,
        attempts=row.attempts,
        lease_until=row.lease_until,
        urgent=row.due_at <= row.created_at,
    )


def _is_postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


def _html(value: str) -> str:
    return html.escape(value, quote=False)
