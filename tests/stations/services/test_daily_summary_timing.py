"""The daily summary covers the whole Vietnam-local day it names (issue 11): the day so far
at 20:00, the complete day at 06:00 the next morning, with what happened after 20:00."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.models import Notification
from stations.services import alerts
from stations.services.actor import Actor
from stations.services.inventory import record_handout, record_receipt
from tests.factories import make_campaign, make_item, make_station, vn
from tests.scheduler.helpers import COORDINATORS, routing  # noqa: F401

ADMIN = Actor.system("test")

pytestmark = pytest.mark.usefixtures("routing")


async def _summaries() -> list[tuple[str, int, str]]:
    return [
        (n.dedupe_key, n.chat_id, n.text)
        for n in await Notification.filter(kind="daily_summary").order_by("id")
    ]


async def _station_with_evening_handouts(clock):
    campaign = await make_campaign(starts_on=dt.date(2027, 2, 2), ends_on=dt.date(2027, 2, 3))
    station = await make_station(campaign, code="S01", name="Trạm Sa Đéc")
    water = await make_item("water")
    clock.set(vn(2027, 2, 2, 9))
    await record_receipt(station, water, 2000, by=ADMIN)
    await record_handout(station, water, 1200, by=ADMIN)
    return campaign, station, water


async def test_the_evening_message_says_it_is_the_day_so_far(db, clock):
    campaign, _station, _water = await _station_with_evening_handouts(clock)

    clock.set(vn(2027, 2, 2, 20))
    sent = await alerts.send_daily_summaries(now=clock.now())

    assert sent == 1
    assert await _summaries() == [
        (
            f"daily-so-far:{campaign.id}:2027-02-02:0",
            COORDINATORS,
            f"📊 <b>Tình hình ngày 02/02/2027</b> (đến 20:00): {campaign.name}\n\n"
            "<b>S01 · Trạm Sa Đéc</b>: 0 tình nguyện viên, 0 phút làm việc\n"
            "Đã phát: 1.200 chai nước suối",
        )
    ]


async def test_the_next_morning_the_whole_day_counts_what_came_after_20(db, clock):
    campaign, station, water = await _station_with_evening_handouts(clock)
    clock.set(vn(2027, 2, 2, 20))
    await alerts.send_daily_summaries(now=clock.now())
    clock.set(vn(2027, 2, 2, 21, 30))
    await record_handout(station, water, 300, by=ADMIN)
    clock.set(vn(2027, 2, 2, 23, 59))
    await record_handout(station, water, 5, by=ADMIN)
    clock.set(vn(2027, 2, 3, 0, 1))
    await record_handout(station, water, 7, by=ADMIN)  # the next day's

    clock.set(vn(2027, 2, 3, 5, 59))
    too_early = await alerts.send_daily_summaries(now=clock.now())
    clock.set(vn(2027, 2, 3, 6))
    sent = await alerts.send_daily_summaries(now=clock.now())
    again = await alerts.send_daily_summaries(now=clock.now())

    assert (too_early, sent, again) == (0, 1, 1)
    [_evening, whole_day] = await _summaries()
    assert whole_day == (
        f"daily:{campaign.id}:2027-02-02:0",
        COORDINATORS,
        f"📊 <b>Tổng kết ngày 02/02/2027</b>: {campaign.name}\n\n"
        "<b>S01 · Trạm Sa Đéc</b>: 0 tình nguyện viên, 0 phút làm việc\n"
        "Đã phát: 1.505 chai nước suối",
    )


async def test_a_scheduler_back_after_a_night_down_sends_yesterday_whole(db, clock):
    campaign, _station, _water = await _station_with_evening_handouts(clock)

    clock.set(vn(2027, 2, 3, 15, 10))
    sent = await alerts.send_daily_summaries(now=clock.now())

    assert sent == 1
    [(key, _chat, text)] = await _summaries()
    assert key == f"daily:{campaign.id}:2027-02-02:0"
    assert text.startswith("📊 <b>Tổng kết ngày 02/02/2027</b>")


async def test_a_day_without_activity_says_so_in_the_past(db, clock):
    await make_campaign(starts_on=dt.date(2027, 2, 2), ends_on=dt.date(2027, 2, 3))
    clock.set(vn(2027, 2, 3, 6))

    await alerts.send_daily_summaries(now=clock.now())

    [(_key, _chat, text)] = await _summaries()
    assert text.endswith("\n\nKhông có hoạt động nào được ghi nhận trong ngày.")
