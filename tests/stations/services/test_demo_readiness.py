"""The demo's places and its upcoming Tết in planning (``services/demo_readiness.py``)."""

from __future__ import annotations

from stations.enums import CampaignPhase
from stations.models import PlannedStock, Station, Unit
from stations.services.actor import Actor
from stations.services.campaign_phases import campaign_phase
from stations.services.demo import load_demo
from stations.services.queries.coverage import ward_coverage
from stations.services.queries.readiness import campaign_readiness
from tests.factories import vn

BY = Actor.system("test")
DEMO_DAY = vn(2026, 12, 7, 9)  # seven weeks before Tết 2027


async def test_demo_tet_2027_is_in_planning_with_something_to_do(db, clock) -> None:
    clock.set(DEMO_DAY)

    result = await load_demo(seed=7, scale=0.3, by=BY)

    upcoming = result.campaign
    readiness = await campaign_readiness(upcoming, unit_ids=None)
    assert (upcoming.name, campaign_phase(upcoming)) == (
        "Tết Đinh Mùi 2027",
        CampaignPhase.PLANNING,
    )
    assert readiness.days_to_go == 54
    assert readiness.stations_without_shifts == 1
    assert readiness.unfilled_shifts > 0
    assert readiness.unlinked_count > 0
    received = [s for st in readiness.not_ready for s in st.supplies if s.received]
    assert received and any(s.missing for s in received)
    assert readiness.supplies_missing > 0


async def test_demo_units_and_stations_carry_real_dong_thap_ward_codes(db, clock) -> None:
    clock.set(DEMO_DAY)

    result = await load_demo(seed=7, scale=1.0, by=BY)

    stations = await Station.all().values_list("province_code", "ward_code")
    assert stations and all(p == "82" and w and len(w) == 5 for p, w in stations)
    commune_police = await Unit.filter(code__startswith="CA").exclude(code="CA-DT").count()
    placed = await Unit.filter(ward_code__isnull=False).count()
    assert placed == commune_police == 7
    coverage = await ward_coverage(result.campaign)
    assert [(c.province.name, c.covered, c.total) for c in coverage] == [("Đồng Tháp", 24, 102)]
    assert await PlannedStock.filter(station__campaign_id=result.campaign.id).count() > 0
