"""What a Telegram chat is in the middle of, kept in the database so any bot worker can
take the next update of a conversation.

A chat has at most one row. Clearing a conversation keeps the row (with an empty state)
because it also remembers the last update that moved the conversation: Telegram delivers
an update again when a webhook answer was lost, and a number typed once must not be
recorded twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations import clock
from stations.i18n import _
from stations.models import ChatState
from stations.services.errors import InvalidInput

#: A conversation left alone this long is forgotten: an old prompt is no longer meant.
DEFAULT_TTL = dt.timedelta(minutes=30)
STATE_MAX_LENGTH = 64
IDLE = ""


@dataclass(frozen=True, slots=True)
class Conversation:
    chat_id: int
    #: what the chat is waiting for; "" when nothing (or when it expired)
    state: str
    data: dict[str, Any] = field(default_factory=dict)
    #: the newest update that moved this conversation, if any
    last_update_id: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.state)

    def handled(self, update_id: int) -> bool:
        """``update_id`` was already taken into account: a redelivery, or an older update."""
        return self.last_update_id is not None and update_id <= self.last_update_id


def _check_state(state: object) -> str:
    if not isinstance(state, str) or not 0 < len(state) <= STATE_MAX_LENGTH:
        raise InvalidInput(
            _("A conversation state must be 1 to {max} characters."),
            field="state",
            max=STATE_MAX_LENGTH,
        )
    return state


def _last_update(row: ChatState) -> int | None:
    value = (row.data or {}).get("last_update_id")
    return value if isinstance(value, int) else None


async def get_conversation(chat_id: int) -> Conversation:
    """The chat's conversation; an expired one reads as idle (its last update id is kept)."""
    row = await ChatState.get_or_none(chat_id=chat_id)
    if row is None:
        return Conversation(chat_id=chat_id, state=IDLE)
    last = _last_update(row)
    expired = row.expires_at is not None and row.expires_at <= clock.now()
    if expired or not row.state:
        return Conversation(chat_id=chat_id, state=IDLE, last_update_id=last)
    data = {k: v for k, v in (row.data or {}).items() if k != "last_update_id"}
    return Conversation(chat_id=chat_id, state=row.state, data=data, last_update_id=last)


async def set_conversation(
    chat_id: int,
    state: str,
    *,
    data: dict[str, Any] | None = None,
    update_id: int | None = None,
    ttl: dt.timedelta = DEFAULT_TTL,
) -> Conversation:
    """The chat now waits for ``state`` (with ``data``) until ``ttl`` has passed."""
    state = _check_state(state)
    return await _write(chat_id, state, dict(data or {}), update_id, clock.now() + ttl)


async def clear_conversation(chat_id: int, *, update_id: int | None = None) -> Conversation:
    """The chat waits for nothing; ``update_id``, the update that finished it, is remembered."""
    return await _write(chat_id, IDLE, {}, update_id, None)


async def _write(
    chat_id: int,
    state: str,
    data: dict[str, Any],
    update_id: int | None,
    expires_at: dt.datetime | None,
) -> Conversation:
    if isinstance(chat_id, bool) or not isinstance(chat_id, int):
        raise InvalidInput(_("A Telegram id must be a whole number."), field="chat_id")
    now = clock.now()
    async with in_transaction():
        row = await ChatState.filter(chat_id=chat_id).select_for_update().first()
        previous = _last_update(row) if row is not None else None
        # Updates of one chat may be handled out of order by two workers: keep the newest.
        known = [value for value in (previous, update_id) if value is not None]
        last = max(known) if known else None
        stored = {**data, "last_update_id": last} if last is not None else data
        values: dict[str, Any] = {
            "state": state,
            "data": stored,
            "updated_at": now,
            "expires_at": expires_at,
        }
        if row is None:
            try:
                async with in_transaction():
                    await ChatState.create(chat_id=chat_id, **values)
            except IntegrityError:
                # Another worker created the row a moment ago: ours is the later write.
                await ChatState.filter(chat_id=chat_id).update(**values)
        else:
            await ChatState.filter(id=row.id).update(**values)
    return Conversation(chat_id=chat_id, state=state, data=data, last_update_id=last)
