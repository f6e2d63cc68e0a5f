"""The dispatcher: claims due outbox rows, paces them under Telegram's limits, sends them.

One coroutine decides what goes when (``Pacer``); sends run as tasks, at most
``concurrency`` at a time, so a slow answer from Telegram does not stall the pace. Each
send checks first that the row is still ours (not cancelled, lease not run out), so a
reminder cancelled while it waited its turn is not sent.

Claims are in batches. A claimed row that could not go out within its lease (a group
chat with a long queue: 20 a minute) is handed back at once with the moment it can
go, so it neither blocks other chats nor is taken over by another dispatcher while
this one still means to send it.

Two things are shared with the other replicas through the database. What to claim: every
row due by a horizon planned from counts of unsent messages per minute of deliver-by
(``scheduler.planning``), so a wave starts early enough to arrive in time. And the overall
rate: each send needs a slot of the bot's budget (``stations.services.send_budget``),
taken a few at a time, so replicas together keep to ``send_rate`` less the share kept for
the bot's replies, and a replica that dies leaves its share to the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Bot

from bot.delivery import DeliveryOutcome, Result, deliver, record_outcome
from scheduler.pacing import Limits, Pacer, TimeSource
from scheduler.planning import send_horizon
from stations import clock, logs
from stations.metrics import (
    MESSAGE_ATTEMPTS,
    MESSAGE_LATENESS,
    MESSAGES_FAILED,
    MESSAGES_RETRIED,
    MESSAGES_SENT,
)
from stations.services import dispatch, send_budget
from stations.services.dispatch import ClaimedNotification
from stations.settings import Settings

log = logging.getLogger(__name__)

#: Do not send a claimed row this close to the end of its lease: hand it back instead.
LEASE_MARGIN = dt.timedelta(seconds=15)

#: Waits shorter than this are rounding noise, not a reason to sleep.
TIME_RESOLUTION = 1e-6

#: Start a wave this long before the plan says it could just make it: room for per-chat
#: spacing, a few retries and the plan's own rounding.
PLAN_MARGIN = dt.timedelta(seconds=60)
#: Plan a wave at this share of the rate: urgent messages sent meanwhile take the rest.
PLAN_SHARE = 0.9
#: How long a plan holds before the counts are read again.
PLAN_INTERVAL = 5.0
#: Budget slots taken at once: about this many seconds of sending.
SLOTS_SECONDS = 0.2
#: A budget slot not used this many seconds after its moment is let go (it is someone
#: else's second by now): late timers must not bunch sends from several replicas.
LATE_SLOT = 0.1

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class DispatchStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    #: claimed, then handed back unsent (lease too short for the queue, or stopping)
    released: int = 0
    #: no longer ours when its turn came (cancelled, taken over)
    skipped: int = 0
    dropped_stale: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


class Dispatcher:
    """Sends what the outbox holds, paced; ``run`` until stopped, or ``drain`` what is due."""

    def __init__(
        self,
        bot: Bot,
        settings: Settings,
        *,
        time_source: TimeSource = time.monotonic,
        sleep: Sleep | None = None,
        concurrency: int = 16,
        batch_size: int | None = None,
        lease: dt.timedelta = dispatch.DEFAULT_LEASE,
        poll_interval: float = 1.0,
        plan_margin: dt.timedelta = PLAN_MARGIN,
        late_slot: float = LATE_SLOT,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.rate = settings.dispatch_rate
        self.pacer: Pacer[ClaimedNotification] = Pacer(
            Limits(self.rate, settings.chat_interval, settings.group_per_minute)
        )
        self.time = time_source
        self._sleep = sleep
        self.concurrency = max(1, concurrency)
        self.batch_size = batch_size or max(10, int(self.rate * 4))
        self.lease = lease
        self.poll_interval = poll_interval
        self.window = dt.timedelta(minutes=settings.send_ahead_minutes)
        self.plan_margin = plan_margin
        self.late_slot = late_slot
        self._plan: tuple[float, dt.datetime] | None = None
        #: budget slots held: the next one's moment (on ``time``) and how many; they are
        #: spaced as the pacer spaces sends (``1 / rate``)
        self._slot_at = 0.0
        self._slots_held = 0
        self.stats = DispatchStats()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(self.concurrency)
        self._stop = asyncio.Event()
        self._last_claim: float | None = None
        self._last_claim_full = False

    # -- running ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Dispatch until ``stop()``; then finish the sends under way and hand back the rest."""
        try:
            while not self._stop.is_set():
                try:
                    await self._step(idle_wait=True)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # The database or network hiccuped: log, wait a moment, carry on.
                    log.exception("dispatcher step failed; retrying")
                    await self._wait(self.poll_interval)
        finally:
            await asyncio.shield(self._shutdown())

    def stop(self) -> None:
        self._stop.set()

    async def drain(self) -> DispatchStats:
        """Send everything due now (and what falls due while pacing), then return.

        For tests and the benchmark: with a virtual ``time_source`` and ``sleep`` it runs
        as fast as the machine allows while keeping to the limits in virtual time.
        """
        while True:
            progressed = await self._step(idle_wait=False, force_claim=True)
            if not progressed and not self.pacer.waiting and not self._in_flight:
                return self.stats

    # -- one step --------------------------------------------------------------------------

    async def _step(self, *, idle_wait: bool, force_claim: bool = False) -> bool:
        """Claim if low, then send or wait for the next send. True if anything happened."""
        claimed = 0
        if len(self.pacer) < self.batch_size // 2 and (force_claim or self._claim_due_now()):
            claimed = await self._refill()
        now = self.time()
        when, message = self.pacer.next_send(now)
        if message is None:
            if self.pacer.waiting:
                await self._wait(when - now)
                return True
            await self._settle_in_flight()
            if idle_wait and not claimed:
                await self._wait(self.poll_interval)
            return claimed > 0
        if when - now > TIME_RESOLUTION:
            await self._wait(when - now)
            return True
        slot = await self._budget_slot(now)
        if slot - now > TIME_RESOLUTION:
            await self._wait(slot - now)
            return True
        self._slot_at += self.pacer.limits.global_interval
        self._slots_held -= 1
        self.pacer.take(message, now)
        await self._slots.acquire()
        # A task even when sending one at a time: cancelling the dispatcher must not cut a
        # send in half (sent by Telegram, never marked); shutdown waits for it instead.
        task = asyncio.create_task(self._send_and_free(message))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        if self.concurrency == 1:
            await asyncio.shield(task)
        return True

    def _claim_due_now(self) -> bool:
        # Ask the database again at once only if the last claim came back full (more is
        # due); otherwise once per poll interval.
        if self._last_claim is None or self._last_claim_full:
            return True
        return self.time() - self._last_claim >= self.poll_interval

    async def _budget_slot(self, now: float) -> float:
        """The moment of the next budget slot this dispatcher holds, taking more if none is
        left; a moment after ``now`` means: wait, nothing may go before."""
        if self._slots_held and now - self._slot_at > self.late_slot:
            self._slots_held = 0
        if self._slots_held:
            return self._slot_at
        wall = clock.now().timestamp()
        slots = await send_budget.take_send_slots(
            now=wall,
            rate=self.rate,
            # No more than can go: a slot left unused is a share of the budget wasted.
            wanted=max(1, min(len(self.pacer), round(self.rate * SLOTS_SECONDS))),
        )
        # The budget counts wall-clock seconds, shared by every replica; pacing counts this
        # process's time source: the two differ by a constant.
        slot_at = slots.first - wall + now
        if slots.count:
            self._slot_at, self._slots_held = slot_at, slots.count
        return slot_at

    async def _horizon(self, wall: dt.datetime) -> dt.datetime:
        """Claim what is due before this moment (see ``scheduler.planning``)."""
        if not self.window:
            return wall
        if self._plan is not None and self.time() - self._plan[0] < PLAN_INTERVAL:
            return max(wall, self._plan[1])
        unsent = await dispatch.unsent_by_minute(until=wall + self.window)
        horizon = send_horizon(
            unsent,
            now=wall,
            rate=self.rate * PLAN_SHARE,
            margin=self.plan_margin,
            window=self.window,
        )
        if self._plan is not None:
            # A wave once started goes on: as it is sent its slack grows again, and pausing
            # until the slack is gone would only leave less room for what comes up.
            horizon = max(horizon, self._plan[1])
        self._plan = (self.time(), horizon)
        return horizon

    async def _refill(self) -> int:
        self._last_claim = self.time()
        wall = clock.now()
        limit = self.batch_size - len(self.pacer)
        horizon = await self._horizon(wall)
        result = await dispatch.claim_due(now=wall, limit=limit, lease=self.lease, horizon=horizon)
        self._last_claim_full = result.full
        self.stats.dropped_stale += result.dropped_stale
        if result.dropped_stale:
            log.info("dropped %s stale notification(s)", result.dropped_stale)
        keep = []
        for message, wait in self._estimated_waits(result.claimed):
            if wait > (self.lease - LEASE_MARGIN).total_seconds():
                await dispatch.release(message, not_before=wall + dt.timedelta(seconds=wait))
                self.stats.released += 1
            else:
                keep.append(message)
        self.pacer.add(keep)
        return len(result.claimed)

    def _estimated_waits(
        self, messages: list[ClaimedNotification]
    ) -> list[tuple[ClaimedNotification, float]]:
        """How long each new message will wait for its turn, queued behind what waits already."""
        now = self.time()
        limits = self.pacer.limits
        queued = Counter(m.chat_id for m in self.pacer.waiting)
        position = len(self.pacer.waiting)
        waits = []
        for message in sorted(messages, key=lambda m: m.deadline):
            chat = message.chat_id
            chat_free = max(now, self.pacer.chat_ready_at(chat))
            chat_wait = chat_free - now + queued[chat] * limits.chat_spacing(chat)
            overall_wait = position * limits.global_interval
            waits.append((message, max(chat_wait, overall_wait)))
            queued[chat] += 1
            position += 1
        return waits

    # -- sending ---------------------------------------------------------------------------

    async def _send_and_free(self, message: ClaimedNotification) -> None:
        try:
            await self._send(message)
        except Exception:
            log.exception("sending notification %s failed", message.id)
        finally:
            self._slots.release()

    async def _send(self, message: ClaimedNotification) -> None:
        with logs.bound(outbox_id=message.id, volunteer_id=message.volunteer_id):
            await self._send_one(message)

    async def _send_one(self, message: ClaimedNotification) -> None:
        wall = clock.now()
        if wall >= message.lease_until - LEASE_MARGIN:
            await dispatch.release(message)
            self.stats.released += 1
            return
        if not await dispatch.still_claimed(message, now=wall):
            self.stats.skipped += 1
            return
        outcome = await deliver(self.bot, message)
        self._observe(message, outcome)
        status = await record_outcome(
            message,
            outcome,
            now=clock.now(),
            max_attempts=self.settings.max_attempts,
            coordinator_chat_id=self.settings.coordinator_chat_id,
            language=self.settings.default_language,
        )
        self.stats.outcomes[outcome.result.value] += 1
        MESSAGE_ATTEMPTS.labels(outcome.result.value).inc()
        if outcome.result is Result.SENT:
            self.stats.sent += 1
            MESSAGES_SENT.labels(message.kind).inc()
            lateness = (clock.now() - message.due_at).total_seconds()
            MESSAGE_LATENESS.labels(message.kind).observe(max(0.0, lateness))
        elif status.value == "pending":
            self.stats.retried += 1
            MESSAGES_RETRIED.labels(message.kind).inc()
        else:
            self.stats.failed += 1
            MESSAGES_FAILED.labels(message.kind).inc()

    def _observe(self, message: ClaimedNotification, outcome: DeliveryOutcome) -> None:
        if outcome.result is Result.RETRY_AFTER:
            wait = outcome.retry_after or 1.0
            log.warning("Telegram asked to wait %ss (chat %s)", wait, message.chat_id)
            self.pacer.hold(message.chat_id, until=self.time() + wait)

    # -- waiting and stopping --------------------------------------------------------------

    async def _wait(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        if self._sleep is not None:
            await self._sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    async def _settle_in_flight(self) -> None:
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        self.pacer.forget_idle_chats(self.time())

    async def _shutdown(self) -> None:
        await self._settle_in_flight()
        left = self.pacer.drain()
        for message in left:
            try:
                await dispatch.release(message)
            except Exception:
                # The lease runs out by itself and the row is claimed again.
                log.exception("could not hand back notification %s", message.id)
        self.stats.released += len(left)
        if left:
            log.info("handed back %s unsent notification(s)", len(left))
