"""Pacing under Telegram's limits: when may the next message go, and which one.

Telegram allows about 30 messages a second overall, one a second to a private chat (short
bursts are tolerated, but not relied on here) and 20 a minute to a group. The pacer keeps
the earliest moment each slot is free again and hands out sends one at a time:

- overall: one message every ``1 / send_rate`` seconds;
- a private chat (positive id): one every ``chat_interval`` seconds;
- a group (negative id): one every ``60 / group_per_minute`` seconds.

Among the messages that may go now, the one with the earliest deadline goes first
(earliest deadline first), so a reminder for a shift starting soon is not stuck behind a
daily summary. A 429 ``retry_after`` holds the chat, and everything else too (Telegram
does not say which limit was hit, and a bot that keeps pushing gets longer bans), for the
time asked.

The pacer is pure bookkeeping over a number of seconds from any monotonic time source:
tests drive it with a virtual clock and never sleep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar


class Paceable(Protocol):
    @property
    def chat_id(self) -> int: ...

    @property
    def deadline(self) -> dt.datetime: ...


M = TypeVar("M", bound=Paceable)


@dataclass(frozen=True, slots=True)
class Limits:
    send_rate: float = 30.0
    chat_interval: float = 1.0
    group_per_minute: int = 20

    def __post_init__(self) -> None:
        if not self.send_rate > 0 or self.chat_interval < 0 or self.group_per_minute < 1:
            raise ValueError(
                "pacing needs send_rate > 0, chat_interval >= 0 and group_per_minute >= 1"
            )

    @property
    def global_interval(self) -> float:
        return 1.0 / self.send_rate

    def chat_spacing(self, chat_id: int) -> float:
        # Telegram's group, supergroup and channel ids are negative, private chats positive.
        return 60.0 / self.group_per_minute if chat_id < 0 else self.chat_interval


@dataclass
class Pacer(Generic[M]):
    """Decides, over seconds of a monotonic clock, when each message may be sent."""

    limits: Limits
    #: the earliest moment the next message may go, whatever its chat
    next_global: float = 0.0
    #: per chat: the earliest moment its next message may go
    next_for_chat: dict[int, float] = field(default_factory=dict)
    waiting: list[M] = field(default_factory=list)

    def add(self, messages: Iterable[M]) -> None:
        self.waiting.extend(messages)

    def __len__(self) -> int:
        return len(self.waiting)

    def chat_ready_at(self, chat_id: int) -> float:
        return self.next_for_chat.get(chat_id, 0.0)

    def next_send(self, now: float) -> tuple[float, M | None]:
        """``(when, message)``: the message to send at ``when`` (≥ ``now``), or
        ``(when, None)`` if nothing may go before ``when`` (or nothing waits at all)."""
        if not self.waiting:
            return now, None
        start = max(now, self.next_global)
        best: M | None = None
        earliest_chat = float("inf")
        for message in self.waiting:
            ready = self.chat_ready_at(message.chat_id)
            if ready <= start:
                if best is None or message.deadline < best.deadline:
                    best = message
            else:
                earliest_chat = min(earliest_chat, ready)
        if best is None:
            return max(start, earliest_chat), None
        return start, best

    def take(self, message: M, at: float) -> None:
        """``message`` goes at ``at``: its chat and the overall slot are used."""
        self.waiting.remove(message)
        interval = self.limits.global_interval
        # Stay on the grid: timers wake a few milliseconds late, and the next send makes
        # that up, so the average holds at the rate (never more than one send early). After
        # a real pause (nothing to send) the grid starts afresh.
        on_grid = self.next_global if at - self.next_global < interval else at
        self.next_global = on_grid + interval
        self.next_for_chat[message.chat_id] = at + self.limits.chat_spacing(message.chat_id)

    def hold(self, chat_id: int, *, until: float) -> None:
        """Telegram said "retry after": nothing to this chat, and nothing at all, until then."""
        self.next_for_chat[chat_id] = max(self.chat_ready_at(chat_id), until)
        self.next_global = max(self.next_global, until)

    def drain(self) -> list[M]:
        """Everything still waiting (to hand back on shutdown)."""
        left, self.waiting = self.waiting, []
        return left

    def forget_idle_chats(self, now: float) -> None:
        """Drop bookkeeping of chats whose slot is long free: memory stays bounded."""
        self.next_for_chat = {
            chat: ready for chat, ready in self.next_for_chat.items() if ready > now
        }


TimeSource = Callable[[], float]
