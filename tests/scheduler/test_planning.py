"""Planning a wave: how far ahead the dispatcher must reach, from counts alone."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.planning import send_horizon

pytestmark = pytest.mark.unit

NOW = dt.datetime(2027, 2, 2, 1, 0, tzinfo=dt.UTC)
MARGIN = dt.timedelta(seconds=60)
WINDOW = dt.timedelta(minutes=30)


def _horizon(unsent: list[tuple[dt.timedelta, int]], *, now_offset: float = 0.0) -> dt.timedelta:
    now = NOW + dt.timedelta(seconds=now_offset)
    buckets = [(NOW + offset, count) for offset, count in unsent]
    return send_horizon(buckets, now=now, rate=30.0, margin=MARGIN, window=WINDOW) - NOW


def test_nothing_waiting_reaches_only_the_margin():
    assert _horizon([]) == MARGIN


def test_a_wave_is_left_alone_while_it_can_still_be_sent_later():
    # 20,000 at 30/s take 667 s: with a minute spare they must start 727 s ahead.
    assert _horizon([(dt.timedelta(minutes=20), 20_000)]) == MARGIN


@pytest.mark.parametrize("seconds_ahead", [726, 700, 300])
def test_a_wave_is_reached_once_it_has_no_more_slack(seconds_ahead):
    wave = dt.timedelta(minutes=20)

    horizon = _horizon([(wave, 20_000)], now_offset=(wave.total_seconds() - seconds_ahead))

    assert horizon == wave + dt.timedelta(minutes=1)


def test_messages_due_sooner_count_before_a_later_wave():
    # Alone, 20,000 due in 20 minutes start 727 s ahead (at 30/s, a minute spare); behind
    # 2,000 due in 10 minutes they start 67 s earlier.
    wave = (dt.timedelta(minutes=20), 20_000)
    sooner = (dt.timedelta(minutes=10), 2_000)

    alone = _horizon([wave], now_offset=440)
    behind = _horizon([sooner, wave], now_offset=440)

    assert (alone, behind) == (dt.timedelta(seconds=500), dt.timedelta(minutes=21))


def test_overdue_messages_are_reached_and_push_the_plan_earlier():
    unsent = [(dt.timedelta(minutes=-3), 600), (dt.timedelta(minutes=2), 1_800)]

    # 2,400 at 30/s take 80 s, and a minute spare: the wave in 2 minutes is due now.
    assert _horizon(unsent) == dt.timedelta(minutes=3)


def test_never_further_than_the_window():
    assert _horizon([(dt.timedelta(minutes=29), 100_000)]) == WINDOW
