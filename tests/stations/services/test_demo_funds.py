"""Last Tết's money, partners and forces in the demo, as the article reports them."""

from __future__ import annotations

import pytest

from stations.enums import Force
from stations.models import Volunteer
from stations.services import demo_funds
from stations.services.actor import Actor
from stations.services.demo import load_demo
from stations.services.queries.reports import campaign_report, report_to_dict
from stations.services.report_summary import campaign_summary

pytestmark = pytest.mark.integration

BY = Actor.system("test")


def test_the_demos_donations_are_more_than_one_billion_dong() -> None:
    cash = sum(amount for _donor, amount, _days, _sponsor in demo_funds.CASH_DONATIONS)

    # "với nguồn kinh phí trên 01 tỷ đồng": the gift in kind is at least WATER_GIFT_VND.
    assert cash + demo_funds.WATER_GIFT_VND > 1_000_000_000


async def test_last_tet_names_its_partners_forces_and_funds(db, clock) -> None:
    result = await load_demo(seed=7, scale=0.05, by=BY)

    report = await campaign_report(result.previous_campaign)
    data = report_to_dict(report)

    assert data["funds"]["mobilised_cash"] == 615_000_000
    assert 0 < data["funds"]["mobilised_in_kind"] <= data["totals"]["cost_vnd"]
    head_honda = next(p for p in data["partners"] if p["name"] == "Trung tâm Head Honda Đồng Tháp")
    assert head_honda == {
        "name": "Trung tâm Head Honda Đồng Tháp",
        "services": {"motorbike_check": data["totals"]["motorbikes_checked"]},
        "donated": 50_000_000,
    }
    served = {row["force"] for row in data["forces"] if row["turns"]}
    assert served <= {"police", "youth_union", "womens_union", "people"}
    assert sum(row["turns"] for row in data["forces"]) == data["totals"]["volunteer_turns"]
    assert data["units_taking_part"] == len([u for u in data["units"] if u["stations"]])
    assert "phối hợp với Trung tâm Head Honda Đồng Tháp kiểm tra an toàn kỹ thuật" in (
        campaign_summary(report, "vi")
    )
    assert await Volunteer.filter(force=Force.OTHER).count() == 0
