from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from stations import clock as clock_module
from stations.clock import FrozenClock
from stations.services.queries.report_forces import ForceRow
from stations.services.queries.report_funds import FundsReport
from stations.services.queries.report_partners import PartnerRow
from stations.services.queries.report_sections import CampaignSections
from stations.services.queries.report_units import UnitRow, UnitsTable
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
    kind: str = "tet",
    sections: CampaignSections | None = None,
) -> CampaignReport:
    """A report generated now, by the clock the test runs on (as ``campaign_report`` is)."""
    return CampaignReport(
        campaign_id=1,
        name=name,
        kind=kind,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        budget_vnd=budget_vnd,
        generated_at=clock_module.now(),
        totals=figures,
        stations=[],
        days=[],
        sections=sections if sections is not None else CampaignSections(units=UNITS_10_OF_12),
    )


def _units(taking: int, total: int) -> UnitsTable:
    return UnitsTable(
        [UnitRow(n, f"Đơn vị {n}", 1 if n < taking else 0, 0, 0, 0, 0) for n in range(total)]
    )


UNITS_10_OF_12 = _units(10, 12)
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


# --- the province's report --------------------------------------------------------------

ARTICLE_SECTIONS = CampaignSections(
    funds=FundsReport(
        budget=0,
        mobilised_cash=615_000_000,
        mobilised_in_kind=455_000_000,
        spent=900_000_000,
        balance=-285_000_000,
    ),
    forces=[
        ForceRow("police", 1_800, 0),
        ForceRow("youth_union", 1_100, 0),
        ForceRow("womens_union", 600, 0),
        ForceRow("people", 468, 0),
        ForceRow("other", 0, 0),
    ],
    units=_units(11, 12),
    partners=[
        PartnerRow(
            "Trung tâm Head Honda Đồng Tháp", "garage", {"motorbike_check": 470}, 50_000_000
        ),
        PartnerRow("Đài PT-TH Đồng Tháp", "media"),
    ],
)
ARTICLE_2026 = totals(
    stations=26,
    units=11,
    volunteer_turns=3968,
    worked_hours=15382.3,
    water_bottles=600_000,
    cold_towels=500_000,
    food_items=115_000,
    fuel_litres=1_000,
    leaflets=32_000,
    motorbikes_checked=470,
    broadcast_hours=1960.0,
    first_aid=180,
    directions=2_400,
)


def test_summary_vietnamese_reads_like_the_provinces_report(clock: FrozenClock) -> None:
    closed = report(ARTICLE_2026, status="closed", sections=ARTICLE_SECTIONS)

    assert campaign_summary(closed, "vi") == (
        "Trong dịp Tết Nguyên đán Bính Ngọ 2026 (từ ngày 10/02 đến ngày 22/02/2026), 11/12 đơn "
        'vị đã tổ chức 26 điểm "Trạm dừng chân nghĩa tình", huy động 3.968 lượt cán bộ, chiến '
        "sĩ, đoàn viên, hội viên và Nhân dân tham gia với 15.382 giờ trực; cấp 600.000 chai "
        "nước suối, 500.000 khăn lạnh, 115.000 phần thực phẩm các loại và 1.000 lít xăng; phối "
        "hợp với Trung tâm Head Honda Đồng Tháp kiểm tra an toàn kỹ thuật cho 470 xe máy; "
        "phát 32.000 tờ rơi, phát loa 1.960 giờ tuyên truyền pháp luật về trật tự an toàn giao "
        "thông; sơ cứu cho 180 lượt người; chỉ đường cho 2.400 lượt người. Tổng kinh phí huy "
        "động 1.070.000.000 đồng (tiền mặt 615.000.000 đồng, hiện vật 455.000.000 đồng). Đã "
        "chi 900.000.000 đồng, vượt nguồn kinh phí 285.000.000 đồng."
    )


def test_summary_english_says_police_officers(clock: FrozenClock) -> None:
    closed = report(ARTICLE_2026, status="closed", sections=ARTICLE_SECTIONS)

    text = campaign_summary(closed, "en")

    assert text.startswith(
        "During the Bính Ngọ 2026 Lunar New Year holiday (from 10/02 to 22/02/2026, both days "
        'included), 11/12 units ran 26 "Trạm dừng chân nghĩa tình" rest stations, mobilising '
        "3,968 turns of police officers, youth union members, women's union members and local "
        "people for 15,382 hours on duty; handed out 600,000 bottles of water"
    )
    assert (
        "worked with Trung tâm Head Honda Đồng Tháp to carry out technical safety checks on 470 motorbikes"
        in text
    )
    assert text.endswith(
        "Funds mobilised: 1,070,000,000 VND (615,000,000 VND in cash, 455,000,000 VND in kind). "
        "900,000,000 VND was spent: 285,000,000 VND more than the funds."
    )


def test_summary_names_only_the_forces_that_served(clock: FrozenClock) -> None:
    sections = CampaignSections(
        forces=[ForceRow("police", 40, 0), ForceRow("people", 2, 0)], units=_units(1, 1)
    )

    text = campaign_summary(report(totals(stations=1, volunteer_turns=42), sections=sections), "vi")

    assert "huy động 42 lượt cán bộ, chiến sĩ và Nhân dân tham gia" in text


def test_summary_of_the_30_april_holidays(clock: FrozenClock) -> None:
    holiday = report(
        totals(stations=9, leaflets=100),
        name="30/4–1/5 2026",
        kind="reunification",
        starts_on=dt.date(2026, 4, 30),
        ends_on=dt.date(2026, 5, 3),
    )

    assert campaign_summary(holiday, "vi").startswith(
        "Trong dịp Lễ 30/4 và 01/5/2026 (từ ngày 30/04 đến ngày 03/05/2026), 10/12 đơn vị đã "
        'tổ chức 9 điểm "Trạm dừng chân nghĩa tình"'
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_summary_never_mangles_a_custom_campaigns_name(clock: FrozenClock, language) -> None:
    summer = report(
        totals(stations=3),
        name="Chiến dịch hè 2027",
        kind="custom",
        starts_on=dt.date(2026, 6, 1),
        ends_on=dt.date(2026, 6, 30),
    )

    text = campaign_summary(summer, language)

    assert "Chiến dịch hè 2027 (" in text
    assert "hè 2027 campaign" not in text


def test_summary_upcoming_campaign_plans_its_stations(clock: FrozenClock) -> None:
    clock.set(vn(2026, 12, 1, 9))
    upcoming = report(PLANNED_ONLY, **TET_2027)

    assert campaign_summary(upcoming, "vi") == (
        "Trong dịp Tết Nguyên đán Đinh Mùi 2027 (từ ngày 30/01 đến ngày 11/02/2027), 10/12 "
        'đơn vị dự kiến tổ chức 30 điểm "Trạm dừng chân nghĩa tình".'
    )


def test_summary_running_campaign_counts_so_far(clock: FrozenClock) -> None:
    running = report(SMALL, **TET_2027)

    text = campaign_summary(running, "vi")

    assert text.startswith(
        "Trong dịp Tết Nguyên đán Đinh Mùi 2027 (từ ngày 30/01 đến ngày 11/02/2027), 10/12 "
        'đơn vị đang tổ chức 2 điểm "Trạm dừng chân nghĩa tình"; đến nay đã huy động 4 lượt '
        "cán bộ, chiến sĩ, đoàn viên, hội viên và Nhân dân tham gia với 9 giờ trực; cấp 190"
    )


def test_summary_running_campaign_without_results(clock: FrozenClock) -> None:
    running = report(PLANNED_ONLY, **TET_2027)

    assert campaign_summary(running, "en").endswith(
        'are running 30 "Trạm dừng chân nghĩa tình" rest stations; no results have been '
        "recorded so far."
    )


def test_summary_empty_campaign_in_each_stage(clock: FrozenClock) -> None:
    empty = totals()

    assert [
        campaign_summary(report(empty, **TET_2027), "vi"),
        campaign_summary(report(empty), "en"),
    ] == [
        "Trong dịp Tết Nguyên đán Đinh Mùi 2027 (từ ngày 30/01 đến ngày 11/02/2027), chưa tổ "
        'chức điểm "Trạm dừng chân nghĩa tình" nào.',
        "No rest station was opened during the Bính Ngọ 2026 Lunar New Year holiday (from "
        "10/02 to 22/02/2026, both days included).",
    ]


def test_summary_omits_zero_categories_and_keeps_small_hours(clock: FrozenClock) -> None:
    text = campaign_summary(report(totals(stations=1, broadcast_hours=2.5, repairs=1)), "en")

    assert text.endswith(
        'ran 1 "Trạm dừng chân nghĩa tình" rest station; broadcast 2.5 hours of road '
        "traffic safety law messages by loudspeaker; repaired 1 vehicle by the roadside."
    )
    assert "bottles" not in text


def test_summary_with_a_budget_says_what_is_left(clock: FrozenClock) -> None:
    sections = CampaignSections(
        funds=FundsReport(
            budget=100_000_000,
            mobilised_cash=0,
            mobilised_in_kind=0,
            spent=40_000_000,
            balance=60_000_000,
        ),
        units=_units(1, 1),
    )

    text = campaign_summary(report(totals(stations=1), sections=sections), "vi")

    assert text.endswith(
        "Dự toán kinh phí 100.000.000 đồng; đã chi 40.000.000 đồng, còn lại 60.000.000 đồng."
    )


def test_summary_of_part_of_a_campaign_gives_the_cost_of_its_supplies(clock: FrozenClock) -> None:
    scoped = report(
        totals(stations=1, cost_vnd=2_300_000), sections=CampaignSections(units=_units(1, 1))
    )

    assert campaign_summary(scoped, "vi").endswith("Tổng kinh phí thực hiện 2.300.000 đồng.")


def test_summary_period_across_new_year_shows_both_years(clock: FrozenClock) -> None:
    text = campaign_summary(
        report(totals(), starts_on=dt.date(2027, 12, 30), ends_on=dt.date(2028, 1, 2)), "vi"
    )

    assert "(từ ngày 30/12/2027 đến ngày 02/01/2028)" in text


def test_summary_unknown_language_reads_vietnamese(clock: FrozenClock) -> None:
    closed = report(ARTICLE_2026, status="closed", sections=ARTICLE_SECTIONS)

    assert campaign_summary(closed, "fr") == campaign_summary(closed, "vi")
