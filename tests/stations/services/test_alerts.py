"""Alerts: no-shows, check-out follow-ups, low stock, daily summary, closing report, gaps."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.enums import AssignmentStatus, CampaignStatus, NotificationStatus, ShiftRole
from stations.models import Assignment, Notification
from stations.services import alerts
from stations.services.actor import Actor
from stations.services.assignments import check_in
from stations.services.campaigns import close_campaign
from stations.services.inventory import record_handout, record_receipt, set_low_stock_threshold
from stations.services.phones import format_phone_local
from stations.services.service_records import record_service
from tests.factories import make_assignment, make_campaign, make_item, make_shift, make_station, vn
from tests.scheduler.helpers import (  # noqa: F401
    COORDINATORS,
    linked_volunteer,
    no_coordinators,
    routing,
    shift_world,
)

ADMIN = Actor.system("test")


async def _texts(kind: str) -> list[tuple[int, str]]:
    return [(n.chat_id, n.text) for n in await Notification.filter(kind=kind).order_by("id")]


@pytest.mark.usefixtures("routing")
async def test_no_shows_are_marked_and_reported_once_per_shift(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 8))
    other = await linked_volunteer(full_name="Đỗ <Văn> Phúc")
    late = await make_assignment(world.shift, other)
    await check_in(world.lead_assignment, by=ADMIN)
    clock.set(vn(2027, 2, 2, 8, 15))

    first = await alerts.alert_no_shows(now=clock.now())
    again = await alerts.alert_no_shows(now=clock.now())

    statuses = [a.status for a in await Assignment.filter(id__in=[world.assignment.id, late.id])]
    title = (
        f"⚠️ <b>Chưa điểm danh</b> sau 15 phút kể từ đầu ca tại {world.station.name}, "
        "08:00–12:00 02/02/2027:"
    )
    expected = (
        f"{title}\n• Lê Văn Cường · tình nguyện viên · {format_phone_local(world.volunteer.phone)}"
        f"\n• Đỗ &lt;Văn&gt; Phúc · tình nguyện viên · {format_phone_local(other.phone)}"
    )
    assert (first, again) == (2, 0)
    assert statuses == [AssignmentStatus.NO_SHOW] * 2
    assert await _texts("no_show") == [
        (world.lead.telegram_chat_id, expected),
        (COORDINATORS, expected),
    ]


@pytest.mark.usefixtures("routing")
async def test_no_shows_before_the_grace_period_are_left_alone(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 8))
    clock.set(vn(2027, 2, 2, 8, 14))

    assert await alerts.alert_no_shows(now=clock.now()) == 0
    assert (await Assignment.get(id=world.assignment.id)).status == AssignmentStatus.ASSIGNED


@pytest.mark.usefixtures("routing")
async def test_check_out_reminder_at_the_end_then_automatic_check_out(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 7), hours=4, language="en")
    clock.set(vn(2027, 2, 2, 7, 5))
    await check_in(world.assignment, by=ADMIN)

    clock.set(vn(2027, 2, 2, 11))
    reminded = await alerts.remind_check_out(now=clock.now())
    reminded_again = await alerts.remind_check_out(now=clock.now())
    clock.set(vn(2027, 2, 2, 12, 59))
    too_early = await alerts.auto_check_out(now=clock.now())
    clock.set(vn(2027, 2, 2, 13))
    closed = await alerts.auto_check_out(now=clock.now())

    row = await Assignment.get(id=world.assignment.id)
    assert (reminded, reminded_again, too_early, closed) == (1, 1, 0, 1)
    assert (row.status, row.auto_checked_out, row.checked_out_at, row.worked_minutes) == (
        AssignmentStatus.CHECKED_OUT,
        True,
        vn(2027, 2, 2, 11),
        235,
    )
    assert await _texts("check_out_reminder") == [
        (
            world.volunteer.telegram_chat_id,
            f"Your shift at {world.station.name} ended at 11:00. Please send /checkout so that "
            "your hours are counted.",
        )
    ]
    assert len(await _texts("auto_checked_out")) == 1


@pytest.mark.usefixtures("routing")
async def test_low_stock_alert_once_per_crossing_right_after_the_movement(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 7))
    water = await make_item("water")  # alert level 100
    await record_receipt(world.station, water, 150, by=ADMIN)

    await record_handout(world.station, water, 40, by=ADMIN)  # 110: still fine
    crossing = await record_handout(world.station, water, 20, by=ADMIN)  # 90: crossed
    await record_handout(world.station, water, 10, by=ADMIN)  # 80: still low, no new alert
    swept = await alerts.sweep_low_stock(now=clock.now())

    text = (
        f"📦 <b>Sắp hết hàng</b> tại {world.station.name}: Nước suối chỉ còn 90 chai "
        "(mức cảnh báo 100). Vui lòng bổ sung hoặc điều chuyển từ trạm khác."
    )
    rows = await Notification.filter(kind="low_stock").order_by("id")
    assert crossing.low_stock_crossed is True
    assert swept == 2  # the same two rows, found again: nothing new
    assert [(r.chat_id, r.text, r.dedupe_key) for r in rows] == [
        (
            world.lead.telegram_chat_id,
            text,
            f"low_stock:{world.station.id}:{water.id}:{crossing.movement.id}:v{world.lead.id}",
        ),
        (
            COORDINATORS,
            text,
            f"low_stock:{world.station.id}:{water.id}:{crossing.movement.id}:coordinators",
        ),
    ]


@pytest.mark.usefixtures("routing")
async def test_low_stock_crosses_again_after_a_refill(db, clock):
    station = await make_station()
    water = await make_item("water")
    await record_receipt(station, water, 120, by=ADMIN)
    await record_handout(station, water, 30, by=ADMIN)
    await record_receipt(station, water, 100, by=ADMIN)

    await record_handout(station, water, 100, by=ADMIN)

    assert len(await _texts("low_stock")) == 2  # coordinators, twice: two crossings


@pytest.mark.usefixtures("routing")
async def test_sweep_catches_a_threshold_raised_above_the_stock(db, clock):
    station = await make_station()
    water = await make_item("water")
    await record_receipt(station, water, 150, by=ADMIN)
    await set_low_stock_threshold(station, water, 200, by=ADMIN)

    swept = await alerts.sweep_low_stock(now=clock.now())
    again = await alerts.sweep_low_stock(now=clock.now())

    [row] = await Notification.filter(kind="low_stock")
    assert (swept, again, row.chat_id) == (1, 1, COORDINATORS)
    assert row.dedupe_key == f"low_stock:{station.id}:{water.id}:0:coordinators"


@pytest.mark.usefixtures("routing")
async def test_daily_summary_after_eight_in_the_evening(db, clock):
    world = await shift_world(starts_at=vn(2027, 2, 2, 7), code="S01", name="Trạm <Cầu> Mới")
    clock.set(vn(2027, 2, 2, 7))
    await check_in(world.assignment, by=ADMIN)
    await check_in(world.lead_assignment, by=ADMIN)
    water = await make_item("water")
    await record_receipt(world.station, water, 300, by=ADMIN)
    await record_handout(world.station, water, 250, by=ADMIN)
    await record_service(world.station, "motorbike_check", 12, by=ADMIN)
    from stations.services.assignments import check_out

    clock.set(vn(2027, 2, 2, 11))
    await check_out(world.assignment, by=ADMIN)
    await check_out(world.lead_assignment, by=ADMIN)

    clock.set(vn(2027, 2, 2, 19, 59))
    early = await alerts.send_daily_summaries(now=clock.now())
    clock.set(vn(2027, 2, 2, 20))
    sent = await alerts.send_daily_summaries(now=clock.now())
    again = await alerts.send_daily_summaries(now=clock.now())

    # Each run also has yesterday's whole day (01/02, nothing in it) to send.
    assert (early, sent, again) == (1, 2, 2)
    assert [t for t in await _texts("daily_summary") if "Tình hình" in t[1]] == [
        (
            COORDINATORS,
            "📊 <b>Tình hình ngày 02/02/2027</b> (đến 20:00): Tết Đinh Mùi 2027\n\n"
            "<b>S01 · Trạm &lt;Cầu&gt; Mới</b>: 2 tình nguyện viên, 8 giờ 00 phút làm việc\n"
            "Đã phát: 250 chai nước suối\n"
            "Hoạt động hỗ trợ: kiểm tra 12 xe máy\n"
            "Sắp hết: 50 chai nước suối",
        )
    ]


@pytest.mark.usefixtures("routing")
async def test_daily_summary_splits_long_campaigns_under_telegrams_limit(db, clock):
    campaign = await make_campaign()
    for n in range(60):
        await make_station(campaign, code=f"S{n:02d}", name=f"Trạm dừng chân {'x' * 80} {n}")
    clock.set(vn(2027, 2, 3, 6))

    sent = await alerts.send_daily_summaries(now=clock.now())

    texts = [text for _chat, text in await _texts("daily_summary")]
    assert sent == len(texts) > 1
    assert all(len(t) <= 4096 for t in texts)
    assert all(t.startswith("📊 <b>Tổng kết ngày 02/02/2027</b>") for t in texts)
    assert sum(t.count("<b>S") for t in texts) == 60


@pytest.mark.usefixtures("no_coordinators")
async def test_coordinator_alerts_are_skipped_without_a_coordinators_chat(db, clock):
    await shift_world(starts_at=vn(2027, 2, 3, 7))
    clock.set(vn(2027, 2, 2, 20, 30))

    assert await alerts.send_daily_summaries(now=clock.now()) == 0
    assert await alerts.send_closing_reports(now=clock.now()) == 0
    assert await Notification.all().count() == 0


@pytest.mark.usefixtures("routing")
async def test_unfilled_shifts_of_the_next_three_days_each_morning(db, clock):
    station = await make_station(name="Trạm Sa Đéc")
    short = await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10))
    await make_assignment(short, await linked_volunteer(), role=ShiftRole.LEAD)
    full = await make_shift(
        station, starts_at=vn(2027, 2, 3, 10), ends_at=vn(2027, 2, 3, 14), needs={"lead": 1}
    )
    await make_assignment(full, await linked_volunteer(), role=ShiftRole.LEAD)
    await make_shift(station, starts_at=vn(2027, 2, 6, 6), ends_at=vn(2027, 2, 6, 10))
    clock.set(vn(2027, 2, 2, 6, 59))
    early = await alerts.send_unfilled_shifts(now=clock.now())
    clock.set(vn(2027, 2, 2, 7))

    sent = await alerts.send_unfilled_shifts(now=clock.now())

    assert (early, sent) == (0, 1)
    assert await _texts("unfilled_shifts") == [
        (
            COORDINATORS,
            "🧩 <b>Các ca còn thiếu người</b> trong 3 ngày tới:\n\n"
            "• 06:00–10:00 03/02/2027 · Trạm Sa Đéc: tình nguyện viên 0/3",
        )
    ]


@pytest.mark.usefixtures("routing")
async def test_closing_report_once_when_a_campaign_is_closed(db, clock):
    campaign = await make_campaign(name="Tết <Đinh> Mùi 2027")
    await make_station(campaign)
    old = await make_campaign(
        name="Tết Bính Ngọ 2026", status=CampaignStatus.CLOSED, closed_at=vn(2026, 2, 28)
    )

    await close_campaign(campaign, by=ADMIN)
    sent = await alerts.send_closing_reports(now=clock.now())
    again = await alerts.send_closing_reports(now=clock.now())

    [(chat, text)] = await _texts("closing_report")
    assert (sent, again, chat) == (1, 1, COORDINATORS)
    assert text.startswith("🏁 <b>Báo cáo kết thúc</b>: Tết &lt;Đinh&gt; Mùi 2027\n\n")
    assert old.name not in text


@pytest.mark.usefixtures("routing")
async def test_closing_report_when_the_last_day_has_passed(db, clock):
    await make_campaign(
        name="30/4 2027", starts_on=dt.date(2027, 1, 25), ends_on=dt.date(2027, 2, 1)
    )

    sent = await alerts.send_closing_reports(now=clock.now())

    assert sent == 1
    assert (await Notification.get(kind="closing_report")).status == NotificationStatus.PENDING
