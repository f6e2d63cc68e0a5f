"""The dispatcher through the real delivery code against the fake Bot API and its limits."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from stations.enums import NotificationStatus
from stations.models import Notification, Volunteer
from stations.services import dispatch
from stations.services.outbox import enqueue_notification
from stations.services.phones import format_phone_local
from tests.scheduler.helpers import COORDINATORS, dispatcher_for, linked_volunteer

pytestmark = [
    pytest.mark.e2e,
    # PTB reads RetryAfter.retry_after itself while building the error (its v22.2 deprecation)
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


async def _queue(chat_id: int, n: int, *, kind: str = "test", **options: object) -> list[int]:
    ids = []
    for i in range(n):
        row = await enqueue_notification(
            chat_id=chat_id,
            kind=kind,
            text=f"tin {i} <b>đậm</b>",
            dedupe_key=f"t:{chat_id}:{i}",
            parse_mode="HTML",
            **options,  # type: ignore[arg-type]
        )
        ids.append(row.id)
    return ids


async def test_dispatcher_sends_due_messages_once_with_html_and_buttons(
    db, clock, fake, bot, settings, vtime
):
    volunteer = await linked_volunteer(fake)
    markup = {"inline_keyboard": [[{"text": "✅ Xác nhận", "callback_data": "asg:confirm:7"}]]}
    row = await enqueue_notification(
        chat_id=volunteer.telegram_chat_id,
        volunteer=volunteer,
        kind="reminder",
        text="Ca trực tại <b>Trạm 1</b> &amp; bạn",
        parse_mode="HTML",
        reply_markup=markup,
        dedupe_key="r:1",
    )

    stats = await dispatcher_for(bot, settings, vtime).drain()

    [sent] = fake.messages_to(volunteer.telegram_chat_id)
    stored = await Notification.get(id=row.id)
    assert (sent.text, sent.reply_markup, sent.parse_mode) == (
        "Ca trực tại Trạm 1 & bạn",
        markup,
        "HTML",
    )
    assert (stored.status, stored.sent_at, stored.attempts, stats.sent) == (
        NotificationStatus.SENT,
        clock.now(),
        1,
        1,
    )


async def test_dispatcher_leaves_future_messages_for_later(db, clock, fake, bot, settings, vtime):
    volunteer = await linked_volunteer(fake)
    await _queue(volunteer.telegram_chat_id, 1, due_at=clock.now() + dt.timedelta(hours=1))

    stats = await dispatcher_for(bot, settings, vtime).drain()

    assert (stats.sent, fake.sent) == (0, [])


async def test_pacing_keeps_one_private_chat_at_one_message_a_second(
    db, clock, fake, bot, settings, vtime
):
    volunteer = await linked_volunteer(fake)
    await _queue(volunteer.telegram_chat_id, 6)

    stats = await dispatcher_for(bot, settings, vtime).drain()

    times = [m.at for m in fake.messages_to(volunteer.telegram_chat_id)]
    assert (stats.sent, fake.count_429) == (6, 0)
    assert [round(b - a, 3) for a, b in itertools.pairwise(times)] == [1.0] * 5


async def test_pacing_keeps_a_group_at_twenty_a_minute(db, clock, fake, bot, settings, vtime):
    await _queue(COORDINATORS, 25)

    stats = await dispatcher_for(bot, settings, vtime).drain()

    times = [m.at for m in fake.messages_to(COORDINATORS)]
    assert (stats.sent, fake.count_429) == (25, 0)
    assert times[-1] - times[0] >= 24 * 3.0


async def test_pacing_keeps_under_thirty_a_second_overall_earliest_deadline_first(
    db, clock, fake, bot, settings, vtime
):
    people = [await linked_volunteer(fake) for _ in range(90)]
    for i, person in enumerate(people):
        # the last ones queued were meant to arrive first: they must go first
        await enqueue_notification(
            chat_id=person.telegram_chat_id,
            kind="t",
            text=f"n{i}",
            dedupe_key=f"n:{i}",
            due_at=clock.now() - dt.timedelta(seconds=i),
        )
    settings = settings._replace(bot_reply_reserve=0.0)

    stats = await dispatcher_for(bot, settings, vtime).drain()

    times = [m.at for m in fake.sent]
    assert (stats.sent, fake.count_429) == (90, 0)
    assert times[-1] - times[0] >= 89 / 30 - 1e-6
    assert [m.text for m in fake.sent[:3]] == ["n89", "n88", "n87"]


async def test_retry_after_is_obeyed_and_nothing_is_lost(db, clock, fake, bot, settings, vtime):
    volunteer = await linked_volunteer(fake)
    ids = await _queue(volunteer.telegram_chat_id, 3)
    fake.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 7",
        retry_after=7,
    )
    dispatcher = dispatcher_for(bot, settings, vtime)

    started = vtime()
    await dispatcher.drain()
    clock.advance(dt.timedelta(seconds=7))
    stats = await dispatcher.drain()

    rows = await Notification.filter(id__in=ids).order_by("id")
    sent = fake.messages_to(volunteer.telegram_chat_id)
    assert [r.status for r in rows] == [NotificationStatus.SENT] * 3
    assert [r.attempts for r in rows] == [1, 1, 1]
    assert (stats.retried, stats.sent, len(sent), fake.count_429) == (1, 3, 3, 1)
    assert sent[0].at - started >= 7


async def test_transient_errors_back_off_then_fail_visibly(db, clock, fake, bot, settings, vtime):
    volunteer = await linked_volunteer(fake)
    [note_id] = await _queue(volunteer.telegram_chat_id, 1)
    fake.fail_next(
        "sendMessage", error_code=502, description="Bad Gateway", times=settings.max_attempts
    )
    dispatcher = dispatcher_for(bot, settings, vtime)

    due_times = []
    for _ in range(settings.max_attempts):
        await dispatcher.drain()
        row = await Notification.get(id=note_id)
        assert row.not_before is not None
        due_times.append(row.not_before - clock.now())
        clock.set(row.not_before)

    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 3)
    assert "Bad Gateway" in row.last_error
    assert due_times[:2] == [dt.timedelta(seconds=10), dt.timedelta(seconds=20)]
    assert fake.messages_to(volunteer.telegram_chat_id) == []


async def test_bad_request_fails_at_once_with_telegrams_reason(
    db, clock, fake, bot, settings, vtime
):
    volunteer = await linked_volunteer(fake)
    row = await enqueue_notification(
        chat_id=volunteer.telegram_chat_id,
        kind="t",
        text="<b>không đóng thẻ",
        parse_mode="HTML",
        dedupe_key="bad:1",
    )

    await dispatcher_for(bot, settings, vtime).drain()

    stored = await Notification.get(id=row.id)
    assert (stored.status, stored.attempts) == (NotificationStatus.FAILED, 1)
    assert stored.last_error == (
        "Bad Request: Can't parse entities: can't find end tag corresponding to start tag \"b\""
    )


async def test_blocked_bot_marks_volunteer_unreachable_and_tells_coordinators(
    db, clock, fake, bot, settings, vtime
):
    volunteer = await linked_volunteer(fake, full_name="Phạm <Thị> Dung")
    fake.block(volunteer.telegram_chat_id)
    await enqueue_notification(
        chat_id=volunteer.telegram_chat_id,
        volunteer=volunteer,
        kind="t",
        text="a",
        dedupe_key="b:1",
    )
    await enqueue_notification(
        chat_id=volunteer.telegram_chat_id,
        volunteer=volunteer,
        kind="t",
        text="b",
        dedupe_key="b:2",
    )

    await dispatcher_for(bot, settings, vtime).drain()

    rows = await Notification.filter(dedupe_key__startswith="b:").order_by("id")
    [told] = fake.messages_to(COORDINATORS)
    assert [r.status for r in rows] == [NotificationStatus.FAILED] * 2
    assert rows[0].last_error == "Forbidden: bot was blocked by the user"
    assert (await Volunteer.get(id=volunteer.id)).reachable is False
    assert told.text == (
        f"Phạm <Thị> Dung ({format_phone_local(volunteer.phone)}) đã chặn bot nên không thể gửi tin nhắn Telegram "
        "cho người này. Vui lòng liên hệ bằng cách khác."
    )


async def test_stale_message_is_dropped_with_its_reason(db, clock, fake, bot, settings, vtime):
    volunteer = await linked_volunteer(fake)
    [note_id] = await _queue(
        volunteer.telegram_chat_id, 1, expires_at=clock.now() + dt.timedelta(minutes=5)
    )
    clock.advance(dt.timedelta(minutes=5))

    stats = await dispatcher_for(bot, settings, vtime).drain()

    row = await Notification.get(id=note_id)
    assert (stats.dropped_stale, row.status, fake.sent) == (1, NotificationStatus.CANCELLED, [])
    assert row.last_error.startswith("stale: no longer useful after 2027-02-02T01:05:00")


async def test_cancelled_while_waiting_its_turn_is_not_sent(db, clock, fake, bot, settings, vtime):
    volunteer = await linked_volunteer(fake)
    ids = await _queue(volunteer.telegram_chat_id, 2)
    dispatcher = dispatcher_for(bot, settings, vtime)
    claimed = await dispatch.claim_due(now=clock.now(), limit=10, lease=dispatcher.lease)
    dispatcher.pacer.add(claimed.claimed)
    await Notification.filter(id=ids[1]).update(status=NotificationStatus.CANCELLED)

    stats = await dispatcher.drain()

    assert (stats.sent, stats.skipped) == (1, 1)
    assert [m.text for m in fake.sent] == ["tin 0 đậm"]


async def test_killed_after_claim_loses_nothing(db, clock, fake, bot, settings, vtime):
    volunteer = await linked_volunteer(fake)
    ids = await _queue(volunteer.telegram_chat_id, 2)
    # A dispatcher claims both and dies (kill -9) before sending anything.
    await dispatch.claim_due(now=clock.now(), limit=10)

    before = await dispatcher_for(bot, settings, vtime).drain()
    clock.advance(dispatch.DEFAULT_LEASE + dt.timedelta(seconds=1))
    after = await dispatcher_for(bot, settings, vtime).drain()

    rows = await Notification.filter(id__in=ids).order_by("id")
    assert (before.sent, after.sent) == (0, 2)
    assert [(r.status, r.attempts) for r in rows] == [(NotificationStatus.SENT, 2)] * 2
    assert len(fake.messages_to(volunteer.telegram_chat_id)) == 2


async def test_killed_between_telegram_and_marking_sends_at_most_twice(
    db, clock, fake, bot, settings, vtime
):
    from bot.delivery import deliver

    volunteer = await linked_volunteer(fake)
    [note_id] = await _queue(volunteer.telegram_chat_id, 1)
    # The dispatcher sends, Telegram accepts, and the process dies before marking the row.
    [claimed] = (await dispatch.claim_due(now=clock.now(), limit=1)).claimed
    await deliver(bot, claimed)

    clock.advance(dispatch.DEFAULT_LEASE + dt.timedelta(seconds=1))
    stats = await dispatcher_for(bot, settings, vtime).drain()
    again = await dispatcher_for(bot, settings, vtime).drain()

    row = await Notification.get(id=note_id)
    assert (stats.sent, again.sent, row.status) == (1, 0, NotificationStatus.SENT)
    assert len(fake.messages_to(volunteer.telegram_chat_id)) == 2


@pytest.fixture
async def impatient_bot(fake):
    """A client that gives up on an answer after 0.2 s (the fake is told to be slower)."""
    telegram_bot = Bot(
        fake.token,
        base_url=fake.api_base,
        request=HTTPXRequest(connection_pool_size=2, read_timeout=0.2),
    )
    await telegram_bot.initialize()
    yield telegram_bot
    await telegram_bot.shutdown()


async def test_a_send_answered_too_late_is_sent_once_more_only(
    db, clock, fake, impatient_bot, settings, vtime
):
    volunteer = await linked_volunteer(fake)
    [note_id] = await _queue(volunteer.telegram_chat_id, 1)
    # Telegram accepts each send but answers after the client has given up, every time.
    fake.delay_next("sendMessage", 0.6, times=3)

    first = await dispatcher_for(impatient_bot, settings, vtime).drain()
    in_doubt = await Notification.get(id=note_id)
    clock.set(in_doubt.not_before)
    second = await dispatcher_for(impatient_bot, settings, vtime).drain()
    clock.advance(dispatch.MAX_BACKOFF)
    third = await dispatcher_for(impatient_bot, settings, vtime).drain()

    row = await Notification.get(id=note_id)
    assert (in_doubt.status, in_doubt.last_error[:10]) == (NotificationStatus.PENDING, "in doubt: ")
    assert (first.retried, second.failed, third.sent + third.failed) == (1, 1, 0)
    assert row.status == NotificationStatus.FAILED
    assert row.last_error.startswith("in doubt: no answer twice; not sent again")
    # At most one duplicate, and coordinators see the row among the failed ones.
    assert len(fake.messages_to(volunteer.telegram_chat_id)) == 2


async def test_a_send_in_doubt_that_then_succeeds_is_sent_twice_at_most(
    db, clock, fake, impatient_bot, settings, vtime
):
    volunteer = await linked_volunteer(fake)
    [note_id] = await _queue(volunteer.telegram_chat_id, 1)
    fake.delay_next("sendMessage", 0.6)
    dispatcher = dispatcher_for(impatient_bot, settings, vtime)

    await dispatcher.drain()
    clock.set((await Notification.get(id=note_id)).not_before)
    again = await dispatcher.drain()

    row = await Notification.get(id=note_id)
    assert (again.sent, row.status, row.last_error) == (1, NotificationStatus.SENT, "")
    assert len(fake.messages_to(volunteer.telegram_chat_id)) == 2


async def test_a_request_that_never_left_is_retried_as_usual(db, clock, fake, settings, vtime):
    volunteer = await linked_volunteer(fake)
    [note_id] = await _queue(volunteer.telegram_chat_id, 1)
    # Nothing listens on this port: the connection itself fails, nothing can be delivered.
    unreachable = Bot(fake.token, base_url="http://127.0.0.1:9/bot")
    stats = await dispatcher_for(unreachable, settings, vtime).drain()

    row = await Notification.get(id=note_id)
    assert (stats.retried, row.status) == (1, NotificationStatus.PENDING)
    assert not row.last_error.startswith("in doubt")


async def test_cancelled_dispatcher_task_hands_back_what_it_holds(
    db, clock, fake, bot, settings, vtime
):
    people = [await linked_volunteer(fake) for _ in range(3)]
    for person in people:
        await _queue(person.telegram_chat_id, 3)
    dispatcher = dispatcher_for(bot, settings, vtime)
    task = asyncio.create_task(dispatcher.run())
    await fake.wait_for(count=2)

    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    rest = await dispatcher_for(bot, settings, vtime).drain()

    rows = await Notification.all()
    assert {r.status for r in rows} == {NotificationStatus.SENT}
    assert len(fake.sent) == 9 == len(rows)
    assert rest.sent == 9 - dispatcher.stats.sent


async def test_two_dispatchers_at_once_send_each_message_exactly_once(
    db, clock, make_fake_telegram, vtime
):
    if not db.is_postgres:
        __import__("pytest").skip("several dispatchers share one database on PostgreSQL only")
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from tests.fake_telegram.limits import Limits
    from tests.scheduler.helpers import scheduler_settings

    # Two processes' pacers do not know each other: the limits are off to see only the claims.
    server = await make_fake_telegram(time_source=vtime, limits=Limits(enforce=False))
    people = [await linked_volunteer(server) for _ in range(20)]
    for person in people:
        await _queue(person.telegram_chat_id, 5)
    settings = scheduler_settings(server, send_rate=1000.0, chat_interval=0.0)
    bots = [
        Bot(server.token, base_url=server.api_base, request=HTTPXRequest(connection_pool_size=8))
        for _ in range(2)
    ]
    dispatchers = [dispatcher_for(b, settings, vtime, concurrency=4, batch_size=30) for b in bots]

    try:
        first, second = await asyncio.gather(*(d.drain() for d in dispatchers))
    finally:
        for b in bots:
            await b.shutdown()

    texts = [(m.chat_id, m.text) for m in server.sent]
    rows = await Notification.all()
    assert len(texts) == len(set(texts)) == 100
    assert {r.status for r in rows} == {NotificationStatus.SENT}
    assert first.sent + second.sent == 100
    assert min(first.sent, second.sent) > 0
