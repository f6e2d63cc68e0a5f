from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from stations import clock as clock_module
from stations.clock import FrozenClock
from stations.services.queries.reports import CampaignReport, ReportTotals
from stations.services.report_summary import CampaignStage, campaign_stage, campaign_summary
from tests.factories import vn
from tests.stations.services.report_samples import TWO_STATIONS_TWO_DAYS, totals

pytestmark = pytest.mark.unit

# Tết Đinh Mùi 2027 runs from 30/01 to 11/02/2027; the clock fixture stands on 02/02/2027.
TET_2027: dict[str, Any] = {
    "name": "Tết Đinh Mùi 2027",
    "starts_on": dt.date(2027, 1, 30),
    "ends_on": dt.date(2027, 2, 11),
}


def report(
    figures: ReportTotals,
    *,
    # Last year's campaign, over on the fixture's clock.
    name: str = "Tết Bính Ngọ 2026",
    starts_on: dt.date = dt.date(2026, 2, 10),
    ends_on: dt.date = dt.date(2026, 2, 22),
    budget_vnd: int | None = None,
    status: str = "open",
) -> CampaignReport:
    """A report generated now, by the clock the test runs on (as ``campaign_report`` is)."""
    return CampaignReport(
        campaign_id=1,
        name=name,
        kind="tet",
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        budget_vnd=budget_vnd,
        generated_at=clock_module.now(),
        totals=figures,
        stations=[],
        days=[],
    )


SMALL = TWO_STATIONS_TWO_DAYS
ARTICLE = totals(
    stations=30,
    units=12,
    volunteer_turns=4012,
    worked_hours=16048.4,
    water_bottles=612_300,
    cold_towels=503_100,
    food_items=114_870,
    fuel_litres=1020,
    leaflets=32_150,
    motorbikes_checked=471,
    broadcast_hours=1961.5,
    first_aid=180,
    cost_vnd=1_050_000_000,
)
PLANNED_ONLY = totals(stations=30, units=12)


# --- the campaign's stage ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "stage"),
    [
        (vn(2027, 1, 29, 23, 59), CampaignStage.PLANNED),
        (vn(2027, 1, 30, 0, 0), CampaignStage.RUNNING),
        (vn(2027, 2, 11, 23, 59), CampaignStage.RUNNING),
        (vn(2027, 2, 12, 0, 0), CampaignStage.ENDED),
    ],
)
def test_campaign_stage_turns_at_vietnam_midnight(
    clock: FrozenClock, now: dt.datetime, stage: CampaignStage
) -> None:
    clock.set(now)

    assert campaign_stage(report(SMALL, **TET_2027)) == stage


def test_campaign_stage_closed_campaign_is_over_before_its_end(clock: FrozenClock) -> None:
    assert campaign_stage(report(SMALL, **TET_2027, status="closed")) == CampaignStage.ENDED


def test_campaign_stage_reads_the_moment_the_report_was_generated(clock: FrozenClock) -> None:
    clock.set(vn(2027, 1, 29, 8))
    generated_before_the_start = report(SMALL, **TET_2027)

    clock.set(vn(2027, 3, 1, 8))

    assert campaign_stage(generated_before_the_start) == CampaignStage.PLANNED


# --- an upcoming campaign: what it plans ------------------------------------------------


def test_campaign_summary_upcoming_campaign_plans_its_stations(clock: FrozenClock) -> None:
    clock.set(vn(2026, 12, 1, 9))
    upcoming = report(PLANNED_ONLY, **TET_2027, budget_vnd=1_200_000_000)

    texts = [campaign_summary(upcoming, language) for language in ("vi", "en")]

    assert texts == [
        "Chiến dịch Tết Đinh Mùi 2027 (từ 30/01 đến 11/02/2027) dự kiến tổ chức 30 Trạm dừng "
        "chân nghĩa tình do 12 đơn vị thực hiện. Dự toán kinh phí 1.200.000.000 đồng, còn lại "
        "1.200.000.000 đồng.",
        "The Tết Đinh Mùi 2027 campaign (from 30/01 to 11/02/2027) plans 30 rest stations run "
        "by 12 units. The budget is 1,200,000,000 VND, of which 1,200,000,000 VND remains.",
    ]


def test_campaign_summary_upcoming_campaign_counts_supplies_received_so_far(
    clock: FrozenClock,
) -> None:
    clock.set(vn(2027, 1, 29, 17))
    stocked = totals(stations=2, units=2, cost_vnd=4_500_000)

    texts = [campaign_summary(report(stocked, **TET_2027), language) for language in ("vi", "en")]

    assert texts == [
        "Chiến dịch Tết Đinh Mùi 2027 (từ 30/01 đến 11/02/2027) dự kiến tổ chức 2 Trạm dừng "
        "chân nghĩa tình do 2 đơn vị thực hiện. Tổng kinh phí thực hiện đến nay 4.500.000 đồng.",
        "The Tết Đinh Mùi 2027 campaign (from 30/01 to 11/02/2027) plans 2 rest stations run by "
        "2 units. Total cost so far: 4,500,000 VND.",
    ]


# --- a running campaign: what it has done so far ----------------------------------------


def test_campaign_summary_running_campaign_counts_so_far(clock: FrozenClock) -> None:
    running = report(SMALL, **TET_2027, budget_vnd=10_000_000)

    texts = [campaign_summary(running, language) for language in ("vi", "en")]

    assert texts == [
        "Chiến dịch Tết Đinh Mùi 2027 (từ 30/01 đến 11/02/2027) đang tổ chức 2 Trạm dừng chân "
        "nghĩa tình do 3 đơn vị thực hiện; đến nay đã huy động 4 lượt cán bộ, chiến sĩ, đoàn "
        "viên, hội viên và Nhân dân tham gia, tổng cộng 9 giờ trực; cấp 190 chai nước suối, 50 "
        "khăn lạnh, 25 phần thực phẩm các loại; phối hợp kiểm tra an toàn kỹ thuật cho 7 xe "
        "máy; phát 200 tờ rơi, phát loa 2,5 giờ tuyên truyền pháp luật về trật tự an toàn giao "
        "thông; sơ cứu cho 2 lượt người. Tổng kinh phí thực hiện đến nay 2.300.000 đồng. Dự toán "
        "kinh phí 10.000.000 đồng, còn lại 7.700.000 đồng.",
        "The Tết Đinh Mùi 2027 campaign (from 30/01 to 11/02/2027) is running 2 rest stations "
        "organised by 3 units; so far it has mobilised officers, soldiers, union members and "
        "local people for 4 volunteer turns and 9 hours on duty; handed out 190 bottles of "
        "water, 50 cold towels and 25 food items; carried out technical safety checks on 7 "
        "motorbikes with partners; distributed 200 leaflets and broadcast 2.5 hours of road "
        "traffic safety law messages by loudspeaker; provided first aid to 2 people. Total cost "
        "so far: 2,300,000 VND. The budget is 10,000,000 VND, of which 7,700,000 VND remains.",
    ]


def test_campaign_summary_running_campaign_without_people_says_so_far_once(
    clock: FrozenClock,
) -> None:
    handouts = totals(stations=1, units=1, water_bottles=40, first_aid=1)

    texts = [campaign_summary(report(handouts, **TET_2027), language) for language in ("vi", "en")]

    assert texts == [
        "Chiến dịch Tết Đinh Mùi 2027 (từ 30/01 đến 11/02/2027) đang tổ chức 1 Trạm dừng chân "
        "nghĩa tình do 1 đơn vị thực hiện; đến nay đã cấp 40 chai nước suối; sơ cứu cho 1 lượt "
        "người.",
        "The Tết Đinh Mùi 2027 campaign (from 30/01 to 11/02/2027) is running 1 rest station "
        "organised by 1 unit; so far it has handed out 40 bottles of water; provided first aid "
        "to 1 person.",
    ]


def test_campaign_summary_running_campaign_without_results(clock: FrozenClock) -> None:
    quiet = totals(stations=2, units=2)

    texts = [campaign_summary(report(quiet, **TET_2027), language) for language in ("vi", "en")]

    assert texts == [
        "Chiến dịch Tết Đinh Mùi 2027 (từ 30/01 đến 11/02/2027) đang tổ chức 2 Trạm dừng chân "
        "nghĩa tình do 2 đơn vị thực hiện; đến nay chưa ghi nhận kết quả hoạt động.",
        "The Tết Đinh Mùi 2027 campaign (from 30/01 to 11/02/2027) is running 2 rest stations "
        "organised by 2 units; no results have been recorded so far.",
    ]


# --- an ended campaign: what it did -----------------------------------------------------


def test_campaign_summary_vietnamese_reads_like_a_provincial_report(clock: FrozenClock) -> None:
    text = campaign_summary(report(SMALL, budget_vnd=10_000_000), "vi")

    assert text == (
        "Chiến dịch Tết Bính Ngọ 2026 (từ 10/02 đến 22/02/2026) đã tổ chức 2 Trạm dừng chân "
        "nghĩa tình do 3 đơn vị thực hiện, huy động 4 lượt cán bộ, chiến sĩ, đoàn viên, hội viên "
        "và Nhân dân tham gia, tổng cộng 9 giờ trực; đã cấp 190 chai nước suối, 50 khăn lạnh, 25 "
        "phần thực phẩm các loại; phối hợp kiểm tra an toàn kỹ thuật cho 7 xe máy; phát 200 tờ "
        "rơi, phát loa 2,5 giờ tuyên truyền pháp luật về trật tự an toàn giao thông; sơ cứu cho 2 "
        "lượt người. Tổng kinh phí thực hiện 2.300.000 đồng. Dự toán kinh phí 10.000.000 đồng, "
        "còn lại 7.700.000 đồng."
    )


def test_campaign_summary_english_says_the_same(clock: FrozenClock) -> None:
    text = campaign_summary(report(SMALL, budget_vnd=10_000_000), "en")

    assert text == (
        "The Tết Bính Ngọ 2026 campaign (from 10/02 to 22/02/2026) ran 2 rest stations organised "
        "by 3 units, mobilising officers, soldiers, union members and local people for 4 "
        "volunteer turns and 9 hours on duty; handed out 190 bottles of water, 50 cold towels and "
        "25 food items; carried out technical safety checks on 7 motorbikes with partners; "
        "distributed 200 leaflets and broadcast 2.5 hours of road traffic safety law messages by "
        "loudspeaker; provided first aid to 2 people. Total cost: 2,300,000 VND. The budget is "
        "10,000,000 VND, of which 7,700,000 VND remains."
    )


def test_campaign_summary_closed_campaign_reads_in_the_past_before_its_end(
    clock: FrozenClock,
) -> None:
    closed = report(totals(stations=1, units=1, water_bottles=10), **TET_2027, status="closed")

    texts = [campaign_summary(closed, language) for language in ("vi", "en")]

    assert texts == [
        "Chiến dịch Tết Đinh Mùi 2027 (từ 30/01 đến 11/02/2027) đã tổ chức 1 Trạm dừng chân "
        "nghĩa tình do 1 đơn vị thực hiện; đã cấp 10 chai nước suối.",
        "The Tết Đinh Mùi 2027 campaign (from 30/01 to 11/02/2027) ran 1 rest station organised "
        "by 1 unit; handed out 10 bottles of water.",
    ]


def test_campaign_summary_vietnamese_groups_thousands_and_rounds_large_hours(
    clock: FrozenClock,
) -> None:
    clock.set(vn(2027, 2, 20, 9))

    text = campaign_summary(report(ARTICLE, **TET_2027), "vi")

    assert text == (
        "Chiến dịch Tết Đinh Mùi 2027 (từ 30/01 đến 11/02/2027) đã tổ chức 30 Trạm dừng chân "
        "nghĩa tình do 12 đơn vị thực hiện, huy động 4.012 lượt cán bộ, chiến sĩ, đoàn viên, hội "
        "viên và Nhân dân tham gia, tổng cộng 16.048 giờ trực; đã cấp 612.300 chai nước suối, "
        "503.100 khăn lạnh, 114.870 phần thực phẩm các loại, 1.020 lít xăng; phối hợp kiểm tra an "
        "toàn kỹ thuật cho 471 xe máy; phát 32.150 tờ rơi, phát loa 1.962 giờ tuyên truyền pháp "
        "luật về trật tự an toàn giao thông; sơ cứu cho 180 lượt người. Tổng kinh phí thực hiện "
        "1.050.000.000 đồng."
    )


def test_campaign_summary_english_uses_singular_for_one(clock: FrozenClock) -> None:
    ones = totals(
        stations=1,
        units=1,
        volunteer_turns=1,
        worked_hours=1.0,
        water_bottles=1,
        leaflets=1,
        motorbikes_checked=1,
        broadcast_hours=1.0,
        first_aid=1,
    )

    text = campaign_summary(
        report(ones, name="30/4", starts_on=dt.date(2026, 4, 30), ends_on=dt.date(2026, 4, 30)),
        "en",
    )

    assert text == (
        "The 30/4 campaign (on 30/04/2026) ran 1 rest station organised by 1 unit, mobilising "
        "officers, soldiers, union members and local people for 1 volunteer turn and 1 hour on "
        "duty; handed out 1 bottle of water; carried out technical safety checks on 1 motorbike "
        "with partners; distributed 1 leaflet and broadcast 1 hour of road traffic safety law "
        "messages by loudspeaker; provided first aid to 1 person."
    )


def test_campaign_summary_omits_zero_categories(clock: FrozenClock) -> None:
    some = totals(stations=1, units=1, volunteer_turns=3, fuel_litres=20, broadcast_hours=0.5)

    texts = [campaign_summary(report(some), language) for language in ("vi", "en")]

    assert texts == [
        "Chiến dịch Tết Bính Ngọ 2026 (từ 10/02 đến 22/02/2026) đã tổ chức 1 Trạm dừng chân "
        "nghĩa tình do 1 đơn vị thực hiện, huy động 3 lượt cán bộ, chiến sĩ, đoàn viên, hội viên "
        "và Nhân dân tham gia; đã cấp 20 lít xăng; phát loa 0,5 giờ tuyên truyền pháp luật về "
        "trật tự an toàn giao thông.",
        "The Tết Bính Ngọ 2026 campaign (from 10/02 to 22/02/2026) ran 1 rest station organised "
        "by 1 unit, mobilising officers, soldiers, union members and local people for 3 "
        "volunteer turns; handed out 20 litres of fuel; broadcast 0.5 hours of road traffic "
        "safety law messages by loudspeaker.",
    ]


def test_campaign_summary_past_tense_marks_the_first_result_whichever_it_is(
    clock: FrozenClock,
) -> None:
    checks_only = totals(stations=1, units=2, motorbikes_checked=12)

    text = campaign_summary(report(checks_only), "vi")

    assert text == (
        "Chiến dịch Tết Bính Ngọ 2026 (từ 10/02 đến 22/02/2026) đã tổ chức 1 Trạm dừng chân "
        "nghĩa tình do 2 đơn vị thực hiện; đã phối hợp kiểm tra an toàn kỹ thuật cho 12 xe máy."
    )


def test_campaign_summary_stations_without_results(clock: FrozenClock) -> None:
    quiet = totals(stations=2, units=2)

    texts = [
        campaign_summary(report(quiet, budget_vnd=5_000_000), language) for language in ("vi", "en")
    ]

    assert texts == [
        "Chiến dịch Tết Bính Ngọ 2026 (từ 10/02 đến 22/02/2026) đã tổ chức 2 Trạm dừng chân "
        "nghĩa tình do 2 đơn vị thực hiện; chưa ghi nhận kết quả hoạt động. Dự toán kinh phí "
        "5.000.000 đồng, còn lại 5.000.000 đồng.",
        "The Tết Bính Ngọ 2026 campaign (from 10/02 to 22/02/2026) ran 2 rest stations organised "
        "by 2 units; no results have been recorded yet. The budget is 5,000,000 VND, of which "
        "5,000,000 VND remains.",
    ]


def test_campaign_summary_empty_campaign_in_each_stage(clock: FrozenClock) -> None:
    ended = report(totals())
    running = report(totals(), **TET_2027)

    texts = [campaign_summary(r, language) for r in (ended, running) for language in ("vi", "en")]

    assert texts == [
        "Chiến dịch Tết Bính Ngọ 2026 (từ 10/02 đến 22/02/2026) không tổ chức Trạm dừng chân "
        "nghĩa tình nào.",
        "The Tết Bính Ngọ 2026 campaign (from 10/02 to 22/02/2026) did not open any rest station.",
        "Chiến dịch Tết Đinh Mùi 2027 (từ 30/01 đến 11/02/2027) chưa tổ chức Trạm dừng chân "
        "nghĩa tình nào.",
        "The Tết Đinh Mùi 2027 campaign (from 30/01 to 11/02/2027) has not opened any rest "
        "station yet.",
    ]


def test_campaign_summary_over_budget(clock: FrozenClock) -> None:
    spent = totals(stations=1, units=1, water_bottles=10, cost_vnd=1_300_000)

    texts = [
        campaign_summary(report(spent, budget_vnd=1_000_000), language) for language in ("vi", "en")
    ]

    assert [text.split(". ", 1)[1] for text in texts] == [
        "Tổng kinh phí thực hiện 1.300.000 đồng. Dự toán kinh phí 1.000.000 đồng, đã chi vượt "
        "dự toán 300.000 đồng.",
        "Total cost: 1,300,000 VND. The budget is 1,000,000 VND, overspent by 300,000 VND.",
    ]


def test_campaign_summary_period_across_new_year_shows_both_years(clock: FrozenClock) -> None:
    text = campaign_summary(
        report(totals(), starts_on=dt.date(2025, 12, 28), ends_on=dt.date(2026, 1, 3)), "vi"
    )

    assert text.startswith("Chiến dịch Tết Bính Ngọ 2026 (từ 28/12/2025 đến 03/01/2026) ")


def test_campaign_summary_does_not_repeat_the_word_campaign(clock: FrozenClock) -> None:
    texts = [
        campaign_summary(report(totals(), name="Chiến dịch Tết 2026"), language)
        for language in ("vi", "en")
    ]

    assert [text.split(" (")[0] for text in texts] == [
        "Chiến dịch Tết 2026",
        "The Tết 2026 campaign",
    ]


def test_campaign_summary_unknown_language_reads_vietnamese(clock: FrozenClock) -> None:
    assert campaign_summary(report(SMALL), "fr") == campaign_summary(report(SMALL), "vi")
