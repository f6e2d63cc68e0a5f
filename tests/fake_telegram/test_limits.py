"""The flood-limit model, driven by a hand-moved clock."""

import pytest

from tests.fake_telegram.limits import Limits, RateLimiter, SlidingWindow, TokenBucket

pytestmark = pytest.mark.unit


def test_private_chat_allows_a_burst_of_three_then_one_per_second():
    limiter = RateLimiter(Limits())

    answers = [limiter.admit(42, 0.0) for _ in range(4)]

    assert answers == [None, None, None, 1]
    assert limiter.admit(42, 0.999) == 1
    assert limiter.admit(42, 1.0) is None
    assert limiter.admit(42, 1.5) == 1


def test_refused_message_consumes_nothing():
    limiter = RateLimiter(Limits(per_chat_burst=1))
    limiter.admit(42, 0.0)

    for _ in range(10):
        limiter.admit(42, 0.5)

    assert limiter.admit(42, 1.0) is None


def test_other_chats_are_independent():
    limiter = RateLimiter(Limits(per_chat_burst=1))

    assert [limiter.admit(chat, 0.0) for chat in (1, 2, 3)] == [None, None, None]


def test_group_allows_twenty_per_sliding_minute():
    limiter = RateLimiter(Limits(per_chat_per_second=100, per_chat_burst=100))
    times = [i * 0.5 for i in range(20)]

    assert [limiter.admit(-100, t) for t in times] == [None] * 20
    assert limiter.admit(-100, 10.0) == 50  # the first of the 20 leaves the window at 60 s
    assert limiter.admit(-100, 60.0) is None


def test_global_limit_thirty_per_second_sustained():
    limiter = RateLimiter(Limits())
    sent = refused = 0
    for step in range(300):  # 10 s at 30 attempts per second to distinct chats
        now = step / 30
        if limiter.admit(step + 1, now) is None:
            sent += 1
        else:
            refused += 1

    assert refused == 0
    assert sent == 300


def test_global_limit_refuses_beyond_burst_with_whole_seconds():
    limiter = RateLimiter(Limits())

    answers = [limiter.admit(chat, 0.0) for chat in range(1, 32)]

    assert answers[:30] == [None] * 30
    assert answers[30] == 1


def test_disabled_limits_admit_everything():
    limiter = RateLimiter(Limits(enforce=False))

    assert {limiter.admit(42, 0.0) for _ in range(1000)} == {None}


def test_token_bucket_wait_time():
    bucket = TokenBucket.full(rate=2.0, capacity=1.0, now=0.0)
    bucket.take(0.0)

    assert bucket.wait(0.0) == 0.5
    assert bucket.wait(0.5) == 0.0


def test_sliding_window_wait_time():
    window = SlidingWindow(size=2, seconds=60.0)
    window.take(0.0)
    window.take(1.0)

    assert window.wait(30.0) == 30.0
    assert window.wait(60.0) == 0.0
