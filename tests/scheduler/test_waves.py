"""Waves of reminders: planned ahead, delivered by their deadline, shared by replicas.

Every dispatcher here runs its real loop (``run``) against the fake Bot API and its limits,
on a virtual timeline (``tests.scheduler.timeline``): minutes pass in a second or two.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from stations.enums import NotificationStatus
from stations.models import Notification
from stations.services.outbox import enqueue_notification
from tests.fake_telegram.models import SentMessage
from tests.fake_telegram.server import FakeTelegram
from tests.scheduler.timeline import Timeline

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

_chat_ids = itertools.count(900_001)
_group_ids = itertools.count(-200_001, -1)


@dataclass
class Wave:
    deliver_by: dt.datetime
    #: chat id → how many messages it gets
    chats: dict[int, int]

    @property
    def size(self) -> int:
        return sum(self.chats.values())


async def _wave(
    fake: FakeTelegram,
    *,
    deliver_by: dt.datetime,
    now: dt.datetime,
    single: int,
    several: int = 0,
    per_chat: int = 4,
    groups: int = 0,
    per_group: int = 10,
) -> Wave:
    """Reminders all meant to arrive at ``deliver_by``: ``single`` private chats with one
    each, ``several`` with ``per_chat`` each, ``groups`` group chats with ``per_group``."""
    chats: dict[int, int] = {}
    for count, n in ((single, 1), (several, per_chat)):
        for _ in range(count):
            chat_id = next(_chat_ids)
            fake.user(chat_id)
            chats[chat_id] = n
    for _ in range(groups):
        chat_id = next(_group_ids)
        fake.group(chat_id, title=f"Trạm {-chat_id}")
        chats[chat_id] = per_group
    rows = [
        Notification(
            chat_id=chat_id,
            kind="reminder",
            text=f"Nhắc ca {chat_id}/{i}",
            dedupe_key=f"wave:{chat_id}:{i}",
            due_at=deliver_by,
            expires_at=deliver_by + dt.timedelta(hours=2),
            status=NotificationStatus.PENDING,
            created_at=now,
        )
        for chat_id, n in chats.items()
        for i in range(n)
    ]
    await Notification.bulk_create(rows, batch_size=500)
    return Wave(deliver_by, chats)


def _busiest_second(times: list[float]) -> int:
    """The most sends in any one second (a window starting at a send)."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(ordered):
        # A microsecond spare: slot times are Unix seconds, exact to a few tenths of one.
        while ordered[first] <= at - 1.0 + 1e-6:
            first += 1
        most = max(most, last - first + 1)
    return most


def _closest_per_chat(sent: list[SentMessage]) -> dict[int, float]:
    times: dict[int, list[float]] = defaultdict(list)
    for message in sent:
        times[message.chat_id].append(message.at)
    return {
        chat: min(b - a for a, b in itertools.pairwise(sorted(at)))
        for chat, at in times.items()
        if len(at) > 1
    }


def _of_wave(fake: FakeTelegram, wave: Wave) -> list[SentMessage]:
    return [m for m in fake.sent if m.chat_id in wave.chats]


@pytest.fixture
def timeline(vtime) -> Timeline:
    return Timeline(vtime)


@pytest.fixture
def at_thirty(settings):
    """Telegram's 30 messages/s, all of it for the dispatcher (no share kept for replies)."""
    return settings._replace(send_rate=30.0, bot_reply_reserve=0.0, send_ahead_minutes=30.0)


async def _bots(fake: FakeTelegram, n: int) -> list[Bot]:
    bots = [
        Bot(fake.token, base_url=fake.api_base, request=HTTPXRequest(connection_pool_size=8))
        for _ in range(n)
    ]
    for bot in bots:
        await bot.initialize()
    return bots


async def test_a_wave_of_two_thousand_at_thirty_a_second_arrives_before_its_deadline(
    db, clock, fake, bot, at_thirty, timeline
):
    deliver_by = clock.now() + dt.timedelta(minutes=10)
    wave = await _wave(
        fake, deliver_by=deliver_by, now=clock.now(), single=1900, several=20, groups=2
    )
    timeline.dispatcher("only", bot, at_thirty)

    await timeline.run(
        until=lambda: len(fake.sent) >= wave.size, limit=timeline.seconds(deliver_by)
    )

    sent = _of_wave(fake, wave)
    times = sorted(m.at for m in sent)
    deadline = timeline.seconds(deliver_by)
    gaps = _closest_per_chat(sent)
    assert (wave.size, len(sent), len({(m.chat_id, m.text) for m in sent})) == (2000, 2000, 2000)
    assert fake.count_429 == 0
    # Started just early enough: 2,000 at 30/s take 67 s; planned at 27/s with a minute spare.
    assert deadline - 4 * 60 <= times[0] <= deadline - 2000 / 30
    assert times[-1] <= deadline
    assert _busiest_second(times) <= 30
    assert min(gap for chat, gap in gaps.items() if chat > 0) >= 1.0 - 1e-6
    assert min(gap for chat, gap in gaps.items() if chat < 0) >= 3.0 - 1e-6
    assert await Notification.filter(status=NotificationStatus.SENT).count() == 2000


async def test_a_wave_never_starts_before_the_send_ahead_window(
    db, clock, fake, bot, at_thirty, timeline
):
    # 2,100 at 30/s need 70 s: more than a window of one minute allows.
    deliver_by = clock.now() + dt.timedelta(minutes=10)
    wave = await _wave(fake, deliver_by=deliver_by, now=clock.now(), single=2100)
    timeline.dispatcher("only", bot, at_thirty._replace(send_ahead_minutes=1.0))

    await timeline.run(
        until=lambda: len(fake.sent) >= wave.size, limit=timeline.seconds(deliver_by) + 120
    )

    times = sorted(m.at for m in _of_wave(fake, wave))
    assert (len(times), fake.count_429) == (2100, 0)
    assert times[0] >= timeline.seconds(deliver_by) - 60


async def test_urgent_messages_preempt_a_wave_under_way(db, clock, fake, bot, at_thirty, timeline):
    deliver_by = clock.now() + dt.timedelta(minutes=5)
    wave = await _wave(fake, deliver_by=deliver_by, now=clock.now(), single=600)
    coordinators = -100_777
    fake.group(coordinators)
    raised_at: list[float] = []

    async def no_show_alert() -> None:
        raised_at.append(timeline.vtime())
        await enqueue_notification(
            chat_id=coordinators,
            kind="no_show",
            text="Chưa thấy tình nguyện viên đến ca",
            dedupe_key="no-show:1",
        )

    # 600 planned at 27/s start 82 s before their deadline (up to 5 s later: the plan is
    # read every 5 s) and take 20 s at 30/s: the wave is under way 70 s before it.
    timeline.at(timeline.seconds(deliver_by) - 70, no_show_alert)
    timeline.dispatcher("only", bot, at_thirty)

    await timeline.run(
        until=lambda: len(fake.sent) >= wave.size + 1, limit=timeline.seconds(deliver_by)
    )

    [alert] = fake.messages_to(coordinators)
    wave_times = sorted(m.at for m in _of_wave(fake, wave))
    after_alert = [at for at in wave_times if at > raised_at[0]]
    assert (len(wave_times), fake.count_429) == (600, 0)
    assert wave_times[0] < raised_at[0] and after_alert
    assert alert.at - raised_at[0] <= 5.0
    assert wave_times[-1] <= timeline.seconds(deliver_by)


async def test_two_replicas_together_keep_to_the_global_rate_and_the_deadline(
    db, clock, fake, at_thirty, timeline
):
    deliver_by = clock.now() + dt.timedelta(minutes=10)
    wave = await _wave(fake, deliver_by=deliver_by, now=clock.now(), single=960, several=10)
    bots = await _bots(fake, 2)
    first = timeline.dispatcher("first", bots[0], at_thirty)
    second = timeline.dispatcher("second", bots[1], at_thirty)

    try:
        await timeline.run(
            until=lambda: len(fake.sent) >= wave.size, limit=timeline.seconds(deliver_by)
        )
    finally:
        for b in bots:
            await b.shutdown()

    sent = _of_wave(fake, wave)
    times = sorted(m.at for m in sent)
    assert (len(sent), len({(m.chat_id, m.text) for m in sent})) == (1000, 1000)
    assert fake.count_429 == 0
    assert _busiest_second(times) <= 30
    assert times[-1] <= timeline.seconds(deliver_by)
    # Shared, not split: each sent a good part, together at the full rate.
    assert min(first.stats.sent, second.stats.sent) >= 250
    assert first.stats.sent + second.stats.sent == 1000
    assert times[-1] - times[0] <= 1000 / 30 * 1.25


async def test_a_dead_replicas_share_returns_to_the_survivor(db, clock, fake, at_thirty, timeline):
    deliver_by = clock.now() + dt.timedelta(minutes=10)
    wave = await _wave(fake, deliver_by=deliver_by, now=clock.now(), single=1500)
    bots = await _bots(fake, 2)
    lease = dt.timedelta(seconds=60)
    timeline.dispatcher("doomed", bots[0], at_thirty, lease=lease)
    survivor = timeline.dispatcher("survivor", bots[1], at_thirty, lease=lease)
    died_at = timeline.seconds(deliver_by) - 100

    async def die() -> None:
        timeline.kill("doomed")

    # 1,500 planned at 27/s start 116 s before the deadline (up to 5 s later: the plan is
    # read every 5 s): both are sending 8 s before one dies.
    timeline.at(died_at, die)

    try:
        await timeline.run(
            until=lambda: len(fake.sent) >= wave.size, limit=timeline.seconds(deliver_by)
        )
    finally:
        for b in bots:
            await b.shutdown()

    times = sorted(m.at for m in _of_wave(fake, wave))
    before = [at for at in times if died_at - 8 <= at < died_at]
    after = [at for at in times if died_at + 2 <= at < died_at + 12]
    assert (len(times), len(set(m.text for m in fake.sent)), fake.count_429) == (1500, 1500, 0)
    assert len(before) >= 8 * 27  # both at work: 30/s between them
    assert len(after) >= 270  # the survivor alone, at the whole rate
    assert _busiest_second(times) <= 30
    # What the dead one held came back when its lease ran out, and still went in time.
    assert survivor.stats.sent > 1500 - len([at for at in times if at < died_at])
    assert times[-1] <= timeline.seconds(deliver_by)


async def test_the_dispatcher_leaves_the_bots_replies_their_share(
    db, clock, fake, bot, settings, timeline
):
    # Defaults: 30 messages/s for the bot, 5 of them kept for replies.
    deliver_by = clock.now() + dt.timedelta(minutes=5)
    wave = await _wave(fake, deliver_by=deliver_by, now=clock.now(), single=800)
    people = [next(_chat_ids) for _ in range(40)]
    for chat_id in people:
        fake.user(chat_id)
    [replier] = await _bots(fake, 1)
    answered: list[float] = []
    # 800 planned at 22.5/s start 96 s before the deadline and take 32 s at 25/s.
    start = timeline.seconds(deliver_by) - 85

    def replies_at(second: int):
        async def reply() -> None:
            # Four volunteers press "Confirm" in the same second and are answered at once.
            for chat_id in people[second * 4 % 40 : second * 4 % 40 + 4]:
                await replier.send_message(chat_id, "Đã xác nhận ca trực")
                answered.append(timeline.vtime())

        return reply

    for second in range(20):
        timeline.at(start + second, replies_at(second))
    dispatcher = timeline.dispatcher("only", bot, settings)

    try:
        await timeline.run(
            until=lambda: len(fake.sent) >= wave.size + 80, limit=timeline.seconds(deliver_by)
        )
    finally:
        await replier.shutdown()

    wave_times = sorted(m.at for m in _of_wave(fake, wave))
    assert (dispatcher.rate, len(answered), len(wave_times)) == (25.0, 80, 800)
    assert fake.count_429 == 0
    assert _busiest_second(wave_times) <= 25
    assert wave_times[0] <= start and wave_times[-1] <= timeline.seconds(deliver_by)
