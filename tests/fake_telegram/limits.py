"""Telegram's flood limits for bots, as the Bot FAQ states them, on an injectable clock.

The FAQ: "avoid sending more than one message per second" to one chat ("short bursts" are
tolerated), "no more than 20 messages per minute" to one group, and "about 30 messages per
second" in bulk. Telegram publishes no exact algorithm, so the fake models:

- overall: a token bucket refilled at ``global_per_second`` holding up to ``global_burst``;
- each chat: a token bucket refilled at ``per_chat_per_second`` holding ``per_chat_burst``
  (default 3: a reply plus a follow-up or two goes through, a steady 2/s does not);
- each group (negative chat id) additionally: at most ``per_group_per_minute`` messages in any
  sliding 60-second window — the FAQ's number is a per-minute cap, so no burst beyond it.

A refused message consumes nothing and is answered 429 with ``retry_after`` = whole seconds
(at least 1) until every limit it hit would let it through.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    global_per_second: float = 30
    per_chat_per_second: float = 1
    per_group_per_minute: int = 20
    enforce: bool = True
    global_burst: float = 30
    per_chat_burst: float = 3


@dataclass
class TokenBucket:
    rate: float
    capacity: float
    tokens: float
    updated: float

    @classmethod
    def full(cls, rate: float, capacity: float, now: float) -> TokenBucket:
        return cls(rate=rate, capacity=capacity, tokens=capacity, updated=now)

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self._refill(now)
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


@dataclass
class SlidingWindow:
    size: int
    seconds: float
    stamps: deque[float] = field(default_factory=deque)

    def _expire(self, now: float) -> None:
        while self.stamps and self.stamps[0] <= now - self.seconds:
            self.stamps.popleft()

    def wait(self, now: float) -> float:
        self._expire(now)
        if len(self.stamps) < self.size:
            return 0.0
        return self.stamps[0] + self.seconds - now

    def take(self, now: float) -> None:
        self.stamps.append(now)


class RateLimiter:
    """Decides whether one more message may go to ``chat_id`` at time ``now``."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._global: TokenBucket | None = None
        self._chats: dict[int, TokenBucket] = {}
        self._groups: dict[int, SlidingWindow] = {}

    def admit(self, chat_id: int, now: float) -> int | None:
        """Take a slot and return None, or return retry_after (whole seconds) taking nothing."""
        if not self.limits.enforce:
            return None
        limits = self.limits
        if self._global is None:
            self._global = TokenBucket.full(limits.global_per_second, limits.global_burst, now)
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = TokenBucket.full(limits.per_chat_per_second, limits.per_chat_burst, now)
            self._chats[chat_id] = chat
        gates: list[TokenBucket | SlidingWindow] = [self._global, chat]
        if chat_id < 0:
            group = self._groups.get(chat_id)
            if group is None:
                group = SlidingWindow(size=limits.per_group_per_minute, seconds=60.0)
                self._groups[chat_id] = group
            gates.append(group)
        wait = max(gate.wait(now) for gate in gates)
        if wait > 0:
            return max(1, math.ceil(wait))
        for gate in gates:
            gate.take(now)
        return None
