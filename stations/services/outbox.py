"""The outbox: the one record of every message that must reach someone.

Enqueuing is idempotent by ``dedupe_key``: enqueue the same reminder twice and there is one
row. A key whose row was cancelled is queued again with the new text (a re-activated
assignment wants its reminder back); a pending, sent or failed row is returned as it is.
The scheduler's dispatcher claims due rows, sends them and marks them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import NotificationStatus
from stations.i18n import _, translate
from stations.models import Notification, Volunteer
from stations.services.errors import InvalidInput

TELEGRAM_TEXT_LIMIT = 4096


async def enqueue_notification(
    *,
    chat_id: int,
    kind: str,
    text: str,
    dedupe_key: str,
    due_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    volunteer: Volunteer | None = None,
    reply_markup: dict[str, Any] | None = None,
    parse_mode: str | None = None,
) -> Notification:
    """Add a message to the outbox, or return the one already there under ``dedupe_key``."""
    if not text.strip():
        raise InvalidInput(_("A message cannot be empty."), field="text")
    if len(text) > TELEGRAM_TEXT_LIMIT:
        raise InvalidInput(
            _("A message can be at most {limit} characters."),
            field="text",
            limit=TELEGRAM_TEXT_LIMIT,
        )
    if not dedupe_key or len(dedupe_key) > 200:
        raise InvalidInput(
            _("A dedupe key of 1 to 200 characters is required."), field="dedupe_key"
        )
    now = clock.now()
    existing = await Notification.get_or_none(dedupe_key=dedupe_key)
    if existing is not None:
        if existing.status is NotificationStatus.CANCELLED:
            return await _requeue(
                existing,
                text=text,
                due_at=due_at or now,
                expires_at=expires_at,
                reply_markup=reply_markup,
                parse_mode=parse_mode,
            )
        return existing
    try:
        # A savepoint, so a lost race does not poison the caller's transaction.
        async with in_transaction():
            return await Notification.create(
                chat_id=chat_id,
                volunteer=volunteer,
                kind=kind,
                text=text,
                parse_mode=parse_mode,
                reply_markup=reply_markup,
                dedupe_key=dedupe_key,
                due_at=due_at or now,
                expires_at=expires_at,
                status=NotificationStatus.PENDING,
                created_at=now,
            )
    except IntegrityError:
        return await Notification.get(dedupe_key=dedupe_key)


async def _requeue(
    cancelled: Notification,
    *,
    text: str,
    due_at: dt.datetime,
    expires_at: dt.datetime | None,
    reply_markup: dict[str, Any] | None,
    parse_mode: str | None,
) -> Notification:
    values = {
        "text": text,
        "due_at": due_at,
        "not_before": None,
        "expires_at": expires_at,
        "reply_markup": reply_markup,
        "parse_mode": parse_mode,
        "status": NotificationStatus.PENDING,
        "attempts": 0,
        "last_error": "",
        "lease_until": None,
        "sent_at": None,
    }
    # Conditional, so two writers reviving one row leave one pending message.
    await Notification.filter(id=cancelled.id, status=NotificationStatus.CANCELLED).update(**values)
    return await Notification.get(id=cancelled.id)


async def notify_volunteer(
    volunteer: Volunteer,
    *,
    kind: str,
    message: str,
    dedupe_key: str,
    due_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    reply_markup: dict[str, Any] | None = None,
    **params: object,
) -> Notification | None:
    """Queue ``message`` for a volunteer in their language, if they can be reached on Telegram."""
    if volunteer.telegram_chat_id is None or not volunteer.reachable:
        return None
    return await enqueue_notification(
        chat_id=volunteer.telegram_chat_id,
        volunteer=volunteer,
        kind=kind,
        text=translate(message, volunteer.language, **params),
        dedupe_key=dedupe_key,
        due_at=due_at,
        expires_at=expires_at,
        reply_markup=reply_markup,
    )


async def cancel_pending(*, dedupe_prefix: str, reason: str) -> int:
    """Cancel every unsent message whose dedupe key starts with ``dedupe_prefix``.

    Unsent: pending, or claimed by a dispatcher still waiting for its turn to send it (the
    dispatcher checks the row just before sending, and leaves a cancelled one alone).
    """
    return await Notification.filter(
        dedupe_key__startswith=dedupe_prefix,
        status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING],
    ).update(status=NotificationStatus.CANCELLED, lease_until=None, last_error=reason[:500])
