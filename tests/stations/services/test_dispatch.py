"""Claiming, marking and dropping outbox rows: the dispatcher's half of the outbox."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.enums import NotificationStatus
from stations.models import Notification
from stations.services import dispatch
from stations.services.errors import InvalidInput
from stations.services.outbox import cancel_pending, enqueue_notification

LEASE = dt.timedelta(seconds=120)


async def _queue(n: int, clock, **options) -> list[int]:
    rows = []
    for i in range(n):
        row = await enqueue_notification(
            chat_id=100 + i, kind="k", text=f"t{i}", dedupe_key=f"k:{i}", **options
        )
        rows.append(row.id)
    return rows


async def test_claim_takes_due_rows_oldest_first_up_to_the_limit(db, clock):
    now = clock.now()
    late = await enqueue_notification(
        chat_id=1, kind="k", text="b", dedupe_key="b", due_at=now - dt.timedelta(minutes=1)
    )
    early = await enqueue_notification(
        chat_id=1, kind="k", text="a", dedupe_key="a", due_at=now - dt.timedelta(minutes=5)
    )
    await enqueue_notification(
        chat_id=1, kind="k", text="c", dedupe_key="c", due_at=now + dt.timedelta(seconds=1)
    )

    result = await dispatch.claim_due(now=now, limit=5, lease=LEASE)

    assert [(m.id, m.attempts, m.lease_until) for m in result.claimed] == [
        (early.id, 1, now + LEASE),
        (late.id, 1, now + LEASE),
    ]
    assert await Notification.filter(status=NotificationStatus.SENDING).count() == 2


async def test_claimed_rows_are_not_claimed_again_until_the_lease_runs_out(db, clock):
    await _queue(3, clock)
    first = await dispatch.claim_due(now=clock.now(), limit=2, lease=LEASE)

    second = await dispatch.claim_due(now=clock.now(), limit=5, lease=LEASE)
    clock.advance(LEASE + dt.timedelta(seconds=1))
    third = await dispatch.claim_due(now=clock.now(), limit=5, lease=LEASE)

    assert (len(first.claimed), len(second.claimed)) == (2, 1)
    assert sorted(m.id for m in third.claimed) == sorted(
        m.id for m in second.claimed + first.claimed
    )
    assert [m.attempts for m in third.claimed] == [2, 2, 2]


async def test_a_taken_over_row_can_no_longer_be_marked_by_its_old_holder(db, clock):
    await _queue(1, clock)
    [old] = (await dispatch.claim_due(now=clock.now(), limit=1, lease=LEASE)).claimed
    clock.advance(LEASE + dt.timedelta(seconds=1))
    [new] = (await dispatch.claim_due(now=clock.now(), limit=1, lease=LEASE)).claimed

    stale_mark = await dispatch.mark_sent(old, now=clock.now())
    still_old = await dispatch.still_claimed(old, now=clock.now())
    fresh_mark = await dispatch.mark_sent(new, now=clock.now())

    assert (stale_mark, still_old, fresh_mark) == (False, False, True)


async def test_still_claimed_is_false_once_cancelled_expired_or_near_lease_end(db, clock):
    now = clock.now()
    ids = await _queue(2, clock, expires_at=now + dt.timedelta(minutes=1))
    claimed = (await dispatch.claim_due(now=now, limit=2, lease=LEASE)).claimed
    await cancel_pending(dedupe_prefix="k:0", reason="shift moved")

    assert [await dispatch.still_claimed(m, now=now) for m in claimed] == [False, True]
    assert await dispatch.still_claimed(claimed[1], now=now + dt.timedelta(minutes=1)) is False
    assert (await Notification.get(id=ids[0])).last_error == "shift moved"


async def test_stale_rows_are_dropped_with_the_reason(db, clock):
    now = clock.now()
    [gone] = await _queue(1, clock, expires_at=now)
    kept = await enqueue_notification(
        chat_id=5, kind="k", text="x", dedupe_key="keep", expires_at=now + LEASE
    )

    result = await dispatch.claim_due(now=now, limit=5, lease=LEASE)

    dropped = await Notification.get(id=gone)
    assert (result.dropped_stale, [m.id for m in result.claimed]) == (1, [kept.id])
    assert (dropped.status, dropped.last_error) == (
        NotificationStatus.CANCELLED,
        "stale: no longer useful after 2027-02-02T01:00:00+00:00",
    )


async def test_retry_counts_attempts_and_fails_at_the_limit(db, clock):
    [note_id] = await _queue(1, clock)
    statuses = []
    for _ in range(3):
        [claimed] = (await dispatch.claim_due(now=clock.now(), limit=1, lease=LEASE)).claimed
        at = clock.now() + dispatch.backoff(claimed.attempts)
        statuses.append(
            await dispatch.mark_retry(claimed, at=at, error="timed out", max_attempts=3)
        )
        clock.set(at)

    row = await Notification.get(id=note_id)
    assert statuses == [
        NotificationStatus.PENDING,
        NotificationStatus.PENDING,
        NotificationStatus.FAILED,
    ]
    assert (row.status, row.attempts, row.last_error, row.lease_until) == (
        NotificationStatus.FAILED,
        3,
        "timed out",
        None,
    )


async def test_release_hands_a_row_back_without_counting_the_claim(db, clock):
    [note_id] = await _queue(1, clock)
    [claimed] = (await dispatch.claim_due(now=clock.now(), limit=1, lease=LEASE)).claimed
    later = clock.now() + dt.timedelta(seconds=90)

    await dispatch.release(claimed, not_before=later)

    row = await Notification.get(id=note_id)
    assert (row.status, row.attempts, row.due_at, row.not_before, row.lease_until) == (
        NotificationStatus.PENDING,
        0,
        claimed.due_at,
        later,
        None,
    )


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(0, 10), (1, 10), (2, 20), (3, 40), (7, 600), (50, 600)]
)
def test_backoff_doubles_up_to_ten_minutes(attempts, seconds):
    assert dispatch.backoff(attempts) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("limit", [0, -1, 5001, 2.5, "10", True, None])
async def test_claim_refuses_a_bad_limit(db, clock, limit):
    with pytest.raises(InvalidInput) as caught:
        await dispatch.claim_due(now=clock.now(), limit=limit)

    assert (caught.value.field, caught.value.translated("vi")) == (
        "limit",
        "Số tin nhận xử lý mỗi lượt phải là số nguyên từ 1 đến 5.000.",
    )


async def _scheduled(n: int, *, due_at: dt.datetime, written: dt.datetime) -> None:
    await Notification.bulk_create(
        [
            Notification(
                chat_id=500 + i,
                kind="reminder",
                text=f"r{i}",
                dedupe_key=f"wave:{i}",
                due_at=due_at,
                status=NotificationStatus.PENDING,
                created_at=written,
            )
            for i in range(n)
        ]
    )


async def test_a_wave_is_claimed_ahead_up_to_the_horizon_only(db, clock):
    now = clock.now()
    await _scheduled(4, due_at=now + dt.timedelta(minutes=10), written=now)

    before = await dispatch.claim_due(
        now=now, limit=10, lease=LEASE, horizon=now + dt.timedelta(minutes=9)
    )
    reached = await dispatch.claim_due(
        now=now, limit=10, lease=LEASE, horizon=now + dt.timedelta(minutes=11)
    )

    assert (len(before.claimed), len(reached.claimed)) == (0, 4)


async def test_a_row_held_back_is_not_claimed_before_its_moment(db, clock):
    [note_id] = await _queue(1, clock)
    await Notification.filter(id=note_id).update(not_before=clock.now() + dt.timedelta(seconds=30))

    early = await dispatch.claim_due(now=clock.now(), limit=1, lease=LEASE)
    clock.advance(dt.timedelta(seconds=30))
    on_time = await dispatch.claim_due(now=clock.now(), limit=1, lease=LEASE)

    assert ([m.id for m in early.claimed], [m.id for m in on_time.claimed]) == ([], [note_id])


async def test_urgent_messages_are_claimed_before_a_wave_running_late(db, clock):
    now = clock.now()
    # Written an hour ago, meant to arrive ten minutes ago, still not sent: a late wave.
    await _scheduled(5, due_at=now - dt.timedelta(minutes=10), written=now - dt.timedelta(hours=1))
    alert = await enqueue_notification(
        chat_id=1, kind="no_show", text="Chưa thấy đến ca", dedupe_key="no-show:1"
    )

    claimed = (await dispatch.claim_due(now=now, limit=3, lease=LEASE)).claimed

    first = min(claimed, key=lambda m: m.deadline)
    assert [m.urgent for m in claimed].count(True) == 1
    assert (len(claimed), first.id, first.kind) == (3, alert.id, "no_show")


async def test_unsent_messages_are_counted_per_minute_of_deliver_by(db, clock):
    now = clock.now()
    await _scheduled(3, due_at=now + dt.timedelta(minutes=5, seconds=10), written=now)
    await Notification.create(
        chat_id=9,
        kind="reminder",
        text="x",
        dedupe_key="later",
        due_at=now + dt.timedelta(minutes=5, seconds=50),
        created_at=now,
    )
    await Notification.create(
        chat_id=9,
        kind="reminder",
        text="y",
        dedupe_key="sent",
        due_at=now + dt.timedelta(minutes=5),
        status=NotificationStatus.SENT,
        created_at=now,
    )
    await Notification.create(
        chat_id=9,
        kind="reminder",
        text="z",
        dedupe_key="beyond",
        due_at=now + dt.timedelta(minutes=40),
        created_at=now,
    )

    counts = await dispatch.unsent_by_minute(until=now + dt.timedelta(minutes=30))

    assert counts == [(now + dt.timedelta(minutes=5), 4)]


async def test_a_claim_cut_at_its_limit_takes_the_rest_of_its_last_chat(db, clock):
    for key, chat_id in enumerate([7, 8, 8, 8, 9]):
        await enqueue_notification(chat_id=chat_id, kind="k", text="t", dedupe_key=f"c:{key}")

    first = await dispatch.claim_due(now=clock.now(), limit=2, lease=LEASE)
    second = await dispatch.claim_due(now=clock.now(), limit=2, lease=LEASE)

    assert [m.chat_id for m in first.claimed] == [7, 8, 8, 8]
    assert ([m.chat_id for m in second.claimed], first.full, second.full) == ([9], True, False)
