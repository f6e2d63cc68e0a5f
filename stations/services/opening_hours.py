"""Whether a station is open at a moment: its daily hours on each day of its campaign.

Hours are Vietnam wall-clock times and may run past midnight (18:00–06:00): the window that
opens on a campaign day closes the next morning, and on the morning after the campaign's
last day the station is still open until its closing time. A station without hours is open
round the clock from the campaign's first day to the end of its last.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from stations.clock import VN_TZ


class OpenStatus(enum.StrEnum):
    OPEN = "open"
    #: opens later: today, tomorrow, or on the first day of a campaign still to come
    LATER = "later"
    #: the campaign is over: the station will not open again
    CLOSED = "closed"


@dataclass(frozen=True)
class OpenState:
    status: OpenStatus
    #: while open: when it closes (None: open until the campaign ends, round the clock)
    closes: dt.datetime | None = None
    #: while closed for now: when it opens next
    opens: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status is OpenStatus.OPEN


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time.replace(tzinfo=None), tzinfo=VN_TZ)


def _window(
    day: dt.date, opens_at: dt.time | None, closes_at: dt.time | None
) -> tuple[dt.datetime, dt.datetime]:
    if opens_at is None or closes_at is None:
        return _at(day, dt.time()), _at(day + dt.timedelta(days=1), dt.time())
    opens, closes = _at(day, opens_at), _at(day, closes_at)
    if closes <= opens:  # past midnight
        closes += dt.timedelta(days=1)
    return opens, closes


def open_state(
    now: dt.datetime,
    *,
    first_day: dt.date,
    last_day: dt.date,
    opens_at: dt.time | None,
    closes_at: dt.time | None,
) -> OpenState:
    """The station's state at ``now`` (aware), open from ``first_day`` to ``last_day``."""
    local = now.astimezone(VN_TZ)
    today = local.date()
    round_the_clock = opens_at is None or closes_at is None
    # Yesterday's window may still be open past midnight; today's or tomorrow's may be next.
    for offset in (-1, 0, 1):
        day = today + dt.timedelta(days=offset)
        if not first_day <= day <= last_day:
            continue
        opens, closes = _window(day, opens_at, closes_at)
        if opens <= local < closes:
            if round_the_clock:
                return OpenState(OpenStatus.OPEN, closes=_window(last_day, None, None)[1])
            return OpenState(OpenStatus.OPEN, closes=closes)
        if local < opens:
            return OpenState(OpenStatus.LATER, opens=opens)
    if today < first_day:
        return OpenState(OpenStatus.LATER, opens=_window(first_day, opens_at, closes_at)[0])
    return OpenState(OpenStatus.CLOSED)
