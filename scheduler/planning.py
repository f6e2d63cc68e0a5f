"""Planning a wave ahead: how far into the future the dispatcher must reach now.

Reminders for shifts that start in the same hour are all meant to arrive at about the same
moment (their deliver-by, ``due_at``). Sent from that moment at the overall rate, the last
of 20,000 arrives 11 minutes late; so the dispatcher starts early. Earliest deadline first
at ``rate`` messages a second, everything due by a moment ``T`` is out by
``now + (messages due by T) / rate``: when that comes within ``margin`` of ``T``, the
messages due by ``T`` must start now. The *horizon* is the latest such ``T``: the
dispatcher claims what is due before it, and sends in deliver-by order, so messages
without slack (due now: a no-show alert) still go first.

The plan reads counts per minute of deliver-by (one aggregate query), never the rows; a
minute's messages are taken as due at its first second, so the plan errs early.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

MINUTE = dt.timedelta(minutes=1)


def send_horizon(
    unsent: Iterable[tuple[dt.datetime, int]],
    *,
    now: dt.datetime,
    rate: float,
    margin: dt.timedelta,
    window: dt.timedelta,
) -> dt.datetime:
    """Claim what is due before the returned moment: at least ``now + margin``, at most
    ``now + window``. ``unsent``: (minute of deliver-by, messages) in time order, those
    already overdue included (they are sent first)."""
    horizon = now + margin
    queued = 0
    for minute, count in unsent:
        queued += count
        done = now + dt.timedelta(seconds=queued / rate)
        if done + margin >= minute:
            horizon = max(horizon, minute + MINUTE)
    return min(horizon, now + window)
