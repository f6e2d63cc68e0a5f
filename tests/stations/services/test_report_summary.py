from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from stations.services.queries.reports import CampaignReport, ReportTotals
from stations.services.report_summary import campaign_summary

pytestmark = pytest.mark.unit


def totals(**figures: Any) -> ReportTotals:
    values: dict[str, Any] = dict.fromkeys(ReportTotals.__dataclass_fields__, 0)
    values.update(figures)
    return ReportTotals(**values)


def report(
    figures: ReportTotals,
    *,
    name: str = "Tết Đinh Mùi 2027",
    starts_on: dt.date = dt.date(2027, 2, 1),
    ends_on: dt.date = dt.date(2027, 2, 2),
    budget_vnd: int | None = None,
) -> CampaignReport:
    return CampaignReport(
        campaign_id=1,
        name=name,
        kind="tet",
        starts_on=starts_on,
        ends_on=ends_on,
        budget_vnd=budget_vnd,
        generated_at=dt.datetime(2027, 2, 2, 1, 0, tzinfo=dt.UTC),
        totals=figures,
        stations=[],
        days=[],
    )


SMALL = totals(
    stations=2,
    units=3,
    volunteer_turns=4,
    worked_hours=9.0,
    water_bottles=190,
    cold_towels=50,
    food_items=25,
    leaflets=200,
    motorbikes_checked=7,
    broadcast_hours=2.5,
    first_aid=2,
    cost_vnd=2_300_000,
)


def test_campaign_summary_vietnamese_reads_like_a_provincial_report() -> None:
    text = campaign_summary(report(SMALL, budget_vnd=10_000_000), "vi")

    assert text == (
        "Chiến dịch Tết Đinh Mùi 2027 (từ 01/02 đến 02/02/2027) đã tổ chức 2 Trạm dừng chân "
        "nghĩa tình do 3 đơn vị thực hiện, huy động 4 lượt cán bộ, chiến sĩ, đoàn viên, hội viên "
        "và Nhân dân tham gia với 9 giờ trực; đã cấp 190 chai nước suối, 50 khăn lạnh, 25 phần "
        "thực phẩm các loại; phối hợp kiểm tra an toàn kỹ thuật cho 7 xe mô tô; phát 200 tờ rơi, "
        "phát loa 2,5 giờ tuyên truyền pháp luật về trật tự an toàn giao thông; sơ cứu cho 2 lượt "
        "người, với tổng kinh phí 2.300.000 đồng. Dự toán kinh phí 10.000.000 đồng, còn lại "
        "7.700.000 đồng."
    )


def test_campaign_summary_english_says_the_same() -> None:
    text = campaign_summary(report(SMALL, budget_vnd=10_000_000), "en")

    assert text == (
        "The Tết Đinh Mùi 2027 campaign (from 01/02 to 02/02/2027) ran 2 rest stations organised "
        "by 3 units, mobilising officers, soldiers, union members and local people for 4 "
        "volunteer turns and 9 hours on duty; handed out 190 bottles of water, 50 cold towels and "
        "25 food items; carried out technical safety checks on 7 motorbikes with partners; "
        "distributed 200 leaflets and broadcast 2.5 hours of road traffic safety law messages by "
        "loudspeaker; gave first aid to 2 people, at a total cost of 2,300,000 VND. The budget is "
        "10,000,000 VND, of which 7,700,000 VND remains."
    )


def test_campaign_summary_vietnamese_groups_thousands_and_rounds_large_hours() -> None:
    article = totals(
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
        cost_vnd=1_050_000_000,
    )

    text = campaign_summary(
        report(article, starts_on=dt.date(2027, 1, 30), ends_on=dt.date(2027, 2, 11)), "vi"
    )

    assert text == (
        "Chiến dịch Tết Đinh Mùi 2027 (từ 30/01 đến 11/02/2027) đã tổ chức 30 Trạm dừng chân "
        "nghĩa tình do 12 đơn vị thực hiện, huy động 4.012 lượt cán bộ, chiến sĩ, đoàn viên, hội "
        "viên và Nhân dân tham gia với 16.048 giờ trực; đã cấp 612.300 chai nước suối, 503.100 "
        "khăn lạnh, 114.870 phần thực phẩm các loại, 1.020 lít xăng; phối hợp kiểm tra an toàn kỹ "
        "thuật cho 471 xe mô tô; phát 32.150 tờ rơi, phát loa 1.962 giờ tuyên truyền pháp luật về "
        "trật tự an toàn giao thông, với tổng kinh phí 1.050.000.000 đồng."
    )


def test_campaign_summary_english_uses_singular_for_one() -> None:
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
        report(ones, name="30/4", starts_on=dt.date(2027, 4, 30), ends_on=dt.date(2027, 4, 30)),
        "en",
    )

    assert text == (
        "The 30/4 campaign (on 30/04/2027) ran 1 rest station organised by 1 unit, mobilising "
        "officers, soldiers, union members and local people for 1 volunteer turn and 1 hour on "
        "duty; handed out 1 bottle of water; carried out technical safety checks on 1 motorbike "
        "with partners; distributed 1 leaflet and broadcast 1 hour of road traffic safety law "
        "messages by loudspeaker; gave first aid to 1 person."
    )


def test_campaign_summary_omits_zero_categories() -> None:
    some = totals(stations=1, units=1, volunteer_turns=3, fuel_litres=20, broadcast_hours=0.5)

    texts = [campaign_summary(report(some), language) for language in ("vi", "en")]

    assert texts == [
        "Chiến dịch Tết Đinh Mùi 2027 (từ 01/02 đến 02/02/2027) đã tổ chức 1 Trạm dừng chân "
        "nghĩa tình do 1 đơn vị thực hiện, huy động 3 lượt cán bộ, chiến sĩ, đoàn viên, hội viên "
        "và Nhân dân tham gia; đã cấp 20 lít xăng; phát loa 0,5 giờ tuyên truyền pháp luật về "
        "trật tự an toàn giao thông.",
        "The Tết Đinh Mùi 2027 campaign (from 01/02 to 02/02/2027) ran 1 rest station organised "
        "by 1 unit, mobilising officers, soldiers, union members and local people for 3 "
        "volunteer turns; handed out 20 litres of fuel; broadcast 0.5 hours of road traffic "
        "safety law messages by loudspeaker.",
    ]


def test_campaign_summary_stations_without_results() -> None:
    quiet = totals(stations=2, units=2)

    texts = [
        campaign_summary(report(quiet, budget_vnd=5_000_000), language) for language in ("vi", "en")
    ]

    assert texts == [
        "Chiến dịch Tết Đinh Mùi 2027 (từ 01/02 đến 02/02/2027) đã tổ chức 2 Trạm dừng chân "
        "nghĩa tình do 2 đơn vị thực hiện; chưa ghi nhận kết quả hoạt động. Dự toán kinh phí "
        "5.000.000 đồng, còn lại 5.000.000 đồng.",
        "The Tết Đinh Mùi 2027 campaign (from 01/02 to 02/02/2027) ran 2 rest stations organised "
        "by 2 units; no results have been recorded yet. The budget is 5,000,000 VND, of which "
        "5,000,000 VND remains.",
    ]


def test_campaign_summary_empty_campaign() -> None:
    texts = [campaign_summary(report(totals()), language) for language in ("vi", "en")]

    assert texts == [
        "Chiến dịch Tết Đinh Mùi 2027 (từ 01/02 đến 02/02/2027) chưa tổ chức Trạm dừng chân "
        "nghĩa tình nào.",
        "The Tết Đinh Mùi 2027 campaign (from 01/02 to 02/02/2027) has not opened any rest "
        "station yet.",
    ]


def test_campaign_summary_over_budget() -> None:
    spent = totals(stations=1, units=1, water_bottles=10, cost_vnd=1_300_000)

    texts = [
        campaign_summary(report(spent, budget_vnd=1_000_000), language) for language in ("vi", "en")
    ]

    assert [text.split(". ")[-1] for text in texts] == [
        "Dự toán kinh phí 1.000.000 đồng, đã vượt 300.000 đồng.",
        "The budget is 1,000,000 VND, exceeded by 300,000 VND.",
    ]


def test_campaign_summary_period_across_new_year_shows_both_years() -> None:
    text = campaign_summary(
        report(totals(), starts_on=dt.date(2026, 12, 28), ends_on=dt.date(2027, 1, 3)), "vi"
    )

    assert text.startswith("Chiến dịch Tết Đinh Mùi 2027 (từ 28/12/2026 đến 03/01/2027) ")


def test_campaign_summary_does_not_repeat_the_word_campaign() -> None:
    texts = [
        campaign_summary(report(totals(), name="Chiến dịch Tết 2027"), language)
        for language in ("vi", "en")
    ]

    assert [text.split(" (")[0] for text in texts] == [
        "Chiến dịch Tết 2027",
        "The Tết 2027 campaign",
    ]


def test_campaign_summary_unknown_language_reads_vietnamese() -> None:
    assert campaign_summary(report(SMALL), "fr") == campaign_summary(report(SMALL), "vi")
