"""The pacer's bookkeeping: overall rate, per chat, per group, deadlines first, retry_after."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest

from scheduler.pacing import Limits, Pacer

pytestmark = pytest.mark.unit

BASE = dt.datetime(2027, 2, 2, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Msg:
    chat_id: int
    hours_left: int = 24
    name: str = ""

    @property
    def deadline(self) -> dt.datetime:
        return BASE + dt.timedelta(hours=self.hours_left)


def _schedule(pacer: Pacer[Msg]) -> list[tuple[float, Msg]]:
    """Send everything as the dispatcher would, returning (moment, message)."""
    now, sent = 0.0, []
    while pacer.waiting:
        when, message = pacer.next_send(now)
        now = max(now, when)
        if message is not None:
            pacer.take(message, now)
            sent.append((now, message))
    return sent


def test_overall_rate_spaces_every_message():
    pacer: Pacer[Msg] = Pacer(Limits(send_rate=30))
    pacer.add(Msg(chat) for chat in range(1, 91))

    times = [t for t, _m in _schedule(pacer)]

    assert len(times) == 90
    assert times[-1] == pytest.approx(89 / 30)
    assert min(b - a for a, b in itertools.pairwise(times)) == pytest.approx(1 / 30)


def test_one_private_chat_gets_one_message_a_second_while_others_go_on():
    pacer: Pacer[Msg] = Pacer(Limits(send_rate=30, chat_interval=1.0))
    pacer.add([Msg(7, name="a"), Msg(7, name="b"), Msg(8, name="c")])

    sent = [(round(t, 4), m.name) for t, m in _schedule(pacer)]

    assert sent == [(0.0, "a"), (round(1 / 30, 4), "c"), (1.0, "b")]


def test_a_group_gets_twenty_a_minute():
    pacer: Pacer[Msg] = Pacer(Limits(group_per_minute=20))
    pacer.add(Msg(-100) for _ in range(21))

    times = [t for t, _m in _schedule(pacer)]

    assert times[20] - times[0] == pytest.approx(60.0)


def test_earliest_deadline_goes_first_among_those_ready():
    pacer: Pacer[Msg] = Pacer(Limits())
    pacer.add([Msg(1, 48, "summary"), Msg(2, 2, "reminder"), Msg(3, 24, "alert")])

    assert [m.name for _t, m in _schedule(pacer)] == ["reminder", "alert", "summary"]


def test_retry_after_holds_the_chat_and_everything_else():
    pacer: Pacer[Msg] = Pacer(Limits())
    pacer.add([Msg(1), Msg(2)])

    pacer.hold(1, until=7.0)

    assert pacer.next_send(0.0) == (7.0, Msg(1))


def test_nothing_waiting_means_nothing_to_send():
    pacer: Pacer[Msg] = Pacer(Limits())

    assert pacer.next_send(3.0) == (3.0, None)


def test_forgetting_idle_chats_keeps_only_busy_ones():
    pacer: Pacer[Msg] = Pacer(Limits())
    pacer.add([Msg(1), Msg(2)])
    _schedule(pacer)

    pacer.forget_idle_chats(0.5)

    assert list(pacer.next_for_chat) == [1, 2]
    pacer.forget_idle_chats(5.0)
    assert pacer.next_for_chat == {}


@pytest.mark.parametrize(
    "values",
    [
        {"send_rate": 0},
        {"send_rate": -1},
        {"chat_interval": -0.5},
        {"group_per_minute": 0},
    ],
)
def test_limits_refuse_impossible_values(values):
    with pytest.raises(ValueError):
        Limits(**values)
