"""The one source of "now". Tests swap it with ``use_clock`` instead of sleeping."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from typing import Protocol
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self._now += delta
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment.astimezone(UTC)


_current: contextvars.ContextVar[Clock] = contextvars.ContextVar(
    "clock",
    default=SystemClock(),  # noqa: B039 (stateless, safe to share)
)


def now() -> dt.datetime:
    """The current moment, aware, in UTC."""
    return _current.get().now()


def today_local() -> dt.date:
    """Today's date in Vietnam."""
    return now().astimezone(VN_TZ).date()


def get_clock() -> Clock:
    return _current.get()


def set_clock(clock: Clock) -> contextvars.Token[Clock]:
    return _current.set(clock)


@contextlib.contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


def local(moment: dt.datetime) -> dt.datetime:
    """``moment`` shown in Vietnam's time zone."""
    return moment.astimezone(VN_TZ)


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware moment a Vietnamese calendar day begins."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=VN_TZ)
