"""The world of the inventory pages' tests: two units' stations in one campaign, one in
another, and two supply items."""

from __future__ import annotations

import pytest

from tests.factories import make_campaign, make_item, make_station, make_unit
from tests.stations.web.inventory.helpers import World


@pytest.fixture
async def world(db, clock) -> World:
    unit_a, unit_b = await make_unit(code="UA"), await make_unit(code="UB")
    campaign = await make_campaign()
    a1 = await make_station(campaign, code="A1", name="Trạm Hồng Ngự", unit=unit_a)
    a2 = await make_station(campaign, code="A2", name="Trạm Tân Hồng", unit=unit_a)
    b1 = await make_station(campaign, code="B1", name="Trạm Cao Lãnh", unit=unit_b)
    other_campaign = await make_campaign(name="30/4 – 1/5 2027")
    elsewhere = await make_station(other_campaign, code="X1", unit=unit_a)
    water, towel = await make_item("water"), await make_item("towel")
    return World(campaign, unit_a, unit_b, a1, a2, b1, elsewhere, water, towel)
