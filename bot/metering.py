"""What the operator sees of the bot: updates counted and timed by kind and outcome, and a
heartbeat in the database (mode and last update) for the operations page.

``MeteredApplication`` is PTB's Application with ``process_update`` timed. Whether a handler
failed is known only to the error handler, which runs inside the same update's task, so it
marks a per-task cell that ``process_update`` reads when the update is done.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import time
from typing import Any

from telegram import Update
from telegram.ext import Application

from stations import clock, logs
from stations.metrics import BOT_LAST_UPDATE, BOT_LATENCY, BOT_UPDATES
from stations.services import heartbeats

log = logging.getLogger("bot")

_failed: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "bot_update_failed", default=None
)


def update_kind(update: object) -> str:
    """A bounded label for what the update carries."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "callback_query"
    if update.edited_message is not None:
        return "edited_message"
    message = update.message
    if message is None:
        return "other"
    if message.location is not None:
        return "location"
    if message.contact is not None:
        return "contact"
    if message.text and message.text.startswith("/"):
        return "command"
    if message.text:
        return "text"
    return "other_message"


def mark_failed() -> None:
    """Called by the error handler: the update being handled in this task failed."""
    cell = _failed.get()
    if cell is not None:
        cell[0] = True


class BotHeartbeat:
    """Writes the bot's heartbeat at start and then at most every ``BOT_BEAT_INTERVAL``."""

    def __init__(self) -> None:
        self.mode = "off"
        self.started_at = clock.now()
        self.last_update_at: dt.datetime | None = None
        self._last_beat: dt.datetime | None = None
        self._pending: asyncio.Task[None] | None = None

    async def started(self, mode: str) -> None:
        self.mode = mode
        self.started_at = clock.now()
        await self._beat(self.started_at)

    def update_handled(self) -> None:
        now = clock.now()
        self.last_update_at = now
        BOT_LAST_UPDATE.set(time.time())
        due = self._last_beat is None or now - self._last_beat >= heartbeats.BOT_BEAT_INTERVAL
        if due and (self._pending is None or self._pending.done()):
            self._last_beat = now
            self._pending = asyncio.create_task(self._beat(now))

    async def _beat(self, now: dt.datetime) -> None:
        detail = {
            "mode": self.mode,
            "last_update_at": self.last_update_at.isoformat() if self.last_update_at else None,
        }
        try:
            await heartbeats.beat("bot", now=now, started_at=self.started_at, detail=detail)
        except Exception as exc:  # the heartbeat must never cost an update its answer
            log.warning("bot heartbeat not written: %s", exc)


class MeteredApplication(Application):  # type: ignore[type-arg]
    """PTB's Application, counting and timing each update it processes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heartbeat = BotHeartbeat()

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        kind = update_kind(update)
        cell = [False]
        token = _failed.set(cell)
        update_id = update.update_id if isinstance(update, Update) else None
        try:
            with logs.bound(update_id=update_id):
                await super().process_update(update)
        finally:
            _failed.reset(token)
            BOT_UPDATES.labels(kind, "error" if cell[0] else "ok").inc()
            BOT_LATENCY.labels(kind).observe(time.perf_counter() - started)
            self.heartbeat.update_handled()
