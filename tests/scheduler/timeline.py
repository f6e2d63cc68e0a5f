"""Several dispatchers on one virtual timeline, as separate processes would share a real one.

``VirtualTime.sleep`` moves time on for whoever sleeps: with two dispatchers each would
push the other's clock. Here time is a discrete-event simulation instead: a sleeper
waits until every live dispatcher sleeps, and then the timeline moves to the earliest
moment any of them waits for (or to a scripted event before it). A dispatcher can be
*killed*: it never wakes again, holding whatever it had claimed, like a process that
died; its budget slots and leases run out by themselves.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot

from scheduler.dispatcher import Dispatcher, Sleep
from stations.settings import Settings
from tests.scheduler.helpers import VirtualTime

Action = Callable[[], Awaitable[None]]


class Timeline:
    def __init__(self, vtime: VirtualTime) -> None:
        self.vtime = vtime
        self.dispatchers: dict[str, Dispatcher] = {}
        self.waiting: dict[str, float] = {}
        self.alive: set[str] = set()
        self.dead: set[str] = set()
        self.events: list[tuple[float, Action]] = []
        self.stopping = False
        self._advancing = False
        self._revive = asyncio.Event()
        self._stopped = asyncio.Event()
        #: someone began to wait, or time moved: every sleeper looks again
        self._changed = asyncio.Condition()
        self._until: Callable[[], bool] = lambda: False
        self._limit = float("inf")

    def dispatcher(self, name: str, bot: Bot, settings: Settings, **options: Any) -> Dispatcher:
        """A dispatcher on this timeline, sending one message at a time."""
        options.setdefault("concurrency", 1)
        dispatcher = Dispatcher(
            bot, settings, time_source=self.vtime, sleep=self._sleep_for(name), **options
        )
        self.dispatchers[name] = dispatcher
        return dispatcher

    def at(self, seconds: float, action: Action) -> None:
        """Run ``action`` when the timeline reaches ``seconds``."""
        self.events.append((seconds, action))
        self.events.sort(key=lambda event: event[0])

    def kill(self, name: str) -> None:
        """From its next wait on, ``name`` never wakes (a process that died)."""
        self.dead.add(name)
        self.alive.discard(name)

    def moment(self, seconds: float) -> dt.datetime:
        return self.vtime.start + dt.timedelta(seconds=seconds)

    def seconds(self, moment: dt.datetime) -> float:
        return (moment - self.vtime.start).total_seconds()

    async def run(self, *, until: Callable[[], bool], limit: float) -> None:
        """Run every dispatcher until ``until()`` holds or the timeline passes ``limit``."""
        self._until, self._limit = until, limit
        self.alive = set(self.dispatchers) - self.dead
        tasks = [asyncio.create_task(d.run()) for d in self.dispatchers.values()]
        stopped = asyncio.create_task(self._stopped.wait())
        try:
            await asyncio.wait([stopped, *tasks], return_when=asyncio.FIRST_COMPLETED)
        finally:
            # The dead are let go only now, to hand back what they held and stop cleanly.
            self._stop()
            self._revive.set()
            async with self._changed:
                self._changed.notify_all()
            stopped.cancel()
            await asyncio.gather(*tasks)

    def _sleep_for(self, name: str) -> Sleep:
        async def sleep(seconds: float) -> None:
            now = self.vtime()
            target = max(now + seconds, math.nextafter(now, math.inf)) if seconds > 0 else now
            self.waiting[name] = target
            try:
                async with self._changed:
                    self._changed.notify_all()
                    while not self.stopping:
                        if name in self.dead:
                            break
                        # Exactly: a wait of a nanosecond must still move time on, or the
                        # waiter would find the world unchanged and wait again, forever.
                        if self.vtime() >= target:
                            return
                        if self._all_asleep():
                            await self._advance()
                            self._changed.notify_all()
                            continue
                        await self._changed.wait()
                if name in self.dead and not self.stopping:
                    await self._revive.wait()
            finally:
                self.waiting.pop(name, None)

        return sleep

    def _all_asleep(self) -> bool:
        """Every live dispatcher waits, and none is due to wake: time may move on."""
        if self._advancing or not self.alive <= set(self.waiting):
            return False
        return min(self.waiting[name] for name in self.alive) > self.vtime()

    async def _advance(self) -> None:
        self._advancing = True
        try:
            if self._until() or self.vtime() > self._limit:
                self._stop()
                return
            wake = min(self.waiting[name] for name in self.alive)
            if self.events and self.events[0][0] <= wake:
                at, action = self.events.pop(0)
                self._move_to(at)
                await action()
            else:
                self._move_to(wake)
        finally:
            self._advancing = False

    def _move_to(self, seconds: float) -> None:
        if seconds > self.vtime():
            self.vtime.elapsed = seconds
            self.vtime.clock.set(self.vtime.start + dt.timedelta(seconds=seconds))

    def _stop(self) -> None:
        self.stopping = True
        self._stopped.set()
        for dispatcher in self.dispatchers.values():
            dispatcher.stop()
